"""Every read of the sharing app that touches a person. Each goes through `accounts.access` (via the
people selectors, which audit the read or the refusal); a record the user may not see and one that
does not exist give the same 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.core.categories import DataCategory
from opencsc.people import selectors as people_selectors
from opencsc.people.models import Person
from opencsc.privacy.models import RecipientType
from opencsc.sharing.items import Item, disclosable_items, pack_digest
from opencsc.sharing.models import Agency, Disclosure, RequestStatus, SharingAgreement, ThirdPartyRequest
from opencsc.sharing.services import pack_header

_PACK_SALT = "opencsc.sharing.pack"


def pack_link_hours() -> int:
    return int(getattr(settings, "OPENCSC_DISCLOSURE_PACK_HOURS", 24))


def get_person_to_share(*, user: Any, actor: Actor, person_id: int, purpose: str) -> Person:
    """The person, if the user may share from their record (own scope, an editing role, not
    break-glass); the read is audited. Otherwise the same 404 as a missing person."""
    people_selectors.get_person_for_change(user=user, actor=actor, person_id=person_id)
    return people_selectors.get_person_for_user(user=user, actor=actor, person_id=person_id, purpose=purpose)


def disclosure_log(*, user: Any, actor: Actor, person_id: int) -> tuple[Person, QuerySet[Disclosure]]:
    """The person's disclosures (shares, request replies, statutory transfers), newest first, for a
    user who may see the record. The read is audited as a view of the record. The council's log
    of what it shared is not part of a partner lead practitioner's reduced view: the audited 404."""
    if access.sees_help_only(user):
        raise people_selectors.refuse_person(actor=actor, person_id=person_id, purpose="disclosure_log")
    person = people_selectors.get_person_for_user(user=user, actor=actor, person_id=person_id, purpose="disclosure_log")
    disclosures = (
        Disclosure.objects.filter(person=person)
        .select_related(
            "agency",
            "agency__recipient_type",
            "purpose",
            "lawful_basis",
            "condition",
            "criminal_condition",
            "exemption",
            "agreement",
            "request",
            "disclosed_by",
        )
        .order_by("-disclosed_at", "-pk")
    )
    return person, disclosures


