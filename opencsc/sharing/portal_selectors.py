"""Every read of the partner portal (ADR 0029). A partner's user reaches only their own organisation's
checks and shared views; anything else (another organisation's, an expired or revoked view, a missing
id) gives the same 404, and the refused attempt is audited. What a partner sees of a child is rebuilt
from the disclosure that sent it, limited to the categories the sharing agreement allows at the
moment of opening, and must match the digest taken when it was disclosed (ADR 0006): the partner sees
exactly what was shared, never the record as it is now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import ContactStatus
from opencsc.core.categories import DataCategory
from opencsc.sharing import rules
from opencsc.sharing.items import Item, items_for, pack_digest
from opencsc.sharing.models import (
    Agency,
    CheckRequest,
    CheckStatus,
    Disclosure,
    OpeningOutcome,
    PartnerMembership,
    PartnerReferral,
    SharedView,
    SharedViewOpening,
)
from opencsc.sharing.services import pack_header

LIST_LIMIT = 200


def partner_agency(user: Any) -> Agency | None:
    """The organisation a partner's user works for; None for anyone else (and for a partner account
    nobody has bound to an organisation, which then reaches nothing)."""
    if not access.is_partner(user):
        return None
    membership = PartnerMembership.objects.select_related("agency").filter(user=user).first()
    if membership is None or not membership.agency.is_active:
        return None
    return membership.agency


@dataclass(frozen=True)
class PartnerCaller:
    """Who is asking, for the portal's reads and writes: a partner organisation, through one of its
    users (the pages) or through its API credential (`user` None, `via` naming the credential)."""

    agency: Agency
    user: Any = None
    via: str = ""


def caller_for_user(user: Any) -> PartnerCaller | None:
    agency = partner_agency(user)
    return PartnerCaller(agency=agency, user=user) if agency is not None else None


def _refused(actor: Actor, kind: str, object_id: int, person_id: int | None) -> Http404:
    record_event(
        actor=actor,
        action="sharing.portal_refused",
        subject_person_id=person_id,
        object_type=kind,
        object_id=str(object_id),
        outcome="denied",
    )
    return Http404("Not found")


# --- What was disclosed, rebuilt -------------------------------------------------------------------


@dataclass
class Shown:
    """What a partner sees of one disclosure: the items by category, or why nothing can be shown."""

    sections: list[tuple[DataCategory, list[Item]]]
    unavailable: str = ""


def _rebuild(disclosure: Disclosure) -> Shown:
    items = items_for(disclosure.person, disclosure.records)
    if len(items) != len(disclosure.records) or pack_digest(pack_header(disclosure), items) != disclosure.pack_digest:
        return Shown(
            [],
            "The child's record has changed since this information was shared, so it can no longer be shown "
            "exactly as it was sent. Ask the front door to share it again.",
        )
    decision = rules.evaluate(agency=disclosure.agency, purpose=disclosure.purpose)
    allowed = set(decision.allowed_categories) if decision.agreement else set()
    grouped: dict[DataCategory, list[Item]] = {}
    for item in items:
        if item.category in allowed:
            grouped.setdefault(item.category, []).append(item)
    if not grouped:
        return Shown([], "The sharing agreement no longer allows this information to be shown.")
    return Shown([(c, grouped[c]) for c in DataCategory if c in grouped])


# --- MASH checks, as the partner sees them ------------------------------------------------------


def checks_for_partner(*, caller: PartnerCaller | None, actor: Actor) -> tuple[list[CheckRequest], list[CheckRequest]]:
    """The organisation's checks: those waiting (soonest due first) and the latest answered. By
    reference, urgency and dates only (no child is named in the lists). Audits `sharing.portal_view`."""
    if caller is None:
        return [], []
    mine = CheckRequest.objects.filter(agency=caller.agency)
    waiting = list(mine.filter(status=CheckStatus.SENT).order_by("due_at", "pk")[:LIST_LIMIT])
    answered = list(mine.filter(status=CheckStatus.ANSWERED).order_by("-answered_at", "-pk")[:20])
    record_event(actor=actor, action="sharing.portal_view", detail={"list": "checks", "waiting": len(waiting)})
    return waiting, answered


@dataclass(frozen=True)
class WaitingCheck:
    """A check in the API's list: reference, urgency and dates, read without building the model."""

    pk: int
    urgency: str
    status: str
    sent_at: dt.datetime
    due_at: dt.datetime

    @property
    def reference(self) -> str:
        return CheckRequest.reference_of(self.pk)

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status == CheckStatus.SENT and self.due_at < now


