"""Writes of the insight app: computing the indicators into a stored run, and the outcomes of a
child's plans (goals and their ratings)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit.services import Actor, record_event
from opencsc.core import limits
from opencsc.insight.definitions import INDICATORS, Case, Indicator
from opencsc.insight.models import ComputeRun, GoalRating, Level, PlanGoal, RunStatus, Snapshot
from opencsc.insight.record import Record, Window, month_windows
from opencsc.people.models import Person

Progress = Callable[[int, int], None]
KEEP_RUNS = 3  # older finished runs are deleted after a good run (the page shows the latest)


def figures(indicator: Indicator, rec: Record, w: Window) -> list[Snapshot]:
    """The month's figure for the borough and, unless the indicator is borough-only, for each team
    and worker that held the children (the holder at the month's end; see `Record.holder`)."""
    cases = indicator.cases(rec, w)
    rows = [_snapshot(indicator, w, Level.BOROUGH, None, None, cases)]
    if not indicator.by_team:
        return rows
    teams: dict[int | None, list[Case]] = defaultdict(list)
    workers: dict[tuple[int | None, int | None], list[Case]] = defaultdict(list)
    for case in cases:
        team, worker = case.team_id, case.worker_id
        if team is None:
            held = rec.holder(case.child_id, w.end)
            team, worker = (held.team_id, held.worker_id) if held else (None, None)
        teams[team].append(case)
        workers[(team, worker)].append(case)
    rows += [_snapshot(indicator, w, Level.TEAM, team, None, c) for team, c in teams.items()]
    rows += [_snapshot(indicator, w, Level.WORKER, team, worker, c) for (team, worker), c in workers.items()]
    return rows


def _snapshot(
    indicator: Indicator, w: Window, level: str, team: int | None, worker: int | None, cases: list[Case]
) -> Snapshot:
    from django.conf import settings

    counted = sum(1 for c in cases if c.counted)
    if indicator.kind == "rate":
        denominator = int(settings.OPENCSC_CHILD_POPULATION)
    elif indicator.kind == "average":
        denominator = len({c.worker_id for c in cases if c.worker_id is not None})
    else:
        denominator = len(cases)
    return Snapshot(
        indicator=indicator.key,
        month=w.month,
        level=level,
        team_id=team,
        worker_id=worker,
        numerator=counted,
        denominator=denominator,
    )


def indicators_compute(
    *,
    actor: Actor,
    as_of: dt.date | None = None,
    months: int = 24,
    indicators: Iterable[Indicator] = INDICATORS,
    progress: Progress | None = None,
) -> ComputeRun:
    """Compute every indicator for `months` months to `as_of` (default today) and store them as a
    new run, replacing nothing until it is complete: the run and its figures are written in one
    transaction, with one `insight.compute` audit event (counts only, no person ids: no one is
    shown). Older runs beyond the last KEEP_RUNS are then deleted."""
    as_of = as_of or timezone.localdate()
    chosen = list(indicators)
    started, clock = timezone.now(), time.perf_counter()
    rec, windows = Record(), month_windows(as_of, months)
    rows: list[Snapshot] = []
    for done, indicator in enumerate(chosen, start=1):
        for w in windows:
            rows += figures(indicator, rec, w)
        if progress is not None:
            progress(done, len(chosen))
    with transaction.atomic():
        run = ComputeRun.objects.create(
            started_at=started, as_of=as_of, months=months, actor_repr=actor.name, status=RunStatus.RUNNING
        )
        for row in rows:
            row.run = run
        Snapshot.objects.bulk_create(rows, batch_size=2000)
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.seconds = round(time.perf_counter() - clock, 3)
        run.save(update_fields=["status", "finished_at", "seconds"])
        levels = Counter(row.level for row in rows)
        record_event(
            actor=actor,
            action="insight.compute",
            obj=run,
            detail={"indicators": len(chosen), "months": months, "as_of": as_of.isoformat(), "figures": dict(levels)},
        )
    keep = ComputeRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk")[:KEEP_RUNS]
    ComputeRun.objects.exclude(pk__in=list(keep.values_list("pk", flat=True))).delete()
    return run


# --- outcomes ---------------------------------------------------------------------------------------


def _require_rater(user: Any, child: Person) -> None:
    """Goals and ratings are recorded by whoever may record the child's casework, and by the chair or
    reviewing officer allocated to the child (ratings are taken at reviews)."""
    if not access.can_record_conference(user, child.pk):
        raise PermissionDenied("You cannot record this child's goals")


def _check(instance: Any) -> None:
    if errors := limits.model_errors(instance):
        raise ValidationError(errors)


def goal_add(
    *, actor_user: Any, actor: Actor, child: Person, plan_type: str, agreed_on: dt.date, goal: str
) -> PlanGoal:
    """Record a goal agreed in the child's plan, audited as `outcome.goal_add` about the child."""
    _require_rater(actor_user, child)
    made = PlanGoal(
        child=child,
        recorded_by=actor_user if isinstance(actor_user, User) else None,
        plan_type=plan_type,
        agreed_on=agreed_on,
        goal=goal.strip(),
    )
    _check(made)
    with transaction.atomic():
        made.save()
        record_event(
            actor=actor,
            action="outcome.goal_add",
            subject_person_id=child.pk,
            obj=made,
            detail={"plan_type": plan_type, "agreed_on": agreed_on.isoformat()},
        )
    return made


def goal_rate(
    *,
    actor_user: Any,
    actor: Actor,
    goal: PlanGoal,
    rated_on: dt.date,
    occasion: str,
    rater: str,
    score: int,
    words: str = "",
) -> GoalRating:
    """Record one rating (0 to 10) of a goal by the worker, the child or a parent, audited as
    `outcome.rating_add`. A rating before the goal was agreed is refused."""
    _require_rater(actor_user, goal.child)
    if not 0 <= score <= 10:
        raise ValidationError({"score": "The rating must be a whole number from 0 to 10"})
    if rated_on < goal.agreed_on:
        raise ValidationError({"rated_on": "The rating cannot be before the goal was agreed"})
    made = GoalRating(
        child=goal.child,
        recorded_by=actor_user if isinstance(actor_user, User) else None,
        goal=goal,
        rated_on=rated_on,
        occasion=occasion,
        rater=rater,
        score=score,
        words=words.strip(),
    )
    _check(made)
    with transaction.atomic():
        made.save()
        record_event(
            actor=actor,
            action="outcome.rating_add",
            subject_person_id=goal.child_id,
            obj=made,
            detail={"goal": goal.pk, "rater": rater, "rated_on": rated_on.isoformat()},
        )
    return made
