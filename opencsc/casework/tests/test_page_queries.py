"""The three pages issue 11 measures under load (the person record, the child's casework page, the
MASH queue) in a pinned number of queries. At 50 users a second on two cores a page has about 10 ms
of CPU, and each query costs about half a millisecond of it: a new query on these pages raises the
ceiling here, with its reason, or it fails. Each page still writes its one view event, naming the
people it shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.models import TaskKind
from opencsc.casework.tests.factories import EpisodeFactory, TaskFactory
from opencsc.people.models import AlertKind, PersonAlert
from opencsc.people.tests.factories import ChildFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 17, 10, tzinfo=dt.UTC)  # a Monday
# Main before this change (SQLite): 23, 20 and 9 queries.
RECORD, CASEWORK, MASH_QUEUE = 19, 16, 8


@pytest.fixture
def family(child: Any, mother: Any) -> dict[str, Any]:
    """A child as the pages usually meet one: an open referral, a mother and a brother, an alert, an
    open task."""
    brother = ChildFactory(last_name=child.last_name)
    RelationshipFactory(person=brother, relative=child, kind="sibling")
    EpisodeFactory(child=child, referral_date=dt.date(2025, 2, 3))
    PersonAlert.objects.create(person=child, kind=AlertKind.INTERPRETER, detail="Tigrinya", start_date=NOW.date())
    TaskFactory(person=child, kind=TaskKind.CIN_VISIT, due_date=dt.date(2025, 3, 20), title="Visit the child at home")
    return {"child": child, "relatives": {mother.pk, brother.pk}}


def _count(client: Any, url: str, django_assert_max_num_queries: Any, ceiling: int) -> str:
    assert client.get(url).status_code == 200  # the day's digests stored, as on a working day
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_person_record_stays_within_its_queries(client_for, team_manager, family, django_assert_max_num_queries):
    child = family["child"]
    html = _count(client_for(team_manager), f"/people/{child.pk}/", django_assert_max_num_queries, RECORD)
    assert "Visit the child at home" in html and "Interpreter needed" in html
    event = AuditEvent.objects.filter(action="person.view", subject_person_id=child.pk).order_by("-seq").first()
    assert event is not None and family["relatives"] <= set(event.detail["person_ids"])
    assert not AuditEvent.objects.filter(seq__gt=event.seq).exists()  # one event for the page


@time_machine.travel(NOW, tick=False)
def test_the_casework_page_stays_within_its_queries(client_for, team_manager, family, django_assert_max_num_queries):
    child = family["child"]
    html = _count(client_for(team_manager), f"/casework/{child.pk}/", django_assert_max_num_queries, CASEWORK)
    # The summary's key dates come from the open tasks the page lists, read once.
    assert html.count("Visit the child at home") >= 2 and "Interpreter needed" in html
    event = AuditEvent.objects.filter(action="casework.view", subject_person_id=child.pk).order_by("-seq").first()
    assert event is not None and family["relatives"] <= set(event.detail["person_ids"])
    assert not AuditEvent.objects.filter(seq__gt=event.seq).exists()


@time_machine.travel(NOW, tick=False)
def test_the_mash_queue_stays_within_its_queries(
    client_for, mash_practitioner, team_manager, east_team, django_assert_max_num_queries
):
    children = [ChildFactory() for _ in range(5)]
    for child in children:
        AllocationFactory(person=child, team=east_team, kind=AllocationKind.ALLOCATED_WORKER)
        services.contact_create(
            actor_user=team_manager,
            actor=Actor.from_user(team_manager),
            child=child,
            contact_date=NOW.date(),
            source="2A",
            reason="Teacher saw a bruise",
            consent_given=True,
            family_told="Mother told",
        )
    html = _count(client_for(mash_practitioner), "/casework/front-door/", django_assert_max_num_queries, MASH_QUEUE)
    assert "5 contacts waiting" in html
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "casework.mash_queue_view"
    assert event.detail["person_ids"] == sorted(child.pk for child in children)


@time_machine.travel(NOW, tick=False)
def test_the_summary_reads_the_key_dates_itself_where_the_page_lists_no_tasks(
    client_for, social_worker, child, django_assert_max_num_queries
):
    """The person record lists no tasks, so its summary reads them: the casework page's sharing of
    its list changes nothing on the record."""
    TaskFactory(person=child, due_date=dt.date(2025, 3, 14), title="Overdue visit")
    TaskFactory(person=child, kind=TaskKind.CIN_VISIT, title="Done visit", due_date=dt.date(2025, 3, 1), done_at=NOW)
    record = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    casework = client_for(social_worker).get(f"/casework/{child.pk}/").content.decode()
    for html in (record, casework):
        assert "Overdue visit" in html and "Done visit" not in html


def test_someone_out_of_scope_reads_no_row(client_for, outsider, child):
    """The record and its access decision come in one query: for someone who may not see the
    person it is still a 404, audited as a refusal, with no view event."""
    for url in (f"/people/{child.pk}/", f"/casework/{child.pk}/"):
        assert client_for(outsider).get(url).status_code == 404
    refused = AuditEvent.objects.filter(subject_person_id=child.pk, actor_id=outsider.pk)
    actions = list(refused.values_list("action", flat=True))
    assert actions == ["person.access_denied", "person.access_denied"]


def test_the_team_comes_with_the_user(client_for, social_worker, django_assert_max_num_queries):
    """Every page's header names the user's team: it is loaded with the user, not asked for again."""
    client = client_for(social_worker)
    client.get("/")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/").content.decode()
    assert str(social_worker.team) in html
    assert not [q for q in ctx.captured_queries if 'FROM "accounts_team" WHERE' in q["sql"] and "LIMIT 21" in q["sql"]]


def test_the_record_links_each_part_to_its_own_add_and_remove_pages(client_for, social_worker, child):
    """The add and remove links are built from one reverse each (`presenters._links`): every link
    still names its own kind and row, and a reader who may not change the record gets none."""
    from django.urls import reverse

    from opencsc.people.models import Address, PersonAlert

    address = Address.objects.create(
        person=child, line1="1 High Street", town="Town", postcode="ZZ1 1ZZ", start_date=NOW.date()
    )
    alert = PersonAlert.objects.create(person=child, kind=AlertKind.RISK_TO_STAFF, start_date=NOW.date())
    html = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    for url in (
        reverse("people:remove_part", args=[child.pk, "address", address.pk]),
        reverse("people:remove_part", args=[child.pk, "alert", alert.pk]),
        reverse("people:add_part", args=[child.pk, "address"]),
        reverse("people:add_part", args=[child.pk, "alert"]),
    ):
        assert f'href="{url}"' in html
    assert client_for(social_worker).get(reverse("people:add_part", args=[child.pk, "alert"])).status_code == 200
