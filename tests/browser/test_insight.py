"""The performance dashboard in Debian's chromium, with axe on every page, with and without
JavaScript: a team manager goes from their home page to an indicator, reads its chart (an image
with a text alternative) and its table, narrows it to a team and opens the children behind a month;
an analyst sees the same figures with no way to the children."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_manager_follows_a_figure_to_the_children_behind_it(
    start_journey: Callable[..., Journey], app_server: AppServer, javascript: bool
) -> None:
    manager = start_journey("insight-manager", javascript=javascript)
    manager.sign_in(app_server.facts["team_manager"])
    manager.arrive(re.compile(".+"))
    page = manager.page
    page.get_by_role("link", name="See the performance indicators").click()
    manager.arrive("Performance indicators")
    expect(page.get_by_text(re.compile("Figures computed"))).to_be_visible()
    page.get_by_role("link", name="Children per allocated worker", exact=True).click()
    manager.arrive("Children per allocated worker")
    expect(page.get_by_role("img", name=re.compile("Children per allocated worker, by month"))).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Month")
    manager.screenshot("indicator")

    page.get_by_label("Show figures for").select_option(label="Family Support East")
    page.get_by_role("button", name="Show").click()
    manager.arrive("Children per allocated worker")
    expect(page.get_by_text("Family Support East", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("By worker"))).to_be_visible()

    page.get_by_role("link", name=re.compile("See the children")).first.click()
    manager.arrive(re.compile("The children behind"))
    children = page.get_by_role("table").first
    expect(children).to_contain_text("LA child id")
    expect(children.get_by_role("link").first).to_be_visible()


def test_an_analyst_sees_counts_only(start_journey: Callable[..., Journey], app_server: AppServer) -> None:
    analyst = start_journey("insight-analyst")
    analyst.sign_in("analyst.demo")
    analyst.arrive(re.compile(".+"))
    page = analyst.page
    page.get_by_role("link", name="See the performance indicators").click()
    analyst.arrive("Performance indicators")
    page.get_by_role("link", name="Re-referrals within 12 months", exact=True).click()
    analyst.arrive("Re-referrals within 12 months")
    expect(page.get_by_role("img", name=re.compile("Re-referrals within 12 months, by month"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("See the children"))).to_have_count(0)
    expect(page.get_by_text("You see counts only")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_worker_records_a_goal_and_the_childs_rating(
    start_journey: Callable[..., Journey], app_server: AppServer, javascript: bool
) -> None:
    child = app_server.facts["child"]
    worker = start_journey("outcomes-worker", javascript=javascript)
    worker.sign_in(app_server.facts["social_worker"])
    worker.arrive(re.compile(".+"))
    page = worker.page
    worker.visit(f"/casework/{child['id']}/")
    worker.arrive(f"Casework: {child['full_name']}")
    page.get_by_role("link", name="Goals and outcomes").first.click()
    worker.arrive(f"Goals and outcomes: {child['full_name']}")
    page.get_by_role("link", name="Record a goal").click()
    worker.arrive("Record a goal")
    page.get_by_role("button", name="Record the goal").click()
    worker.arrive("Record a goal")
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Enter the goal")).to_be_visible()
    page.get_by_label("Child in need plan").check()
    page.get_by_label("The goal").fill("Goes to school every day")
    page.get_by_label("Day").fill("5")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record the goal").click()
    worker.arrive(f"Goals and outcomes: {child['full_name']}")
    page.get_by_role("link", name=re.compile("Record a rating")).first.click()
    worker.arrive("Record a rating")
    page.get_by_label("The child or young person").check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("A visit").check()
    page.get_by_label("Day").fill("6")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("In their words (optional)").fill("Mornings are hard")
    page.get_by_role("button", name="Record the rating").click()
    worker.arrive(f"Goals and outcomes: {child['full_name']}")
    expect(page.get_by_role("img", name=re.compile("Ratings of the goal: Goes to school every day"))).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Mornings are hard")
    worker.screenshot("outcomes")
