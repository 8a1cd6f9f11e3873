"""Every write of the partner portal (ADR 0029): binding a partner's account to their organisation,
sending a MASH check to a partner, the partner's answer, and shared views (create, revoke).

Each is keyword-only, told the acting user and an `Actor`, checks who may do it here (never trusting
the page that called it), and writes its change and its audit event in one transaction. Sending a
check is a disclosure of the child's identifying details and is written through
`sharing.services.disclosure_share`, so it passes the same agreement check and lands in the child's
disclosure log like any other share.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.audit.services import Actor, record_event
from opencsc.casework import services as casework_services
from opencsc.casework.models import Contact, ContactStatus
from opencsc.core import limits
from opencsc.core.categories import DataCategory
from opencsc.core.working_days import add_working_days
from opencsc.people import services as people_services
from opencsc.people.matching import scoring
from opencsc.people.matching.service import MatchQuery, find_matches
from opencsc.people.models import Person
from opencsc.privacy.models import Purpose
from opencsc.sharing import rules, services
from opencsc.sharing.items import disclosable_items
from opencsc.sharing.models import (
    Agency,
    Channel,
    CheckRequest,
    CheckStatus,
    CheckUrgency,
    Consent,
    Disclosure,
    DisclosureKind,
    PartnerMembership,
    PartnerReferral,
    ReferralMatch,
    SharedView,
)
from opencsc.sharing.portal_selectors import PartnerCaller, caller_for_user
from opencsc.sharing.rules import SharingRefused

# The purpose a MASH check serves, from the processing register.
CHECK_PURPOSE = "support-and-protect"
# What a partner needs to find the child in their own records, and nothing more.
IDENTITY = (DataCategory.NAME, DataCategory.DATE_OF_BIRTH, DataCategory.ADDRESS)
# Recipient types of the register the front door asks for checks, and the kind of check each answers.
CHECK_AGENCY_KIND = {
    "police": "police",
    "health": "health",
    "hospital": "health",
    "education": "education",
    "probation": "probation",
    "housing": "housing",
}


# --- Partner accounts ----------------------------------------------------------------------------


def partner_member_add(
    *, actor: Actor, added_by: User | None, user: User, agency: Agency, is_org_admin: bool = False
) -> PartnerMembership:
    """Bind a partner-agency user to their organisation. Allowed to a system administrator, to the
    organisation's own administrator (for their organisation only), or to a named system process
    (`added_by=None`, the demo seed or an operator's command). The user must have the partner role
    and no organisation yet. Audits `sharing.partner_member_add`."""
    if added_by is not None and not (
        access.can_manage_sign_in(added_by) or (_is_org_admin_of(added_by, agency) and not is_org_admin)
    ):
        raise PermissionDenied
    if user.role != Role.PARTNER:
        raise ValidationError({"user": f"{user.get_username()} is not a partner-agency user"})
    if PartnerMembership.objects.filter(user=user).exists():
        raise ValidationError({"user": f"{user.get_username()} already belongs to an organisation"})
    with transaction.atomic():
        membership = PartnerMembership.objects.create(
            user=user, agency=agency, is_org_admin=is_org_admin, added_by_repr=actor.name
        )
        if user.organisation != agency.name:
            User.objects.filter(pk=user.pk).update(organisation=agency.name[:200])
        record_event(
            actor=actor,
            action="sharing.partner_member_add",
            obj=membership,
            object_repr=f"{user.get_username()} at {agency}"[:200],
            detail={"agency": agency.pk, "org_admin": is_org_admin},
        )
    return membership


def partner_user_create(
    *, actor: Actor, added_by: User, agency: Agency, username: str, first_name: str, last_name: str, email: str
) -> User:
    """An organisation's administrator adds a practitioner of their own organisation: a partner
    account bound to it, with no usable password and no authenticator app until a system
    administrator issues their enrolment code (ADR 0009). Audits `sharing.partner_member_add`."""
    if not _is_org_admin_of(added_by, agency):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter a username"
    elif User.objects.filter(username=username.strip()).exists():
        errors["username"] = "That username is taken: choose another"
    if not first_name.strip() or not last_name.strip():
        errors["first_name"] = "Enter their first and last name"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        team = Team.objects.filter(name=agency.name[:120]).first() or Team.objects.create(
            name=agency.name[:120], kind=TeamKind.PARTNER
        )
        user = User(
            username=username.strip(),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip(),
            role=Role.PARTNER,
            team=team,
            job_title=Role.PARTNER.label,
        )
        user.set_unusable_password()
        user.save()
        partner_member_add(actor=actor, added_by=added_by, user=user, agency=agency)
    return user


def partner_user_disable(*, actor: Actor, disabled_by: User, user: User) -> User:
    """An organisation's administrator disables one of their organisation's other users: the account
    can no longer sign in. Audits `sharing.partner_member_disable`."""
    membership = PartnerMembership.objects.filter(user=user).select_related("agency").first()
    if membership is None or not _is_org_admin_of(disabled_by, membership.agency) or user.pk == disabled_by.pk:
        raise PermissionDenied
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        record_event(
            actor=actor,
            action="sharing.partner_member_disable",
            obj=membership,
            object_repr=f"{user.get_username()} at {membership.agency}"[:200],
            detail={"agency": membership.agency_id},
        )
    return user


def _is_org_admin_of(user: Any, agency: Agency) -> bool:
    return PartnerMembership.objects.filter(user=user, agency=agency, is_org_admin=True, user__is_active=True).exists()


def agencies_on_the_portal() -> Any:
    """Active agencies with at least one active portal user."""
    return Agency.objects.filter(is_active=True, members__user__is_active=True).distinct()


# --- MASH checks -------------------------------------------------------------------------------


def check_due(urgency: str, sent_at: dt.datetime) -> dt.datetime:
    """When the partner's answer is due: red and amber in hours, green in working days (5pm on the
    last one), all from settings."""
    if urgency == CheckUrgency.RED:
        return sent_at + dt.timedelta(hours=settings.OPENCSC_PARTNER_CHECK_RED_HOURS)
    if urgency == CheckUrgency.AMBER:
        return sent_at + dt.timedelta(hours=settings.OPENCSC_PARTNER_CHECK_AMBER_HOURS)
    day = add_working_days(timezone.localdate(sent_at), settings.OPENCSC_PARTNER_CHECK_GREEN_WORKING_DAYS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


def _identity_keys(contact: Contact, allowed: set[DataCategory]) -> list[str]:
    items = disclosable_items(contact.child, IDENTITY)
    return [item.key for category in IDENTITY if category in allowed for item in items.get(category, [])]


def _check_consent(contact: Contact) -> tuple[str, str]:
    if contact.consent_given:
        return Consent.GIVEN, f"The family agreed to the contact of {contact.contact_date:%-d %B %Y} being shared"
    return Consent.SAFEGUARDING, contact.no_consent_reason or "Acting without consent to protect the child"


def check_send(
    *, actor_user: Any, actor: Actor, contact: Contact, agency: Agency, urgency: str, question: str
) -> CheckRequest:
    """Send a MASH check about a triaged contact's child to a partner organisation's portal users.

    Guarantees: the user is the front door and may change the child's record; the organisation is
    of a kind the MASH asks (police, health, education, probation, housing) and has portal users; a
    current agreement lets it receive the child's identifying details (name, date of birth, address:
    only those the agreement covers; the name at least) and the question (referral information) for
    safeguarding. The details go as one `Disclosure` (channel: portal) through
    `sharing.services.disclosure_share`; the check is added to the triage; the `CheckRequest` and
    its `sharing.check_send` event are written with them. Otherwise ValidationError or
    SharingRefused (audited as `sharing.refused`) and nothing is written."""
    if not access.can_send_partner_checks(actor_user):
        raise PermissionDenied
    errors = _send_errors(contact, agency, urgency, question)
    if errors:
        raise ValidationError(errors)
    purpose = Purpose.objects.get(code=CHECK_PURPOSE)
    decision = rules.evaluate(agency=agency, purpose=purpose, categories=[DataCategory.NAME, DataCategory.REFERRAL])
    if not decision.allowed:
        exc = SharingRefused(decision.reasons)
        services._refuse(actor, contact.child, agency, purpose, exc)
        raise exc
    consent, consent_detail = _check_consent(contact)
    now = timezone.now()
    with transaction.atomic():
        check = casework_services.mash_check_add(
            actor_user=actor_user,
            actor=actor,
            triage=contact.triage,
            agency=CHECK_AGENCY_KIND[agency.recipient_type.code],
            requested_on=timezone.localdate(),
        )
        if CheckRequest.objects.filter(mash_check=check).exists():
            raise ValidationError({"agency": "A check of this kind has already been sent for this contact"})
        disclosure = services.disclosure_share(
            actor_user=actor_user,
            actor=actor,
            person=contact.child,
            agency=agency,
            purpose=purpose,
            item_keys=_identity_keys(contact, set(decision.allowed_categories)),
            consent=consent,
            consent_detail=consent_detail,
            channel=Channel.PORTAL,
        )
        assert decision.agreement is not None  # noqa: S101  (allowed above)
        request = CheckRequest.objects.create(
            mash_check=check,
            person=contact.child,
            agency=agency,
            agreement=disclosure.agreement or decision.agreement,
            purpose=purpose,
            disclosure=disclosure,
            question=question.strip(),
            urgency=urgency,
            due_at=check_due(urgency, now),
            sent_by=actor_user,
            sent_at=now,
        )
        record_event(
            actor=actor,
            action="sharing.check_send",
            subject_person_id=contact.child_id,
            obj=request,
            object_repr=f"{request.reference} to {agency}"[:200],
            detail={"agency": agency.pk, "urgency": urgency, "disclosure": disclosure.reference},
        )
    return request


def _send_errors(contact: Contact, agency: Agency, urgency: str, question: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if contact.status == ContactStatus.DECIDED:
        errors["agency"] = "This contact has already been decided"
    elif not hasattr(contact, "triage"):
        errors["agency"] = "Triage the contact (RAG rating) before asking partners for checks"
    elif agency.recipient_type.code not in CHECK_AGENCY_KIND:
        errors["agency"] = f"{agency} is not an organisation the front door asks for MASH checks"
    elif not agencies_on_the_portal().filter(pk=agency.pk).exists():
        errors["agency"] = f"{agency} has nobody using the partner portal: ask by secure email instead"
    if urgency not in CheckUrgency.values:
        errors["urgency"] = "Select how soon the partner must answer"
    if not question.strip():
        errors["question"] = "Enter what you are asking the partner to check"
    elif message := limits.text_error(
        question, limit=limits.text_limit(CheckRequest, "question"), label="The question"
    ):
        errors["question"] = message
    return errors


def check_answer(*, actor_user: Any, actor: Actor, request: CheckRequest, summary: str) -> CheckRequest:
    """A partner user's answer to a check sent to their organisation (`check_answer_as`). A user of
    any other organisation, or not a partner: PermissionDenied (the pages give the same 404 as a
    missing check)."""
    caller = caller_for_user(actor_user)
    if caller is None:
        raise PermissionDenied
    return check_answer_as(caller=caller, actor=actor, request=request, summary=summary)


def check_answer_as(*, caller: PartnerCaller, actor: Actor, request: CheckRequest, summary: str) -> CheckRequest:
    """An organisation's answer to a check sent to it, by one of its users or its API credential.
    It lands on the child's record as information from another agency (police answers as encrypted
    police information), naming the organisation and who answered (the person, or the API
    credential), through `casework.services`; the check shows as answered on the MASH triage. Only
    the organisation the check was sent to, while it is waiting; otherwise PermissionDenied.
    Audits `sharing.check_answer` (Kind.COLLECTION) about the child."""
    if caller.agency.pk != request.agency_id or (caller.user is None and not caller.via):
        raise PermissionDenied
    if caller.user is not None and not (
        access.is_partner(caller.user)
        and PartnerMembership.objects.filter(user=caller.user, agency_id=request.agency_id).exists()
    ):
        raise PermissionDenied
    if request.status != CheckStatus.SENT:
        raise ValidationError({"summary": f"Check {request.reference} has already been answered or withdrawn"})
    if message := limits.text_error(summary, limit=limits.SUMMARY_CAP, label="The answer"):
        raise ValidationError({"summary": message})
    who = (
        (caller.user.get_full_name() or str(caller.user)) if caller.user is not None else f"API credential {caller.via}"
    )
    source = f"{request.agency} (answered in the partner portal by {who}, check {request.reference})"
    category = DataCategory.CRIMINAL if request.mash_check.agency == "police" else DataCategory.OTHER_AGENCIES
    with transaction.atomic():
        locked = CheckRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != CheckStatus.SENT:
            raise ValidationError({"summary": f"Check {request.reference} has already been answered"})
        try:
            casework_services.mash_check_answer_from_partner(
                actor_user=caller.user,
                actor=actor,
                check=request.mash_check,
                replied_on=timezone.localdate(),
                summary=summary.strip(),
                source=source,
            )
        except ValidationError as exc:
            raise ValidationError({"summary": exc.messages}) from exc
        request.status, request.answered_by, request.answered_at = CheckStatus.ANSWERED, caller.user, timezone.now()
        request.answered_via, request.answer_category = caller.via, category
        request.save(update_fields=["status", "answered_by", "answered_at", "answered_via", "answer_category"])
        record_event(
            actor=actor,
            action="sharing.check_answer",
            subject_person_id=request.person_id,
            obj=request,
            object_repr=f"{request.reference} from {request.agency}"[:200],
            detail={
                "agency": request.agency_id,
                "category": category.value,
                "late": request.is_overdue(),
                "via": caller.via,
            },
        )
    return request


# --- Shared views --------------------------------------------------------------------------------


def _expiry(expires_on: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59)))


def shared_view_create(*, actor_user: Any, actor: Actor, disclosure: Disclosure, expires_on: dt.date) -> SharedView:
    """Deliver a share as a view in the partner portal, open to the receiving organisation's portal
    users until the end of `expires_on` (at most OPENCSC_SHARED_VIEW_MAX_DAYS ahead). Only a share
    under an agreement, by someone who may change the child's record, to an organisation with portal
    users, and once per disclosure. Audits `sharing.view_create`."""
    if not access.can_change_person(actor_user, disclosure.person_id):
        raise PermissionDenied
    today = timezone.localdate()
    latest = today + dt.timedelta(days=settings.OPENCSC_SHARED_VIEW_MAX_DAYS)
    if disclosure.kind != DisclosureKind.SHARE:
        raise ValidationError({"expires_on": "Only a share under an agreement can be delivered as a portal view"})
    if SharedView.objects.filter(disclosure=disclosure).exists():
        raise ValidationError({"expires_on": f"{disclosure.reference} is already delivered as a portal view"})
    if not agencies_on_the_portal().filter(pk=disclosure.agency_id).exists():
        raise ValidationError({"expires_on": f"{disclosure.agency} has nobody using the partner portal"})
    if not today < expires_on <= latest:
        raise ValidationError(
            {
                "expires_on": f"The view must expire after today and by {latest:%-d %B %Y} (at most "
                f"{settings.OPENCSC_SHARED_VIEW_MAX_DAYS} days)"
            }
        )
    with transaction.atomic():
        view = SharedView.objects.create(
            disclosure=disclosure,
            person_id=disclosure.person_id,
            agency_id=disclosure.agency_id,
            expires_at=_expiry(expires_on),
            created_by=actor_user,
        )
        record_event(
            actor=actor,
            action="sharing.view_create",
            subject_person_id=disclosure.person_id,
            obj=view,
            object_repr=f"{view.reference} of {disclosure.reference} to {disclosure.agency}"[:200],
            detail={"disclosure": disclosure.reference, "expires_at": view.expires_at.isoformat()},
        )
    return view


def shared_view_revoke(*, actor_user: Any, actor: Actor, view: SharedView, reason: str) -> SharedView:
    """Close a shared view at once: the partner's next attempt is refused (404) and audited. By
    someone who may change the child's record, or information governance. Audits `sharing.view_revoke`."""
    if not (access.can_change_person(actor_user, view.person_id) or access.can_manage_sharing_register(actor_user)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the view is being revoked"})
    with transaction.atomic():
        locked = SharedView.objects.select_for_update().get(pk=view.pk)
        if locked.revoked_at is not None:
            raise ValidationError({"reason": f"{view.reference} has already been revoked"})
        view.revoked_at, view.revoked_by, view.revoke_reason = timezone.now(), actor_user, reason.strip()
        view.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record_event(
            actor=actor,
            action="sharing.view_revoke",
            subject_person_id=view.person_id,
            obj=view,
            detail={"disclosure": view.disclosure.reference},
        )
    return view


# --- Requests for support (the multi-agency referral form) --------------------------------------------

# The CIN census source of referral for a request from each recipient type of the register.
REFERRAL_SOURCE = {
    "police": "6",
    "health": "3D",
    "hospital": "3E",
    "education": "2A",
    "housing": "4",
    "probation": "7",
    "youth-justice": "7",
    "cafcass": "7",
    "legal": "7",
    "guardian": "7",
    "other-la": "5C",
    "lado": "5B",
}
OTHER_SOURCE = "8"  # children's centres, independent providers, voluntary organisations
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
REFERRAL_TEXT = (
    "child_first_name",
    "child_last_name",
    "child_other_names",
    "address_line1",
    "address_town",
    "address_postcode",
    "school",
    "household",
    "concern",
    "why_now",
    "no_consent_reason",
    "family_told",
    "referrer_name",
    "referrer_role",
    "referrer_phone",
    "referrer_email",
)
REFERRAL_FIELDS = (*REFERRAL_TEXT, "child_date_of_birth", "child_expected_date", "consent_given")
REQUIRED = {
    "child_last_name": 'Enter the child\'s last name (or "Unborn" for an unborn baby)',
    "concern": "Enter what the concern is",
    "why_now": "Enter why you are referring now",
    "family_told": "Enter what the family has been told, or that they have not been told and why",
    "referrer_name": "Enter your name",
    "referrer_role": "Enter your role",
    "referrer_phone": "Enter a telephone number the front door can reach you on",
    "referrer_email": "Enter your work email address",
}


def referral_source(agency: Agency) -> str:
    return REFERRAL_SOURCE.get(agency.recipient_type.code, OTHER_SOURCE)


def referral_errors(data: dict[str, Any]) -> dict[str, str]:
    """Every problem with a request for support, by field, in words that say how to fix it (the
    page's error summary and the API's problem document both show them)."""
    errors: dict[str, str] = {}
    for name, required in REQUIRED.items():
        if not str(data.get(name) or "").strip():
            errors[name] = required
    for name in REFERRAL_TEXT:
        limit = limits.text_limit(PartnerReferral, name)
        label = str(getattr(PartnerReferral._meta.get_field(name), "verbose_name", name)).capitalize()
        if name not in errors and (too_long := limits.text_error(data.get(name) or "", limit=limit, label=label)):
            errors[name] = too_long
    born, expected = data.get("child_date_of_birth"), data.get("child_expected_date")
    if born and expected:
        errors["child_expected_date"] = "Give either the date of birth or the expected date of birth, not both"
    elif born_error := limits.date_error(born, key="people.Person.date_of_birth", label="The date of birth"):
        errors["child_date_of_birth"] = born_error
    elif expected_error := limits.date_error(
        expected, key="people.Person.expected_date_of_birth", label="The expected date of birth"
    ):
        errors["child_expected_date"] = expected_error
    if born and born < timezone.localdate() - dt.timedelta(days=366 * 18) and "child_date_of_birth" not in errors:
        errors["child_date_of_birth"] = (
            "The date of birth must be of a child (under 18): refer adults to adult services"
        )
    postcode = str(data.get("address_postcode") or "").strip().upper()
    if postcode and not POSTCODE.match(postcode):
        errors["address_postcode"] = "Enter a real postcode, like ZZ1 1ZZ, or leave it empty"
    if str(data.get("address_line1") or "").strip() and not postcode:
        errors["address_postcode"] = "Enter the postcode of the child's address"
    if data.get("consent_given") is None:
        errors["consent_given"] = "Select whether the family agreed to this referral"
    elif not data["consent_given"] and not str(data.get("no_consent_reason") or "").strip():
        errors["no_consent_reason"] = "Enter why you are referring without the family's agreement"
    return errors


def _child_for_referral(actor: Actor, data: dict[str, Any]) -> tuple[Person, str, Person | None]:
    """The child the request is about: the record the matcher is certain of (unless it is restricted),
    or a new record started from the partner's details, with the closest similar record kept for
    the front door to compare."""
    query = MatchQuery(
        first_name=data["child_first_name"],
        surname=data["child_last_name"],
        other_names=data["child_other_names"],
        date_of_birth=data["child_date_of_birth"],
        postcode=data["address_postcode"],
    )
    candidates = find_matches(query, limit=3)
    certain = [c for c in candidates if c.band == scoring.CERTAIN]
    if len(certain) == 1:
        known = Person.objects.filter(pk=certain[0].person_id, is_restricted=False).first()
        if known is not None:
            return known, ReferralMatch.KNOWN, known
    similar = Person.objects.filter(pk=candidates[0].person_id).first() if candidates else None
    address = None
    if data["address_line1"] and data["address_postcode"]:
        address = {
            "line1": data["address_line1"],
            "town": data["address_town"] or "Not given",
            "postcode": data["address_postcode"],
        }
    child = people_services.person_start_from_report(
        actor=actor,
        data={
            "first_name": data["child_first_name"],
            "last_name": data["child_last_name"],
            "date_of_birth": data["child_date_of_birth"],
            "expected_date_of_birth": data["child_expected_date"],
        },
        address=address,
        school=data["school"],
    )
    return child, (ReferralMatch.POSSIBLE if similar is not None else ReferralMatch.NEW), similar


def _referral_reason(data: dict[str, Any], agency: Agency) -> str:
    lines = [data["concern"], "", f"Why now: {data['why_now']}"]
    if data["household"]:
        lines.append(f"Lives with: {data['household']}")
    if data["school"]:
        lines.append(f"School: {data['school']}")
    lines.append(f"Referrer: {data['referrer_name']}, {data['referrer_role']}, {agency}")
    lines.append(f"Telephone {data['referrer_phone']}, email {data['referrer_email']}")
    return "\n".join(lines)


def partner_referral_submit(*, caller: PartnerCaller, actor: Actor, data: dict[str, Any]) -> PartnerReferral:
    """A partner organisation's request for support about a child, from one of its users (the
    portal's form) or its API credential. Guarantees: the caller is a current member (or key) of
    an active organisation; every field is checked (`referral_errors`, a ValidationError by field,
    nothing written); the person matcher decides the child (a certain, unrestricted match, or a new
    record started from the details given); a `casework.Contact` lands in the MASH queue with the
    organisation as referrer and the source of referral its type gives; the partner's own words are
    kept as a `PartnerReferral`. The partner is told nothing about the match. All in one
    transaction. Audits `sharing.referral_submit` (Kind.COLLECTION) about the child, on top of
    `casework.contact_create` (and `person.create` for a new record)."""
    if caller.user is None and not caller.via:
        raise PermissionDenied
    if (
        caller.user is not None
        and not PartnerMembership.objects.filter(user=caller.user, agency=caller.agency, user__is_active=True).exists()
    ):
        raise PermissionDenied
    clean = _referral_data(data)
    if errors := referral_errors(clean):
        raise ValidationError(errors)
    who = (
        (caller.user.get_full_name() or str(caller.user)) if caller.user is not None else f"API credential {caller.via}"
    )
    with transaction.atomic():
        child, match, similar = _child_for_referral(actor, clean)
        contact = casework_services.contact_create_from_partner(
            actor_user=caller.user,
            actor=actor,
            child=child,
            source=referral_source(caller.agency),
            referrer=f"{clean['referrer_name']}, {clean['referrer_role']}, {caller.agency} (partner portal)"[:200],
            reason=_referral_reason(clean, caller.agency),
            consent_given=clean["consent_given"],
            no_consent_reason=clean["no_consent_reason"],
            family_told=clean["family_told"],
        )
        referral = PartnerReferral.objects.create(
            agency=caller.agency,
            contact=contact,
            submitted_by=caller.user,
            submitted_via=caller.via,
            match=match,
            match_person=similar if match == ReferralMatch.POSSIBLE else None,
            **clean,
        )
        record_event(
            actor=actor,
            action="sharing.referral_submit",
            subject_person_id=child.pk,
            obj=referral,
            object_repr=f"{referral.reference} from {caller.agency}"[:200],
            detail={"agency": caller.agency.pk, "match": match, "via": caller.via, "by": who[:150]},
        )
    return referral


def _referral_data(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {name: str(data.get(name) or "").strip() for name in REFERRAL_TEXT}
    clean["address_postcode"] = clean["address_postcode"].upper()
    clean["child_date_of_birth"] = data.get("child_date_of_birth") or None
    clean["child_expected_date"] = data.get("child_expected_date") or None
    consent = data.get("consent_given")
    clean["consent_given"] = consent if isinstance(consent, bool) else None
    if clean["consent_given"]:
        clean["no_consent_reason"] = ""
    return clean
