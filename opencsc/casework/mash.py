"""Reads for the front door as the MASH works it: the queue of contacts waiting for a decision, and
one contact in full (the concern, its source, consent, what the family was told, the triage and the
checks with their answers) for the triage and decision pages.

Both read through `accounts.access` and write their audit event: the queue one
`casework.mash_queue_view` (with the count shown), a contact one `casework.contact_view` about its
child. Police replies are criminal-offence data, read only by users who may change the child's
record (the pages that show them are the front door's own steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, Team, User
from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import Contact, ContactStatus, MashCheck, Rag
from opencsc.casework.services.front_door import case_holder
from opencsc.casework.timescales import RagClock, mash_clock
from opencsc.people.models import AgencyInformation, PoliceInformation

QUEUE_LIMIT = 200
QUEUE_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.TEAM_MANAGER})


def can_use_queue(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", "") in QUEUE_ROLES


@dataclass
class QueueItem:
    contact: Contact
    rag: str
    clock: RagClock
    checks_asked: int
    checks_answered: int

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label.split(":")[0] if self.rag else "Not yet rated"


def mash_queue(*, user: Any, actor: Actor) -> list[QueueItem]:
    """Contacts waiting for a decision about children the user may see (the front door holds every
    child with a contact in triage), reddest first and newest first within each rating. Audits
    `casework.mash_queue_view` with the number of contacts shown and the children they are about."""
    # Reddest first; a contact nobody has rated yet might be red, so it comes straight after red.
    rag_rank = Case(
        When(triage__rag=Rag.RED, then=Value(0)),
        When(triage__isnull=True, then=Value(1)),
        When(triage__rag=Rag.AMBER, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    contacts = list(
        Contact.objects.exclude(status=ContactStatus.DECIDED)
        .filter(child__in=access.visible_persons(user).values("pk"))
        # `partner_referral`: a request for support from the partner portal (sharing.PartnerReferral)
        .select_related("child", "triage", "taken_by", "partner_referral__agency")
        .prefetch_related("triage__checks")
        .annotate(rag_rank=rag_rank)
        .order_by("rag_rank", "-contact_date", "-created_at", "-pk")[:QUEUE_LIMIT]
    )
    now = timezone.now()
    items = []
    for contact in contacts:
        triage = getattr(contact, "triage", None)
        rag = triage.rag if triage else ""
        checks = list(triage.checks.all()) if triage else []
        items.append(
            QueueItem(
                contact=contact,
                rag=rag,
                clock=mash_clock(contact_date=contact.contact_date, created_at=contact.created_at, rag=rag, now=now),
                checks_asked=len(checks),
                checks_answered=sum(1 for c in checks if c.replied_on),
            )
        )
    record_event(
        actor=actor,
        action="casework.mash_queue_view",
        detail={"shown": len(items), "person_ids": sorted({item.contact.child_id for item in items})},
    )
    return items


@dataclass
class CheckRow:
    check: MashCheck
    answer: str
    source: str = ""


@dataclass
class ContactPanel:
    contact: Contact
    clock: RagClock
    checks: list[CheckRow]
    holder_team: Team | None
    holder_worker: User | None
    # A request for support from the partner portal: the partner's provenance and what the matcher
    # found (sharing.PartnerReferral), and whether the user may open the similar record it found.
    partner_referral: Any = None
    similar_visible: bool = False


def contact_panel(*, user: Any, actor: Actor, contact: Contact) -> ContactPanel:
    """One contact in full, for the front door's own pages (the caller has checked the user may
    change the child's record). Audits `casework.contact_view` about the child."""
    if not access.can_change_person(user, contact.child_id):
        raise PermissionError("The contact is shown only to those who may act on it")
    triage = getattr(contact, "triage", None)
    rows = [CheckRow(check, *_answer(check)) for check in (triage.checks.order_by("agency") if triage else [])]
    team, worker = case_holder(contact.child)
    referral = getattr(contact, "partner_referral", None)
    similar = getattr(referral, "match_person_id", None)
    record_event(
        actor=actor,
        action="casework.contact_view",
        subject_person_id=contact.child_id,
        obj=contact,
        detail={"checks": len(rows)},
    )
    return ContactPanel(
        contact=contact,
        clock=mash_clock(
            contact_date=contact.contact_date, created_at=contact.created_at, rag=triage.rag if triage else ""
        ),
        checks=rows,
        holder_team=team,
        holder_worker=worker,
        partner_referral=referral,
        similar_visible=similar is not None and access.can_view_person(user, int(similar)),
    )


def _answer(check: MashCheck) -> tuple[str, str]:
    """What the agency said, and where it came from (the provenance stored with it: for an answer
    given in the partner portal, the organisation, who answered and the check's reference)."""
    if not check.replied_on or not check.reply_object_id:
        return "", ""
    if check.reply_object_type == PoliceInformation._meta.label:
        police = PoliceInformation.objects.filter(pk=check.reply_object_id, person_id=check.child_id).first()
        return (str(police.summary), str(police.source)) if police else ("", "")
    if check.reply_object_type == AgencyInformation._meta.label:
        other = AgencyInformation.objects.filter(pk=check.reply_object_id, person_id=check.child_id).first()
        return (str(other.summary), str(other.agency)) if other else ("", "")
    return "", ""
