"""Early help / Family Help writes: opening a help episode (from the front door, a step-down or a
partner's request), the lead practitioner, the whole-family assessment, the family's plan, its goals
and reviews, step-up to social care, closure. (The Team Around the Family, family network meetings,
services provided and the lead child protection practitioner are in `help_network`.)

Each is one transaction writing the change, its status-history row (the chronology) and its audit
event. Help work may be recorded by anyone who may change the child's record and by a partner-agency
lead practitioner of the child (`accounts.access.can_work_family_help`); stepping up to social care
and naming a lead child protection practitioner need a council practitioner (`can_change_person`).

Status-history notes say "{help}" where the council's word for help goes: the chronology puts in
"Early help" or "Family help" when it is read (`casework.help_model`), so the setting never rewrites
a stored row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, Role, Team, TeamKind, User
from opencsc.accounts.services import allocation_end, allocation_open
from opencsc.audit.services import Actor
from opencsc.casework import help_model, invariants, timescales
from opencsc.casework.models import (
    Contact,
    FamilyHelpAssessment,
    FamilyHelpGoal,
    FamilyHelpGoalRating,
    FamilyHelpPlan,
    FamilyHelpReview,
    GoalRater,
    GoalStatus,
    HelpEndReason,
    HelpEpisode,
    ReasonForClosure,
    ReferralEpisode,
    Stage,
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
from opencsc.core.working_days import add_working_days
from opencsc.people.models import Person

FAMILY_TASKS = [TaskKind.FAMILY_ASSESSMENT, TaskKind.FAMILY_PLAN, TaskKind.FAMILY_PLAN_REVIEW]
PLAN_DUE_WORKING_DAYS = 10  # from the assessment's completion to the family's plan (local practice)
EARLY_HELP_SOURCE = "5D"  # CIN referral source "LA services - early help"


def require_family_help(user: Any, child: Person) -> None:
    """Refuse unless `accounts.access` lets this user record this child's help work."""
    if not access.can_work_family_help(user, child.pk):
        raise PermissionDenied("You cannot record help for this child")


def open_help_episode(child: Person) -> HelpEpisode | None:
    return HelpEpisode.objects.filter(child=child, end_date__isnull=True).first()


def require_text(field: str, value: str, message: str) -> None:
    if not (value or "").strip():
        invariants.refuse(field, message)


def _lead_team(team: Team | None, lead: User | None) -> Team | None:
    return team if team is not None else (lead.team if lead is not None else None)


def _step_down_source(child: Person, start: dt.date) -> ReferralEpisode | None:
    """The social care episode this help follows on from: the child's latest episode closed RC9
    ("referred to early help") on or before the start, not already followed by help."""
    return (
        ReferralEpisode.objects.filter(
            child=child, closure_reason=ReasonForClosure.RC9, closure_date__lte=start, steps_down__isnull=True
        )
        .order_by("-closure_date", "-pk")
        .first()
    )


def help_episode_open(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    start_date: dt.date,
    reason: str,
    organisation: str,
    team: Team | None = None,
    lead_practitioner: User | None = None,
    consent_given: bool = True,
    contact: Contact | None = None,
) -> HelpEpisode:
    """Open a help episode and allocate it (a lead-practitioner allocation to `team`, naming the lead
    if given), and open the "complete the whole-family assessment" task. A step-down is linked by
    itself: the child's latest episode closed RC9 before the start. Under the tiered model a child
    with an open social care episode is refused (help follows its closure); under Family Help the two
    may run together. Audits `casework.help_episode_open`; status "" -> open."""
    require_change(actor_user, child)
    _check_open(child, start_date, reason, organisation, _lead_team(team, lead_practitioner), consent_given, contact)
    with transaction.atomic():
        episode = HelpEpisode(
            child=child,
            recorded_by=actor_user,
            contact=contact,
            start_date=start_date,
            reason=reason,
            organisation=organisation,
            lead_practitioner=lead_practitioner,
            consent_given=consent_given,
            stepped_down_from=_step_down_source(child, start_date),
        )
        stepped = " (stepped down from social care)" if episode.stepped_down_from else ""
        record_new(
            episode,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.help_episode_open",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note=f"{{help}} started{stepped}",
            stepped_down_from=episode.stepped_down_from_id,
            from_contact=contact.pk if contact else None,
        )
        _allocate_lead(actor, episode, _lead_team(team, lead_practitioner), lead_practitioner, start_date)
        task_open(
            child=child,
            kind=TaskKind.FAMILY_ASSESSMENT,
            due_date=timescales.family_assessment_due(start_date),
            obj=episode,
            team=_lead_team(team, lead_practitioner),
            assignee=lead_practitioner,
        )
    return episode


