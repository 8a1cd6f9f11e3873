"""Closing a referral episode: checks first, then everything still open ends on the closure date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind
from opencsc.accounts.services import allocation_end
from opencsc.audit.services import Actor
from opencsc.casework import invariants
from opencsc.casework.models import (
    ChildInNeedPlan,
    ChildProtectionPlan,
    PeriodOfCare,
    ReasonForClosure,
    ReferralEpisode,
    Stage,
    Task,
)
from opencsc.casework.services._common import audit, history, require_change, user_or_none
from opencsc.casework.services.family_help import FAMILY_TASKS, link_step_down


def episode_activity_dates(episode: ReferralEpisode) -> list[dt.date]:
    """Every date of work recorded on the episode (nothing may follow the closure: rule 8565)."""
    dates: list[dt.date] = []
    for a in episode.assessments.all():
        dates += [d for d in (a.start_date, a.authorised_date) if d]
    dates += list(episode.section47s.values_list("start_date", flat=True))
    dates += list(episode.conferences.values_list("conference_date", flat=True))
    dates += list(episode.cin_plans.values_list("start_date", flat=True))
    dates += list(episode.cp_plans.values_list("start_date", flat=True))
    return dates


def check_closure(episode: ReferralEpisode, closure_date: dt.date, reason: str) -> None:
    """8805/8810 date and reason together; 8565 nothing after closure; 8585Q RC2 needs a date of
    death; 8825Q RC8/RC9 need an assessment; open assessments, enquiries and care are finished first."""
    if not episode.is_open:
        invariants.refuse("closure_date", "This episode is already closed")
    if reason not in ReasonForClosure.values:
        invariants.refuse("closure_reason", "Select the reason for closure")
    invariants.not_in_future("closure_date", closure_date, "closure date")
    invariants.not_before(
        "closure_date",
        closure_date,
        episode.referral_date,
        "The episode cannot close before the referral date",
    )
    latest = max(episode_activity_dates(episode), default=None)
    invariants.not_before(
        "closure_date",
        closure_date,
        latest,
        f"Work is recorded on {latest:%d %B %Y}: close on or after that date" if latest else "",
    )
    child = episode.child
    if reason == ReasonForClosure.RC2 and child.date_of_death is None:
        invariants.refuse(
            "closure_reason", "RC2 (died) needs the child's date of death: record it on their record first"
        )
    if reason in (ReasonForClosure.RC8, ReasonForClosure.RC9) and not episode.assessments.exists():
        invariants.refuse(
            "closure_reason",
            "RC8 and RC9 are for cases closed after an assessment: this episode has none, so choose another reason",
        )
    if episode.assessments.filter(authorised_date__isnull=True).exists():
        invariants.refuse("closure_date", "An assessment is still open: complete and authorise it before closing")
    if episode.section47s.filter(completed_date__isnull=True).exists():
        invariants.refuse("closure_date", "A section 47 enquiry is still open: complete it before closing")
    if PeriodOfCare.objects.filter(child=child, end_date__isnull=True).exists():
        invariants.refuse("closure_date", "The child is still looked after: end the period of care first")
    plan = ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True).first()
    if plan and closure_date <= plan.start_date:
        invariants.refuse("closure_date", "The child protection plan started that day: close on a later day")


def episode_close(
    *, actor_user: Any, actor: Actor, episode: ReferralEpisode, closure_date: dt.date, closure_reason: str
) -> ReferralEpisode:
    """Close the episode after `check_closure`: an open CP or CIN plan ends on the closure date,
    every open task for the child is closed, and the child's allocations end
    OPENCSC_CLOSED_CASE_ACCESS_DAYS after the closure date (never before tomorrow), so the case
    leaves the caseload. Audits `casework.episode_close` (and the plan and allocation ends);
    status open -> closed."""
    from opencsc.casework.services.protection import cp_plan_end
    from opencsc.casework.services.referrals import cin_plan_end

    child = episode.child
    require_change(actor_user, child)
    check_closure(episode, closure_date, closure_reason)
    with transaction.atomic():
        for plan in ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True):
            cp_plan_end(actor_user=actor_user, actor=actor, plan=plan, end_date=closure_date)
        for cin_plan in ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True):
            cin_plan_end(actor_user=actor_user, actor=actor, plan=cin_plan, end_date=closure_date)
        episode.closure_date, episode.closure_reason = closure_date, closure_reason
        episode.save(update_fields=["closure_date", "closure_reason", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=episode,
            from_status=Stage.OPEN,
            to_status=Stage.CLOSED,
            effective_date=closure_date,
            note=f"Case closed ({closure_reason})",
        )
        audit(actor=actor, action="casework.episode_close", child=child, obj=episode, reason=closure_reason)
        # The family's help (its tasks and lead practitioner) goes on: under Family Help it runs
        # alongside the social care episode, and RC9 hands the family back to it.
        Task.objects.open().filter(person=child).exclude(kind__in=FAMILY_TASKS).update(
            done_at=timezone.now(), done_by=user_or_none(actor_user)
        )
        _leave_caseload(actor, child, closure_date)
        if closure_reason == ReasonForClosure.RC9:
            link_step_down(episode=episode)
    return episode


def caseload_ends_after_closure(closure_date: dt.date) -> dt.date:
    """The day a child whose case closed leaves the caseload: OPENCSC_CLOSED_CASE_ACCESS_DAYS after
    the closure date, time to finish closure letters and summaries."""
    return closure_date + dt.timedelta(days=settings.OPENCSC_CLOSED_CASE_ACCESS_DAYS)


def _leave_caseload(actor: Actor, child: Any, closure_date: dt.date) -> None:
    ends = max(caseload_ends_after_closure(closure_date), timezone.localdate() + dt.timedelta(days=1))
    current = Allocation.objects.current().filter(person=child).exclude(kind=AllocationKind.LEAD_PRACTITIONER)
    for allocation in current.exclude(end_date__lte=ends):
        allocation_end(actor=actor, allocation=allocation, end_date=max(ends, allocation.start_date))
