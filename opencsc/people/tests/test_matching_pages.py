"""The matcher in the workflow: Find a person (on submit, and as the user types), what it may show
about people outside the user's scope, and the audit trail."""

from __future__ import annotations

import pytest

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.models import AuditEvent
from opencsc.people.matching import index
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def _head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _events_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _dob(person) -> dict[str, int]:
    born = person.date_of_birth
    return {"date_of_birth_0": born.day, "date_of_birth_1": born.month, "date_of_birth_2": born.year}


@pytest.fixture
def west_child(west_team, outsider):
    """A child held by Family Support West: outside the east social worker's scope."""
    person = ChildFactory(first_name="Bartholomew", last_name="Quintrell", sex="M")
    AllocationFactory(person=person, team=west_team, worker=outsider, kind=AllocationKind.ALLOCATED_WORKER)
    return person


def test_find_a_person_shows_likely_matches_with_reasons_and_one_audit_event(client_for, social_worker, child):
    index.rebuild()
    misspelt = child.first_name + "e"
    head = _head()
    body = (
        client_for(social_worker)
        .get("/people/", {"name": f"{misspelt} {child.last_name}", **_dob(child)})
        .content.decode()
    )
    assert "Likely matches" in body
    assert child.full_name in body
    assert "Why: " in body and "same date of birth" in body
    events = _events_since(head)
    assert [e.action for e in events] == ["person.search"]
    assert events[0].detail["match_person_ids"] == [child.pk]


def test_out_of_scope_candidates_show_only_that_the_service_knows_them(client_for, social_worker, west_child):
    index.rebuild()
    client = client_for(social_worker)
    for url in ("/people/", "/people/match/"):
        head = _head()
        body = client.get(url, {"name": "Bart Quintrell", **_dob(west_child)}).content.decode()
        assert "Known to the service" in body
        assert "Held by Family Support West: contact them" in body
        assert "request emergency access (break-glass)" in body
        born = f"{west_child.date_of_birth.day} {west_child.date_of_birth:%b %Y}"
        for detail in ("Bartholomew", "Quintrell", west_child.la_child_id, born, "Born ", "Why:", "score"):
            if detail == "Quintrell":
                body = body.replace('value="Bart Quintrell"', "")  # the user's own words, echoed in the form
            assert detail not in body, (url, detail)
        events = _events_since(head)
        assert [e.action for e in events] == ["person.search"], url
        assert events[0].detail["match_known_elsewhere"] == 1
        assert events[0].detail["match_person_ids"] == []


def test_as_you_type_asks_nothing_until_there_is_enough_to_go_on(client_for, social_worker, child):
    head = _head()
    response = client_for(social_worker).get("/people/match/", {"name": "Ja"})
    assert response.status_code == 200
    assert "Likely matches" not in response.content.decode()
    assert _events_since(head) == []


def test_roles_without_case_access_learn_nothing_about_people_they_cannot_see(client_for, analyst, child):
    index.rebuild()
    body = client_for(analyst).get("/people/match/", {"name": child.full_name, **_dob(child)}).content.decode()
    assert child.full_name not in body
    assert "Known to the service" not in body and "break-glass" not in body


def _new_person(person, **extra) -> dict[str, str]:
    born = person.date_of_birth
    return {
        "is_child": "on",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "date_of_birth_0": str(born.day),
        "date_of_birth_1": str(born.month),
        "date_of_birth_2": str(born.year),
        "nhs_number": "",
        "la_child_id": "",
        "upn": "",
        "ethnicity": "",
        **extra,
    }


def test_a_new_person_with_a_certain_match_needs_confirmation_and_a_reason(client_for, social_worker, child):
    from opencsc.people.models import Person

    index.rebuild()
    client = client_for(social_worker)
    before = Person.objects.count()
    first = client.post("/people/new/", _new_person(child)).content.decode()
    assert "This person may already be known" in first and "Certain match" in first and child.full_name in first
    short = client.post(
        "/people/new/", _new_person(child, **{"match-shown": "1", "match-confirmed": "on", "match-reason": "no"})
    )
    assert "in at least 20 characters" in short.content.decode()
    unconfirmed = client.post("/people/new/", _new_person(child, **{"match-shown": "1", "match-reason": "x" * 25}))
    assert "Confirm that this is a different person" in unconfirmed.content.decode()
    assert Person.objects.count() == before
    reason = "Cousin with the same name: the school confirmed they are two children"
    response = client.post(
        "/people/new/", _new_person(child, **{"match-shown": "1", "match-confirmed": "on", "match-reason": reason})
    )
    assert response.status_code == 302 and Person.objects.count() == before + 1
    created = AuditEvent.objects.filter(action="person.create").order_by("-seq").first()
    assert created.reason == reason and created.detail["certain_match_overridden"] is True


def test_an_out_of_scope_certain_match_also_holds_the_new_record_back_and_shows_no_detail(
    client_for, social_worker, west_child
):
    index.rebuild()
    body = client_for(social_worker).post("/people/new/", _new_person(west_child)).content.decode()
    assert "This person may already be known" in body
    assert "Known to the service" in body and "Held by Family Support West" in body
    assert west_child.la_child_id not in body