def _check_open(
    child: Person,
    start: dt.date,
    reason: str,
    organisation: str,
    team: Team | None,
    consent_given: bool,
    contact: Contact | None,
) -> None:
    if open_help_episode(child) is not None:
        invariants.refuse("start_date", f"This child already has open {help_model.help_name().lower()}")
    invariants.not_in_future("start_date", start, "start date")
    if contact is not None:
        invariants.not_before("start_date", start, contact.contact_date, "Help cannot start before the contact")
    require_text("reason", reason, "Enter what the family needs help with")
    require_text("organisation", organisation, "Enter the organisation leading the help")
    if team is None:
        invariants.refuse("team", "Select the team or lead practitioner who will hold the family's help")
    if not consent_given:
        invariants.refuse("consent_given", "Early help and Family Help are offered with the family's agreement")
    if not help_model.is_family_help() and ReferralEpisode.objects.filter(child=child).open().exists():
        invariants.refuse(
            "start_date",
            "The child has an open social care episode: close it first (reason RC9 steps the family down to "
            "early help)",
        )


def _allocate_lead(
    actor: Actor,
    episode: HelpEpisode,
    team: Team | None,
    lead: User | None,
    start: dt.date,
    *,
    keep_council: bool = False,
) -> None:
    """End the child's current lead-practitioner allocations and open one for `team` / `lead`. With
    `keep_council` (a partner takes the lead) the council's own allocations stay: the council keeps
    sight of the family and oversight of the help."""
    child = episode.child
    current = Allocation.objects.current().filter(person=child, kind=AllocationKind.LEAD_PRACTITIONER)
    if keep_council:
        current = current.filter(Q(team__kind=TeamKind.PARTNER) | Q(worker__role=Role.PARTNER))
    for allocation in current:
        allocation_end(actor=actor, allocation=allocation, end_date=max(start, allocation.start_date))
    if team is not None:
        allocation_open(
            actor=actor,
            person=child,
            team=team,
            worker=lead,
            kind=AllocationKind.LEAD_PRACTITIONER,
            start_date=min(start, timezone.localdate()),
        )


def help_lead_change(
    *, actor_user: Any, actor: Actor, episode: HelpEpisode, lead_practitioner: User, start_date: dt.date
) -> HelpEpisode:
    """Make `lead_practitioner` (a council worker, or a partner-agency practitioner) the family's lead:
    their lead-practitioner allocation replaces the previous lead's, and the family's open help tasks
    move to them. Audits `casework.help_lead_change`."""
    child = episode.child
    require_change(actor_user, child)
    if not episode.is_open:
        invariants.refuse("lead_practitioner", "This help episode has ended")
    invariants.not_in_future("start_date", start_date, "date")
    invariants.not_before("start_date", start_date, episode.start_date, "The lead cannot start before the help did")
    if lead_practitioner.team is None:
        invariants.refuse("lead_practitioner", "The lead practitioner's account has no team or agency")
    with transaction.atomic():
        previous = episode.lead_practitioner_id
        episode.lead_practitioner = lead_practitioner
        episode.save(update_fields=["lead_practitioner", "updated_at"])
        partner_lead = lead_practitioner.role == Role.PARTNER
        _allocate_lead(actor, episode, lead_practitioner.team, lead_practitioner, start_date, keep_council=partner_lead)
        from opencsc.casework.models import Task

        Task.objects.open().filter(person=child, kind__in=FAMILY_TASKS).update(
            assignee=lead_practitioner, team=lead_practitioner.team
        )
        partner = " from a partner agency" if lead_practitioner.role == Role.PARTNER else ""
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=episode,
            from_status=Stage.OPEN,
            to_status=Stage.OPEN,
            effective_date=start_date,
            note=f"New lead practitioner{partner}",
        )
        audit(
            actor=actor,
            action="casework.help_lead_change",
            child=child,
            obj=episode,
            previous_lead=previous,
            lead=lead_practitioner.pk,
        )
    return episode


