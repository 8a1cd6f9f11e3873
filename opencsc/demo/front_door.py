"""Contacts waiting at the front door, so the MASH queue has work in it: some not yet rated, some
triaged with checks in flight (one answered), one about a child of the social worker persona's
caseload (to pass to the allocated worker) and the rest about children with no open case.

Written as rows (like the journeys), inside the seed's transaction: the access-scope table is
rebuilt at the end of the load, so the services' access checks cannot run here. Each contact gets
what `contact_create` and `mash_triage_record` would write: the front door's allocation of the
child, the decision task, the status history, and one audit event per contact.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind, Team, TeamKind, User
from opencsc.audit.services import Actor, record_events_bulk
from opencsc.casework import models as cm
from opencsc.casework import timescales
from opencsc.people import models as pm

CONCERNS = [
    (
        "2A",
        "Class teacher, Exampleton Primary",
        "Child arrived at school hungry three days this week and said "
        "there was no food at home. Has a bruise on the upper arm and would not say how it happened.",
    ),
    (
        "6",
        "PC 4410, Exampleton police",
        "Police called to the family home at 23:40 after neighbours reported "
        "shouting. Mother's partner arrested for assault; the child was present and upset.",
    ),
    (
        "3B",
        "Health visitor, Northside clinic",
        "Missed the last three health visitor appointments. Mother "
        "sounded low on the phone and said she is not coping with the baby's crying.",
    ),
    (
        "1A",
        "Grandmother (by phone)",
        "Grandmother worried that the child is often left alone in the evenings and has seen cannabis in the flat.",
    ),
    (
        "3E",
        "Paediatric liaison, Exampleton General A&E",
        "Attended A&E with a burn to the hand; explanation changed between the nurse and the doctor.",
    ),
    (
        "2A",
        "Designated safeguarding lead, Exampleton Academy",
        "Young person disclosed that an older man she "
        "met online has been buying her gifts and collecting her from school.",
    ),
]
TOLD = [
    "Told the school would share the concern with children's services, who may call the family.",
    "Family not told: telling them could put the child at risk before the strategy decision.",
    "Mother told a social worker would contact her within a working day.",
]


def seed_contacts_awaiting_triage(*, seed: int, as_of: dt.date, count: int = 6) -> int:
    """Add `count` undecided contacts (call inside the seed's transaction). Returns how many."""
    rng = random.Random(seed * 31 + 11)
    team = Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("pk").first()
    mash = User.objects.filter(username="mash.demo").first() or User.objects.filter(team=team).first()
    if team is None or mash is None:
        return 0
    children = _children(as_of, count)
    now = timezone.now()
    local_now = timezone.localtime(now)
    since_midnight = local_now.hour * 60 + local_now.minute
    rows: list[cm.Contact] = []
    for i, child in enumerate(children):
        source, referrer, reason = CONCERNS[i % len(CONCERNS)]
        consent = i % 3 != 1
        contact = cm.Contact.objects.create(
            child=child,
            recorded_by=mash,
            contact_date=as_of,
            source=source,
            referrer=referrer,
            reason=reason,
            consent_given=consent,
            no_consent_reason="" if consent else "Asking for consent could place the child at risk of harm.",
            family_told=TOLD[i % len(TOLD)],
            decision_due=timescales.contact_decision_due(as_of),
            # Recorded earlier today (not before midnight: a contact of today recorded yesterday would
            # have its clock start in the future, at 9am on the day it came in).
            created_at=now - dt.timedelta(minutes=min(rng.randint(20, 60 * 20), since_midnight)),
        )
        rows.append(contact)
        _status(contact, mash, "", cm.ContactStatus.RECEIVED, "Contact received")
        Allocation.objects.create(
            person=child, team=team, kind=AllocationKind.FRONT_DOOR, start_date=min(as_of, timezone.localdate())
        )
        cm.Task.objects.create(
            person=child,
            kind=cm.TaskKind.CONTACT_DECISION,
            title=cm.TaskKind.CONTACT_DECISION.label,
            due_date=contact.decision_due,
            team=team,
            object_type=contact._meta.label,
            object_id=str(contact.pk),
        )
        if i % 2 == 1:
            _triage(contact, mash, rag=[cm.Rag.RED, cm.Rag.AMBER, cm.Rag.GREEN][i % 3], answer=i == 1)
    record_events_bulk(
        actor=Actor.system("seed_demo"),
        action="casework.contact_create",
        rows=[{"subject_person_id": c.child_id, "object_type": c._meta.label, "object_id": str(c.pk)} for c in rows],
    )
    return len(rows)


def _children(as_of: dt.date, count: int) -> list[pm.Person]:
    """One child of the social worker persona's open caseload first (their contact is passed to
    them), then children with no current allocation and no open referral."""
    chosen: list[pm.Person] = []
    persona = User.objects.filter(username="sw.demo").first()
    if persona is not None:
        held = (
            Allocation.objects.current(as_of)
            .filter(worker=persona, kind=AllocationKind.ALLOCATED_WORKER, person__is_child=True)
            .filter(person__date_of_birth__isnull=False)
            .order_by("pk")
            .first()
        )
        if held is not None:
            chosen.append(held.person)
    allocated = Allocation.objects.current(as_of).values("person_id")
    free = (
        pm.Person.objects.filter(is_child=True, date_of_birth__isnull=False)
        .exclude(pk__in=allocated)
        .exclude(pk__in=cm.Contact.objects.exclude(status=cm.ContactStatus.DECIDED).values("child_id"))
        .order_by("-date_of_birth", "pk")[: count - len(chosen)]
    )
    return chosen + list(free)


def _status(contact: cm.Contact, user: User, old: str, new: str, note: str) -> None:
    cm.StatusChange.objects.create(
        child=contact.child,
        object_type=contact._meta.label,
        object_id=str(contact.pk),
        from_status=old,
        to_status=new,
        effective_date=contact.contact_date,
        changed_by=user,
        actor_repr=str(user),
        note=note,
    )


def _triage(contact: cm.Contact, mash: User, *, rag: str, answer: bool) -> None:
    triage = cm.MashTriage.objects.create(
        child=contact.child,
        recorded_by=mash,
        contact=contact,
        rag=rag,
        rationale="Rated on the referrer's account and what the record already holds; checks asked.",
        triaged_on=contact.contact_date,
    )
    for agency in (cm.Agency.POLICE, cm.Agency.HEALTH, cm.Agency.EDUCATION):
        check = cm.MashCheck.objects.create(
            child=contact.child, recorded_by=mash, triage=triage, agency=agency, requested_on=contact.contact_date
        )
        if answer and agency == cm.Agency.HEALTH:
            info = pm.AgencyInformation.objects.create(
                person=contact.child,
                agency="Health (MASH check)",
                summary="Known to the health visiting service; two missed immunisation appointments this year.",
                received_on=contact.contact_date,
            )
            check.replied_on = contact.contact_date
            check.reply_object_type, check.reply_object_id = info._meta.label, str(info.pk)
            check.save(update_fields=["replied_on", "reply_object_type", "reply_object_id"])
    cm.Contact.objects.filter(pk=contact.pk).update(status=cm.ContactStatus.IN_TRIAGE)
    _status(contact, mash, cm.ContactStatus.RECEIVED, cm.ContactStatus.IN_TRIAGE, f"MASH triage: {rag}")
