"""Front door writes: contacts, MASH triage and checks, and the decision within one working day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind, Role, Team, TeamKind, User
from opencsc.accounts.services import allocation_end, allocation_open
from opencsc.audit.services import Actor, record_event
from opencsc.casework import invariants, timescales
from opencsc.casework.models import (
    REFERRER_OUTCOME,
    Agency,
    ChronologyEntry,
    Contact,
    ContactDecision,
    ContactStatus,
    MashCheck,
    MashTriage,
    ReferralEpisode,
    Task,
    TaskKind,
    WorkerNotification,
)
from opencsc.casework.services._common import (
    audit,
    history,
    record_new,
    require_change,
    save_new,
    task_open,
    tasks_close,
    user_or_none,
)
from opencsc.core import limits
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
    family_told: str = "",
) -> Contact:
    """Record a contact, allocate the child to the front door (so MASH practitioners see them) and
    open the "decide within one working day" task for the front-door team.
    Audits `casework.contact_create`; status "" -> received."""
    require_change(actor_user, child)
    return _contact_write(
        actor_user=actor_user,
        actor=actor,
        child=child,
        team=front_door_team(actor_user),
        fields={
            "contact_date": contact_date,
            "source": source,
            "referrer": referrer,
            "reason": reason,
            "consent_given": consent_given,
            "no_consent_reason": no_consent_reason,
            "family_told": family_told,
        },
    )


def contact_create_from_partner(
    *, actor_user: Any, actor: Actor, child: Person, source: str, referrer: str, reason: str, **fields: Any
) -> Contact:
    """A contact made by a partner organisation through the partner portal or its API (a request
    for support), landing in the MASH queue as any contact does: the front door holds the child,
    and the decision is due within one working day of today.

    The partner cannot see or change the child's record, so this does not ask `accounts.access`:
    the caller (`sharing.portal_services.partner_referral_submit`) has established who the partner
    is and which child the matcher found (or started). `actor_user` is the partner's user, or None
    for the organisation's API credential. Audits `casework.contact_create` with `portal=True`."""
    return _contact_write(
        actor_user=actor_user,
        actor=actor,
        child=child,
        team=front_door_team(None),
        fields={
            "contact_date": timezone.localdate(),
            "source": source,
            "referrer": referrer,
            "reason": reason,
            **fields,
        },
        portal=True,
    )