def get_disclosure_for_user(*, user: Any, actor: Actor, disclosure_id: int) -> Disclosure:
    disclosure = (
        Disclosure.objects.select_related("agency", "purpose", "lawful_basis", "agreement")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise Http404("No such disclosure")
    people_selectors.get_person_for_user(user=user, actor=actor, person_id=disclosure.person_id, purpose="disclosure")
    return disclosure


def requests_for_person(person: Person) -> QuerySet[ThirdPartyRequest]:
    return ThirdPartyRequest.objects.filter(person=person).select_related("agency").order_by("-received_on", "-pk")


def get_request_to_reply(*, user: Any, actor: Actor, person_id: int, request_id: int) -> ThirdPartyRequest:
    person = get_person_to_share(user=user, actor=actor, person_id=person_id, purpose="request_reply")
    request = ThirdPartyRequest.objects.select_related("agency", "purpose").filter(pk=request_id, person=person).first()
    if request is None:
        raise Http404("No such request")
    return request


# --- Disclosure packs --------------------------------------------------------------------------


def pack_token(disclosure: Disclosure) -> str:
    return signing.TimestampSigner(salt=_PACK_SALT).sign(str(disclosure.pk))


def pack_expires_at(disclosure: Disclosure) -> dt.datetime:
    return disclosure.disclosed_at + dt.timedelta(hours=pack_link_hours())


class PackUnavailable(Exception):
    """The link has expired or was tampered with, or the record has changed since the disclosure."""


@dataclass
class Pack:
    disclosure: Disclosure
    header: dict[str, Any]
    sections: list[tuple[DataCategory, list[Item]]]


def open_pack(*, user: Any, actor: Actor, token: str) -> Pack:
    """The disclosure pack behind a signed link, for a signed-in user who may still see the person.

    The link is signed (not guessable) and expires `pack_link_hours()` after the disclosure. The pack is
    rebuilt from the record and must match the digest taken when it was disclosed, so what is opened
    is exactly what was shared; if the record changed since, PackUnavailable says so. Audited."""
    try:
        pk = int(signing.TimestampSigner(salt=_PACK_SALT).unsign(token, max_age=dt.timedelta(hours=pack_link_hours())))
    except signing.SignatureExpired as exc:
        raise PackUnavailable("This link has expired. Open the disclosure from the child's disclosure log.") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise Http404("No such pack") from exc
    disclosure = get_disclosure_for_user(user=user, actor=actor, disclosure_id=pk)
    available = {item.key: item for items in disclosable_items(disclosure.person).values() for item in items}
    items = [available[ref["key"]] for ref in disclosure.records if ref.get("key") in available]
    header = pack_header(disclosure)
    if len(items) != len(disclosure.records) or pack_digest(header, items) != disclosure.pack_digest:
        raise PackUnavailable(
            "The record has changed since this information was shared, so the pack can no longer be produced "
            "exactly as it was sent. The disclosure log still lists what was shared."
        )
    record_event(
        actor=actor,
        action="sharing.pack_open",
        subject_person_id=disclosure.person_id,
        obj=disclosure,
        object_repr=f"{disclosure.reference} to {disclosure.agency}"[:200],
    )
    sections: dict[DataCategory, list[Item]] = {}
    for item in items:
        sections.setdefault(item.category, []).append(item)
    ordered = [(c, sections[c]) for c in DataCategory if c in sections]
    return Pack(disclosure=disclosure, header=header, sections=ordered)


# --- Agencies and the information-governance queue ---------------------------------------------


def agencies_that_can_receive(on: dt.date | None = None) -> QuerySet[Agency]:
    """Active agencies covered by at least one current agreement (their own, or their type's)."""
    current = SharingAgreement.objects.current(on)
    return Agency.objects.filter(is_active=True).filter(
        Exists(current.filter(agency=OuterRef("pk")))
        | Exists(current.filter(recipient_type=OuterRef("recipient_type")))
    )


def recipient_types_without_receivers(on: dt.date | None = None) -> QuerySet[RecipientType]:
    """Recipient types the notice names but no agency can receive for: the notice would over-promise."""
    receivers = agencies_that_can_receive(on)
    return RecipientType.objects.exclude(pk__in=receivers.values("recipient_type")).order_by("display_order")


def decision_queue(user: Any) -> QuerySet[ThirdPartyRequest]:
    """Requests waiting for a decision, for a user who may decide them (none for anyone else)."""
    if not access.can_decide_disclosure_request(user):
        return ThirdPartyRequest.objects.none()
    return (
        ThirdPartyRequest.objects.filter(status=RequestStatus.AWAITING_DECISION)
        .exclude(logged_by=user)
        .select_related("agency", "logged_by", "purpose")
        .order_by("received_on", "pk")
    )


def recent_decisions(user: Any) -> QuerySet[ThirdPartyRequest]:
    if not access.can_decide_disclosure_request(user):
        return ThirdPartyRequest.objects.none()
    return (
        ThirdPartyRequest.objects.filter(~Q(status=RequestStatus.AWAITING_DECISION))
        .select_related("agency", "decided_by")
        .order_by("-decided_at")[:50]
    )


def get_request_for_decision(*, user: Any, actor: Actor, request_id: int) -> ThirdPartyRequest:
    """A request for someone who may decide it. Reading its details is audited against the person."""
    if not access.can_decide_disclosure_request(user):
        raise Http404("No such request")
    request = (
        ThirdPartyRequest.objects.select_related("agency", "purpose", "logged_by", "lawful_basis")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    record_event(
        actor=actor,
        action="sharing.request_view",
        subject_person_id=request.person_id,
        obj=request,
        object_repr=f"{request.reference} from {request.agency}"[:200],
    )
    return request


def on_date() -> dt.date:
    return timezone.localdate()
