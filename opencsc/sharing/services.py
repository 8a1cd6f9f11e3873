"""Every write of the sharing app. A disclosure is written with its one Kind.DISCLOSURE audit event in
one transaction, after the agreement (or the approved request) has been checked again at that moment;
a refused share writes no disclosure, only a `sharing.refused` security event. None of these trusts
its caller to have checked access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event, record_events_bulk
from opencsc.core.categories import CRIMINAL_OFFENCE, SPECIAL_CATEGORY, DataCategory
from opencsc.people.models import Person
from opencsc.privacy.models import BasisKind, Category, LawfulBasis, Purpose
from opencsc.sharing import rules
from opencsc.sharing.items import Item, disclosable_items, pack_digest
from opencsc.sharing.models import (
    Agency,
    Channel,
    Consent,
    Disclosure,
    DisclosureKind,
    RequestKind,
    RequestStatus,
    ThirdPartyRequest,
)
from opencsc.sharing.rules import SharingRefused


class FourEyesViolation(PermissionDenied):
    """The person who logged a request tried to decide it."""


def _chosen_items(person: Person, item_keys: Iterable[str]) -> list[Item]:
    available = {item.key: item for items in disclosable_items(person).values() for item in items}
    keys = list(dict.fromkeys(item_keys))
    unknown = [key for key in keys if key not in available]
    if unknown:
        raise SharingRefused(["Some of the information chosen is not on this person's record; start the share again"])
    return [available[key] for key in keys]


def _check_consent(consent: str, detail: str) -> None:
    if consent not in Consent.values or consent == Consent.NOT_APPLICABLE:
        raise ValidationError({"consent": "Select whether consent was given, or why you are sharing without it"})
    if not detail.strip():
        message = (
            "Enter who agreed to the share and when"
            if consent == Consent.GIVEN
            else "Explain why you are sharing without consent, for example the risk to the child"
        )
        raise ValidationError({"consent_detail": message})


def _refuse(actor: Actor, person: Person, agency: Agency, purpose: Purpose, exc: SharingRefused) -> None:
    record_event(
        actor=actor,
        action="sharing.refused",
        subject_person_id=person.pk,
        object_type="sharing.Agency",
        object_id=str(agency.pk),
        object_repr=str(agency)[:200],
        outcome="denied",
        detail={"purpose": purpose.code, "reasons": exc.reasons},
    )


def _header(disclosure: Disclosure) -> dict[str, Any]:
    return {
        "reference": disclosure.reference,
        "person": disclosure.person_id,
        "agency": disclosure.agency.name,
        "purpose": disclosure.purpose.name,
        "lawful_basis": disclosure.lawful_basis.citation,
        "condition": disclosure.condition.citation if disclosure.condition else "",
        "criminal_condition": disclosure.criminal_condition.citation if disclosure.criminal_condition else "",
        "exemption": disclosure.exemption.citation if disclosure.exemption else "",
        "consent": disclosure.get_consent_display(),
        "disclosed_at": disclosure.disclosed_at.isoformat(),
    }


def pack_header(disclosure: Disclosure) -> dict[str, Any]:
    return _header(disclosure)


def _write_disclosure(*, actor: Actor, actor_user: Any, items: list[Item], **values: Any) -> Disclosure:
    """Create the disclosure row and its one audit event, in the caller's transaction."""
    categories = [c.value for c in DataCategory if any(i.category == c for i in items)]
    disclosure = Disclosure.objects.create(
        categories=categories,
        records=[item.reference() for item in items],
        disclosed_by=actor_user if getattr(actor_user, "pk", None) else None,
        actor_repr=actor.name,
        disclosed_at=timezone.now(),
        **values,
    )
    disclosure.pack_digest = pack_digest(_header(disclosure), items)
    event = record_event(
        actor=actor,
        action="sharing.disclosure",
        subject_person_id=disclosure.person_id,
        obj=disclosure,
        object_repr=f"{disclosure.reference} to {disclosure.agency}"[:200],
        detail={
            "agency": disclosure.agency_id,
            "kind": disclosure.kind,
            "agreement": disclosure.agreement.reference if disclosure.agreement else "",
            "request": disclosure.request.reference if disclosure.request else "",
            "purpose": disclosure.purpose.code,
            "categories": categories,
            "records": len(items),
            "consent": disclosure.consent,
        },
    )
    disclosure.audit_seq = event.seq
    disclosure.save(update_fields=["pack_digest", "audit_seq"])
    return disclosure


