"""Referral episodes, assessments, child in need plans and visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opencsc.audit.services import Actor
from opencsc.casework import invariants, timescales
from opencsc.casework.models import (
    Assessment,
    AssessmentStatus,
    ChildInNeedPlan,
    ChildInNeedPlanReview,
    ChildProtectionPlan,
    Contact,
    ReferralEpisode,
    Stage,
    TaskKind,
    Visit,
    VisitKind,
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
from opencsc.people.models import Person


def referral_create(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    referral_date: dt.date,
    source: str,
    primary_need: str = "",
    referral_nfa: bool = False,
    contact: Contact | None = None,
) -> ReferralEpisode:
    """Open a referral episode (at most one open per child) and, unless it is NFA, the 45-working-day
    assessment task. Audits `casework.referral_create`; status "" -> open."""
    require_change(actor_user, child)
    invariants.check_new_referral(child, referral_date, source)
    with transaction.atomic():
        episode = ReferralEpisode(
            child=child,
            recorded_by=actor_user,
            contact=contact,
            referral_date=referral_date,
            source=source,
            primary_need=primary_need,
            referral_nfa=referral_nfa,
        )
        save_new(episode)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=episode,
            from_status="",
            to_status=Stage.OPEN,
            effective_date=referral_date,
            note="Referral (no further action)" if referral_nfa else "Referral received",
        )
        audit(
            actor=actor,
            action="casework.referral_create",
            child=child,
            obj=episode,
            source=source,
            nfa=referral_nfa,
        )
        if not referral_nfa:
            task_open(
                child=child,
                kind=TaskKind.ASSESSMENT,
                due_date=timescales.assessment_due(referral_date),
                obj=episode,
            )
    return episode


def assessment_start(
    *,
    actor_user: Any,
    actor: Actor,
    episode: ReferralEpisode,
    start_date: dt.date,
    child_seen_on: dt.date | None = None,
) -> Assessment:
    """Start the assessment (due 45 working days after the referral; rule 1103, 8896 checked).
    Audits `casework.assessment_start`; status "" -> in_progress."""
    child = episode.child
    require_change(actor_user, child)
    invariants.check_assessment_start(episode, start_date)
    invariants.not_before(
        "child_seen_on", child_seen_on, start_date, "The child cannot be seen before the assessment started"
    )
    with transaction.atomic():
        assessment = Assessment(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            start_date=start_date,
            due_date=timescales.assessment_due(episode.referral_date),
            child_seen_on=child_seen_on,
        )
        record_new(
            assessment,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.assessment_start",
            to_status=AssessmentStatus.IN_PROGRESS,
            effective_date=start_date,
            note="Assessment started",
        )
    return assessment


def assessment_complete(
    *,
    actor_user: Any,
    actor: Actor,
    assessment: Assessment,
    completed_date: dt.date,
    factors: list[str],
    outcome: str,
    summary: str = "",
    delay_reason: str = "",
    child_seen_on: dt.date | None = None,
) -> Assessment:
    """The worker completes the assessment and sends it to a team manager (a task in the team's
    tray). Audits `casework.assessment_submit`; status in_progress -> submitted."""
    child = assessment.child
    require_change(actor_user, child)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        invariants.refuse("completed_date", "This assessment has already been completed")
    invariants.check_assessment_completion(assessment, completed_date, factors, outcome, delay_reason)
    with transaction.atomic():
        assessment.completed_date, assessment.factors, assessment.outcome = completed_date, factors, outcome
        assessment.summary, assessment.delay_reason = summary, delay_reason
        assessment.child_seen_on = child_seen_on or assessment.child_seen_on
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=assessment,
            from_status=AssessmentStatus.IN_PROGRESS,
            to_status=AssessmentStatus.SUBMITTED,
            effective_date=completed_date,
            note="Assessment completed",
        )
        audit(actor=actor, action="casework.assessment_submit", child=child, obj=assessment, factors=factors)
        team = getattr(actor_user, "team", None)
        task_open(
            child=child,
            kind=TaskKind.AUTHORISE_ASSESSMENT,
            due_date=assessment.due_date,
            obj=assessment,
            team=team,
        )
    return assessment


def assessment_authorise(
    *, actor_user: Any, actor: Actor, assessment: Assessment, authorised_date: dt.date
) -> Assessment:
    """A team manager authorises the assessment: the census completion date. Closes the assessment
    tasks. Audits `casework.assessment_authorise`; status submitted -> authorised."""
    from opencsc.accounts.models import Role

    child = assessment.child
    require_change(actor_user, child)
    if getattr(actor_user, "role", "") != Role.TEAM_MANAGER:
        invariants.refuse("authorised_date", "Only a team manager can authorise an assessment")
    if assessment.status != AssessmentStatus.SUBMITTED:
        invariants.refuse("authorised_date", "The worker must complete the assessment before it is authorised")
    invariants.check_authorisation(assessment, authorised_date)
    with transaction.atomic():
        assessment.authorised_date, assessment.authorised_by = authorised_date, actor_user
        assessment.status = AssessmentStatus.AUTHORISED
        assessment.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=assessment,
            from_status=AssessmentStatus.SUBMITTED,
            to_status=AssessmentStatus.AUTHORISED,
            effective_date=authorised_date,
            note="Assessment authorised",
        )
        audit(
            actor=actor,
            action="casework.assessment_authorise",
            child=child,
            obj=assessment,
            within_timescale=authorised_date <= assessment.due_date,
        )
        tasks_close(child=child, kinds=[TaskKind.AUTHORISE_ASSESSMENT], actor_user=actor_user, obj=assessment)
        tasks_close(child=child, kinds=[TaskKind.ASSESSMENT], actor_user=actor_user, obj=assessment.episode)
    return assessment


def cin_plan_start(
    *, actor_user: Any, actor: Actor, episode: ReferralEpisode, start_date: dt.date, summary: str = ""
) -> ChildInNeedPlan:
    """Start a child in need plan (4001/4004/4014/4015 checked) and its review and visit tasks.
    Audits `casework.cin_plan_start`; status "" -> open."""
    child = episode.child
    require_change(actor_user, child)
    invariants.check_cin_plan_start(child, episode, start_date)
    with transaction.atomic():
        plan = ChildInNeedPlan(
            child=child, recorded_by=actor_user, episode=episode, start_date=start_date, summary=summary
        )
        record_new(
            plan,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.cin_plan_start",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note="Child in need plan started",
        )
        task_open(
            child=child,
            kind=TaskKind.CIN_REVIEW,
            due_date=timescales.cin_plan_review_due(start_date),
            obj=plan,
        )
        task_open(child=child, kind=TaskKind.CIN_VISIT, due_date=timescales.cin_visit_due(start_date), obj=plan)
    return plan


def cin_plan_review(
    *, actor_user: Any, actor: Actor, plan: ChildInNeedPlan, review_date: dt.date, outcome: str = ""
) -> ChildInNeedPlanReview:
    """Record a CIN plan review and schedule the next. Audits `casework.cin_plan_review`."""
    child = plan.child
    require_change(actor_user, child)
    invariants.not_in_future("review_date", review_date, "review date")
    if plan.end_date:
        invariants.refuse("review_date", "This plan has ended")
    invariants.not_before("review_date", review_date, plan.start_date, "A review cannot be before the plan started")
    with transaction.atomic():
        review = ChildInNeedPlanReview(
            child=child, recorded_by=actor_user, plan=plan, review_date=review_date, outcome=outcome
        )
        record_new(
            review,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.cin_plan_review",
            to_status=Stage.COMPLETED,
            effective_date=review_date,
            note="Child in need plan reviewed",
        )
        tasks_close(child=child, kinds=[TaskKind.CIN_REVIEW], actor_user=actor_user, obj=plan)
        task_open(
            child=child,
            kind=TaskKind.CIN_REVIEW,
            due_date=timescales.cin_plan_review_due(review_date),
            obj=plan,
        )
    return review


def cin_plan_end(
    *, actor_user: Any, actor: Actor, plan: ChildInNeedPlan, end_date: dt.date, check_access: bool = True
) -> ChildInNeedPlan:
    """End a child in need plan and its tasks. Audits `casework.cin_plan_end`; status open -> ended."""
    child = plan.child
    if check_access:
        require_change(actor_user, child)
    invariants.not_in_future("end_date", end_date, "plan end date")
    if plan.end_date:
        invariants.refuse("end_date", "This plan has already ended")
    invariants.not_before("end_date", end_date, plan.start_date, "A plan cannot end before it started")
    with transaction.atomic():
        plan.end_date = end_date
        plan.save(update_fields=["end_date", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=plan,
            from_status=Stage.OPEN,
            to_status=Stage.ENDED,
            effective_date=end_date,
            note="Child in need plan ended",
        )
        audit(actor=actor, action="casework.cin_plan_end", child=child, obj=plan)
        tasks_close(child=child, kinds=[TaskKind.CIN_REVIEW, TaskKind.CIN_VISIT], actor_user=actor_user, obj=plan)
    return plan


VISIT_TASKS = {
    VisitKind.CP: TaskKind.CP_VISIT,
    VisitKind.CIN: TaskKind.CIN_VISIT,
    VisitKind.LAC: TaskKind.LAC_VISIT,
}


def visit_record(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    kind: str,
    visit_date: dt.date,
    seen: bool,
    seen_alone: bool,
    summary: str = "",
    episode: ReferralEpisode | None = None,
) -> Visit:
    """Record a statutory visit and schedule the next one at the local frequency. Audits
    `casework.visit_record`."""
    require_change(actor_user, child)
    invariants.not_in_future("visit_date", visit_date, "visit date")
    if seen_alone and not seen:
        invariants.refuse("seen_alone", "A child seen alone must also be recorded as seen")
    with transaction.atomic():
        visit = Visit(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            kind=kind,
            visit_date=visit_date,
            seen=seen,
            seen_alone=seen_alone,
            worker=actor_user,
            summary=summary,
        )
        save_new(visit)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=visit,
            from_status="",
            to_status=Stage.COMPLETED,
            effective_date=visit_date,
            note=VisitKind(kind).label,
        )
        audit(
            actor=actor,
            action="casework.visit_record",
            child=child,
            obj=visit,
            seen=seen,
            seen_alone=seen_alone,
        )
        _schedule_next_visit(actor_user, child, kind, visit_date)
    return visit


def _schedule_next_visit(actor_user: Any, child: Person, kind: str, visit_date: dt.date) -> None:
    from opencsc.casework.services.looked_after import next_lac_visit_due

    task_kind = VISIT_TASKS[VisitKind(kind)]
    holder = _visit_holder(child, kind)
    if holder is None:
        return
    tasks_close(child=child, kinds=[task_kind], actor_user=actor_user)
    if kind == VisitKind.CP:
        due = timescales.cp_visit_due(visit_date)
    elif kind == VisitKind.CIN:
        due = timescales.cin_visit_due(visit_date)
    else:
        due = next_lac_visit_due(child, visit_date)
    task_open(child=child, kind=task_kind, due_date=due, obj=holder)


def _visit_holder(child: Person, kind: str) -> Any:
    """The open plan or period a visit belongs to (no next visit is due without one)."""
    from opencsc.casework.models import PeriodOfCare

    holder = VisitKind(kind)
    if holder == VisitKind.CP:
        return ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True).first()
    if holder == VisitKind.CIN:
        return ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True).first()
    return PeriodOfCare.objects.filter(child=child, end_date__isnull=True).first()
