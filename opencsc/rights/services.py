"""Every write to the rights request register. Keyword-only, told the actor, one transaction each,
the audit event inside it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.people.models import Person
from opencsc.rights import deadlines
from opencsc.rights.models import (
    AskUsAttempt,
    RequestKind,
    RequestSource,
    RequestStatus,
    RightsRequest,
)

# Letters and digits that cannot be mistaken for one another when read out over the phone.
_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
DUPLICATE_WINDOW_DAYS = 14


class RightsError(Exception):
    """A request the register refuses, with a message that says how to put it right."""


def _new_reference() -> str:
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        reference = f"ASK-{code[:4]}-{code[4:]}"
        if not RightsRequest.objects.filter(reference=reference).exists():
            return reference


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def find_duplicate(*, kind: str, requester_name: str, subject_name: str, reply_email: str) -> RightsRequest | None:
    """An open request of the same kind, from the same requester about the same person, received in
    the last fortnight: a second post of the form (or a chaser) is the same request, not a new one."""
    since = timezone.localdate() - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    for candidate in RightsRequest.objects.open().filter(kind=kind, received_on__gte=since):
        if (
            _norm(candidate.requester_name) == _norm(requester_name)
            and _norm(candidate.subject_name) == _norm(subject_name)
            and _norm(candidate.reply_email) == _norm(reply_email)
        ):
            return candidate
    return None


def request_receive(*, actor: Actor, actor_user: Any = None, data: dict[str, Any]) -> tuple[RightsRequest, bool]:
    """Record a request (from the public form when `actor_user` is None, otherwise entered by staff).
    Returns (request, created): a duplicate of an open request returns that request, writing nothing
    but an audit event. The clock starts on the day of receipt; a request that needs proof of
    identity first waits for it (`identity_needed`), and its clock restarts when identity is seen."""
    kind = data["kind"]
    if kind not in RequestKind.values:
        raise RightsError("Select what the request is for")
    with transaction.atomic():
        duplicate = find_duplicate(
            kind=kind,
            requester_name=data["requester_name"],
            subject_name=data["subject_name"],
            reply_email=data.get("reply_email", ""),
        )
        if duplicate is not None:
            record_event(actor=actor, action="rights.request_receive", obj=duplicate, outcome="duplicate")
            return duplicate, False
        received_on = data.get("received_on") or timezone.localdate()
        needs_identity = bool(data.get("identity_needed", kind != RequestKind.ENQUIRY))
        request = RightsRequest(
            reference=_new_reference(),
            kind=kind,
            source=RequestSource.STAFF if actor_user is not None else RequestSource.PUBLIC_FORM,
            status=RequestStatus.AWAITING_IDENTITY if needs_identity else RequestStatus.OPEN,
            received_on=received_on,
            requester_name=data["requester_name"].strip(),
            requester_relationship=data.get("requester_relationship") or "self",
            subject_name=(data.get("subject_name") or data["requester_name"]).strip(),
            subject_date_of_birth=data.get("subject_date_of_birth"),
            details=data["details"].strip(),
            reply_by=data["reply_by"],
            reply_email=data.get("reply_email", "").strip(),
            reply_address=data.get("reply_address", "").strip(),
            clock_start=received_on,
            entered_by=actor_user,
        )
        request.recompute_due()
        request.full_clean()
        request.save()
        record_event(
            actor=actor, action="rights.request_receive", obj=request, detail={"kind": kind, "source": request.source}
        )
    return request, True


def identity_verify(
    *, actor_user: Any, actor: Actor, request: RightsRequest, evidence: str, verified_on: dt.date
) -> RightsRequest:
    """Record what was seen to confirm the requester's identity, and by whom. A request that was waiting
    for it starts its month on the day identity was confirmed (the ICO's rule)."""
    if request.is_closed:
        raise RightsError("This request is closed")
    if not evidence.strip():
        raise RightsError("Enter what was seen to confirm the requester's identity")
    if verified_on < request.received_on or verified_on > timezone.localdate():
        raise RightsError("The date identity was confirmed must be between the day the request came and today")
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        request.identity_evidence = evidence.strip()
        request.identity_verified_on = verified_on
        request.identity_verified_by = actor_user
        if request.status == RequestStatus.AWAITING_IDENTITY:
            request.clock_start = verified_on
            request.status = RequestStatus.OPEN
        request.recompute_due()
        request.save()
        record_event(
            actor=actor,
            action="rights.identity_verify",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"clock_start": request.clock_start.isoformat(), "due_on": request.due_on.isoformat()},
        )
    return request


