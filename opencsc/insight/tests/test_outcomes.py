"""Goals agreed in plans and their 0-10 ratings: who may record and see them, the audit, the chart
on the child's record, and distance travelled by plan type, service and team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.insight import outcomes, services
from opencsc.insight.models import GoalRating, PlanGoal

pytestmark = pytest.mark.django_db
D = dt.date


def _goal(user, child, plan_type="cp", text="Jo gets to school every day"):
    return services.goal_add(
        actor_user=user,
        actor=Actor.from_user(user),
        child=child,
        plan_type=plan_type,
        agreed_on=D(2026, 1, 5),
        goal=text,
    )


def _rate(user, goal, day, rater, score, words=""):
    return services.goal_rate(
        actor_user=user,
        actor=Actor.from_user(user),
        goal=goal,
        rated_on=day,
        occasion="visit",
        rater=rater,
        score=score,
        words=words,
    )


def test_the_worker_records_a_goal_and_ratings_each_audited_about_the_child(social_worker, child):
    goal = _goal(social_worker, child)
    _rate(social_worker, goal, D(2026, 1, 5), "child", 2, "I hate mornings")
    events = AuditEvent.objects.filter(action__startswith="outcome.").order_by("seq")
    assert [(e.action, e.subject_person_id) for e in events] == [
        ("outcome.goal_add", child.pk),
        ("outcome.rating_add", child.pk),
    ]
    assert GoalRating.objects.get().words == "I hate mornings"  # the child's words, as given


def test_an_outsider_cannot_record_and_nothing_is_written(outsider, child, social_worker):
    with pytest.raises(PermissionDenied):
        _goal(outsider, child)
    goal = _goal(social_worker, child)
    with pytest.raises(PermissionDenied):
        _rate(outsider, goal, D(2026, 2, 1), "worker", 5)
    assert GoalRating.objects.count() == 0


def test_ratings_outside_0_to_10_or_before_the_goal_are_refused(social_worker, child):
    goal = _goal(social_worker, child)
    with pytest.raises(ValidationError):
        _rate(social_worker, goal, D(2026, 2, 1), "worker", 11)
    with pytest.raises(ValidationError):
        _rate(social_worker, goal, D(2026, 1, 4), "worker", 5)
    assert GoalRating.objects.count() == 0


def test_distance_travelled_is_each_raters_latest_minus_first(social_worker, team_manager, child, east_team):
    goal = _goal(social_worker, child)
    _rate(social_worker, goal, D(2026, 1, 5), "worker", 3)
    _rate(social_worker, goal, D(2026, 3, 5), "worker", 5)
    _rate(social_worker, goal, D(2026, 5, 5), "worker", 8)  # worker: 8 - 3 = +5
    _rate(social_worker, goal, D(2026, 1, 5), "child", 6)
    _rate(social_worker, goal, D(2026, 5, 5), "child", 4)  # child: 4 - 6 = -2
    _rate(social_worker, goal, D(2026, 5, 5), "parent", 7)  # parent rated once: no distance
    other = _goal(social_worker, child, plan_type="cin", text="Mum gets help with the rent")
    _rate(social_worker, other, D(2026, 1, 5), "worker", 2)
    _rate(social_worker, other, D(2026, 2, 5), "worker", 3)  # +1
    tables = outcomes.distance_travelled()  # the child is held by the east team today
    plans = {r.label: r for r in tables.by_plan}
    assert plans["Child protection plan"].average("worker") == "+5.0 (1)"
    assert plans["Child protection plan"].average("child") == "-2.0 (1)"
    assert plans["Child protection plan"].average("parent") == "None rated twice"
    team = {r.label: r for r in tables.by_team}[east_team.name]
    assert (team.goals, team.average("worker")) == (2, "+3.0 (2)")  # (5 + 1) / 2, the child's team
    assert {r.label for r in tables.by_service} == {"Family support and child protection"}


def test_the_childs_page_draws_each_goal_and_is_audited(client_for, social_worker, child):
    goal = _goal(social_worker, child)
    _rate(social_worker, goal, D(2026, 1, 5), "worker", 3)
    _rate(social_worker, goal, D(2026, 2, 5), "child", 5, "Better now")
    before = AuditEvent.objects.count()
    body = client_for(social_worker).get(f"/insight/outcomes/{child.pk}/").content.decode()
    assert 'role="img"' in body and "Ratings of the goal: Jo gets to school every day" in body
    assert "<q>Better now</q>" in body
    read = AuditEvent.objects.filter(seq__gt=before, action="person.view").get()
    assert read.subject_person_id == child.pk


def test_outsiders_and_analysts_get_404_for_a_childs_outcomes(client_for, outsider, analyst, child):
    for user in (outsider, analyst):
        assert client_for(user).get(f"/insight/outcomes/{child.pk}/").status_code == 404
        assert client_for(user).get(f"/insight/outcomes/{child.pk}/goals/new/").status_code == 404


def test_the_goal_form_shows_an_error_summary_then_records(client_for, social_worker, child):
    client = client_for(social_worker)
    body = client.post(f"/insight/outcomes/{child.pk}/goals/new/", {}).content.decode()
    assert "govuk-error-summary" in body and "Enter the goal" in body
    response = client.post(
        f"/insight/outcomes/{child.pk}/goals/new/",
        {
            "plan_type": "cin",
            "goal": "Sam sleeps in their own bed",
            "agreed_on_0": "5",
            "agreed_on_1": "1",
            "agreed_on_2": "2026",
        },
    )
    assert response.status_code == 302
    goal = PlanGoal.objects.get()
    response = client.post(
        f"/insight/outcomes/{child.pk}/goals/{goal.pk}/rate/",
        {
            "rater": "parent",
            "score": "6",
            "occasion": "review",
            "rated_on_0": "9",
            "rated_on_1": "2",
            "rated_on_2": "2026",
        },
    )
    assert response.status_code == 302
    assert GoalRating.objects.get().rater == "parent"


def test_distance_page_is_for_dashboard_users(client_for, analyst, social_worker):
    assert client_for(analyst).get("/insight/outcomes/").status_code == 200
    assert client_for(social_worker).get("/insight/outcomes/").status_code == 403


ROLES = ["social_worker", "team_manager", "outsider", "mash_practitioner", "conference_chair", "analyst"]
ROLES += ["ig_officer", "partner", "system_admin"]
ALLOWED = {"social_worker", "team_manager"}  # the cast's child is on their caseload


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_outcomes_page(request, role, social_worker, child, client_for):
    goal = _goal(social_worker, child)
    client = client_for(request.getfixturevalue(role))
    for path in (
        f"/insight/outcomes/{child.pk}/",
        f"/insight/outcomes/{child.pk}/goals/new/",
        f"/insight/outcomes/{child.pk}/goals/{goal.pk}/rate/",
    ):
        response = client.get(path)
        assert response.status_code == (200 if role in ALLOWED else 404), f"{role} {path}"
        if role not in ALLOWED:
            assert child.la_child_id not in response.content.decode()


def test_a_goal_of_another_child_is_404(social_worker, child, client_for, stranger_child):
    other = PlanGoal.objects.create(child=stranger_child, plan_type="cin", agreed_on=D(2026, 1, 5), goal="Other")
    assert client_for(social_worker).get(f"/insight/outcomes/{child.pk}/goals/{other.pk}/rate/").status_code == 404