def _contact_write(
    *, actor_user: Any, actor: Actor, child: Person, team: Team | None, fields: dict[str, Any], portal: bool = False
) -> Contact:
    contact_date, consent_given = fields["contact_date"], fields["consent_given"]
    invariants.not_in_future("contact_date", contact_date, "contact date")
    if not fields["reason"].strip():
        invariants.refuse("reason", "Enter what the contact is about")
    if not consent_given and not fields.get("no_consent_reason", "").strip():
        invariants.refuse("no_consent_reason", "Record why the service is acting without the family's consent")
    with transaction.atomic():
        contact = Contact(
            child=child,
            recorded_by=user_or_none(actor_user),
            decision_due=timescales.contact_decision_due(contact_date),
            **{**fields, "no_consent_reason": fields.get("no_consent_reason", "") if not consent_given else ""},
        )
        record_new(
            contact,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.contact_create",
            to_status=ContactStatus.RECEIVED,
            effective_date=contact_date,
            note="Contact received" + (" through the partner portal" if portal else ""),
            source=fields["source"],
            **({"portal": True} if portal else {}),
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


def contact_take(*, actor_user: User, actor: Actor, contact: Contact) -> Contact:
    """A MASH practitioner takes a contact from the queue: it is theirs to triage and decide. The
    child is allocated to them at the front door (their named allocation replaces the team's), and
    the decision task moves to their tray. Audits `casework.contact_take` (and the allocations).
    Taking a contact someone else holds moves it to the taker (a colleague covering)."""
    child = contact.child
    require_change(actor_user, child)
    if actor_user.role not in (Role.MASH_PRACTITIONER, Role.TEAM_MANAGER):
        invariants.refuse("contact", "Only MASH practitioners and their managers take contacts from the queue")
    if contact.status == ContactStatus.DECIDED:
        invariants.refuse("contact", "This contact has already been decided")
    team = front_door_team(actor_user)
    today = timezone.localdate()
    with transaction.atomic():
        previous = contact.taken_by_id
        contact.taken_by, contact.taken_at = actor_user, timezone.now()
        contact.save(update_fields=["taken_by", "taken_at", "updated_at"])
        if team is not None:
            held = Allocation.objects.current().filter(person=child, team=team, kind=AllocationKind.FRONT_DOOR)
            if not held.filter(worker=actor_user).exists():
                allocation_open(
                    actor=actor,
                    person=child,
                    team=team,
                    worker=actor_user,
                    kind=AllocationKind.FRONT_DOOR,
                    start_date=today,
                )
            for allocation in held.exclude(worker=actor_user):
                allocation_end(actor=actor, allocation=allocation, end_date=max(today, allocation.start_date))
        Task.objects.open().filter(
            person=child, kind=TaskKind.CONTACT_DECISION, object_type=contact._meta.label, object_id=str(contact.pk)
        ).update(assignee=actor_user)
        audit(actor=actor, action="casework.contact_take", child=child, obj=contact, previous_holder=previous)
    return contact


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


def mash_check_add(
    *, actor_user: Any, actor: Actor, triage: MashTriage, agency: str, requested_on: dt.date
) -> MashCheck:
    """Ask one more agency for a check on a triaged contact (or return the check already asked of
    that kind of agency and not yet answered). Audits `casework.mash_check_request` when it adds one."""
    child = triage.child
    require_change(actor_user, child)
    if agency not in Agency.values:
        invariants.refuse("agency", "Select the agency to ask")
    if triage.contact.status == ContactStatus.DECIDED:
        invariants.refuse("agency", "This contact has already been decided")
    existing = MashCheck.objects.filter(triage=triage, agency=agency).first()
    if existing is not None:
        if existing.replied_on:
            invariants.refuse("agency", f"{Agency(agency).label} has already answered a check on this contact")
        return existing
    with transaction.atomic():
        check = MashCheck.objects.create(
            child=child, recorded_by=actor_user, triage=triage, agency=agency, requested_on=requested_on
        )
        audit(actor=actor, action="casework.mash_check_request", child=child, obj=check, agency=agency)
    return check


def _check_reply(check: MashCheck, replied_on: dt.date, summary: str) -> None:
    if check.replied_on:
        invariants.refuse("summary", "This agency has already replied: add further information to the record")
    invariants.not_in_future("replied_on", replied_on, "reply date")
    if not summary.strip():
        invariants.refuse("summary", "Enter what the agency said")


def mash_check_answer_from_partner(
    *, actor_user: Any, actor: Actor, check: MashCheck, replied_on: dt.date, summary: str, source: str
) -> MashCheck:
    """Store a partner organisation's own answer to a check sent to it through the partner portal.

    The partner cannot see or change the child's record, so this does not ask `accounts.access`:
    the caller (`sharing.portal_services.check_answer`) has established that the user belongs to the
    organisation the check was sent to and that the check is still open. The answer lands on the
    child exactly as a reply the front door types in would (police answers as encrypted police
    information, others as information from other agencies), with `source` naming the organisation
    and the person who answered. Audits `person.part_add` and `casework.mash_check_reply`."""
    _check_reply(check, replied_on, summary)
    child = check.child
    # No savepoint of its own: the caller's transaction (check_answer_as) rolls back as one if this fails.
    with transaction.atomic(savepoint=False):
        locked = MashCheck.objects.select_for_update().get(pk=check.pk)
        _check_reply(locked, replied_on, summary)
        if check.agency == Agency.POLICE:
            part: PoliceInformation | AgencyInformation = PoliceInformation(
                person=child,
                kind=PoliceInformation.Kind.INTELLIGENCE,
                summary=summary,
                source=source[:200],
                recorded_on=replied_on,
            )
        else:
            part = AgencyInformation(person=child, agency=source[:200], summary=summary, received_on=replied_on)
        if errors := limits.model_errors(part):
            raise ValidationError(errors)
        part.full_clean(exclude=["person"])  # the child is a row just read (and the database holds the key)
        part.save()
        record_event(
            actor=actor,
            action="person.part_add",
            subject_person_id=child.pk,
            obj=part,
            object_repr=f"{part._meta.verbose_name} {part.pk}",
        )
        check.replied_on = replied_on
        check.reply_object_type, check.reply_object_id = part._meta.label, str(part.pk)
        check.save(update_fields=["replied_on", "reply_object_type", "reply_object_id", "updated_at"])
        audit(actor=actor, action="casework.mash_check_reply", child=child, obj=check, agency=check.agency, portal=True)
    return check


def mash_check_reply(
    *, actor_user: Any, actor: Actor, check: MashCheck, replied_on: dt.date, summary: str
) -> MashCheck:
    """Store an agency's reply on the person's record (police replies as encrypted police
    information, others as information from other agencies, both through `people.services`), and
    mark the check answered. Audits `person.part_add` and `casework.mash_check_reply`."""
    child = check.child
    require_change(actor_user, child)
    _check_reply(check, replied_on, summary)
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
    referrer_outcome: str = "",
    primary_need: str = "",
    team: Team | None = None,
    worker: User | None = None,
) -> Contact:
    """Decide a contact. A referral opens a referral episode and allocates the child to `team`
    (and `worker`); passing it to the allocated worker (a child whose case is open) gives that
    worker a task, a notification and a chronology entry holding the concern; stepping to early
    help / Family Help opens a help episode held by `team` (`worker` as its lead practitioner).
    Every decision ends the front door's allocations of the child (the front door holds a child
    only while a contact is in triage) and
    closes the decision task. `referrer_outcome` is what the referrer may be told (plain words; the
    usual words for the decision when empty): the partner portal shows it to a referring organisation.
    Audits `casework.contact_decide` (and `casework.referral_create` for
    a referral, `casework.contact_pass` for passing it on)."""
    from opencsc.casework.services.referrals import referral_create

    child = contact.child
    require_change(actor_user, child)
    _check_decision(contact, decision, decision_date, rationale, team)
    if message := limits.text_error(referrer_outcome, limit=300, label="What the referrer may be told"):
        invariants.refuse("referrer_outcome", message)
    with transaction.atomic():
        previous = contact.status
        contact.decision, contact.decision_date, contact.decision_rationale = (
            decision,
            decision_date,
            rationale,
        )
        contact.decided_by, contact.status = actor_user, ContactStatus.DECIDED
        contact.referrer_outcome = referrer_outcome.strip() or REFERRER_OUTCOME[decision]
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
        if decision == ContactDecision.EARLY_HELP and team is not None:
            from opencsc.casework.services.family_help import help_episode_open

            help_episode_open(
                actor_user=actor_user,
                actor=actor,
                child=child,
                start_date=decision_date,
                reason=contact.reason,
                organisation=team.name,
                team=team,
                lead_practitioner=worker,
                contact=contact,
            )
        if decision == ContactDecision.PASS_TO_WORKER:
            _pass_to_worker(actor_user=actor_user, actor=actor, contact=contact)
        for allocation in Allocation.objects.current().filter(person=child, team__kind=TeamKind.FRONT_DOOR):
            allocation_end(actor=actor, allocation=allocation, end_date=max(decision_date, allocation.start_date))
    return contact


