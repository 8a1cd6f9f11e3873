"""The audit trail reads as sentences, and IG can filter it by person (name or id), member of staff,
what happened and dates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from opencsc.accounts.tests.factories import UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(east_team):
    return UserFactory(username="spatel", first_name="Sam", last_name="Patel", team=east_team)


@pytest.fixture
def jo(db):
    return ChildFactory(first_name="Jo", last_name="Bloggs")


def view(user, person, purpose: str = "casework") -> None:
    record_event(
        actor=Actor.from_user(user),
        action="casework.view",
        subject_person_id=person.pk,
        object_type="people.Person",
        object_id=str(person.pk),
        detail={"purpose": purpose, "break_glass": False},
    )


def trail(client, **query) -> str:
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_events_read_as_sentences_with_names(client_for, ig_officer, sam, jo):
    view(sam, jo)
    view(sam, jo, "chronology")
    record_event(actor=Actor.from_user(sam), action="person.view", subject_person_id=jo.pk)
    html = trail(client_for(ig_officer))
    assert "Sam Patel viewed Jo Bloggs&#x27;s casework page" in html
    assert "Sam Patel viewed Jo Bloggs&#x27;s chronology" in html
    assert "Sam Patel viewed Jo Bloggs&#x27;s record" in html
    assert "<code>casework.view</code>" not in html and "casework.view<" not in html


def test_a_restricted_record_is_not_named_in_the_trail(client_for, ig_officer, sam):
    secret = ChildFactory(first_name="Hidden", last_name="Person", is_restricted=True)
    view(sam, secret)
    html = trail(client_for(ig_officer))
    assert "Hidden Person" not in html
    assert f"Sam Patel viewed restricted person {secret.pk}&#x27;s casework page" in html


def test_filters_by_person_name_or_id_staff_action_and_date(client_for, ig_officer, sam, jo, east_team):
    other_child = ChildFactory(first_name="Alex", last_name="Other")
    kim = UserFactory(username="kwong", first_name="Kim", last_name="Wong", team=east_team)
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        view(sam, jo)
    view(kim, other_child)
    record_event(actor=Actor.from_user(kim), action="person.view", subject_person_id=jo.pk)
    client = client_for(ig_officer)
    by_name = trail(client, subject="Jo Blo")
    assert "Sam Patel viewed Jo Bloggs" in by_name and "Alex Other" not in by_name
    assert "Kim Wong viewed Jo Bloggs&#x27;s record" in by_name
    by_id = trail(client, subject=str(other_child.pk))
    assert "Alex Other" in by_id and "Jo Bloggs" not in by_id
    by_staff = trail(client, actor="Kim Wong")
    assert "Kim Wong viewed" in by_staff and "Sam Patel viewed" not in by_staff
    by_username = trail(client, actor="spatel", action="casework.view")
    assert "Sam Patel viewed Jo Bloggs&#x27;s casework page" in by_username and "Kim Wong" not in by_username
    today = timezone.localdate()
    recent = trail(client, since_0=today.day, since_1=today.month, since_2=today.year, subject="Jo")
    assert "Kim Wong viewed" in recent and "Sam Patel viewed" not in recent


def test_a_bad_date_range_is_named_in_the_error_summary(client_for, ig_officer):
    html = trail(client_for(ig_officer), since_0=5, since_1=3, since_2=2026, until_0=1, until_1=3, until_2=2026)
    assert "govuk-error-summary" in html
    assert "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date" in html


def test_only_ig_reads_the_trail_and_reading_it_is_audited(client_for, ig_officer, social_worker, jo):
    assert client_for(social_worker).get("/audit/").status_code == 403
    trail(client_for(ig_officer), subject=str(jo.pk))
    event = AuditEvent.objects.filter(action="audit.view").latest("seq")
    assert event.subject_person_id == jo.pk
