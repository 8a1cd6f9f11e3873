"""Writes of the insight app: computing the indicators into a stored run."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.insight.definitions import INDICATORS, Case, Indicator
from opencsc.insight.models import ComputeRun, Level, RunStatus, Snapshot
from opencsc.insight.record import Record, Window, month_windows

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