def _conditions(
    categories: set[DataCategory], special: LawfulBasis | None, criminal: LawfulBasis | None
) -> dict[str, LawfulBasis | None]:
    return {
        "condition": special if categories & SPECIAL_CATEGORY else None,
        "criminal_condition": criminal if categories & CRIMINAL_OFFENCE else None,
    }


def disclosure_share(
    *,
    actor_user: Any,
    actor: Actor,
    person: Person,
    agency: Agency,
    purpose: Purpose,
    item_keys: Iterable[str],
    consent: str,
    consent_detail: str,
    channel: str = "",
) -> Disclosure:
    """Share the chosen items of a person's record with an agency under a sharing agreement.

    Guarantees: the user may change the record (own caseload, not break-glass); every item is on this
    person's record; a current agreement covers the agency, the purpose and every category, with the
    Article 9/10 condition needed; exactly one Disclosure and one `sharing.disclosure` event are
    written, together. Otherwise raises SharingRefused (audited as `sharing.refused`), ValidationError
    or PermissionDenied, and writes no disclosure."""
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    _check_consent(consent, consent_detail)
    try:
        items = _chosen_items(person, item_keys)
        decision = rules.require(agency=agency, purpose=purpose, categories={i.category for i in items})
    except SharingRefused as exc:
        _refuse(actor, person, agency, purpose, exc)
        raise
    agreement = decision.agreement
    assert agreement is not None  # noqa: S101  (require() returns only allowed decisions)
    with transaction.atomic():
        return _write_disclosure(
            actor=actor,
            actor_user=actor_user,
            items=items,
            person=person,
            kind=DisclosureKind.SHARE,
            agency=agency,
            agreement=agreement,
            purpose=purpose,
            lawful_basis=agreement.lawful_basis,
            **_conditions({i.category for i in items}, agreement.special_condition, agreement.criminal_condition),
            consent=consent,
            consent_detail=consent_detail.strip(),
            channel=channel or agency.channel,
        )


# --- Statutory transfers: DfE returns and CP-IS ------------------------------------------------


def disclosure_record_transfer(
    *,
    actor: Actor,
    agency: Agency,
    purpose: Purpose,
    person_ids: Iterable[int],
    categories: Iterable[DataCategory],
    reference: str,
    records: dict[int, list[dict[str, Any]]] | None = None,
) -> int:
    """Record that a built file (a CIN census, an SSDA903 return, a CP-IS upload) disclosed each of its
    children to a national body. Call it in the transaction that marks the file as sent.

    Guarantees: the statutory agreement with the agency covers the purpose and categories (else
    SharingRefused and nothing is written); exactly one Disclosure of kind TRANSFER and one
    `sharing.transfer` event (Kind.DISCLOSURE) per distinct child, all in one transaction; every id must
    be a person (ValueError otherwise). Returns the number of disclosures written."""
    wanted = list(dict.fromkeys(categories))
    decision = rules.require(agency=agency, purpose=purpose, categories=wanted)
    agreement = decision.agreement
    assert agreement is not None  # noqa: S101
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    known = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [pk for pk in ids if pk not in known]:
        raise ValueError(f"Not persons in this service: {missing[:10]}")
    now = timezone.now()
    codes = [c.value for c in DataCategory if c in set(wanted)]
    conditions = _conditions(set(wanted), agreement.special_condition, agreement.criminal_condition)
    with transaction.atomic():
        rows = Disclosure.objects.bulk_create(
            [
                Disclosure(
                    person_id=pk,
                    kind=DisclosureKind.TRANSFER,
                    agency=agency,
                    agreement=agreement,
                    purpose=purpose,
                    lawful_basis=agreement.lawful_basis,
                    **conditions,
                    categories=codes,
                    records=(records or {}).get(pk, []),
                    consent=Consent.NOT_APPLICABLE,
                    channel=agency.channel,
                    transfer_reference=reference[:200],
                    actor_repr=actor.name,
                    disclosed_at=now,
                )
                for pk in ids
            ]
        )
        record_events_bulk(
            actor=actor,
            action="sharing.transfer",
            rows=[
                {
                    "subject_person_id": d.person_id,
                    "object_type": "sharing.Disclosure",
                    "object_id": str(d.pk),
                    "object_repr": f"{d.reference} to {agency}"[:200],
                    "detail": {
                        "agency": agency.pk,
                        "agreement": agreement.reference,
                        "reference": reference[:200],
                        "purpose": purpose.code,
                        "categories": codes,
                    },
                }
                for d in rows  # bulk_create returns primary keys on SQLite and PostgreSQL
            ],
        )
    return len(rows)


