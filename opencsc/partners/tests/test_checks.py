"""MASH checks through the partner portal: the front door sends, the partner's own organisation (and
no other) reads only what the agreement allows and answers; the answer lands on the child with its
provenance; every step is audited and the disclosure log shows the details sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.models import MashCheck
from opencsc.people.models import AgencyInformation, PoliceInformation
from opencsc.privacy.models import Category
from opencsc.sharing.models import Channel, CheckRequest, CheckStatus, Disclosure, SharingAgreement
from opencsc.sharing.portal_services import check_answer, check_send
from opencsc.sharing.rules import SharingRefused

pytestmark = pytest.mark.django_db


def _send(mash_practitioner, contact, agency, urgency="red", question="CANARY-QUESTION: anything known?"):
    return check_send(
        actor_user=mash_practitioner,
        actor=Actor.from_user(mash_practitioner),
        contact=contact,
        agency=agency,
        urgency=urgency,
        question=question,
    )


def test_sending_a_check_discloses_only_identity_under_the_agreement_and_is_audited(
    mash_practitioner, triaged, police, police_user
):
    sent = _send(mash_practitioner, triaged, police)
    disclosure = sent.disclosure
    assert disclosure.channel == Channel.PORTAL and disclosure.agency == police
    assert set(disclosure.categories) <= {"name", "date_of_birth", "address"} and "name" in disclosure.categories
    assert disclosure.consent == "safeguarding"  # the contact was acted on without consent
    assert sent.mash_check.agency == "police" and sent.mash_check.triage == triaged.triage
    assert sent.due_at == sent.sent_at + dt.timedelta(hours=4)
    actions = set(AuditEvent.objects.filter(subject_person_id=triaged.child_id).values_list("action", flat=True))
    assert {"sharing.check_send", "sharing.disclosure", "casework.mash_check_request"} <= actions


def test_the_partner_sees_the_question_and_identity_but_nothing_else_of_the_record(
    client_for, mash_practitioner, triaged, police, police_user, record
):
    sent = _send(mash_practitioner, triaged, police)
    html = client_for(police_user).get(f"/partners/checks/{sent.pk}/").content.decode()
    assert "CANARY-QUESTION" in html and triaged.child.last_name in html and "1 Canary Street" in html
    assert "CANARY-CONCERN" not in html  # the contact itself stays with the council
    assert "CANARY-ASTHMA" not in html  # so does everything else on the record
    opened = AuditEvent.objects.get(action="sharing.check_open")
    assert opened.subject_person_id == triaged.child_id and opened.actor_id == police_user.pk


def test_the_request_names_only_the_categories_the_agreement_allows(
    client_for, mash_practitioner, triaged, police, police_user, record
):
    agreement = SharingAgreement.objects.for_agency(police).get()
    agreement.categories.remove(Category.objects.get(code="address"))
    sent = _send(mash_practitioner, triaged, police)
    assert "address" not in sent.disclosure.categories
    html = client_for(police_user).get(f"/partners/checks/{sent.pk}/").content.decode()
    assert "1 Canary Street" not in html and triaged.child.last_name in html


def test_a_check_to_an_organisation_without_an_agreement_for_the_question_is_refused(
    mash_practitioner, triaged, police, police_user
):
    agreement = SharingAgreement.objects.for_agency(police).get()
    agreement.categories.remove(Category.objects.get(code="referral"))
    with pytest.raises(SharingRefused):
        _send(mash_practitioner, triaged, police)
    assert not CheckRequest.objects.exists() and not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="sharing.refused", subject_person_id=triaged.child_id).exists()


def test_a_check_needs_triage_and_an_organisation_on_the_portal(
    mash_practitioner, triaged, police, health, police_user
):
    with pytest.raises(ValidationError, match="nobody using the partner portal"):
        _send(mash_practitioner, triaged, health)
    with pytest.raises(ValidationError, match="how soon"):
        _send(mash_practitioner, triaged, police, urgency="purple")
    assert not Disclosure.objects.exists()


def test_the_partners_answer_lands_on_the_child_with_provenance(
    client_for, mash_practitioner, triaged, police, police_user
):
    sent = _send(mash_practitioner, triaged, police)
    response = client_for(police_user).post(f"/partners/checks/{sent.pk}/", {"summary": "CANARY-ANSWER: known DA"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (
        sent.status == CheckStatus.ANSWERED and sent.answered_by == police_user and sent.answer_category == "criminal"
    )
    check = MashCheck.objects.get(pk=sent.mash_check_id)
    assert check.replied_on == timezone.localdate()
    police_info = PoliceInformation.objects.get(person=triaged.child)
    assert police_info.summary == "CANARY-ANSWER: known DA"
    assert str(police) in police_info.source and sent.reference in police_info.source
    assert police_user.get_full_name() in police_info.source
    answer = AuditEvent.objects.get(action="sharing.check_answer")
    assert answer.subject_person_id == triaged.child_id and answer.detail["category"] == "criminal"
    # The MASH sees it on the contact, with where it came from.
    html = client_for(mash_practitioner).get(f"/casework/{triaged.child_id}/record/decision/{triaged.pk}/")
    body = html.content.decode()
    assert "CANARY-ANSWER" in body and sent.reference in body


def test_a_health_answer_is_filed_as_information_from_other_agencies(
    client_for, mash_practitioner, triaged, health, health_user
):
    sent = _send(mash_practitioner, triaged, health, urgency="green")
    check_answer(actor_user=health_user, actor=Actor.from_user(health_user), request=sent, summary="Not known to us")
    info = AgencyInformation.objects.get(person=triaged.child)
    assert info.summary == "Not known to us" and str(health) in info.agency
    sent.refresh_from_db()
    assert sent.answer_category == "other_agencies"


def test_another_organisations_partner_gets_404_reads_nothing_and_is_audited(
    client_for, mash_practitioner, triaged, police, police_user, health_user
):
    sent = _send(mash_practitioner, triaged, police)
    client = client_for(health_user)
    assert f"Check {sent.reference}" not in client.get("/partners/").content.decode()
    response = client.get(f"/partners/checks/{sent.pk}/")
    assert response.status_code == 404 and triaged.child.last_name not in response.content.decode()
    assert client.post(f"/partners/checks/{sent.pk}/", {"summary": "intrusion"}).status_code == 404
    assert not PoliceInformation.objects.exists() and not AgencyInformation.objects.exists()
    refused = AuditEvent.objects.filter(action="sharing.portal_refused", actor_id=health_user.pk)
    assert refused.count() == 2 and refused.first().outcome == "denied"
    assert client.get("/partners/checks/999999/").status_code == 404  # missing looks the same


def test_an_answered_check_cannot_be_answered_twice(client_for, mash_practitioner, triaged, police, police_user):
    sent = _send(mash_practitioner, triaged, police)
    check_answer(actor_user=police_user, actor=Actor.from_user(police_user), request=sent, summary="First")
    with pytest.raises(ValidationError):
        check_answer(actor_user=police_user, actor=Actor.from_user(police_user), request=sent, summary="Second")
    assert PoliceInformation.objects.count() == 1


def test_overdue_checks_stand_out_for_the_front_door_and_the_partner(
    client_for, mash_practitioner, triaged, police, police_user
):
    sent = _send(mash_practitioner, triaged, police)
    CheckRequest.objects.filter(pk=sent.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    mash_page = client_for(mash_practitioner).get("/sharing/partner-checks/").content.decode()
    assert sent.reference in mash_page and "Overdue" in mash_page
    assert AuditEvent.objects.filter(action="sharing.checks_sent_view").latest("seq").detail["person_ids"] == [
        triaged.child_id
    ]
    partner_page = client_for(police_user).get("/partners/").content.decode()
    assert sent.reference in partner_page and "Overdue" in partner_page
    assert triaged.child.last_name not in partner_page  # the lists name no child


def test_the_disclosure_log_shows_the_check_and_its_answer(
    client_for, social_worker, mash_practitioner, triaged, police, police_user
):
    sent = _send(mash_practitioner, triaged, police)
    check_answer(actor_user=police_user, actor=Actor.from_user(police_user), request=sent, summary="Known")
    html = client_for(social_worker).get(f"/sharing/people/{triaged.child_id}/disclosures/").content.decode()
    assert sent.reference in html and sent.disclosure.reference in html and "criminal and police records" in html


@pytest.mark.parametrize("role", ["social_worker", "mash_practitioner", "ig_officer", "system_admin"])
def test_only_partners_use_the_portal(client_for, role, request):
    assert client_for(request.getfixturevalue(role)).get("/partners/").status_code == 403


def test_a_partner_not_bound_to_an_organisation_sees_nothing(
    client_for, partner, mash_practitioner, triaged, police, police_user
):
    _send(mash_practitioner, triaged, police)
    html = client_for(partner).get("/partners/").content.decode()
    assert "not linked to an organisation" in html and "C-0" not in html


def test_partner_user_add_binds_the_account_and_issues_an_enrolment_code(police):
    import io

    from django.core.management import call_command

    from opencsc.accounts.models import EnrolmentCode, User

    out = io.StringIO()
    call_command(
        "partner_user_add",
        "--username=jo.police",
        "--first-name=Jo",
        "--last-name=Example",
        "--email=jo@police.example",
        f"--agency={police.name}",
        stdout=out,
    )
    user = User.objects.get(username="jo.police")
    assert user.role == "partner" and user.partner_membership.agency == police and not user.has_usable_password()
    assert EnrolmentCode.objects.filter(user=user, used_at__isnull=True).count() == 1
    assert "Enrolment code" in out.getvalue()
    assert AuditEvent.objects.filter(action="sharing.partner_member_add").exists()
