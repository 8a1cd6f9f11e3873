"""Reads for the insight pages. Figures come from the latest finished run (no recomputation on a
request); the children behind a figure are recomputed from the record for the children the user may
see (`accounts.access.visible_persons`), and every such list is audited (`insight.children`)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Team, User
from opencsc.audit.services import Actor, record_event
from opencsc.insight.charts import Point
from opencsc.insight.definitions import INDICATORS, THEMES, Indicator, Kind
from opencsc.insight.models import ComputeRun, Level, RunStatus, Snapshot
from opencsc.insight.record import Record, Window, month_windows
from opencsc.people.models import Person


def latest_run() -> ComputeRun | None:
    return ComputeRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk").first()


def value_of(indicator: Indicator, numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    if indicator.kind == Kind.PERCENT:
        return 100.0 * numerator / denominator
    if indicator.kind == Kind.RATE:
        return 10000.0 * numerator / denominator
    return numerator / denominator


def text_of(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "Nothing to measure"
    if indicator.kind == Kind.PERCENT:
        return f"{value:.1f}%"
    return f"{value:.1f}"


@dataclass(frozen=True)
class Figure:
    """One stored figure, read for a page."""

    month: dt.date
    numerator: int
    denominator: int
    value: float | None
    text: str
    label: str = ""  # a team's or worker's name, for breakdowns
    team_id: int | None = None

    @property
    def month_label(self) -> str:
        return f"{calendar.month_abbr[self.month.month]} {self.month.year}"

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"


def _figure(indicator: Indicator, row: Snapshot, label: str = "") -> Figure:
    value = value_of(indicator, row.numerator, row.denominator)
    return Figure(row.month, row.numerator, row.denominator, value, text_of(indicator, value), label, row.team_id)


def series(run: ComputeRun, indicator: Indicator, team_id: int | None = None) -> list[Figure]:
    """The indicator by month, for the borough or one team."""
    rows = Snapshot.objects.filter(run=run, indicator=indicator.key)
    rows = rows.filter(level=Level.TEAM, team_id=team_id) if team_id else rows.filter(level=Level.BOROUGH)
    by_month = {row.month: row for row in rows}
    return [_figure(indicator, by_month.get(m) or Snapshot(month=m, numerator=0, denominator=0)) for m in _months(run)]


def points(indicator: Indicator, figures: list[Figure], by: str = "month") -> list[Point]:
    return [Point(f.month_label if by == "month" else f.label, f.value, f.text) for f in figures]


def by_team(run: ComputeRun, indicator: Indicator, month: dt.date) -> list[Figure]:
    rows = Snapshot.objects.filter(run=run, indicator=indicator.key, level=Level.TEAM, month=month)
    names = dict(Team.objects.values_list("pk", "name"))
    found = [_figure(indicator, r, names.get(r.team_id, "No team") if r.team_id else "No team") for r in rows]
    return sorted(found, key=lambda f: f.label)


def by_worker(run: ComputeRun, indicator: Indicator, month: dt.date, team_id: int) -> list[Figure]:
    rows = Snapshot.objects.filter(run=run, indicator=indicator.key, level=Level.WORKER, month=month, team_id=team_id)
    workers = {u.pk: u.get_full_name() or u.get_username() for u in User.objects.filter(team_id=team_id)}
    workers |= {
        u.pk: u.get_full_name() or u.get_username()
        for u in User.objects.filter(pk__in=[r.worker_id for r in rows if r.worker_id and r.worker_id not in workers])
    }
    found = [_figure(indicator, r, workers.get(r.worker_id, "") if r.worker_id else "No named worker") for r in rows]
    return sorted(found, key=lambda f: f.label)


@dataclass
class Headline:
    indicator: Indicator
    latest: Figure | None
    previous: Figure | None
    year_before: Figure | None


@dataclass
class Theme:
    name: str
    rows: list[Headline] = field(default_factory=list)


def dashboard(run: ComputeRun, team_id: int | None = None) -> list[Theme]:
    """Each indicator's latest month, the month before and the same month a year earlier: one query
    for the three months' rows of every indicator (about 90 small rows, not the run's thousands)."""
    level = {"level": Level.TEAM, "team_id": team_id} if team_id else {"level": Level.BOROUGH}
    months = _months(run)
    wanted = {offset: months[-1 - offset] for offset in (0, 1, 12) if len(months) > offset}
    rows = {
        (key, month): (numerator, denominator)
        for key, month, numerator, denominator in Snapshot.objects.filter(
            run=run, month__in=list(wanted.values()), **level
        ).values_list("indicator", "month", "numerator", "denominator")
    }
    themes = {name: Theme(name) for name in THEMES}
    for indicator in INDICATORS:
        if team_id and not indicator.by_team:
            continue
        found: dict[int, Figure | None] = {}
        for offset in (0, 1, 12):
            month = wanted.get(offset)
            if month is None:
                found[offset] = None
                continue
            numerator, denominator = rows.get((indicator.key, month), (0, 0))
            value = value_of(indicator, numerator, denominator)
            found[offset] = Figure(month, numerator, denominator, value, text_of(indicator, value))
        themes[indicator.theme].rows.append(Headline(indicator, found[0], found[1], found[12]))
    return [t for t in themes.values() if t.rows]


def _months(run: ComputeRun) -> list[dt.date]:
    """The run's months, oldest first (from the run itself: no query)."""
    return [w.month for w in month_windows(run.as_of, run.months)]