def subject_link(
    *, actor: Actor, request: RightsRequest, person_id: int, on_behalf_decision: str = ""
) -> RightsRequest:
    """Link the request to the person's record it is about. A request made for a child by a parent needs
    the competence or consent decision recorded."""
    if request.is_closed:
        raise RightsError("This request is closed")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise RightsError("No record has that person id: check the number, or close the request as no information held")
    if request.requester_relationship != "self" and not (on_behalf_decision or request.on_behalf_decision).strip():
        raise RightsError(
            "Record whether the child is competent to decide and has consented, or why the requester may act for them"
        )
    with transaction.atomic():
        request.subject = person
        if on_behalf_decision.strip():
            request.on_behalf_decision = on_behalf_decision.strip()
        request.save(update_fields=["subject", "on_behalf_decision", "updated_at"])
        record_event(actor=actor, action="rights.subject_link", obj=request, subject_person_id=person.pk)
    return request


def request_extend(*, actor: Actor, request: RightsRequest, months: int, reason: str, letter: str) -> RightsRequest:
    """Extend the time to answer by up to two months in all, with the reason and the letter telling
    the requester (which must go within the first month)."""
    if request.is_closed:
        raise RightsError("This request is closed")
    if request.status == RequestStatus.AWAITING_IDENTITY:
        raise RightsError("The clock has not started: confirm the requester's identity first")
    total = request.extension_months + months
    if months < 1 or total > deadlines.MAX_EXTENSION_MONTHS:
        raise RightsError(f"A request can be extended by at most {deadlines.MAX_EXTENSION_MONTHS} months in all")
    if not reason.strip() or not letter.strip():
        raise RightsError("Give the reason for the extension and the letter that tells the requester")
    if timezone.localdate() > deadlines.latest_extension_notice(request.clock_start):
        raise RightsError("An extension must be told to the requester within the first month, which has passed")
    with transaction.atomic():
        request.extension_months = total
        request.extension_reason = reason.strip()
        request.extension_letter = letter.strip()
        request.recompute_due()
        request.save()
        record_event(
            actor=actor,
            action="rights.extend",
            obj=request,
            subject_person_id=request.subject_id,
            reason=reason.strip()[:500],
            detail={"months": total, "due_on": request.due_on.isoformat()},
        )
    return request


def request_close(
    *,
    actor_user: Any,
    actor: Actor,
    request: RightsRequest,
    status: str,
    letter: str,
    reason: str = "",
    closed_on: dt.date | None = None,
) -> RightsRequest:
    """Answer, refuse or record the withdrawal of a request. A refusal needs its lawful reason, which
    the response letter must show."""
    if request.is_closed:
        raise RightsError("This request is already closed")
    if status not in (RequestStatus.ANSWERED, RequestStatus.REFUSED, RequestStatus.WITHDRAWN):
        raise RightsError("Select how the request ended")
    if status == RequestStatus.REFUSED:
        if not reason.strip():
            raise RightsError("Give the lawful reason for refusing")
        if reason.strip() not in letter:
            letter = f"{letter.rstrip()}\n\nThe reason we cannot do what you asked: {reason.strip()}"
    if status != RequestStatus.WITHDRAWN and not letter.strip():
        raise RightsError("Enter the response letter")
    with transaction.atomic():
        request.status = status
        request.outcome_reason = reason.strip()
        request.response_letter = letter.strip()
        request.closed_on = closed_on or timezone.localdate()
        request.closed_by = actor_user
        request.save()
        record_event(
            actor=actor,
            action="rights.close",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"status": status, "on_time": request.answered_on_time},
        )
    return request


# --- the public form's rate limit ------------------------------------------------------------------


def _address_hash(address: str) -> str:
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, f"ask-us:{address}".encode(), hashlib.sha256).hexdigest()


def ask_us_allowed(*, address: str) -> bool:
    """Record one post from `address` and say whether it is within the limit
    (`OPENCSC_ASK_US_RATE_LIMIT` posts an hour). Rows older than a day are deleted here."""
    now = timezone.now()
    digest = _address_hash(address or "unknown")
    with transaction.atomic():
        AskUsAttempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
        recent = AskUsAttempt.objects.filter(address_hash=digest, at__gte=now - dt.timedelta(hours=1)).count()
        AskUsAttempt.objects.create(address_hash=digest, at=now)
    return recent < settings.OPENCSC_ASK_US_RATE_LIMIT


# --- rectification (Art 16), notifying recipients (Art 19), restriction (Art 18) --------------------


def _require_kind(request: RightsRequest, *kinds: str) -> int:
    """The request's person id, if the request is open, of one of `kinds` and linked to a record."""
    if request.kind not in kinds:
        raise RightsError("This request is not of the kind that allows that")
    if request.is_closed:
        raise RightsError("This request is closed")
    if request.subject_id is None:
        raise RightsError("Link the person's record to the request first")
    return request.subject_id


def rectification_recipients(request: RightsRequest) -> list[Any]:
    """Every disclosure in the person's disclosure log that carried a category this rectification
    corrected (all of them when no category is recorded yet), oldest first: the recipients IG must
    tell of the correction (Article 19)."""
    from opencsc.sharing.models import Disclosure  # rights sits above sharing

    corrected = set(request.corrected_categories)
    rows = (
        Disclosure.objects.filter(person_id=request.subject_id or 0).select_related("agency").order_by("disclosed_at")
    )
    return [d for d in rows if not corrected or corrected & set(d.categories)]