def waiting_checks_for_partner(*, caller: PartnerCaller | None, actor: Actor) -> list[WaitingCheck]:
    """The organisation's checks waiting for its answer, soonest due first, as `checks_for_partner`
    lists them (the same rows, limit and `sharing.portal_view` event), without the answered ones and
    reading only the columns the list shows (for the API, which lists these alone)."""
    if caller is None:
        return []
    rows = (
        CheckRequest.objects.filter(agency=caller.agency, status=CheckStatus.SENT)
        .order_by("due_at", "pk")
        .values_list("pk", "urgency", "status", "sent_at", "due_at")[:LIST_LIMIT]
    )
    waiting = [WaitingCheck(*row) for row in rows]
    record_event(actor=actor, action="sharing.portal_view", detail={"list": "checks", "waiting": len(waiting)})
    return waiting


@dataclass
class CheckForPartner:
    request: CheckRequest
    shown: Shown


def get_check_for_partner(*, caller: PartnerCaller | None, actor: Actor, check_id: int) -> CheckForPartner:
    """One check of the user's organisation, with the child's identifying details as disclosed.
    Another organisation's check, or a missing one: 404, the attempt audited (`sharing.portal_refused`).
    Audits `sharing.check_open` about the child."""
    request = (
        CheckRequest.objects.select_related(
            "agency",
            "purpose",
            "agreement",
            "disclosure",
            "disclosure__person",
            "disclosure__agency",
            "disclosure__lawful_basis",  # named in the pack's header (sharing.services.pack_header)
        )
        .filter(pk=check_id)
        .first()
    )
    if caller is None or request is None or request.agency_id != caller.agency.pk:
        raise _refused(actor, "sharing.CheckRequest", check_id, None)
    if request.disclosure.purpose_id == request.purpose_id:  # the check's disclosure: the same purpose row
        request.disclosure.purpose = request.purpose
    shown = _rebuild(request.disclosure)
    record_event(
        actor=actor,
        action="sharing.check_open",
        subject_person_id=request.person_id,
        obj=request,
        object_repr=f"{request.reference} to {request.agency}"[:200],
        detail={"categories": [c.value for c, _ in shown.sections]},
    )
    return CheckForPartner(request=request, shown=shown)


def get_check_to_answer(*, caller: PartnerCaller | None, actor: Actor, check_id: int) -> CheckRequest:
    """One check of the caller's organisation, to answer: the row only. Nothing of the child is read
    or shown, so this is not a `sharing.check_open` (the answer is audited by
    `portal_services.check_answer_as`). Another organisation's check, or a missing one: 404, the
    attempt audited (`sharing.portal_refused`), as `get_check_for_partner`."""
    request = CheckRequest.objects.select_related("agency", "mash_check__child").filter(pk=check_id).first()
    if caller is None or request is None or request.agency_id != caller.agency.pk:
        raise _refused(actor, "sharing.CheckRequest", check_id, None)
    return request


# --- Shared views -----------------------------------------------------------------------------


def views_for_partner(*, caller: PartnerCaller | None, actor: Actor) -> list[SharedView]:
    """The organisation's shared views that are open now (not expired, not revoked), soonest to
    expire first, by reference only. Audits `sharing.portal_view`."""
    if caller is None:
        return []
    views = list(
        SharedView.objects.live()
        .filter(agency=caller.agency)
        .select_related("disclosure__purpose")
        .order_by("expires_at")
    )
    record_event(actor=actor, action="sharing.portal_view", detail={"list": "views", "open": len(views)})
    return views


@dataclass
class OpenedView:
    view: SharedView
    shown: Shown


def open_view(*, caller: PartnerCaller | None, actor: Actor, view_id: int) -> OpenedView:
    """A shared view for a user of the organisation it was shared with, while it is open.

    Expired or revoked: 404, with a refused `SharedViewOpening` and a `sharing.view_refused` event
    about the child. Another organisation's or a missing view: 404 and `sharing.portal_refused`.
    Otherwise an `opened` row and a `sharing.view_open` event about the child (both shown in the
    child's disclosure log), and the items limited to the agreement's categories as they stand."""
    view = (
        SharedView.objects.select_related("disclosure", "disclosure__person", "disclosure__agency", "agency")
        .filter(pk=view_id)
        .first()
    )
    if caller is None or view is None or view.agency_id != caller.agency.pk:
        raise _refused(actor, "sharing.SharedView", view_id, None)
    now = timezone.now()
    if view.revoked_at is not None or view.expires_at <= now:
        outcome = OpeningOutcome.REVOKED if view.revoked_at is not None else OpeningOutcome.EXPIRED
        _opening(actor, caller, view, outcome, "sharing.view_refused", "denied")
        raise Http404("Not found")
    shown = _rebuild(view.disclosure)
    outcome = OpeningOutcome.CHANGED if shown.unavailable else OpeningOutcome.OPENED
    _opening(actor, caller, view, outcome, "sharing.view_open", "allowed")
    return OpenedView(view=view, shown=shown)