# --- Subject access: the person's own information, given to them ----------------------------

SUBJECT_RECIPIENT = "data-subject"
SUBJECT_PURPOSE = "rights-requests"


def _subject_access_register() -> tuple[Agency, Purpose, LawfulBasis]:
    """The register rows a subject access release is recorded under, made on the first release
    (a fresh installation has none until someone asks for their file)."""
    from opencsc.privacy.models import RecipientType

    recipient_type, _ = RecipientType.objects.get_or_create(
        code=SUBJECT_RECIPIENT,
        defaults={
            "name": "The person the information is about, when they ask for it",
            "public_description": "When you ask for a copy of your information, we send it to you.",
        },
    )
    agency, _ = Agency.objects.get_or_create(
        code=SUBJECT_RECIPIENT,
        defaults={
            "name": "The person themselves (subject access)",
            "recipient_type": recipient_type,
            "channel": Channel.POST,
        },
    )
    basis = LawfulBasis.objects.get(code="art6-1c-legal-obligation")
    purpose, created = Purpose.objects.get_or_create(
        code=SUBJECT_PURPOSE,
        defaults={
            "name": "Answer people's requests about their information",
            "public_description": "To give people their information and answer their requests under data "
            "protection law.",
            "data_subjects": "Anyone whose information the service holds",
        },
    )
    if created:
        purpose.lawful_bases.add(basis)
        purpose.recipient_types.add(recipient_type)
    return agency, purpose, basis


def disclosure_record_subject_access(
    *, actor: Actor, actor_user: Any, person: Person, reference: str, categories: Iterable[str], digest: str
) -> Disclosure:
    """Record that a subject access bundle was released to the person (or to whoever asked on their
    behalf): one Disclosure of kind SUBJECT_ACCESS in the person's disclosure log and its
    `sharing.disclosure` audit event, in the caller's transaction. `digest` is the SHA-256 of the
    released PDF, so the exact file sent can be proved later."""
    agency, purpose, basis = _subject_access_register()
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            person=person,
            kind=DisclosureKind.SUBJECT_ACCESS,
            agency=agency,
            purpose=purpose,
            lawful_basis=basis,
            categories=list(dict.fromkeys(categories)),
            records=[],
            consent=Consent.NOT_APPLICABLE,
            channel=agency.channel,
            transfer_reference=reference[:200],
            disclosed_by=actor_user if getattr(actor_user, "pk", None) else None,
            actor_repr=actor.name,
            disclosed_at=timezone.now(),
            pack_digest=digest,
        )
        event = record_event(
            actor=actor,
            action="sharing.disclosure",
            subject_person_id=person.pk,
            obj=disclosure,
            object_repr=f"{disclosure.reference} to {agency}"[:200],
            detail={"agency": agency.pk, "kind": disclosure.kind, "purpose": purpose.code, "reference": reference},
        )
        disclosure.audit_seq = event.seq
        disclosure.save(update_fields=["audit_seq"])
    return disclosure


# --- Third-party requests: police, courts, MPs ---------------------------------------------

_EXEMPTION_FOR_KIND = {
    RequestKind.CRIME: "sch2-p2-crime-taxation",
    RequestKind.COURT_ORDER: "sch2-p5-1-required-by-law",
    RequestKind.LEGAL_OBLIGATION: "sch2-p5-1-required-by-law",
    RequestKind.LEGAL_PROCEEDINGS: "sch2-p5-3-legal-proceedings",
}


