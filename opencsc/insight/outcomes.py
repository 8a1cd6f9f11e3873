"""Reads of outcomes: a child's goals with their ratings (for the child's page, which the view reaches
through `people.selectors.get_person_for_user`, audited), and "distance travelled" aggregated by plan
type, team and service (counts and averages only, no child named).

Distance travelled is, for one goal and one person rating it, their latest rating minus their first:
how far that person thinks things have moved. A goal rated once by someone has no distance for them.
The child's and the parent's views are kept apart from the worker's, never averaged together."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from django.utils import timezone

from opencsc.accounts.models import Team, TeamKind
from opencsc.insight import charts
from opencsc.insight.models import GoalRating, PlanGoal, PlanType, Rater
from opencsc.insight.record import Record
from opencsc.people.models import Person


def _day(day: dt.date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@dataclass
class GoalView:
    goal: PlanGoal
    ratings: list[GoalRating]
    chart: str = ""

    @property
    def distance(self) -> dict[str, int]:
        return distances(self.ratings)


def distances(ratings: list[GoalRating]) -> dict[str, int]:
    """rater -> latest score minus first score, for each rater with two ratings or more."""
    by_rater: dict[str, list[GoalRating]] = defaultdict(list)
    for r in sorted(ratings, key=lambda r: (r.rated_on, r.pk)):
        by_rater[r.rater].append(r)
    return {rater: rs[-1].score - rs[0].score for rater, rs in by_rater.items() if len(rs) > 1}


def goals_for(person: Person) -> list[GoalView]:
    """The child's goals, each with its ratings and its chart."""
    goals = list(PlanGoal.objects.filter(child=person))
    ratings: dict[int, list[GoalRating]] = defaultdict(list)
    for rating in GoalRating.objects.filter(goal__in=goals).order_by("rated_on", "pk"):
        ratings[rating.goal_id].append(rating)
    views = []
    labels = dict(Rater.choices)
    for goal in goals:
        mine = ratings.get(goal.pk, [])
        days = sorted({r.rated_on for r in mine})
        rated = [charts.Rated(_day(r.rated_on), r.rater, str(labels[r.rater]), r.score) for r in mine]
        title = f"Ratings of the goal: {goal.goal}"
        chart = charts.goal_chart(f"goal-{goal.pk}", title, [_day(d) for d in days], rated)
        views.append(GoalView(goal, mine, chart))
    return views


@dataclass
class DistanceRow:
    label: str
    goals: int = 0
    by_rater: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def average(self, rater: str) -> str:
        values = self.by_rater.get(rater, [])
        return f"{mean(values):+.1f} ({len(values)})" if values else "None rated twice"


@dataclass
class DistanceTables:
    by_plan: list[DistanceRow]
    by_team: list[DistanceRow]
    by_service: list[DistanceRow]
    chart: str


def _mean(values: list[int]) -> float | None:
    return mean(values) if values else None


def distance_travelled(today: dt.date | None = None) -> DistanceTables:
    """Every goal's distance travelled, grouped by plan type, by the team holding the child today (or
    last), and by that team's service."""
    today = today or timezone.localdate()
    goals = list(PlanGoal.objects.values_list("pk", "child_id", "plan_type"))
    ratings: dict[int, list[GoalRating]] = defaultdict(list)
    for rating in GoalRating.objects.only("goal_id", "rater", "score", "rated_on", "pk"):
        ratings[rating.goal_id].append(rating)
    rec = Record({child for _, child, _ in goals})
    teams = {t.pk: t for t in Team.objects.all()}
    plans = dict(PlanType.choices)
    services = dict(TeamKind.choices)
    groups: dict[str, dict[str, DistanceRow]] = {"plan": {}, "team": {}, "service": {}}
    for pk, child, plan_type in goals:
        held = rec.holder(child, today)
        team = teams.get(held.team_id) if held else None
        keys = {
            "plan": str(plans.get(plan_type, plan_type)),
            "team": team.name if team else "No team",
            "service": str(services.get(team.kind, team.kind)) if team else "No team",
        }
        moved = distances(ratings.get(pk, []))
        for group, key in keys.items():
            row = groups[group].setdefault(key, DistanceRow(key))
            row.goals += 1
            for rater, value in moved.items():
                row.by_rater[rater].append(value)
    by_plan = sorted(groups["plan"].values(), key=lambda r: r.label)
    points = [charts.Point(r.label[:18], _mean(r.by_rater.get("worker", [])), r.average("worker")) for r in by_plan]
    chart = charts.bar_chart("distance", "Average distance travelled by plan type (the worker's ratings)", points)
    return DistanceTables(
        by_plan=by_plan,
        by_team=sorted(groups["team"].values(), key=lambda r: r.label),
        by_service=sorted(groups["service"].values(), key=lambda r: r.label),
        chart=chart,
    )