def help_assessment_start(
    *, actor_user: Any, actor: Actor, episode: HelpEpisode, start_date: dt.date, organisation: str
) -> FamilyHelpAssessment:
    """Start the whole-family assessment (one open at a time). Audits `casework.help_assessment_start`."""
    child = episode.child
    require_family_help(actor_user, child)
    if not episode.is_open:
        invariants.refuse("start_date", "This help episode has ended")
    if episode.assessments.filter(completed_date__isnull=True).exists():
        invariants.refuse("start_date", "An assessment is already in progress")
    invariants.not_in_future("start_date", start_date, "start date")
    invariants.not_before("start_date", start_date, episode.start_date, "The assessment cannot start before the help")
    require_text("organisation", organisation, "Enter the organisation completing the assessment")
    with transaction.atomic():
        assessment = FamilyHelpAssessment(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            start_date=start_date,
            due_date=timescales.family_assessment_due(episode.start_date),
            organisation=organisation,
        )
        record_new(
            assessment,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.help_assessment_start",
            to_status=Stage.IN_PROGRESS,
            effective_date=start_date,
            note="Whole-family assessment started",
        )
    return assessment


def help_assessment_complete(
    *,
    actor_user: Any,
    actor: Actor,
    assessment: FamilyHelpAssessment,
    completed_date: dt.date,
    strengths: str,
    needs: str,
    family_words: str,
    consent_given: bool,
) -> FamilyHelpAssessment:
    """Complete the assessment: strengths, needs and the family's own words, with their consent. Closes
    the assessment task and opens "agree the family's plan". Audits `casework.help_assessment_complete`."""
    child = assessment.child
    require_family_help(actor_user, child)
    if assessment.completed_date is not None:
        invariants.refuse("completed_date", "This assessment is already complete")
    invariants.not_in_future("completed_date", completed_date, "completion date")
    invariants.not_before(
        "completed_date", completed_date, assessment.start_date, "It cannot be completed before it started"
    )
    require_text("strengths", strengths, "Enter the family's strengths")
    require_text("needs", needs, "Enter what the family needs")
    if not consent_given:
        invariants.refuse("consent_given", "Record the assessment only with the family's consent")
    with transaction.atomic():
        assessment.completed_date, assessment.strengths, assessment.needs = completed_date, strengths, needs
        assessment.family_words, assessment.consent_given = family_words, consent_given
        save_new(assessment)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=assessment,
            from_status=Stage.IN_PROGRESS,
            to_status=Stage.COMPLETED,
            effective_date=completed_date,
            note="Whole-family assessment completed",
        )
        audit(actor=actor, action="casework.help_assessment_complete", child=child, obj=assessment)
        tasks_close(child=child, kinds=[TaskKind.FAMILY_ASSESSMENT], actor_user=actor_user)
        if not assessment.episode.plans.filter(end_date__isnull=True).exists():
            task_open(
                child=child,
                kind=TaskKind.FAMILY_PLAN,
                due_date=add_working_days(completed_date, PLAN_DUE_WORKING_DAYS),
                obj=assessment.episode,
                **_lead_of(assessment.episode),
            )
    return assessment


