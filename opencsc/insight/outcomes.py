"""Reads of outcomes: a child's goals with their ratings (for the child's page, which the view reaches
through `people.selectors.get_person_for_user`, audited), and "distance travelled" aggregated by plan
type, team and service (counts and averages only, no child named).

Two sources, one definition: the goals recorded here (`PlanGoal`, `GoalRating`: child in need, child
protection, care and pathway plans) and the goals of an early help / Family Help plan, which are
recorded once in casework (`FamilyHelpGoal`) and rated at its plan reviews (`FamilyHelpGoalRating`).
Both are read into the same `Goal` and `Rating` rows below, so the distance travelled is computed the
same way for both and nothing is entered twice.

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
from opencsc.casework import help_model
from opencsc.casework.models import FamilyHelpGoal, FamilyHelpGoalRating
from opencsc.insight import charts
from opencsc.insight.models import GoalRating, PlanGoal, PlanType, Rater
from opencsc.insight.record import Record
from opencsc.people.models import Person


def _day(day: dt.date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@dataclass(frozen=True)
class Rating:
    """One rating of a goal, from either source."""

    pk: int
    rated_on: dt.date
    rater: str
    score: int
    occasion: str
    words: str = ""

    @property
    def rater_label(self) -> str:
        return str(dict(Rater.choices).get(self.rater, self.rater))


@dataclass(frozen=True)
class Goal:
    """A goal, from either source: `key` is unique across both ("goal-3", "family-goal-7");
    `plan_goal_id` is set for goals recorded here (which are rated here too)."""

    key: str
    text: str
    plan_label: str
    agreed_on: dt.date
    child_id: int
    plan_goal_id: int | None = None


@dataclass
class GoalView:
    goal: Goal
    ratings: list[Rating]
    chart: str = ""

    @property
    def distance(self) -> dict[str, int]:
        return distances(self.ratings)


def distances(ratings: list[Rating]) -> dict[str, int]:
    """rater -> latest score minus first score, for each rater with two ratings or more."""
    by_rater: dict[str, list[Rating]] = defaultdict(list)
    for r in sorted(ratings, key=lambda r: (r.rated_on, r.pk)):
        by_rater[r.rater].append(r)
    return {rater: rs[-1].score - rs[0].score for rater, rs in by_rater.items() if len(rs) > 1}


def help_plan_label() -> str:
    """ "Early help plan" or "Family help plan", as the council names its help (OPENCSC_HELP_MODEL)."""
    return f"{help_model.help_name()} plan"


def _plan_label(plan_type: str) -> str:
    if plan_type == PlanType.FAMILY_HELP:
        return help_plan_label()
    return str(dict(PlanType.choices).get(plan_type, plan_type))


def goals_and_ratings(child_ids: list[int] | None = None, *, statutory: bool = True) -> list[tuple[Goal, list[Rating]]]:
    """Every goal with its ratings (oldest first), from both sources: four queries, whatever the
    number of goals. `child_ids` limits it to those children; `statutory=False` reads the family
    plans' goals only (social care's plan goals are not even queried)."""
    plan_goals = PlanGoal.objects.all() if statutory else PlanGoal.objects.none()
    help_goals = FamilyHelpGoal.objects.select_related("plan")
    if child_ids is not None:
        plan_goals = plan_goals.filter(child_id__in=child_ids)
        help_goals = help_goals.filter(child_id__in=child_ids)
    found: list[tuple[Goal, list[Rating]]] = []
    rated: dict[str, list[Rating]] = defaultdict(list)
    here = list(plan_goals.only("pk", "child_id", "plan_type", "goal", "agreed_on"))
    for r in GoalRating.objects.filter(goal__in=here).order_by("rated_on", "pk"):
        rated[f"goal-{r.goal_id}"].append(Rating(r.pk, r.rated_on, r.rater, r.score, r.get_occasion_display(), r.words))
    for g in here:
        key = f"goal-{g.pk}"
        found.append((Goal(key, g.goal, _plan_label(g.plan_type), g.agreed_on, g.child_id, g.pk), rated[key]))
    family = list(help_goals)
    ratings = FamilyHelpGoalRating.objects.filter(goal__in=family).select_related("review")
    for fr in ratings.order_by("review__review_date", "pk"):
        rated[f"family-goal-{fr.goal_id}"].append(
            Rating(fr.pk, fr.review.review_date, fr.rater, fr.score, "Review of the family's plan")
        )
    label = help_plan_label()
    for fg in family:
        key = f"family-goal-{fg.pk}"
        found.append((Goal(key, fg.goal, label, fg.plan.start_date, fg.child_id), rated[key]))
    return sorted(found, key=lambda pair: (pair[0].agreed_on, pair[0].key))


def goals_for(person: Person, *, statutory: bool = True) -> list[GoalView]:
    """The child's goals, each with its ratings and its chart (`statutory=False`: the family plan's only)."""
    views = []
    for goal, mine in goals_and_ratings([person.pk], statutory=statutory):
        days = sorted({r.rated_on for r in mine})
        rated = [charts.Rated(_day(r.rated_on), r.rater, r.rater_label, r.score) for r in mine]
        title = f"Ratings of the goal: {goal.text}"
        chart = charts.goal_chart(goal.key, title, [_day(d) for d in days], rated)
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
    goals = goals_and_ratings()
    rec = Record({goal.child_id for goal, _ in goals})
    teams = {t.pk: t for t in Team.objects.all()}
    services = dict(TeamKind.choices)
    groups: dict[str, dict[str, DistanceRow]] = {"plan": {}, "team": {}, "service": {}}
    for goal, ratings in goals:
        held = rec.holder(goal.child_id, today)
        team = teams.get(held.team_id) if held else None
        keys = {
            "plan": goal.plan_label,
            "team": team.name if team else "No team",
            "service": str(services.get(team.kind, team.kind)) if team else "No team",
        }
        moved = distances(ratings)
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