def request_log(
    *,
    actor_user: Any,
    actor: Actor,
    person: Person,
    agency: Agency,
    kind: str,
    requester_name: str,
    requester_reference: str,
    received_on: dt.date,
    details: str,
    purpose: Purpose,
    lawful_basis: LawfulBasis,
    categories: Iterable[Category],
    consent_confirmed: bool = False,
) -> ThirdPartyRequest:
    """Log a request from outside for a person's information; it waits for an IG decision.

    The Schedule 2 exemption follows from the kind of request (crime: paragraph 2; court order or
    other legal obligation: paragraph 5(1); legal proceedings: paragraph 5(2)-(3)); a request from an
    MP or councillor needs the person's consent to have been seen. Audited as `sharing.request_log`."""
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if lawful_basis.kind != BasisKind.ARTICLE_6:
        errors["lawful_basis"] = "Select an Article 6 lawful basis"
    if kind == RequestKind.ELECTED_REPRESENTATIVE and not consent_confirmed:
        errors["consent_confirmed"] = "Confirm you have seen the person's consent for their MP or councillor to ask"
    wanted = list(categories)
    if not wanted:
        errors["categories"] = "Select the information the request asks for"
    if errors:
        raise ValidationError(errors)
    exemption_code = _EXEMPTION_FOR_KIND.get(RequestKind(kind))
    exemption = LawfulBasis.objects.filter(code=exemption_code).first() if exemption_code else None
    with transaction.atomic():
        request = ThirdPartyRequest.objects.create(
            person=person,
            agency=agency,
            kind=kind,
            requester_name=requester_name,
            requester_reference=requester_reference,
            received_on=received_on,
            details=details,
            purpose=purpose,
            lawful_basis=lawful_basis,
            exemption=exemption,
            consent_confirmed=consent_confirmed,
            logged_by=actor_user,
        )
        request.categories.set(wanted)
        record_event(
            actor=actor,
            action="sharing.request_log",
            subject_person_id=person.pk,
            obj=request,
            object_repr=f"{request.reference} from {agency}"[:200],
            detail={"kind": kind, "agency": agency.pk, "categories": sorted(c.code for c in wanted)},
        )
    return request


def request_decide(
    *,
    actor_user: Any,
    actor: Actor,
    request: ThirdPartyRequest,
    approve: bool,
    note: str,
    categories: Iterable[Category] | None = None,
    special_condition: LawfulBasis | None = None,
    criminal_condition: LawfulBasis | None = None,
) -> ThirdPartyRequest:
    """Approve or refuse a request. Four eyes: only an IG officer or manager, and never the person who
    logged it (FourEyesViolation; the database constraint `request_four_eyes` backs this up). Approval
    may narrow the categories, and must name an Article 9/10 condition for any special category or
    criminal offence data it releases. Audited as `sharing.request_decide`."""
    if not access.can_decide_disclosure_request(actor_user):
        raise PermissionDenied
    if actor_user.pk == request.logged_by_id:
        raise FourEyesViolation("You logged this request, so someone else must decide it")
    if request.status != RequestStatus.AWAITING_DECISION:
        raise ValidationError({"approve": "This request has already been decided"})
    if not note.strip():
        raise ValidationError({"note": "Enter the reasons for your decision"})
    requested = set(request.categories.all())
    released = set(categories) if categories is not None else requested
    if approve:
        _check_release(released, requested, special_condition, criminal_condition)
    with transaction.atomic():
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        request.decided_by = actor_user
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.special_condition = special_condition if approve else None
        request.criminal_condition = criminal_condition if approve else None
        request.save()
        if approve:
            request.categories.set(released)
        record_event(
            actor=actor,
            action="sharing.request_decide",
            subject_person_id=request.person_id,
            obj=request,
            object_repr=f"{request.reference} from {request.agency}"[:200],
            detail={"approved": approve, "categories": sorted(c.code for c in released) if approve else []},
        )
    return request


def _check_release(
    released: set[Category], requested: set[Category], special: LawfulBasis | None, criminal: LawfulBasis | None
) -> None:
    errors: dict[str, str] = {}
    if not released:
        errors["categories"] = "Select the information to release, or refuse the request"
    elif not released <= requested:
        errors["categories"] = "You can release only information the request asked for"
    if any(c.is_special_category for c in released) and (special is None or special.kind != BasisKind.ARTICLE_9):
        errors["special_condition"] = "Select the Article 9 condition for releasing special category data"
    if any(c.is_criminal_offence for c in released) and (criminal is None or criminal.kind != BasisKind.ARTICLE_10):
        errors["criminal_condition"] = "Select the Article 10 condition for releasing criminal offence data"
    if errors:
        raise ValidationError(errors)


