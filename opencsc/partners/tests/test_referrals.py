"""Requests for support through the partner portal: a partner's referral lands in the MASH queue as a
contact with its provenance, the person matcher decides the child (the partner is never told whether
the child is known), the partner's organisation (and no other) sees it was received and, once the
front door decides, the outcome that may be told to the referrer, never the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import services as casework
from opencsc.casework.mash import mash_queue
from opencsc.casework.models import Contact, ContactStatus
from opencsc.people.matching import index
from opencsc.people.models import Address, Person
from opencsc.sharing.models import PartnerReferral, ReferralMatch
from opencsc.sharing.portal_selectors import PartnerCaller
from opencsc.sharing.portal_services import partner_referral_submit

pytestmark = pytest.mark.django_db

FORM = {
    "child_first_name": "Canary",
    "child_last_name": "Referralchild",
    "child_date_of_birth_0": "3",
    "child_date_of_birth_1": "4",
    "child_date_of_birth_2": "2017",
    "address_line1": "2 Canary Street",
    "address_town": "Exampleton",
    "address_postcode": "ZZ1 1ZZ",
    "school": "Exampleton Primary Academy",
    "household": "Mother and her partner",
    "concern": "CANARY-CONCERN: bruise on the cheek seen at the health visit",
    "why_now": "Second injury in a month",
    "consent_given": "no",
    "no_consent_reason": "Telling the family may put the child at risk",
    "family_told": "Nothing yet, on the front door's advice",
    "referrer_name": "Harriet Visitor",
    "referrer_role": "Health visitor",
    "referrer_phone": "01632 960000",
    "referrer_email": "harriet.visitor@example.org",
}


def _service_data(**changes):
    data = {k: v for k, v in FORM.items() if not k.startswith("child_date_of_birth")}
    data.update(child_date_of_birth=dt.date(2017, 4, 3), consent_given=False, child_expected_date=None)
    data.update(changes)
    return data


def _submit(user, agency, **changes):
    return partner_referral_submit(
        caller=PartnerCaller(agency=agency, user=user), actor=Actor.from_user(user), data=_service_data(**changes)
    )


def test_a_request_lands_in_the_mash_queue_as_a_contact_with_its_provenance(
    client_for, health_user, health, mash_practitioner
):
    response = client_for(health_user).post("/partners/referrals/new/", FORM)
    referral = PartnerReferral.objects.get()
    assert response.status_code == 302 and response.url == f"/partners/referrals/{referral.pk}/"
    contact = referral.contact
    assert contact.status == ContactStatus.RECEIVED and contact.source == "3D"  # a health visitor: other primary health
    assert "Harriet Visitor, Health visitor, Exampleton Health Visiting Service" in contact.referrer
    assert "CANARY-CONCERN" in contact.reason and "Why now: Second injury in a month" in contact.reason
    assert not contact.consent_given and contact.no_consent_reason.startswith("Telling the family")
    assert contact.family_told == "Nothing yet, on the front door's advice"
    assert referral.agency == health and referral.submitted_by == health_user and referral.received_at
    assert contact.decision_due >= timezone.localdate()
    queue = mash_queue(user=mash_practitioner, actor=Actor.from_user(mash_practitioner))
    assert [item.contact for item in queue] == [contact]
    submitted = AuditEvent.objects.get(action="sharing.referral_submit")
    assert submitted.subject_person_id == contact.child_id and submitted.actor_id == health_user.pk
    assert AuditEvent.objects.filter(action="casework.contact_create", subject_person_id=contact.child_id).exists()


def test_an_unknown_child_gets_a_record_started_from_the_partners_details(health_user, health):
    referral = _submit(health_user, health)
    child = referral.contact.child
    assert referral.match == ReferralMatch.NEW and referral.match_person is None
    assert (child.first_name, child.last_name, child.date_of_birth) == ("Canary", "Referralchild", dt.date(2017, 4, 3))
    assert child.addresses.get().postcode == "ZZ1 1ZZ" and child.schools.get().school_name.startswith("Exampleton")
    assert AuditEvent.objects.filter(action="person.create", subject_person_id=child.pk).exists()


def test_a_certain_match_puts_the_contact_on_the_known_child_and_the_partner_is_not_told(
    client_for, health_user, health, child
):
    Address.objects.create(
        person=child, line1="9 Known Road", town="Exampleton", postcode="ZZ9 9ZZ", start_date=dt.date(2020, 1, 1)
    )
    index.index_people([child.pk])
    people = Person.objects.count()
    referral = _submit(
        health_user,
        health,
        child_first_name=child.first_name,
        child_last_name=child.last_name,
        child_date_of_birth=child.date_of_birth,
        address_line1="9 Known Road",
        address_postcode="ZZ9 9ZZ",
    )
    assert referral.match == ReferralMatch.KNOWN and referral.contact.child == child
    assert Person.objects.count() == people  # no second record
    html = client_for(health_user).get(f"/partners/referrals/{referral.pk}/").content.decode()
    portal = client_for(health_user).get("/partners/").content.decode()
    for page in (html, portal):
        for words in ("matcher", "possibly known", "new record", "similar record", "Known:"):
            assert words not in page
        assert child.la_child_id not in page


def test_a_similar_record_is_kept_for_the_front_door_to_compare(health_user, health, child):
    # A fixed name and date: with the factory's random ones, a rare name one day out was sometimes
    # certain (so the request went to the known record: the other test's case), about 3 runs in 14.
    child.first_name, child.last_name, child.date_of_birth = "Olivia", "Hughes", dt.date(2018, 5, 14)
    child.save()
    index.index_people([child.pk])
    referral = _submit(
        health_user,
        health,
        child_first_name=child.first_name,
        child_last_name=child.last_name,
        child_date_of_birth=child.date_of_birth + dt.timedelta(days=1),
        address_line1="",
        address_postcode="",
    )
    assert referral.match == ReferralMatch.POSSIBLE
    assert referral.match_person == child and referral.contact.child != child


def test_the_form_names_each_problem_and_stores_nothing(client_for, health_user):
    response = client_for(health_user).post(
        "/partners/referrals/new/",
        {
            "consent_given": "no",
            "child_date_of_birth_0": "31",
            "child_date_of_birth_1": "2",
            "child_date_of_birth_2": "2019",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    for message in (
        "Enter the child&#x27;s last name",
        "Date of birth must be a real date",
        "Enter what the concern is",
        "Enter your name",
        "Enter your work email address",
    ):
        assert message in html, message
    assert not PartnerReferral.objects.exists() and not Contact.objects.exists()


def test_the_service_refuses_a_request_without_consent_or_reason_and_writes_nothing(health_user, health):
    with pytest.raises(ValidationError) as refused:
        _submit(health_user, health, no_consent_reason="", child_expected_date=dt.date(2030, 1, 1))
    assert {"no_consent_reason", "child_expected_date"} <= set(refused.value.message_dict)
    assert not Person.objects.exists() and not Contact.objects.exists()


def test_the_partner_sees_the_outcome_the_decision_sets_and_nothing_else(
    client_for, health_user, health, mash_practitioner, east_team
):
    referral = _submit(health_user, health)
    contact = referral.contact
    before = client_for(health_user).get(f"/partners/referrals/{referral.pk}/").content.decode()
    assert "Received" in before and "Not decided yet" in before
    actor = Actor.from_user(mash_practitioner)
    casework.contact_take(actor_user=mash_practitioner, actor=actor, contact=contact)
    casework.mash_triage_record(
        actor_user=mash_practitioner,
        actor=actor,
        contact=contact,
        rag="amber",
        rationale="Injury",
        triaged_on=timezone.localdate(),
        agencies=[],
    )
    casework.contact_decide(
        actor_user=mash_practitioner,
        actor=actor,
        contact=contact,
        decision="referral",
        decision_date=timezone.localdate(),
        rationale="CANARY-RATIONALE: two injuries, needs an assessment",
        referrer_outcome="Passed to children's social care for an assessment",
        team=east_team,
    )
    after = client_for(health_user).get(f"/partners/referrals/{referral.pk}/").content.decode()
    assert "Passed to children&#x27;s social care for an assessment" in after and "Decided" in after
    assert "CANARY-RATIONALE" not in after and "Amber" not in after
    portal = client_for(health_user).get("/partners/").content.decode()
    assert "Passed to children&#x27;s social care for an assessment" in portal
    assert "Referralchild" not in portal  # the lists name no child


def test_an_empty_outcome_gets_the_usual_words_for_the_decision(health_user, health, mash_practitioner):
    contact = _submit(health_user, health).contact
    actor = Actor.from_user(mash_practitioner)
    casework.contact_take(actor_user=mash_practitioner, actor=actor, contact=contact)
    casework.contact_decide(
        actor_user=mash_practitioner,
        actor=actor,
        contact=contact,
        decision="advice",
        decision_date=timezone.localdate(),
        rationale="Advice to the health visitor",
    )
    contact.refresh_from_db()
    assert contact.referrer_outcome == "Advice given"


def test_another_organisation_gets_404_and_the_attempt_is_audited(client_for, health_user, health, police_user):
    referral = _submit(health_user, health)
    assert client_for(police_user).get(f"/partners/referrals/{referral.pk}/").status_code == 404
    assert client_for(police_user).get("/partners/referrals/999999/").status_code == 404
    refused = AuditEvent.objects.filter(action="sharing.portal_refused", actor_id=police_user.pk)
    assert refused.count() == 2 and refused.first().object_type == "sharing.PartnerReferral"
    assert "Request S-" not in client_for(police_user).get("/partners/").content.decode()


def test_staff_who_are_not_partners_cannot_use_the_form(client_for, social_worker):
    assert client_for(social_worker).get("/partners/referrals/new/").status_code == 403
