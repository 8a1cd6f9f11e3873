"""The request register: receipt, duplicates, identity and the clock, extensions, refusals, the queue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.rights import services
from opencsc.rights.models import RequestStatus, RightsRequest
from opencsc.rights.tests.conftest import request_data

pytestmark = pytest.mark.django_db
D = dt.date
FROZEN = time_machine.travel(dt.datetime(2025, 9, 3, 10, tzinfo=dt.UTC), tick=False)


@FROZEN
def test_a_request_gets_a_reference_and_a_due_date_one_month_on(make_request):
    request = make_request(identity_needed=False, received_on=D(2025, 9, 3))
    assert request.reference.startswith("ASK-")
    assert request.status == RequestStatus.OPEN
    assert request.due_on == D(2025, 10, 3)
    assert AuditEvent.objects.filter(action="rights.request_receive", object_id=str(request.pk)).count() == 1


@FROZEN
def test_a_duplicate_of_an_open_request_adds_nothing(make_request, ig_officer):
    first = make_request()
    again, created = services.request_receive(
        actor=Actor.from_user(ig_officer),
        actor_user=ig_officer,
        data=request_data(requester_name="  jordan   TESTPERSON ", details="Chasing my request"),
    )
    assert not created and again.pk == first.pk
    assert RightsRequest.objects.count() == 1
    other_kind, created = services.request_receive(
        actor=Actor.from_user(ig_officer), actor_user=ig_officer, data=request_data(kind="rectification")
    )
    assert created and other_kind.pk != first.pk


@FROZEN
def test_waiting_for_identity_restarts_the_month_from_the_day_it_is_confirmed(make_request, ig_officer):
    request = make_request(identity_needed=True, received_on=D(2025, 8, 1))
    assert request.status == RequestStatus.AWAITING_IDENTITY
    verified = services.identity_verify(
        actor_user=ig_officer,
        actor=Actor.from_user(ig_officer),
        request=request,
        evidence="Passport seen at the Civic Centre",
        verified_on=D(2025, 8, 29),
    )
    assert verified.status == RequestStatus.OPEN
    assert verified.clock_start == D(2025, 8, 29)
    assert verified.due_on == D(2025, 9, 29)
    assert verified.identity_verified_by == ig_officer
    assert verified.identity_evidence == "Passport seen at the Civic Centre"


@FROZEN
def test_identity_check_needs_what_was_seen(make_request, ig_officer):
    request = make_request()
    with pytest.raises(services.RightsError, match="what was seen"):
        services.identity_verify(
            actor_user=ig_officer,
            actor=Actor.from_user(ig_officer),
            request=request,
            evidence=" ",
            verified_on=D(2025, 9, 3),
        )


@FROZEN
def test_extension_up_to_two_months_with_reason_and_letter(make_request, ig_officer):
    request = make_request(identity_needed=False, received_on=D(2025, 8, 15))
    actor = Actor.from_user(ig_officer)
    with pytest.raises(services.RightsError, match="reason"):
        services.request_extend(actor=actor, request=request, months=1, reason="", letter="Dear Jordan")
    request = services.request_extend(
        actor=actor, request=request, months=1, reason="18 years of records", letter="Dear Jordan, we need longer"
    )
    assert request.due_on == D(2025, 10, 15)
    request = services.request_extend(actor=actor, request=request, months=1, reason="Still more", letter="Dear Jordan")
    assert request.extension_months == 2 and request.due_on == D(2025, 11, 17)  # 15 Nov 2025 is a Saturday
    with pytest.raises(services.RightsError, match="at most 2 months"):
        services.request_extend(actor=actor, request=request, months=1, reason="More", letter="Dear Jordan")
    assert RightsRequest.objects.get(pk=request.pk).extension_months == 2


@FROZEN
def test_an_extension_after_the_first_month_is_refused(make_request, ig_officer):
    request = make_request(identity_needed=False, received_on=D(2025, 7, 1))
    with pytest.raises(services.RightsError, match="within the first month"):
        services.request_extend(
            actor=Actor.from_user(ig_officer), request=request, months=1, reason="Late", letter="Dear Jordan"
        )


@FROZEN
def test_a_refusal_needs_its_lawful_reason_and_the_letter_shows_it(make_request, ig_officer):
    request = make_request(kind="erasure", identity_needed=False)
    actor = Actor.from_user(ig_officer)
    with pytest.raises(services.RightsError, match="lawful reason"):
        services.request_close(actor_user=ig_officer, actor=actor, request=request, status="refused", letter="No.")
    reason = "We must keep social care records by law (Article 17(3)(b))"
    closed = services.request_close(
        actor_user=ig_officer, actor=actor, request=request, status="refused", letter="Dear Jordan,", reason=reason
    )
    assert closed.status == RequestStatus.REFUSED
    assert reason in closed.response_letter
    assert closed.answered_on_time is True


@FROZEN
def test_linking_a_record_that_does_not_exist_is_a_clear_message(make_request, ig_officer):
    request = make_request()
    with pytest.raises(services.RightsError, match="No record has that person id"):
        services.subject_link(actor=Actor.from_user(ig_officer), request=request, person_id=999_999)


@FROZEN
def test_a_parent_asking_for_a_child_needs_the_competence_decision(make_request, ig_officer, child):
    request = make_request(requester_relationship="parent", subject_name="Sam Child")
    with pytest.raises(services.RightsError, match="competent"):
        services.subject_link(actor=Actor.from_user(ig_officer), request=request, person_id=child.pk)
    linked = services.subject_link(
        actor=Actor.from_user(ig_officer),
        request=request,
        person_id=child.pk,
        on_behalf_decision="Child is 8: not yet able to decide; parent has parental responsibility",
    )
    assert linked.subject_id == child.pk
    assert AuditEvent.objects.filter(action="rights.subject_link", subject_person_id=child.pk).exists()
