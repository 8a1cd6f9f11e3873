"""Front door writes: contacts, MASH triage and checks, and the decision within one working day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind, Team, TeamKind, User
from opencsc.accounts.services import allocation_end, allocation_open
from opencsc.audit.services import Actor
from opencsc.casework import invariants, timescales
from opencsc.casework.models import (
    Agency,
    Contact,
    ContactDecision,
    ContactStatus,
    MashCheck,
    MashTriage,
    ReferralEpisode,
    TaskKind,
)
from opencsc.casework.services._common import (
    audit,
    history,
    record_new,
    require_change,
    save_new,
    task_open,
    tasks_close,
)
from opencsc.people import services as people_services
from opencsc.people.models import AgencyInformation, Person, PoliceInformation


def front_door_team(user: Any) -> Team | None:
    """The user's own team if it is the front door, otherwise the borough's first front-door team."""
    if getattr(user, "team", None) is not None and user.team.kind == TeamKind.FRONT_DOOR:
        return user.team
    return Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("pk").first()


def contact_create(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    contact_date: dt.date,
    source: str,
    reason: str,
    consent_given: bool,
    no_consent_reason: str = "",
    referrer: str = "",
) -> Contact:
    """Record a contact, allocate the child to the front door (so MASH practitioners see them) and
    open the "decide within one working day" task for the front-door team.
    Audits `casework.contact_create`; status "" -> received."""
    require_change(actor_user, child)
    invariants.not_in_future("contact_date", contact_date, "contact date")
    if not reason.strip():
        invariants.refuse("reason", "Enter what the contact is about")
    if not consent_given and not no_consent_reason.strip():
        invariants.refuse("no_consent_reason", "Record why the service is acting without the family's consent")
    team = front_door_team(actor_user)
    with transaction.atomic():
        contact = Contact(
            child=child,
            recorded_by=actor_user,
            contact_date=contact_date,
            source=source,
            referrer=referrer,
            reason=reason,
            consent_given=consent_given,
            no_consent_reason=no_consent_reason if not consent_given else "",
            decision_due=timescales.contact_decision_due(contact_date),
        )
        record_new(
            contact,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.contact_create",
            to_status=ContactStatus.RECEIVED,
            effective_date=contact_date,
            note="Contact received",
            source=source,
        )
        if team is not None:
            _ensure_front_door(actor, child, team, contact_date)
        task_open(child=child, kind=TaskKind.CONTACT_DECISION, due_date=contact.decision_due, obj=contact, team=team)
    return contact


def _ensure_front_door(actor: Actor, child: Person, team: Team, start: dt.date) -> None:
    current = Allocation.objects.current().filter(person=child, team=team, kind=AllocationKind.FRONT_DOOR)
    if not current.exists():
        allocation_open(
            actor=actor,
            person=child,
            team=team,
            kind=AllocationKind.FRONT_DOOR,
            start_date=min(start, timezone.localdate()),
        )


def mash_triage_record(
    *,
    actor_user: Any,
    actor: Actor,
    contact: Contact,
    rag: str,
    rationale: str,
    triaged_on: dt.date,
    agencies: list[str],
) -> MashTriage:
    """RAG-rate a contact and ask the chosen agencies for checks. Audits `casework.mash_triage`
    and one `casework.mash_check_request` per agency; status received -> in_triage."""
    child = contact.child
    require_change(actor_user, child)
    if contact.status == ContactStatus.DECIDED:
        invariants.refuse("rag", "This contact has already been decided")
    if hasattr(contact, "triage"):
        invariants.refuse("rag", "This contact has already been triaged: add checks to the existing triage")
    invariants.not_in_future("triaged_on", triaged_on, "triage date")
    invariants.not_before("triaged_on", triaged_on, contact.contact_date, "Triage cannot be before the contact")
    with transaction.atomic():
        triage = MashTriage(
            child=child,
            recorded_by=actor_user,
            contact=contact,
            rag=rag,
            rationale=rationale,
            triaged_on=triaged_on,
        )
        save_new(triage)
        for agency in agencies:
            check = MashCheck.objects.create(
                child=child, recorded_by=actor_user, triage=triage, agency=agency, requested_on=triaged_on
            )
            audit(actor=actor, action="casework.mash_check_request", child=child, obj=check, agency=agency)
        Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.IN_TRIAGE)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=contact,
            from_status=contact.status,
            to_status=ContactStatus.IN_TRIAGE,
            effective_date=triaged_on,
            note=f"MASH triage: {rag}",
        )
        audit(actor=actor, action="casework.mash_triage", child=child, obj=triage, rag=rag)
        contact.status = ContactStatus.IN_TRIAGE
    return triage


def mash_check_reply(
    *, actor_user: Any, actor: Actor, check: MashCheck, replied_on: dt.date, summary: str
) -> MashCheck:
    """Store an agency's reply on the person's record (police replies as encrypted police
    information, others as information from other agencies, both through `people.services`), and
    mark the check answered. Audits `person.part_add` and `casework.mash_check_reply`."""
    child = check.child
    require_change(actor_user, child)
    if check.replied_on:
        invariants.refuse("summary", "This agency has already replied: add further information to the record")
    invariants.not_in_future("replied_on", replied_on, "reply date")
    if not summary.strip():
        invariants.refuse("summary", "Enter what the agency said")
    agency_label = Agency(check.agency).label
    with transaction.atomic():
        if check.agency == Agency.POLICE:
            part = people_services.part_add(
                actor_user=actor_user,
                actor=actor,
                person=child,
                model=PoliceInformation,
                data={
                    "kind": PoliceInformation.Kind.INTELLIGENCE,
                    "summary": summary,
                    "source": "MASH police check",
                    "recorded_on": replied_on,
                },
            )
        else:
            part = people_services.part_add(
                actor_user=actor_user,
                actor=actor,
                person=child,
                model=AgencyInformation,
                data={
                    "agency": f"{agency_label} (MASH check)",
                    "summary": summary,
                    "received_on": replied_on,
                },
            )
        check.replied_on = replied_on
        check.reply_object_type, check.reply_object_id = part._meta.label, str(part.pk)
        check.save(update_fields=["replied_on", "reply_object_type", "reply_object_id", "updated_at"])
        audit(actor=actor, action="casework.mash_check_reply", child=child, obj=check, agency=check.agency)
    return check


def contact_decide(
    *,
    actor_user: Any,
    actor: Actor,
    contact: Contact,
    decision: str,
    decision_date: dt.date,
    rationale: str,
    primary_need: str = "",
    team: Team | None = None,
    worker: User | None = None,
) -> Contact:
    """Decide a contact. A referral opens a referral episode and allocates the child to `team`
    (and `worker`); every decision ends the front door's allocations of the child (the front door
    holds a child only while a contact is in triage) and closes the decision task.
    Audits `casework.contact_decide` (and `casework.referral_create` for a referral)."""
    from opencsc.casework.services.referrals import referral_create

    child = contact.child
    require_change(actor_user, child)
    _check_decision(contact, decision, decision_date, rationale, team)
    with transaction.atomic():
        previous = contact.status
        contact.decision, contact.decision_date, contact.decision_rationale = (
            decision,
            decision_date,
            rationale,
        )
        contact.decided_by, contact.status = actor_user, ContactStatus.DECIDED
        contact.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=contact,
            from_status=previous,
            to_status=ContactStatus.DECIDED,
            effective_date=decision_date,
            note=f"Contact decision: {ContactDecision(decision).label}",
        )
        audit(
            actor=actor,
            action="casework.contact_decide",
            child=child,
            obj=contact,
            decision=decision,
            within_timescale=decision_date <= contact.decision_due,
        )
        tasks_close(child=child, kinds=[TaskKind.CONTACT_DECISION], actor_user=actor_user, obj=contact)
        if decision == ContactDecision.REFERRAL and team is not None:
            allocation_open(actor=actor, person=child, team=team, worker=worker, start_date=decision_date)
            referral_create(
                actor_user=actor_user,
                actor=actor,
                child=child,
                referral_date=contact.contact_date,
                source=contact.source,
                primary_need=primary_need,
                contact=contact,
            )
        for allocation in Allocation.objects.current().filter(person=child, team__kind=TeamKind.FRONT_DOOR):
            allocation_end(actor=actor, allocation=allocation, end_date=max(decision_date, allocation.start_date))
    return contact


def _check_decision(contact: Contact, decision: str, decision_date: dt.date, rationale: str, team: Team | None) -> None:
    if contact.status == ContactStatus.DECIDED:
        invariants.refuse("decision", "This contact has already been decided")
    if decision not in ContactDecision.values:
        invariants.refuse("decision", "Select the decision")
    invariants.not_in_future("decision_date", decision_date, "decision date")
    invariants.not_before(
        "decision_date",
        decision_date,
        contact.contact_date,
        "The decision cannot be before the contact was received",
    )
    if not rationale.strip():
        invariants.refuse("decision_rationale", "Record the reasons for the decision")
    if decision == ContactDecision.REFERRAL:
        if team is None:
            invariants.refuse("team", "Select the team the referral goes to")
        if ReferralEpisode.objects.filter(child=contact.child).open().exists():
            invariants.refuse(
                "decision",
                "The child already has an open referral episode: tell the allocated "
                "worker instead of opening a new referral",
            )
        try:
            invariants.check_new_referral(contact.child, contact.contact_date, contact.source)
        except ValidationError as exc:
            raise ValidationError({"decision": exc.message_dict.get("referral_date", exc.messages)}) from exc