def teams_measured(run: ComputeRun) -> list[Team]:
    ids = Snapshot.objects.filter(run=run, level=Level.TEAM, team_id__isnull=False).order_by().values("team_id")
    return list(Team.objects.filter(pk__in=ids).order_by("name"))


# --- the children behind a figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    person: Person
    counted: bool
    day: dt.date


@dataclass
class Children:
    indicator: Indicator
    window: Window
    rows: list[ChildRow]
    stored: Figure | None  # the figure the dashboard shows, for comparison
    team: Team | None

    @property
    def counted(self) -> list[ChildRow]:
        return [r for r in self.rows if r.counted]

    @property
    def not_counted(self) -> list[ChildRow]:
        return [r for r in self.rows if not r.counted]

    @property
    def not_listed(self) -> int:
        """Cases in the stored figure that are not on this list (outside the user's access, or changed
        since the figure was computed)."""
        if self.stored is None:
            return 0
        total = self.stored.numerator if self.indicator.kind != Kind.PERCENT else self.stored.denominator
        return max(0, total - len(self.rows))


def window_for(month: dt.date) -> Window:
    last = dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    return Window(month, min(last, timezone.localdate()))


def indicator_children(
    *, user: User, actor: Actor, indicator: Indicator, month: dt.date, team: Team | None = None
) -> Children:
    """The children behind one month's figure that the user may see, recomputed from the record, and
    one `insight.children` audit event naming each of them. Callers check
    `access.can_list_indicator_children` first."""
    window = window_for(month)
    rec = Record(access.visible_persons(user).values("pk"))
    cases = indicator.cases(rec, window)
    if team is not None:
        cases = [c for c in cases if (c.team_id or _held_by(rec, c.child_id, window)) == team.pk]
    people = Person.objects.in_bulk({c.child_id for c in cases})
    rows = sorted(
        (ChildRow(people[c.child_id], c.counted, c.day) for c in cases if c.child_id in people),
        key=lambda r: (not r.counted, r.day, r.person.pk),
    )
    run = latest_run()
    stored = None
    if run is not None:
        level = {"level": Level.TEAM, "team": team} if team else {"level": Level.BOROUGH}
        row = Snapshot.objects.filter(run=run, indicator=indicator.key, month=month, **level).first()
        stored = _figure(indicator, row) if row else None
    record_event(
        actor=actor,
        action="insight.children",
        detail={
            "indicator": indicator.key,
            "month": f"{month:%Y-%m}",
            "team_id": team.pk if team else None,
            "person_ids": sorted({r.person.pk for r in rows}),
        },
    )
    return Children(indicator, window, rows, stored, team)


def _held_by(rec: Record, child: int, w: Window) -> int | None:
    held = rec.holder(child, w.end)
    return held.team_id if held else None
