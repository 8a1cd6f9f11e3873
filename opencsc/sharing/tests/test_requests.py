"""Police, court and MP requests: logged by a practitioner, decided by someone else in information
governance (four eyes), and the reply recorded as one disclosure with the Schedule 2 exemption."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.privacy.models import Category, LawfulBasis, Purpose
from opencsc.sharing import services
from opencsc.sharing.models import Disclosure, RequestStatus, ThirdPartyRequest
from opencsc.sharing.rules import SharingRefused
from opencsc.sharing.tests.conftest import key

pytestmark = pytest.mark.django_db


def _log(user, child, police, *, categories=("address", "criminal"), kind="crime"):
    return services.request_log(
        actor_user=user,
        actor=Actor.from_user(user),
        person=child,
        agency=police,
        kind=kind,
        requester_name="DS Example, CID",
        requester_reference="CRIME/0001",
        received_on=dt.date(2025, 5, 1),
        details="Address history and police information held, for an investigation of an assault on the child.",
        purpose=Purpose.objects.get(code="crime"),
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        categories=Category.objects.filter(code__in=categories),
    )


def _approve(user, request, **extra):
    values = {"criminal_condition": LawfulBasis.objects.get(code="art10-sch1-p18-safeguarding"), **extra}
    return services.request_decide(
        actor_user=user,
        actor=Actor.from_user(user),
        request=request,
        approve=True,
        note="Necessary and proportionate for the investigation",
        **values,
    )


def test_a_crime_request_relies_on_schedule_2_paragraph_2(team_manager, child, police):
    request = _log(team_manager, child, police)
    assert request.exemption.code == "sch2-p2-crime-taxation"
    assert request.status == RequestStatus.AWAITING_DECISION
    assert AuditEvent.objects.filter(action="sharing.request_log", subject_person_id=child.pk).count() == 1


def test_the_requester_cannot_approve_their_own_request(team_manager, child, police):
    request = _log(team_manager, child, police)
    with pytest.raises(services.FourEyesViolation):
        _approve(team_manager, request)
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_DECISION and request.decided_by is None


def test_the_requester_sees_why_on_the_decision_page(team_manager, child, police, client_for):
    request = _log(team_manager, child, police)
    client = client_for(team_manager)
    page = client.get(reverse("sharing:request_decide", args=[request.pk])).content.decode()
    assert "You logged this request, so someone else must decide it" in page
    response = client.post(
        reverse("sharing:request_decide", args=[request.pk]),
        {"approve": "yes", "categories": [c.pk for c in request.categories.all()], "note": "ok"},
    )
    assert "someone else must decide it" in response.content.decode()
    assert ThirdPartyRequest.objects.get().status == RequestStatus.AWAITING_DECISION


def test_the_database_refuses_a_self_decision_too(team_manager, child, police):
    request = _log(team_manager, child, police)
    with pytest.raises(IntegrityError), transaction.atomic():
        ThirdPartyRequest.objects.filter(pk=request.pk).update(decided_by=team_manager)


def test_a_practitioner_cannot_decide(social_worker, team_manager, child, police):
    request = _log(team_manager, child, police)
    with pytest.raises(PermissionDenied):
        _approve(social_worker, request)


def test_the_queue_is_for_deciders_only(social_worker, ig_officer, team_manager, child, police, client_for):
    request = _log(team_manager, child, police)
    assert client_for(social_worker).get(reverse("sharing:requests")).status_code == 403
    assert client_for(social_worker).get(reverse("sharing:request_decide", args=[request.pk])).status_code == 404
    page = client_for(ig_officer).get(reverse("sharing:requests")).content.decode()
    assert request.reference in page
    assert request.reference not in client_for(team_manager).get(reverse("sharing:requests")).content.decode()


def test_special_or_criminal_data_needs_its_condition_to_be_released(ig_officer, team_manager, child, police):
    request = _log(team_manager, child, police)
    with pytest.raises(ValidationError) as error:
        _approve(ig_officer, request, criminal_condition=None)
    assert "criminal_condition" in error.value.message_dict


def test_approval_then_reply_is_one_disclosure_under_the_exemption(
    ig_officer, team_manager, social_worker, child, record, police, client_for
):
    request = _log(team_manager, child, police)
    client_for(ig_officer).post(
        reverse("sharing:request_decide", args=[request.pk]),
        {
            "approve": "yes",
            "categories": [c.pk for c in request.categories.all()],
            "note": "Proportionate",
            "criminal_condition": LawfulBasis.objects.get(code="art10-sch1-p18-safeguarding").pk,
        },
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by == ig_officer
    before = AuditEvent.objects.count()
    response = client_for(social_worker).post(
        reverse("sharing:request_reply", args=[child.pk, request.pk]),
        {
            "items": [key(record["address"], "address"), key(record["police"], "criminal")],
            "consent": "crime",
            "consent_detail": "Consent would prejudice the investigation",
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.kind == "request_reply" and disclosure.request == request
    assert disclosure.exemption.code == "sch2-p2-crime-taxation"
    assert disclosure.criminal_condition.code == "art10-sch1-p18-safeguarding"
    actions = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert actions == ["person.view", "sharing.disclosure"]
    request.refresh_from_db()
    assert request.status == RequestStatus.REPLIED


def test_the_reply_cannot_go_beyond_what_was_released(
    ig_officer, team_manager, social_worker, sw_actor, child, record, police
):
    request = _log(team_manager, child, police)
    _approve(ig_officer, request, categories=Category.objects.filter(code="address"), criminal_condition=None)
    with pytest.raises(SharingRefused) as refused:
        services.request_reply(
            actor_user=social_worker,
            actor=sw_actor,
            request=request,
            item_keys=[key(record["police"], "criminal")],
            consent="crime",
            consent_detail="x",
        )
    assert "did not release Criminal and police records" in refused.value.reasons[0]
    assert Disclosure.objects.count() == 0


def test_an_undecided_or_refused_request_cannot_be_answered(
    ig_officer, team_manager, social_worker, sw_actor, child, record, police
):
    request = _log(team_manager, child, police)
    with pytest.raises(SharingRefused):
        services.request_reply(
            actor_user=social_worker,
            actor=sw_actor,
            request=request,
            item_keys=[key(record["address"], "address")],
            consent="crime",
            consent_detail="x",
        )
    services.request_decide(
        actor_user=ig_officer,
        actor=Actor.from_user(ig_officer),
        request=request,
        approve=False,
        note="Not necessary: the police already hold this",
    )
    with pytest.raises(SharingRefused):
        services.request_reply(
            actor_user=social_worker,
            actor=sw_actor,
            request=request,
            item_keys=[key(record["address"], "address")],
            consent="crime",
            consent_detail="x",
        )
    assert Disclosure.objects.count() == 0


def test_an_mp_request_needs_the_persons_consent(social_worker, child, agencies):
    from opencsc.sharing.models import Agency

    mp = Agency.objects.get(name="Office of the MP for Exampleton Central")
    with pytest.raises(ValidationError) as error:
        _log(social_worker, child, mp, categories=("name",), kind="mp")
    assert "consent_confirmed" in error.value.message_dict


def test_logging_a_request_through_the_page(social_worker, child, police, client_for):
    response = client_for(social_worker).post(
        reverse("sharing:request_new", args=[child.pk]),
        {
            "agency": police.pk,
            "kind": "court_order",
            "requester_name": "Family Court at Exampleton",
            "received_on_0": "1",
            "received_on_1": "5",
            "received_on_2": "2025",
            "details": "Order for disclosure",
            "purpose": Purpose.objects.get(code="courts").pk,
            "lawful_basis": LawfulBasis.objects.get(code="art6-1c-legal-obligation").pk,
            "categories": [Category.objects.get(code="referral").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ThirdPartyRequest.objects.get().exemption.code == "sch2-p5-1-required-by-law"