def _lead_of(episode: HelpEpisode) -> dict[str, Any]:
    """The team and lead of the family's current lead-practitioner allocation (for new tasks)."""
    allocations = Allocation.objects.current().filter(person=episode.child, kind=AllocationKind.LEAD_PRACTITIONER)
    newest = ("-start_date", "-pk")
    allocation = (
        allocations.filter(worker_id=episode.lead_practitioner_id).order_by(*newest).first()
        if episode.lead_practitioner_id
        else None
    ) or allocations.order_by(*newest).first()
    if allocation is None:
        return {}
    return {"team": allocation.team, "assignee": allocation.worker}


def help_plan_start(
    *,
    actor_user: Any,
    actor: Actor,
    episode: HelpEpisode,
    start_date: dt.date,
    goal: str,
    action: str,
    who: str,
    by_when: dt.date,
) -> FamilyHelpPlan:
    """Agree the family's plan with its first goal (more with `help_goal_add`); the first review is due
    OPENCSC_FAMILY_HELP_REVIEW_WEEKS later. Audits `casework.help_plan_start`."""
    child = episode.child
    require_family_help(actor_user, child)
    if not episode.is_open:
        invariants.refuse("start_date", "This help episode has ended")
    if episode.plans.filter(end_date__isnull=True).exists():
        invariants.refuse("start_date", "The family already has a plan: review it or add a goal")
    invariants.not_in_future("start_date", start_date, "start date")
    invariants.not_before("start_date", start_date, episode.start_date, "The plan cannot start before the help")
    with transaction.atomic():
        plan = FamilyHelpPlan(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            start_date=start_date,
            next_review_due=timescales.family_plan_review_due(start_date),
        )
        record_new(
            plan,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.help_plan_start",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note="The family's plan agreed",
        )
        _goal(actor_user, plan, goal=goal, action=action, who=who, by_when=by_when)
        tasks_close(child=child, kinds=[TaskKind.FAMILY_PLAN], actor_user=actor_user)
        task_open(
            child=child, kind=TaskKind.FAMILY_PLAN_REVIEW, due_date=plan.next_review_due, obj=plan, **_lead_of(episode)
        )
    return plan


def _goal(actor_user: Any, plan: FamilyHelpPlan, **values: Any) -> FamilyHelpGoal:
    require_text("goal", values["goal"], "Enter what the family wants to change")
    require_text("action", values["action"], "Enter what will be done")
    require_text("who", values["who"], "Enter who will do it")
    invariants.not_before("by_when", values["by_when"], plan.start_date, "A goal cannot be due before the plan started")
    goal = FamilyHelpGoal(child=plan.child, recorded_by=actor_user, plan=plan, **values)
    save_new(goal)
    return goal


def help_goal_add(
    *, actor_user: Any, actor: Actor, plan: FamilyHelpPlan, goal: str, action: str, who: str, by_when: dt.date
) -> FamilyHelpGoal:
    """Add a goal to the family's open plan. Audits `casework.help_goal_add`."""
    require_family_help(actor_user, plan.child)
    if plan.end_date is not None:
        invariants.refuse("goal", "This plan has ended")
    with transaction.atomic():
        row = _goal(actor_user, plan, goal=goal, action=action, who=who, by_when=by_when)
        audit(actor=actor, action="casework.help_goal_add", child=plan.child, obj=row, plan=plan.pk)
    return row


