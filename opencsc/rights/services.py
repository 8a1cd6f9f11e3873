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
