"""Child protection writes: strategy discussion, section 47, conferences, plans, core groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opencsc.accounts.models import User
from opencsc.audit.services import Actor
from opencsc.casework import invariants, timescales
from opencsc.casework.models import (
    ChildInNeedPlan,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    ConferenceOutcome,
    CoreGroupMeeting,
    ReferralEpisode,
    Section47,
    Section47Outcome,
    Stage,
    StrategyDiscussion,
    TaskKind,
)
from opencsc.casework.services._common import (
    audit,
    history,
    record_new,
    require_change,
    require_conference,
    save_new,
    task_open,
    tasks_close,
)


def strategy_discussion_record(
    *,
    actor_user: Any,
    actor: Actor,
    episode: ReferralEpisode,
    discussion_date: dt.date,
    start_section47: bool,
    police_present: bool = True,
    health_present: bool = False,
    education_present: bool = False,
    others_present: str = "",
    summary: str = "",
) -> StrategyDiscussion:
    """Record a strategy discussion; when it starts a section 47 enquiry, the enquiry starts on the
    same date and the ICPC task is due 15 working days later. Audits `casework.strategy_record`
    (and `casework.s47_start`)."""
    child = episode.child
    require_change(actor_user, child)
    invariants.check_episode_takes_activity(episode, "discussion_date", discussion_date, "strategy discussion date")
    if start_section47 and episode.section47s.filter(completed_date__isnull=True).exists():
        invariants.refuse(
            "start_section47",
            "A section 47 enquiry is already open on this episode: complete it "
            "first, or record this discussion without starting another",
        )
    with transaction.atomic():
        discussion = StrategyDiscussion(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            discussion_date=discussion_date,
            police_present=police_present,
            health_present=health_present,
            education_present=education_present,
            others_present=others_present,
            start_section47=start_section47,
            summary=summary,
        )
        record_new(
            discussion,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.strategy_record",
            to_status=Stage.COMPLETED,
            effective_date=discussion_date,
            note="Strategy discussion held",
            s47=start_section47,
        )
        if start_section47:
            _section47_start(actor_user, actor, discussion)
    return discussion


def _section47_start(actor_user: Any, actor: Actor, discussion: StrategyDiscussion) -> Section47:
    child = discussion.child
    enquiry = Section47(
        child=child,
        recorded_by=actor_user,
        episode=discussion.episode,
        strategy_discussion=discussion,
        start_date=discussion.discussion_date,
        icpc_target=timescales.icpc_target(discussion.discussion_date),
    )
    record_new(
        enquiry,
        actor_user=actor_user,
        actor=actor,
        child=child,
        action="casework.s47_start",
        to_status=Stage.OPEN,
        effective_date=enquiry.start_date,
        note="Section 47 enquiry started",
        icpc_target=enquiry.icpc_target,
    )
    task_open(child=child, kind=TaskKind.ICPC, due_date=enquiry.icpc_target, obj=enquiry)
    return enquiry


def section47_complete(
    *,
    actor_user: Any,
    actor: Actor,
    enquiry: Section47,
    completed_date: dt.date,
    outcome: str,
    summary: str = "",
) -> Section47:
    """Complete a section 47 enquiry without a conference ("ICPC not required"); an enquiry that
    leads to a conference is completed by `conference_record`. Audits `casework.s47_complete`."""
    child = enquiry.child
    require_change(actor_user, child)
    if enquiry.completed_date:
        invariants.refuse("completed_date", "This enquiry has already been completed")
    if outcome == Section47Outcome.CONFERENCE:
        invariants.refuse("outcome", "Record the initial conference instead: it completes the enquiry")
    invariants.not_in_future("completed_date", completed_date, "completion date")
    invariants.not_before(
        "completed_date", completed_date, enquiry.start_date, "The enquiry cannot end before it started"
    )
    with transaction.atomic():
        enquiry.completed_date, enquiry.outcome, enquiry.summary = completed_date, outcome, summary
        enquiry.icpc_not_required = True
        enquiry.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=enquiry,
            from_status=Stage.OPEN,
            to_status=Stage.COMPLETED,
            effective_date=completed_date,
            note="Section 47: conference not required",
        )
        audit(actor=actor, action="casework.s47_complete", child=child, obj=enquiry, outcome=outcome)
        tasks_close(child=child, kinds=[TaskKind.ICPC], actor_user=actor_user, obj=enquiry)
    return enquiry


def conference_record(
    *,
    actor_user: Any,
    actor: Actor,
    episode: ReferralEpisode,
    kind: str,
    conference_date: dt.date,
    outcome: str,
    category: str = "",
    quorate: bool = True,
    chair: User | None = None,
    summary: str = "",
    previous_plans: int | None = None,
) -> Conference:
    """Record an initial, pre-birth or transfer-in conference. It completes the open section 47
    enquiry (rule 2884: the ICPC sits on the enquiry); a plan outcome starts the child protection
    plan on the conference date (2885). Audits `casework.conference_record` (and
    `casework.cp_plan_start`). `previous_plans` is the child's count of earlier plans where the
    record does not hold that history (a return imported from the previous case system)."""
    child = episode.child
    require_conference(actor_user, child)
    if previous_plans is not None and previous_plans < 0:
        invariants.refuse("previous_plans", "The number of previous child protection plans cannot be negative")
    if kind == ConferenceKind.REVIEW:
        invariants.refuse("kind", "Record a review conference from the child protection plan")
    invariants.check_episode_takes_activity(episode, "conference_date", conference_date, "conference date")
    invariants.check_weekday("conference_date", conference_date, "conference date")
    enquiry = episode.section47s.filter(completed_date__isnull=True).first()
    _check_initial_conference(child, kind, enquiry, conference_date, outcome, category)
    with transaction.atomic():
        conference = Conference(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            kind=kind,
            section47=enquiry,
            conference_date=conference_date,
            target_date=enquiry.icpc_target if enquiry else None,
            chair=chair,
            quorate=quorate,
            outcome=outcome,
            category=category,
            summary=summary,
        )
        save_new(conference)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=conference,
            from_status="",
            to_status=Stage.COMPLETED,
            effective_date=conference_date,
            note=ConferenceKind(kind).label,
        )
        audit(
            actor=actor,
            action="casework.conference_record",
            child=child,
            obj=conference,
            kind=kind,
            outcome=outcome,
            within_timescale=enquiry is None or conference_date <= enquiry.icpc_target,
        )
        if enquiry is not None:
            _complete_enquiry_at_conference(actor_user, actor, enquiry, conference_date)
        if outcome == ConferenceOutcome.PLAN:
            cp_plan_start(actor_user=actor_user, actor=actor, conference=conference, previous_plans=previous_plans)
    return conference


def _check_initial_conference(
    child: Any, kind: str, enquiry: Section47 | None, day: dt.date, outcome: str, category: str
) -> None:
    if kind not in ConferenceKind.values:
        invariants.refuse("kind", "Select the kind of conference")
    if kind == ConferenceKind.INITIAL and enquiry is None:
        invariants.refuse(
            "kind",
            "An initial conference follows a section 47 enquiry: record the strategy discussion that started it first",
        )
    if kind == ConferenceKind.PRE_BIRTH and not child.is_unborn:
        invariants.refuse("kind", "A pre-birth conference is for an unborn child: choose an initial conference")
    if enquiry is not None:
        invariants.not_before(
            "conference_date",
            day,
            enquiry.start_date,
            "The conference cannot be before the section 47 enquiry started",
        )
    if outcome == ConferenceOutcome.PLAN and not category:
        invariants.refuse("category", "Select the category of abuse for the child protection plan")
    if outcome == ConferenceOutcome.END_PLAN:
        invariants.refuse("outcome", "Only a review conference can end a plan")


def _complete_enquiry_at_conference(actor_user: Any, actor: Actor, enquiry: Section47, day: dt.date) -> None:
    enquiry.completed_date, enquiry.outcome, enquiry.icpc_not_required = (
        day,
        Section47Outcome.CONFERENCE,
        False,
    )
    enquiry.save(update_fields=["completed_date", "outcome", "icpc_not_required", "updated_at"])
    history(
        actor_user=actor_user,
        actor=actor,
        child=enquiry.child,
        obj=enquiry,
        from_status=Stage.OPEN,
        to_status=Stage.COMPLETED,
        effective_date=day,
        note="Section 47 completed at conference",
    )
    tasks_close(child=enquiry.child, kinds=[TaskKind.ICPC], actor_user=actor_user, obj=enquiry)


def cp_plan_start(
    *, actor_user: Any, actor: Actor, conference: Conference, previous_plans: int | None = None
) -> ChildProtectionPlan:
    """Start the plan on the conference date; end any open child in need plan that day (4001); open
    the core group (10 working days), review (3 months) and visit tasks. Audits `casework.cp_plan_start`."""
    from opencsc.casework.services.referrals import cin_plan_end

    child, start = conference.child, conference.conference_date
    invariants.check_cp_plan_start(child, conference.episode, start)
    for cin_plan in ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True):
        cin_plan_end(actor_user=actor_user, actor=actor, plan=cin_plan, end_date=start, check_access=False)
    plan = ChildProtectionPlan(
        child=child,
        recorded_by=actor_user,
        episode=conference.episode,
        conference=conference,
        start_date=start,
        initial_category=conference.category,
        latest_category=conference.category,
        number_of_previous_plans=(
            ChildProtectionPlan.objects.filter(child=child).count() if previous_plans is None else previous_plans
        ),
        is_pre_birth=child.is_unborn,
    )
    record_new(
        plan,
        actor_user=actor_user,
        actor=actor,
        child=child,
        action="casework.cp_plan_start",
        to_status=Stage.OPEN,
        effective_date=start,
        note=f"Child protection plan started ({conference.category})",
        category=conference.category,
    )
    task_open(child=child, kind=TaskKind.CORE_GROUP, due_date=timescales.first_core_group_due(start), obj=plan)
    task_open(child=child, kind=TaskKind.CP_REVIEW, due_date=timescales.first_cp_review_due(start), obj=plan)
    task_open(child=child, kind=TaskKind.CP_VISIT, due_date=timescales.cp_visit_due(start), obj=plan)
    return plan


def cp_review_record(
    *,
    actor_user: Any,
    actor: Actor,
    plan: ChildProtectionPlan,
    conference_date: dt.date,
    outcome: str,
    category: str = "",
    quorate: bool = True,
    chair: User | None = None,
    summary: str = "",
) -> Conference:
    """Record a review conference (8841: after the plan started). It continues the plan (changing
    the latest category if given; next review in 6 months) or ends it on the conference date.
    Audits `casework.conference_record` (and `casework.cp_plan_category` / `casework.cp_plan_end`)."""
    child = plan.child
    require_conference(actor_user, child)
    invariants.check_review_conference(plan, conference_date)
    if outcome not in (ConferenceOutcome.PLAN, ConferenceOutcome.END_PLAN):
        invariants.refuse("outcome", "A review either continues the plan or ends it")
    with transaction.atomic():
        conference = Conference(
            child=child,
            recorded_by=actor_user,
            episode=plan.episode,
            kind=ConferenceKind.REVIEW,
            plan=plan,
            conference_date=conference_date,
            chair=chair,
            quorate=quorate,
            target_date=_review_target(plan),
            outcome=outcome,
            category=category,
            summary=summary,
        )
        save_new(conference)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=conference,
            from_status="",
            to_status=Stage.COMPLETED,
            effective_date=conference_date,
            note="Review conference",
        )
        audit(
            actor=actor,
            action="casework.conference_record",
            child=child,
            obj=conference,
            kind="review",
            outcome=outcome,
        )
        tasks_close(child=child, kinds=[TaskKind.CP_REVIEW], actor_user=actor_user, obj=plan)
        if outcome == ConferenceOutcome.END_PLAN:
            cp_plan_end(actor_user=actor_user, actor=actor, plan=plan, end_date=conference_date, check_access=False)
        else:
            _continue_plan(actor_user, actor, plan, conference_date, category)
    return conference


def _review_target(plan: ChildProtectionPlan) -> dt.date:
    reviews = list(plan.review_conferences.values_list("conference_date", flat=True))
    return timescales.cp_review_due(plan.start_date, reviews)


def _continue_plan(actor_user: Any, actor: Actor, plan: ChildProtectionPlan, day: dt.date, category: str) -> None:
    if category and category != plan.latest_category:
        previous = plan.latest_category
        plan.latest_category = category
        plan.save(update_fields=["latest_category", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=plan.child,
            obj=plan,
            from_status=previous,
            to_status=category,
            effective_date=day,
            note="Category of abuse changed",
        )
        audit(actor=actor, action="casework.cp_plan_category", child=plan.child, obj=plan, category=category)
    task_open(child=plan.child, kind=TaskKind.CP_REVIEW, due_date=timescales.next_cp_review_due(day), obj=plan)


def cp_plan_end(
    *, actor_user: Any, actor: Actor, plan: ChildProtectionPlan, end_date: dt.date, check_access: bool = True
) -> ChildProtectionPlan:
    """End the plan (8840: not on its start day) and close its tasks. Audits `casework.cp_plan_end`.
    `check_access=False` only from a review conference, which has checked who may record it."""
    child = plan.child
    if check_access:
        require_change(actor_user, child)
    if plan.end_date:
        invariants.refuse("end_date", "This plan has already ended")
    invariants.check_cp_plan_end(plan, end_date)
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
            note="Child protection plan ended",
        )
        audit(actor=actor, action="casework.cp_plan_end", child=child, obj=plan)
        tasks_close(
            child=child,
            kinds=[TaskKind.CORE_GROUP, TaskKind.CP_REVIEW, TaskKind.CP_VISIT],
            actor_user=actor_user,
            obj=plan,
        )
    return plan


def core_group_record(
    *, actor_user: Any, actor: Actor, plan: ChildProtectionPlan, meeting_date: dt.date, summary: str = ""
) -> CoreGroupMeeting:
    """Record a core group meeting and schedule the next. Audits `casework.core_group_record`."""
    child = plan.child
    require_change(actor_user, child)
    invariants.not_in_future("meeting_date", meeting_date, "meeting date")
    invariants.not_before(
        "meeting_date", meeting_date, plan.start_date, "A core group cannot meet before the plan started"
    )
    if plan.end_date:
        invariants.refuse("meeting_date", "This plan has ended")
    with transaction.atomic():
        meeting = CoreGroupMeeting(
            child=child, recorded_by=actor_user, plan=plan, meeting_date=meeting_date, summary=summary
        )
        record_new(
            meeting,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.core_group_record",
            to_status=Stage.COMPLETED,
            effective_date=meeting_date,
            note="Core group met",
        )
        tasks_close(child=child, kinds=[TaskKind.CORE_GROUP], actor_user=actor_user, obj=plan)
        task_open(
            child=child,
            kind=TaskKind.CORE_GROUP,
            due_date=timescales.next_core_group_due(meeting_date),
            obj=plan,
        )
    return meeting