def help_plan_review(
    *,
    actor_user: Any,
    actor: Actor,
    plan: FamilyHelpPlan,
    review_date: dt.date,
    progress: str,
    family_view: str = "",
    achieved: list[int] | None = None,
    ratings: dict[int, dict[str, int | None]] | None = None,
) -> FamilyHelpReview:
    """Review the plan: progress, the family's view, which goals are achieved (the others are in
    progress), and each goal's rating from 0 to 10 by the worker, the child and a parent
    (`ratings`: goal id -> rater -> score; a missing score is simply not recorded). The ratings are
    the outcome measures' data: `insight.outcomes` reads them. The next review is due a cycle later.
    Audits `casework.help_plan_review`."""
    child = plan.child
    require_family_help(actor_user, child)
    if plan.end_date is not None:
        invariants.refuse("review_date", "This plan has ended")
    invariants.not_in_future("review_date", review_date, "review date")
    invariants.not_before("review_date", review_date, plan.start_date, "A review cannot be before the plan started")
    require_text("progress", progress, "Enter the progress against the goals")
    done = set(achieved or [])
    goal_ids = set(plan.goals.values_list("pk", flat=True))
    scores = [
        (goal_id, rater, score)
        for goal_id, by_rater in (ratings or {}).items()
        for rater, score in by_rater.items()
        if score is not None
    ]
    for goal_id, rater, score in scores:
        if goal_id not in goal_ids or rater not in GoalRater.values:
            invariants.refuse("progress", "A rating is for a goal that is not in this plan")
        if not 0 <= score <= 10:
            invariants.refuse(f"rate_{goal_id}_{rater}", "A rating must be a whole number from 0 to 10")
    with transaction.atomic():
        review = FamilyHelpReview(
            child=child,
            recorded_by=actor_user,
            plan=plan,
            review_date=review_date,
            progress=progress,
            family_view=family_view,
        )
        record_new(
            review,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.help_plan_review",
            to_status=Stage.COMPLETED,
            effective_date=review_date,
            note="The family's plan reviewed",
            achieved=sorted(done),
            ratings=len(scores),
        )
        FamilyHelpGoalRating.objects.bulk_create(
            FamilyHelpGoalRating(
                child=child, recorded_by=actor_user, goal_id=goal_id, review=review, rater=rater, score=score
            )
            for goal_id, rater, score in scores
        )
        plan.goals.filter(pk__in=done).update(status=GoalStatus.ACHIEVED)
        plan.goals.exclude(pk__in=done).exclude(status=GoalStatus.ACHIEVED).update(status=GoalStatus.IN_PROGRESS)
        plan.next_review_due = timescales.family_plan_review_due(review_date)
        plan.save(update_fields=["next_review_due", "updated_at"])
        tasks_close(child=child, kinds=[TaskKind.FAMILY_PLAN_REVIEW], actor_user=actor_user)
        task_open(
            child=child,
            kind=TaskKind.FAMILY_PLAN_REVIEW,
            due_date=plan.next_review_due,
            obj=plan,
            **_lead_of(plan.episode),
        )
    return review


def help_episode_close(
    *, actor_user: Any, actor: Actor, episode: HelpEpisode, end_date: dt.date, end_reason: str, outcome: str
) -> HelpEpisode:
    """End the help: the open plan ends (goals not achieved are marked so), family help tasks close,
    and the lead-practitioner allocations end after OPENCSC_CLOSED_CASE_ACCESS_DAYS, as a closed
    case's do. Audits `casework.help_episode_close`; status open -> closed."""
    child = episode.child
    require_family_help(actor_user, child)
    _check_close(episode, end_date, end_reason, outcome)
    with transaction.atomic():
        _end(actor_user, actor, episode, end_date, end_reason, outcome)
        from opencsc.casework.services.closure import caseload_ends_after_closure

        ends = max(caseload_ends_after_closure(end_date), timezone.localdate() + dt.timedelta(days=1))
        for allocation in Allocation.objects.current().filter(person=child, kind=AllocationKind.LEAD_PRACTITIONER):
            allocation_end(actor=actor, allocation=allocation, end_date=max(ends, allocation.start_date))
    return episode