def _pass_to_worker(*, actor_user: Any, actor: Actor, contact: Contact) -> None:
    """The child's case is open: the worker who holds it gets a task (read the contact within a
    working day), a notification, and the contact in the child's chronology. With no named worker
    the task goes to the team's unallocated work and its managers are notified."""
    child = contact.child
    team, worker = case_holder(child)
    due = timescales.contact_decision_due(contact.decision_date or timezone.localdate())
    task = task_open(child=child, kind=TaskKind.CONTACT_PASSED, due_date=due, obj=contact, team=team, assignee=worker)
    recipients = [worker] if worker is not None else list(team.managers.filter(is_active=True)) if team else []
    for recipient in recipients:
        WorkerNotification.objects.create(
            recipient=recipient,
            person=child,
            title="New contact passed to you by the front door",
            object_type=contact._meta.label,
            object_id=str(contact.pk),
        )
    ChronologyEntry.objects.create(
        child=child,
        recorded_by=actor_user,
        entry_date=contact.contact_date,
        title=f"Contact passed to the allocated worker ({worker or team or 'no team'})",
        detail=_contact_summary(contact),
        significant=True,
    )
    audit(
        actor=actor,
        action="casework.contact_pass",
        child=child,
        obj=contact,
        task_id=task.pk,
        worker_id=worker.pk if worker else None,
        team_id=team.pk if team else None,
    )


def _contact_summary(contact: Contact) -> str:
    from opencsc.core import codelists

    source = codelists.describe("cin_referral_source", contact.source)
    lines = [f"Source: {contact.source} ({source}){f', {contact.referrer}' if contact.referrer else ''}."]
    lines.append(f"Concern: {contact.reason}")
    if contact.consent_given:
        lines.append("The family consented to the contact being shared and acted on.")
    else:
        lines.append(f"Acting without the family's consent: {contact.no_consent_reason}")
    if contact.family_told:
        lines.append(f"The family was told: {contact.family_told}")
    lines.append(f"Front door decision: {contact.decision_rationale}")
    return "\n".join(lines)


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
                "The child already has an open referral episode: choose 'Pass to the allocated worker' "
                "instead of opening a new referral",
            )
        _check_referral_rules(contact)
    if decision == ContactDecision.EARLY_HELP and team is None:
        invariants.refuse("team", "Select the team that will hold the family's help")
    if decision == ContactDecision.PASS_TO_WORKER and case_holder(contact.child) == (None, None):
        invariants.refuse(
            "decision",
            "Nobody outside the front door holds this child's case: choose a referral, early help or "
            "no further action instead",
        )


def case_holder(child: Person) -> tuple[Team | None, User | None]:
    """Who holds the child's open case: the latest current allocated-worker allocation (not the
    front door's, nor a conference chair's or reviewing officer's)."""
    allocation = (
        Allocation.objects.current()
        .filter(person=child, kind=AllocationKind.ALLOCATED_WORKER)
        .exclude(team__kind=TeamKind.FRONT_DOOR)
        .select_related("team", "worker")
        .order_by("-start_date", "-pk")
        .first()
    )
    return (allocation.team, allocation.worker) if allocation else (None, None)


def _check_referral_rules(contact: Contact) -> None:
    try:
        invariants.check_new_referral(contact.child, contact.contact_date, contact.source)
    except ValidationError as exc:
        raise ValidationError({"decision": exc.message_dict.get("referral_date", exc.messages)}) from exc


def notification_mark_read(*, actor_user: User, actor: Actor, notification: WorkerNotification) -> WorkerNotification:
    """The recipient has opened a notification. Audits `casework.notification_read` once."""
    if notification.recipient_id != actor_user.pk:
        raise PermissionDenied("Only its recipient can mark a notification read")
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record_event(
            actor=actor,
            action="casework.notification_read",
            subject_person_id=notification.person_id,
            obj=notification,
        )
    return notification