def _opening(actor: Actor, caller: PartnerCaller, view: SharedView, outcome: str, action: str, result: str) -> None:
    event = record_event(
        actor=actor,
        action=action,
        subject_person_id=view.person_id,
        obj=view,
        object_repr=f"{view.reference} of {view.disclosure.reference} to {view.agency}"[:200],
        outcome=result,
        detail={"outcome": outcome, "disclosure": view.disclosure.reference},
    )
    SharedViewOpening.objects.create(view=view, user=caller.user, via=caller.via, outcome=outcome, audit_seq=event.seq)


# --- The council's side ---------------------------------------------------------------------------


def portal_for_person(person_id: int) -> tuple[QuerySet[SharedView], QuerySet[CheckRequest]]:
    """A child's shared views (with their openings) and portal checks, for the disclosure log (whose
    selector has already checked and audited the read of the record)."""
    views = (
        SharedView.objects.filter(person_id=person_id)
        .select_related("agency", "disclosure", "created_by", "revoked_by")
        .prefetch_related("openings__user")
    )
    checks = CheckRequest.objects.filter(person_id=person_id).select_related("agency", "disclosure", "answered_by")
    return views, checks


def checks_sent(*, user: Any, actor: Actor) -> list[CheckRequest]:
    """Checks sent to partners about children the user may see and still waiting, overdue first then
    soonest due, for the front door. Audits `sharing.checks_sent_view` with the children named."""
    if not access.can_send_partner_checks(user):
        return []
    waiting = list(
        CheckRequest.objects.filter(status=CheckStatus.SENT, person__in=access.visible_persons(user).values("pk"))
        .select_related("agency", "person", "mash_check__triage__contact")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )
    record_event(
        actor=actor,
        action="sharing.checks_sent_view",
        detail={"shown": len(waiting), "person_ids": sorted({c.person_id for c in waiting})},
    )
    return waiting


def organisation_members(*, user: Any, actor: Actor) -> tuple[Agency, list[PartnerMembership]] | None:
    """The portal users of the organisation `user` administers (None if they administer none).
    Staff details only, no child. Audits `sharing.partner_members_view`."""
    caller = caller_for_user(user)
    if caller is None or not PartnerMembership.objects.filter(user=user, is_org_admin=True).exists():
        return None
    members = list(
        PartnerMembership.objects.filter(agency=caller.agency).select_related("user").order_by("user__last_name")
    )
    record_event(actor=actor, action="sharing.partner_members_view", detail={"agency": caller.agency.pk})
    return caller.agency, members


# --- Requests for support, as the partner sees them -------------------------------------------------


@dataclass
class ReferralForPartner:
    """A request for support as its organisation sees it: the partner's own words, whether the
    front door has decided, and what the referrer may be told. Nothing of the child's record, nor
    whether the child was already known."""

    referral: PartnerReferral
    decided: bool
    decided_on: dt.date | None
    outcome: str

    @property
    def status(self) -> str:
        return "Decided" if self.decided else "Received by the front door"


def _for_partner(referral: PartnerReferral) -> ReferralForPartner:
    contact = referral.contact
    decided = contact.status == ContactStatus.DECIDED
    return ReferralForPartner(
        referral=referral,
        decided=decided,
        decided_on=contact.decision_date if decided else None,
        outcome=contact.referrer_outcome if decided else "",
    )


def referrals_for_partner(*, caller: PartnerCaller | None, actor: Actor) -> list[ReferralForPartner]:
    """The organisation's requests for support, newest first (by reference, date, who sent it and
    the outcome: no child named in the list). Audits `sharing.portal_view`."""
    if caller is None:
        return []
    rows = list(
        PartnerReferral.objects.filter(agency=caller.agency)
        .select_related("contact", "submitted_by")
        .order_by("-received_at", "-pk")[:LIST_LIMIT]
    )
    record_event(actor=actor, action="sharing.portal_view", detail={"list": "referrals", "shown": len(rows)})
    return [_for_partner(r) for r in rows]


def get_referral_for_partner(*, caller: PartnerCaller | None, actor: Actor, referral_id: int) -> ReferralForPartner:
    """One request for support of the caller's organisation. Another organisation's, or a missing
    one: 404, the attempt audited (`sharing.portal_refused`). Audits `sharing.referral_open` about
    the child."""
    referral = (
        PartnerReferral.objects.select_related("contact", "agency", "submitted_by").filter(pk=referral_id).first()
    )
    if caller is None or referral is None or referral.agency_id != caller.agency.pk:
        raise _refused(actor, "sharing.PartnerReferral", referral_id, None)
    record_event(
        actor=actor,
        action="sharing.referral_open",
        subject_person_id=referral.contact.child_id,
        obj=referral,
        object_repr=f"{referral.reference} from {referral.agency}"[:200],
    )
    return _for_partner(referral)