def _check_close(episode: HelpEpisode, end_date: dt.date, end_reason: str, outcome: str) -> None:
    if not episode.is_open:
        invariants.refuse("end_date", "This help episode has already ended")
    if end_reason not in HelpEndReason.values:
        invariants.refuse("end_reason", "Select why the help is ending")
    invariants.not_in_future("end_date", end_date, "end date")
    latest = max(
        [
            episode.start_date,
            *episode.assessments.values_list("start_date", flat=True),
            *episode.plans.values_list("start_date", flat=True),
        ]
    )
    invariants.not_before("end_date", end_date, latest, f"Work is recorded on {latest:%d %B %Y}: end on or after it")
    require_text("outcome", outcome, "Enter what changed for the family")


def _end(actor_user: Any, actor: Actor, episode: HelpEpisode, end_date: dt.date, end_reason: str, outcome: str) -> None:
    child = episode.child
    for plan in episode.plans.filter(end_date__isnull=True):
        plan.goals.exclude(status=GoalStatus.ACHIEVED).update(status=GoalStatus.NOT_ACHIEVED)
        plan.end_date = max(end_date, plan.start_date)
        plan.save(update_fields=["end_date", "updated_at"])
    episode.end_date, episode.end_reason, episode.outcome = end_date, end_reason, outcome
    episode.save(update_fields=["end_date", "end_reason", "outcome", "updated_at"])
    history(
        actor_user=actor_user,
        actor=actor,
        child=child,
        obj=episode,
        from_status=Stage.OPEN,
        to_status=Stage.CLOSED,
        effective_date=end_date,
        note=f"{{help}} ended: {HelpEndReason(end_reason).label.lower()}",
    )
    audit(actor=actor, action="casework.help_episode_close", child=child, obj=episode, reason=end_reason)
    tasks_close(child=child, kinds=FAMILY_TASKS, actor_user=actor_user)


def help_step_up(
    *,
    actor_user: Any,
    actor: Actor,
    episode: HelpEpisode,
    referral_date: dt.date,
    team: Team,
    worker: User | None = None,
    primary_need: str = "",
) -> ReferralEpisode:
    """Step up to children's social care: a referral (source 5D, "LA services - early help") to
    `team`, linked to the help episode so the history is one. Under the tiered model the early help
    episode ends that day ("stepped up"); under Family Help it stays open, with its lead practitioner,
    while the assessment runs. Council practitioners only. Audits `casework.help_step_up` (and the
    referral, the allocation and any ending)."""
    from opencsc.casework.services.referrals import referral_create

    child = episode.child
    require_change(actor_user, child)
    if not episode.is_open:
        invariants.refuse("referral_date", "This help episode has ended")
    invariants.not_before(
        "referral_date", referral_date, episode.start_date, "Step-up cannot be before the help started"
    )
    with transaction.atomic():
        allocation_open(
            actor=actor, person=child, team=team, worker=worker, start_date=min(referral_date, timezone.localdate())
        )
        referral = referral_create(
            actor_user=actor_user,
            actor=actor,
            child=child,
            referral_date=referral_date,
            source=EARLY_HELP_SOURCE,
            primary_need=primary_need,
        )
        episode.stepped_up_to = referral
        episode.save(update_fields=["stepped_up_to", "updated_at"])
        audit(actor=actor, action="casework.help_step_up", child=child, obj=episode, referral=referral.pk)
        if not help_model.keeps_help_open_on_step_up():
            _end(
                actor_user,
                actor,
                episode,
                max(referral_date, episode.start_date),
                HelpEndReason.STEPPED_UP,
                "Stepped up to children's social care",
            )
            for allocation in Allocation.objects.current().filter(person=child, kind=AllocationKind.LEAD_PRACTITIONER):
                allocation_end(actor=actor, allocation=allocation, end_date=max(referral_date, allocation.start_date))
    return referral


def link_step_down(*, episode: ReferralEpisode) -> None:
    """A social care episode closed RC9 while the family's help was open (Family Help): the help
    continues, and now records where the family stepped down from. Called inside `episode_close`."""
    HelpEpisode.objects.filter(child=episode.child, end_date__isnull=True, stepped_down_from__isnull=True).update(
        stepped_down_from=episode
    )