def request_reply(
    *,
    actor_user: Any,
    actor: Actor,
    request: ThirdPartyRequest,
    item_keys: Iterable[str],
    consent: str,
    consent_detail: str,
) -> Disclosure:
    """Send the reply to an approved request, recorded as one Disclosure (kind REQUEST_REPLY) and one
    `sharing.disclosure` event, and mark the request replied, all in one transaction. Only the
    categories the decision released may be sent."""
    if not access.can_change_person(actor_user, request.person_id):
        raise PermissionDenied
    _check_consent(consent, consent_detail)
    person = request.person
    try:
        if request.status != RequestStatus.APPROVED:
            raise SharingRefused(
                [
                    f"Request {request.reference} is {request.get_status_display().lower()}, "
                    "so nothing can be sent in reply"
                ]
            )
        items = _chosen_items(person, item_keys)
        released = {DataCategory(c) for c in request.categories.values_list("code", flat=True)}
        outside = sorted({i.category.label for i in items if i.category not in released})
        if outside:
            raise SharingRefused([f"The decision on {request.reference} did not release {', '.join(outside)}"])
        if not items:
            raise SharingRefused(["Choose at least one piece of information to send"])
    except SharingRefused as exc:
        _refuse(actor, person, request.agency, request.purpose, exc)
        raise
    with transaction.atomic():
        locked = ThirdPartyRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.APPROVED:
            raise SharingRefused([f"Request {request.reference} has already been answered"])
        disclosure = _write_disclosure(
            actor=actor,
            actor_user=actor_user,
            items=items,
            person=person,
            kind=DisclosureKind.REQUEST_REPLY,
            agency=request.agency,
            request=request,
            purpose=request.purpose,
            lawful_basis=request.lawful_basis,
            exemption=request.exemption,
            **_conditions({i.category for i in items}, request.special_condition, request.criminal_condition),
            consent=consent,
            consent_detail=consent_detail.strip(),
            channel=request.agency.channel,
        )
        ThirdPartyRequest.objects.filter(pk=request.pk).update(status=RequestStatus.REPLIED)
        request.status = RequestStatus.REPLIED
    return disclosure


# --- The agency register and agreements (information governance) ----------------------------


def register_save(
    *,
    actor_user: Any,
    actor: Actor,
    obj: models.Model,
    changes: dict[str, Any],
    many: dict[str, list[Any]] | None = None,
) -> models.Model:
    """Create or change an agency, an agency contact or a sharing agreement (IG only), validated and
    audited (`sharing.agency_change` / `sharing.agreement_change`) in one transaction."""
    from opencsc.sharing.models import SharingAgreement

    if not access.can_manage_sharing_register(actor_user):
        raise PermissionDenied
    creating = obj.pk is None
    changed = [name for name, value in changes.items() if creating or getattr(obj, name) != value]
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    action = "sharing.agreement_change" if isinstance(obj, SharingAgreement) else "sharing.agency_change"
    with transaction.atomic():
        obj.save()
        for name, values in (many or {}).items():
            before = {o.pk for o in getattr(obj, name).all()}
            getattr(obj, name).set(values)
            if before != {o.pk for o in values}:
                changed.append(name)
        if isinstance(obj, SharingAgreement):
            _check_agreement_conditions(obj)
        record_event(
            actor=actor,
            action=action,
            obj=obj,
            detail={"model": obj._meta.label, "created": creating, "fields": sorted(changed)},
        )
    return obj


def _check_agreement_conditions(agreement: Any) -> None:
    categories = list(agreement.categories.all())
    errors = {}
    if any(c.is_special_category for c in categories) and agreement.special_condition_id is None:
        errors["special_condition"] = "Select the Article 9 condition: the agreement covers special category data"
    if any(c.is_criminal_offence for c in categories) and agreement.criminal_condition_id is None:
        errors["criminal_condition"] = "Select the Article 10 condition: the agreement covers criminal offence data"
    if errors:
        raise ValidationError(errors)  # rolls the save back
