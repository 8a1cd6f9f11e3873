"""The performance dashboard, one page per indicator, the children behind a figure, and outcomes: a
child's goals and ratings, and distance travelled across the service."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from opencsc.accounts import access
from opencsc.accounts.models import Team
from opencsc.audit.services import Actor
from opencsc.core.http import AuthedRequest
from opencsc.insight import charts, definitions, selectors, services
from opencsc.insight.models import PlanGoal
from opencsc.people.models import Person


def _require_viewer(request: AuthedRequest) -> None:
    if not access.can_view_indicators(request.user):
        raise PermissionDenied("The performance dashboard is for managers, chairs and performance analysts")


def _team(request: AuthedRequest, teams: list[Team]) -> Team | None:
    """The team chosen in the filter, if it is one the run measured (anything else: the borough)."""
    raw = request.GET.get("team", "")
    return next((t for t in teams if raw.isdigit() and t.pk == int(raw)), None)


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    _require_viewer(request)
    run = selectors.latest_run()
    teams = selectors.teams_measured(run) if run else []
    team = _team(request, teams)
    context = {
        "run": run,
        "team": team,
        "teams": teams,
        "themes": selectors.dashboard(run, team.pk if team else None) if run else [],
        "can_list": access.can_list_indicator_children(request.user),
    }
    return render(request, "insight/dashboard.html", context)


@login_required
@require_GET
def indicator(request: AuthedRequest, key: str) -> HttpResponse:
    _require_viewer(request)
    chosen = definitions.get(key)
    if chosen is None:
        raise Http404("No such indicator")
    run = selectors.latest_run()
    teams = selectors.teams_measured(run) if run and chosen.by_team else []
    team = _team(request, teams)
    context: dict[str, object] = {"indicator": chosen, "run": run, "team": team}
    if run is not None:
        figures = selectors.series(run, chosen, team.pk if team else None)
        latest = next((f for f in reversed(figures) if f.denominator), figures[-1] if figures else None)
        where = f" in {team.name}" if team else ""
        context |= {
            "figures": figures,
            "latest": latest,
            "teams": teams,
            "line": charts.line_chart(
                "trend", f"{chosen.title}{where}, by month", selectors.points(chosen, figures), _axis_unit(chosen)
            ),
            "can_list": access.can_list_indicator_children(request.user),
        }
        if latest is not None and chosen.by_team:
            split = (
                selectors.by_worker(run, chosen, latest.month, team.pk)
                if team
                else selectors.by_team(run, chosen, latest.month)
            )
            context["split"] = split
            context["split_by"] = "worker" if team else "team"
            context["bars"] = charts.bar_chart(
                "split",
                f"{chosen.title}{where} by {'worker' if team else 'team'}, {latest.month_label}",
                selectors.points(chosen, split, by="label"),
                _axis_unit(chosen),
            )
    return render(request, "insight/indicator.html", context)


def _axis_unit(chosen: definitions.Indicator) -> str:
    return "%" if chosen.kind == definitions.Kind.PERCENT else ""


@login_required
@require_GET
def children(request: AuthedRequest, key: str, month: str) -> HttpResponse:
    """The children behind one month's figure: only for roles that hold a caseload, and only the
    children in the user's access scope. Anyone else gets the same 404 as a figure that does not
    exist. The list is audited (`insight.children`) before it is drawn."""
    chosen = definitions.get(key)
    if chosen is None or not access.can_list_indicator_children(request.user):
        raise Http404("No such list")
    try:
        year, number = month.split("-")
        first = dt.date(int(year), int(number), 1)
    except ValueError:
        raise Http404("No such month") from None
    run = selectors.latest_run()
    team = _team(request, selectors.teams_measured(run) if run and chosen.by_team else [])
    found = selectors.indicator_children(
        user=request.user, actor=Actor.from_request(request), indicator=chosen, month=first, team=team
    )
    return render(request, "insight/children.html", {"found": found, "indicator": chosen, "team": team})


# --- outcomes ---------------------------------------------------------------------------------------


@login_required
@require_GET
def child_outcomes(request: AuthedRequest, person_id: int) -> HttpResponse:
    """A child's goals, each with a chart of its ratings over time and the ratings in a table. Read
    through `get_person_for_user` (the same 404 for no access and no such child, and the read audited)."""
    from opencsc.insight import outcomes
    from opencsc.people.selectors import get_person_for_user

    person = get_person_for_user(
        user=request.user, actor=Actor.from_request(request), person_id=person_id, purpose="outcomes"
    )
    # A partner lead practitioner sees the goals of the family's plan; social care's are not read.
    goals = outcomes.goals_for(person, statutory=not access.sees_help_only(request.user))
    context = {
        "person": person,
        "goals": goals,
        "can_record": access.can_record_conference(request.user, person.pk),
    }
    return render(request, "insight/child_outcomes.html", context)


def _person_for_recording(request: AuthedRequest, person_id: int) -> Person:
    """The child, if the user may record their goals; otherwise the audited 404 of any refusal."""
    from opencsc.people.selectors import refuse_person

    if not access.can_record_conference(request.user, person_id):
        raise refuse_person(actor=Actor.from_request(request), person_id=person_id, purpose="record goals")
    return Person.objects.get(pk=person_id)


@login_required
def goal_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    from opencsc.insight.forms import GoalForm
    from opencsc.people.selectors import record_person_read

    person = _person_for_recording(request, person_id)
    actor = Actor.from_request(request)
    form = GoalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_add(actor_user=request.user, actor=actor, child=person, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, "The goal has been recorded")
            return redirect("insight:child_outcomes", person_id=person.pk)
    record_person_read(actor=actor, person=person, purpose="record a goal")
    return render(request, "insight/goal_form.html", {"person": person, "form": form})


@login_required
def rating_new(request: AuthedRequest, person_id: int, goal_id: int) -> HttpResponse:
    from opencsc.insight.forms import RatingForm
    from opencsc.people.selectors import record_person_read

    person = _person_for_recording(request, person_id)
    goal = get_object_or_404(PlanGoal, pk=goal_id, child=person)
    actor = Actor.from_request(request)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_rate(actor_user=request.user, actor=actor, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, "The rating has been recorded")
            return redirect("insight:child_outcomes", person_id=person.pk)
    record_person_read(actor=actor, person=person, purpose="rate a goal")
    return render(request, "insight/rating_form.html", {"person": person, "goal": goal, "form": form})


def _errors_to(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_GET
def distance(request: AuthedRequest) -> HttpResponse:
    """Distance travelled on goals, by plan type, team and service: averages and counts, no child named."""
    from opencsc.insight import outcomes

    _require_viewer(request)
    return render(request, "insight/distance.html", {"t": outcomes.distance_travelled()})
