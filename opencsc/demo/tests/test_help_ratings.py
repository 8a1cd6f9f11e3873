"""The demo borough's family plans are rated at their reviews, so insight's distance travelled has
data to show: each goal rated 0-10 by the worker (and often a parent and the child), mostly upwards."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from opencsc.casework.models import FamilyHelpGoalRating, FamilyHelpReview
from opencsc.insight import outcomes

pytestmark = pytest.mark.django_db


def test_a_seeded_borough_has_goal_ratings_and_a_distance_travelled(client_for):
    call_command("seed_demo", children=40, seed=13, stdout=io.StringIO())
    ratings = FamilyHelpGoalRating.objects.all()
    assert ratings.count() > 50
    assert {r.rater for r in ratings} == {"worker", "parent", "child"}
    assert all(0 <= r.score <= 10 for r in ratings)
    # Every review rated by the worker for every goal of its plan; ratings belong to their review's plan.
    for review in FamilyHelpReview.objects.prefetch_related("ratings__goal", "plan__goals")[:200]:
        worker = {r.goal_id for r in review.ratings.all() if r.rater == "worker"}
        assert worker == {g.pk for g in review.plan.goals.all()}
        assert all(r.goal.plan_id == review.plan_id for r in review.ratings.all())
    tables = outcomes.distance_travelled()
    help_rows = [row for row in tables.by_plan if row.label in ("Early help plan", "Family help plan")]
    assert help_rows and help_rows[0].by_rater["worker"], [r.label for r in tables.by_plan]
    moved = help_rows[0].by_rater["worker"]
    assert sum(moved) / len(moved) > 0  # a plausible trend: on average, forwards
    # and the page a manager opens shows the figure, not "None rated twice"
    from opencsc.accounts.models import User

    manager = User.objects.get(username="tm.demo")
    html = client_for(manager).get("/insight/outcomes/").content.decode()
    assert help_rows[0].label in html and help_rows[0].average("worker") in html
