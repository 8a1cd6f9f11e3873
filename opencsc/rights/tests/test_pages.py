"""Information governance's queue and request pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.rights import services

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "analyst", "partner", "system_admin"])
def test_only_information_governance_sees_the_queue(request, role, client_for, make_request):
    rr = make_request()
    client = client_for(request.getfixturevalue(role))
    assert client.get("/rights/").status_code == 403
    assert client.get(f"/rights/{rr.pk}/").status_code == 404
    assert rr.requester_name not in client.get(f"/rights/{rr.pk}/").content.decode()


def test_anonymous_is_sent_to_sign_in(client, make_request):
    response = client.get("/rights/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@time_machine.travel(dt.datetime(2025, 11, 20, 10, tzinfo=dt.UTC), tick=False)
def test_the_queue_shows_due_dates_overdue_first_and_the_monthly_count(client_for, ig_officer, make_request):
    late = make_request(identity_needed=False, received_on=D(2025, 10, 1), requester_name="Overdue Asker")
    soon = make_request(identity_needed=False, received_on=D(2025, 11, 1), requester_name="Soon Asker")
    answered = make_request(identity_needed=False, received_on=D(2025, 10, 10), requester_name="Done Asker")
    services.request_close(
        actor_user=ig_officer,
        actor=Actor.from_user(ig_officer),
        request=answered,
        status="answered",
        letter="Your file is enclosed",
        closed_on=D(2025, 11, 3),
    )
    page = client_for(ig_officer).get("/rights/").content.decode()
    assert page.index(late.reference) < page.index(soon.reference)
    assert "Overdue by 17 days" in page  # due 1 Nov 2025 was a Saturday -> Monday 3 Nov
    assert "1 request overdue" in page
    assert answered.reference not in page  # closed: not in the open queue
    assert "November 2025" in page and "100%" in page
    assert AuditEvent.objects.filter(action="rights.queue_view").count() == 1


@time_machine.travel(dt.datetime(2025, 11, 20, 10, tzinfo=dt.UTC), tick=False)
def test_the_detail_page_records_the_view_and_the_identity_check(client_for, ig_officer, make_request):
    rr = make_request(identity_needed=True, received_on=D(2025, 11, 10))
    client = client_for(ig_officer)
    page = client.get(f"/rights/{rr.pk}/").content.decode()
    assert "Waiting for proof of identity" in page
    assert AuditEvent.objects.filter(action="rights.request_view", object_id=str(rr.pk)).count() == 1
    bad = client.post(f"/rights/{rr.pk}/identity/", {"identity-evidence": ""})
    assert "govuk-error-summary" in bad.content.decode()
    ok = client.post(
        f"/rights/{rr.pk}/identity/",
        {
            "identity-evidence": "Driving licence seen",
            "identity-verified_on_0": "12",
            "identity-verified_on_1": "11",
            "identity-verified_on_2": "2025",
        },
    )
    assert ok.status_code == 302
    rr.refresh_from_db()
    assert rr.clock_start == D(2025, 11, 12) and rr.due_on == D(2025, 12, 12)


def test_staff_record_a_request_from_a_letter(client_for, ig_officer):
    response = client_for(ig_officer).post(
        "/rights/new/",
        {
            "kind": "rectification",
            "requester_name": "Alex Letterwriter",
            "requester_relationship": "self",
            "details": "My date of birth is wrong",
            "reply_by": "post",
            "reply_address": "1 Test Street, Exampleton",
            "received_on_0": "1",
            "received_on_1": "9",
            "received_on_2": "2025",
        },
    )
    assert response.status_code == 302
    page = client_for(ig_officer).get(response["Location"]).content.decode()
    assert "Alex Letterwriter" in page and "Correct information" in page


def test_the_detail_page_offers_records_with_the_same_last_name_and_audits_them(client_for, ig_officer, make_request):
    from opencsc.people.tests.factories import PersonFactory

    match = PersonFactory(first_name="Jordan", last_name="Testperson")
    other = PersonFactory(first_name="Jordan", last_name="Elsewhere")
    rr = make_request()
    page = client_for(ig_officer).get(f"/rights/{rr.pk}/").content.decode()
    assert f'<td class="govuk-table__cell">{match.pk}</td>' in page
    assert other.last_name not in page
    event = AuditEvent.objects.get(action="rights.request_view")
    assert event.detail["records_offered"] == [match.pk]
