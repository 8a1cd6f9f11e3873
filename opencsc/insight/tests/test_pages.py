"""The dashboard's access rules, the children behind a figure (scoped and audited), the stored runs
and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.tests.factories import CPPlanFactory
from opencsc.insight import services
from opencsc.insight.models import ComputeRun, Snapshot
from opencsc.ops import jobs

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().replace(day=1)


@pytest.fixture
def plans(child, stranger_child):
    """Two children whose child protection plans started this month: the cast's child (on the
    worker's and manager's caseload) and a child on nobody's caseload in this cast."""
    CPPlanFactory(child=child, episode__child=child, start_date=THIS_MONTH, initial_category="NEG")
    CPPlanFactory(child=stranger_child, episode__child=stranger_child, start_date=THIS_MONTH, initial_category="PHY")
    services.indicators_compute(actor=Actor.system("test"), months=3)


def test_the_dashboard_says_when_nothing_has_been_computed(client_for, team_manager):
    response = client_for(team_manager).get("/insight/")
    assert response.status_code == 200
    assert "No figures have been computed yet" in response.content.decode()


@pytest.mark.parametrize("who", ["social_worker", "outsider", "mash_practitioner", "ig_officer", "partner"])
def test_roles_without_the_dashboard_are_refused(client_for, request, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/insight/").status_code == 403
    assert client_for(user).get("/insight/cp-plans-neg/").status_code == 403


def test_the_manager_sees_the_figures_and_the_chart_has_a_text_alternative(client_for, team_manager, plans):
    body = client_for(team_manager).get("/insight/cp-plans-neg/").content.decode()
    assert 'role="img"' in body and '<title id="trend-t">' in body and '<desc id="trend-d">' in body
    assert "50.0%" in body  # one of the two plans started this month was for neglect
    assert "See the children" in body
    assert "Not shown: no national figure" in body


def test_an_analyst_sees_counts_and_never_the_children(client_for, analyst, plans, child):
    client = client_for(analyst)
    body = client.get("/insight/cp-plans-neg/").content.decode()
    assert "50.0%" in body and "See the children" not in body
    assert client.get(f"/insight/cp-plans-neg/{THIS_MONTH:%Y-%m}/children/").status_code == 404
    assert child.last_name not in body


def test_an_outsider_gets_404_for_the_children(client_for, outsider, plans):
    assert client_for(outsider).get(f"/insight/cp-plans-neg/{THIS_MONTH:%Y-%m}/children/").status_code == 404


def test_the_children_behind_a_figure_are_those_in_scope_and_audited(client_for, team_manager, plans, child):
    before = AuditEvent.objects.count()
    response = client_for(team_manager).get(f"/insight/cp-plans-neg/{THIS_MONTH:%Y-%m}/children/")
    body = response.content.decode()
    assert response.status_code == 200
    assert child.full_name in body
    assert "Counted (1)" in body and "Not counted (0)" in body
    assert "1 of the cases behind it are not listed" in body  # the stranger's plan: outside the manager's scope
    event = AuditEvent.objects.filter(action="insight.children").latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert event.detail["person_ids"] == [child.pk]
    assert event.detail["indicator"] == "cp-plans-neg"


def test_a_bad_month_or_indicator_is_404(client_for, team_manager, plans):
    client = client_for(team_manager)
    assert client.get("/insight/cp-plans-neg/2026-13/children/").status_code == 404
    assert client.get("/insight/no-such-thing/").status_code == 404


def test_a_run_is_stored_whole_and_audited_and_old_runs_go(plans):
    for _ in range(services.KEEP_RUNS + 1):
        services.indicators_compute(actor=Actor.system("test"), months=2)
    assert ComputeRun.objects.count() == services.KEEP_RUNS
    event = AuditEvent.objects.filter(action="insight.compute").latest("seq")
    assert "person_ids" not in event.detail and event.detail["months"] == 2


def test_the_command_reports_and_the_job_is_scheduled(plans):
    out = io.StringIO()
    call_command("compute_indicators", "--months", "2", "--no-progress", "--only", "cp-rate", stdout=out)
    assert "1 indicators for 2 months" in out.getvalue()
    run = ComputeRun.objects.order_by("-pk").first()
    assert set(Snapshot.objects.filter(run=run).values_list("indicator", flat=True)) == {"cp-rate"}
    assert jobs.get("compute_indicators").cron == "30 1 * * *"


def test_team_filter_shows_the_teams_figures(client_for, team_manager, plans, east_team):
    body = client_for(team_manager).get(f"/insight/cp-plans-neg/?team={east_team.pk}").content.decode()
    assert "100.0%" in body  # the east team's one plan this month was for neglect
    assert dt.date.today().year  # the page rendered for the team


def test_the_series_has_one_figure_a_month(plans):
    from opencsc.insight import definitions, selectors

    run = selectors.latest_run()
    figures = selectors.series(run, definitions.BY_KEY["cp-plans-neg"])
    assert len(figures) == 3 == len({f.month for f in figures})
    assert figures[-1].month == THIS_MONTH and (figures[-1].numerator, figures[-1].denominator) == (1, 2)


def test_the_dashboard_links_each_latest_figure_to_its_children_for_managers_only(
    client_for, team_manager, analyst, plans
):
    link = f"/insight/cp-plans-neg/{THIS_MONTH:%Y-%m}/children/"
    assert link in client_for(team_manager).get("/insight/").content.decode()
    assert link not in client_for(analyst).get("/insight/").content.decode()
