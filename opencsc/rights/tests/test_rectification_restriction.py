"""Rectification lists exactly the recipients from the disclosure log and records who was told;
a note of dispute shows on the record; restriction blocks casework writes until it is lifted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opencsc.accounts import access
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.models import CaseNote
from opencsc.casework.services.records import case_note_add
from opencsc.privacy.models import LawfulBasis, Purpose
from opencsc.rights import services
from opencsc.rights.models import RecipientNotification
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.models import Agency, Disclosure

pytestmark = pytest.mark.django_db


def _disclosure(person, agency, categories):
    return Disclosure.objects.create(
        person=person,
        kind="transfer",  # a share would need its agreement; the log lists every kind alike
        agency=agency,
        purpose=Purpose.objects.get(code="support-and-protect"),
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        categories=categories,
        consent="given",
        channel="secure_email",
        actor_repr="sw",
    )


@pytest.fixture
def rectification(make_request, ig_officer, child):
    rr = make_request(kind="rectification", identity_needed=False)
    return services.subject_link(actor=Actor.from_user(ig_officer), request=rr, person_id=child.pk)


def test_rectification_lists_exactly_the_recipients_of_the_corrected_information(
    rectification, ig_officer, child, mother
):
    seed_agencies()
    police, school, gp = Agency.objects.order_by("pk")[:3]
    address_to_police = _disclosure(child, police, ["address", "name"])
    address_to_school = _disclosure(child, school, ["address"])
    _disclosure(child, gp, ["health"])  # did not carry the address
    _disclosure(mother, police, ["address"])  # someone else's record
    actor = Actor.from_user(ig_officer)
    services.rectification_record(
        actor=actor, request=rectification, categories=["address"], summary="Address corrected on the record page"
    )
    recipients = services.rectification_recipients(rectification)
    assert [d.pk for d in recipients] == [address_to_police.pk, address_to_school.pk]

    services.recipient_notified(
        actor_user=ig_officer,
        actor=actor,
        request=rectification,
        disclosure_id=address_to_school.pk,
        method="secure_email",
        notified_on=dt.date.today(),
    )
    told = RecipientNotification.objects.get(request=rectification)
    assert told.agency_name == school.name and told.notified_by == ig_officer
    assert AuditEvent.objects.filter(action="rights.recipient_notify", subject_person_id=child.pk).count() == 1
    with pytest.raises(services.RightsError, match="needs telling"):
        services.recipient_notified(
            actor_user=ig_officer,
            actor=actor,
            request=rectification,
            disclosure_id=Disclosure.objects.get(agency=gp).pk,
            method="post",
            notified_on=dt.date.today(),
        )


def test_the_recipients_list_is_on_the_request_page(rectification, ig_officer, child, client_for):
    seed_agencies()
    police = Agency.objects.order_by("pk").first()
    _disclosure(child, police, ["address"])
    page = client_for(ig_officer).get(f"/rights/{rectification.pk}/").content.decode()
    assert "Recipients to tell (Article 19)" in page and police.name in page


def test_a_note_of_dispute_is_shown_on_the_record(rectification, ig_officer, child, social_worker, client_for):
    services.dispute_note_add(
        actor_user=ig_officer,
        actor=Actor.from_user(ig_officer),
        request=rectification,
        statement="I was never excluded from school in 2019.",
        council_view="The school's letter of 3 May 2019 records the exclusion.",
    )
    page = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    assert "Note of dispute" in page and "I was never excluded from school in 2019." in page


def test_restriction_blocks_casework_writes_until_lifted(make_request, ig_officer, child, social_worker, client_for):
    rr = make_request(kind="restriction", identity_needed=False)
    actor = Actor.from_user(ig_officer)
    services.subject_link(actor=actor, request=rr, person_id=child.pk)
    assert access.can_change_person(social_worker, child.pk)
    services.restriction_set(actor_user=ig_officer, actor=actor, request=rr, ground="accuracy")

    assert not access.can_change_person(social_worker, child.pk)
    assert access.can_view_person(social_worker, child.pk)  # still readable, to keep the child safe
    with pytest.raises(PermissionDenied):
        case_note_add(
            actor_user=social_worker,
            actor=Actor.from_user(social_worker),
            child=child,
            kind="case_note",
            note_date=dt.date.today(),
            subject="Visit",
            body="Should not be written",
            third_party=False,
            categories=[],
        )
    assert not CaseNote.objects.filter(child=child).exists()
    client = client_for(social_worker)
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "Processing of this record is restricted" in page
    assert f"/people/{child.pk}/edit/" not in page
    assert client.get(f"/people/{child.pk}/edit/").status_code in (403, 404)
    with pytest.raises(services.RightsError, match="already restricted"):
        services.restriction_set(actor_user=ig_officer, actor=actor, request=rr, ground="accuracy")

    services.restriction_lift(actor_user=ig_officer, actor=actor, request=rr)
    assert access.can_change_person(social_worker, child.pk)
    assert AuditEvent.objects.filter(action__startswith="rights.restriction_", subject_person_id=child.pk).count() == 2
