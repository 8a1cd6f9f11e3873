"""The performance dashboard, one page per indicator, and the children behind a figure."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opencsc.accounts import access
from opencsc.accounts.models import Team
from opencsc.audit.services import Actor
from opencsc.core.http import AuthedRequest
from opencsc.insight import charts, definitions, selectors
from opencsc.insight.models import ComputeRun


def _require_viewer(request: AuthedRequest) -> None:
    if not access.can_view_indicators(request.user):
        raise PermissionDenied("The performance dashboard is for managers, chairs and performance analysts")


def _team(request: AuthedRequest, run: ComputeRun | None) -> Team | None:
    """The team chosen in the filter, if it is one the run measured (anything else: the borough)."""
    raw = request.GET.get("team", "")
    if not raw.isdigit() or run is None:
        return None
    return next((t for t in selectors.teams_measured(run) if t.pk == int(raw)), None)


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    _require_viewer(request)
    run = selectors.latest_run()
    team = _team(request, run)
    context = {
        "run": run,
        "team": team,
        "teams": selectors.teams_measured(run) if run else [],
        "themes": selectors.dashboard(run, team.pk if team else None) if run else [],
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
    team = _team(request, run) if chosen.by_team else None
    context: dict[str, object] = {"indicator": chosen, "run": run, "team": team}
    if run is not None:
        figures = selectors.series(run, chosen, team.pk if team else None)
        latest = next((f for f in reversed(figures) if f.denominator), figures[-1] if figures else None)
        where = f" in {team.name}" if team else ""
        context |= {
            "figures": figures,
            "latest": latest,
            "teams": selectors.teams_measured(run) if chosen.by_team else [],
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
    team = _team(request, run) if chosen.by_team else None
    found = selectors.indicator_children(
        user=request.user, actor=Actor.from_request(request), indicator=chosen, month=first, team=team
    )
    return render(request, "insight/children.html", {"found": found, "indicator": chosen, "team": team})
