"""Issue 10, defect 2: pages that show a person's data each write their event, and refusals are
audited whichever check refuses. (The URL walk in tests/test_url_walk_audit.py covers every page.)"""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))


def _head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_opening_the_change_form_is_an_audited_read(client_for, social_worker, child):
    before = _head()
    page = client_for(social_worker).get(f"/people/{child.pk}/edit/")
    assert page.status_code == 200 and child.last_name in page.content.decode()
    events = _new_events(before)
    assert [(e.action, e.subject_person_id, e.detail["purpose"]) for e in events] == [
        ("person.view", child.pk, "change form")
    ]


def test_remove_confirmation_is_an_audited_read(client_for, social_worker, child):
    from opencsc.people.models import Address

    address = Address.objects.create(
        person=child, line1="1 Test Street", town="Exampleton", postcode="EX1 1AA", start_date=dt.date(2024, 1, 1)
    )
    before = _head()
    page = client_for(social_worker).get(f"/people/{child.pk}/remove/address/{address.pk}/")
    assert page.status_code == 200
    assert [(e.action, e.subject_person_id) for e in _new_events(before)] == [("person.view", child.pk)]


@pytest.mark.parametrize("page", ["allocate", "restricted"])
def test_refusal_on_role_is_audited_as_access_denied(client_for, social_worker, child, page):
    """A social worker may change the child's record but not allocate or restrict it: the page is
    refused with the same 404, and the attempt is now audited (it was refused before any check)."""
    before = _head()
    assert client_for(social_worker).get(f"/people/{child.pk}/{page}/").status_code == 404
    events = _new_events(before)
    assert [(e.action, e.subject_person_id, e.outcome) for e in events] == [
        ("person.access_denied", child.pk, "denied")
    ]


@pytest.mark.parametrize("page", ["allocate", "restricted"])
def test_outsider_refusal_is_audited_and_manager_read_is_audited(client_for, outsider, team_manager, child, page):
    before = _head()
    assert client_for(outsider).get(f"/people/{child.pk}/{page}/").status_code == 404
    assert [e.action for e in _new_events(before)] == ["person.access_denied"]
    before = _head()
    assert client_for(team_manager).get(f"/people/{child.pk}/{page}/").status_code == 200
    assert [(e.action, e.subject_person_id) for e in _new_events(before)] == [("person.view", child.pk)]


def test_search_records_which_people_were_returned(client_for, social_worker, child):
    before = _head()
    client_for(social_worker).get("/people/", {"name": child.last_name})
    (event,) = _new_events(before)
    assert event.action == "person.search" and child.pk in event.detail["person_ids"]
    assert event.detail["results"] == len(event.detail["person_ids"])


def test_home_caseload_records_who_was_listed(client_for, social_worker, child):
    before = _head()
    page = client_for(social_worker).get("/")
    assert child.last_name in page.content.decode()
    (event,) = _new_events(before)
    assert event.action == "home.view" and event.detail["person_ids"] == [child.pk]


def test_record_page_lists_the_relatives_it_names(client_for, social_worker, child, mother):
    before = _head()
    page = client_for(social_worker).get(f"/people/{child.pk}/")
    assert mother.last_name in page.content.decode()
    events = _new_events(before)
    (event,) = [e for e in events if e.subject_person_id == child.pk]
    assert event.detail["person_ids"] == [mother.pk]
    # The summary at the top names the family too, and records them (person.list).
    assert all(e.detail["person_ids"] == [mother.pk] for e in events)