def rectification_record(
    *,
    actor: Actor,
    request: RightsRequest,
    categories: list[str],
    summary: str,
) -> RightsRequest:
    """Record what was corrected. The correction itself is made through the record's ordinary pages and
    services (so its status history and audit events are kept); this says which categories changed,
    so the recipients to tell can be listed."""
    from opencsc.core.categories import DataCategory

    _require_kind(request, RequestKind.RECTIFICATION)
    if not categories or any(c not in DataCategory.values for c in categories):
        raise RightsError("Select what kind of information was corrected")
    if not summary.strip():
        raise RightsError("Say what was corrected and where")
    with transaction.atomic():
        request.corrected_categories = list(dict.fromkeys(categories))
        request.correction_summary = summary.strip()
        request.save(update_fields=["corrected_categories", "correction_summary", "updated_at"])
        record_event(
            actor=actor,
            action="rights.rectify",
            obj=request,
            subject_person_id=request.subject_id,
            detail={"categories": request.corrected_categories},
        )
    return request


def dispute_note_add(
    *, actor_user: Any, actor: Actor, request: RightsRequest, statement: str, council_view: str
) -> Any:
    """Keep the requester's statement beside the record where the council does not agree it is wrong;
    it is shown on the record page from now on."""
    from opencsc.rights.models import DisputeNote

    person_id = _require_kind(request, RequestKind.RECTIFICATION, RequestKind.OBJECTION)
    if not statement.strip():
        raise RightsError("Enter the requester's statement")
    with transaction.atomic():
        note = DisputeNote.objects.create(
            request=request,
            person_id=person_id,
            statement=statement.strip(),
            council_view=council_view.strip(),
            recorded_by=actor_user,
        )
        record_event(actor=actor, action="rights.dispute_note", obj=note, subject_person_id=request.subject_id)
    return note


def recipient_notified(
    *, actor_user: Any, actor: Actor, request: RightsRequest, disclosure_id: int, method: str, notified_on: dt.date
) -> Any:
    """Record that the recipient of one disclosure was told of the correction."""
    from opencsc.rights.models import NotifyMethod, RecipientNotification

    _require_kind(request, RequestKind.RECTIFICATION, RequestKind.ERASURE, RequestKind.RESTRICTION)
    disclosure = next((d for d in rectification_recipients(request) if d.pk == disclosure_id), None)
    if disclosure is None:
        raise RightsError("That disclosure is not one whose recipient needs telling")
    if method not in NotifyMethod.values:
        raise RightsError("Select how the recipient was told")
    with transaction.atomic():
        note, created = RecipientNotification.objects.get_or_create(
            request=request,
            disclosure_id=disclosure.pk,
            defaults={
                "agency_name": disclosure.agency.name,
                "method": method,
                "notified_on": notified_on,
                "notified_by": actor_user,
            },
        )
        if created:
            record_event(
                actor=actor,
                action="rights.recipient_notify",
                obj=request,
                subject_person_id=request.subject_id,
                detail={"disclosure": disclosure.pk, "agency": disclosure.agency_id, "method": method},
            )
    return note


def restriction_set(*, actor_user: Any, actor: Actor, request: RightsRequest, ground: str) -> Any:
    """Restrict processing of the person's record (Art 18) while the request is worked on: nobody can
    change the record until it is lifted (`accounts.access.person_access`)."""
    from opencsc.accounts.models import ProcessingRestriction, RestrictionGround

    person_id = _require_kind(request, RequestKind.RESTRICTION, RequestKind.RECTIFICATION, RequestKind.OBJECTION)
    if ground not in RestrictionGround.values:
        raise RightsError("Select the ground for the restriction")
    with transaction.atomic():
        if ProcessingRestriction.objects.active().filter(person_id=person_id).exists():
            raise RightsError("Processing of this record is already restricted")
        restriction = ProcessingRestriction.objects.create(
            person_id=person_id, ground=ground, request_reference=request.reference, set_by=actor_user
        )
        record_event(
            actor=actor,
            action="rights.restriction_set",
            obj=restriction,
            subject_person_id=request.subject_id,
            detail={"ground": ground, "request": request.reference},
        )
    return restriction


def restriction_lift(*, actor_user: Any, actor: Actor, request: RightsRequest) -> None:
    from opencsc.accounts.models import ProcessingRestriction

    with transaction.atomic():
        restriction = ProcessingRestriction.objects.active().filter(person_id=request.subject_id or 0).first()
        if restriction is None:
            raise RightsError("Processing of this record is not restricted")
        restriction.lifted_by = actor_user
        restriction.lifted_at = timezone.now()
        restriction.save(update_fields=["lifted_by", "lifted_at"])
        record_event(
            actor=actor, action="rights.restriction_lift", obj=restriction, subject_person_id=request.subject_id
        )
