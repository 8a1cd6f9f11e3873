"""Find a person with the matcher, in Debian's chromium (each page checked with axe): likely matches
appear as the worker types a misspelt name; an outsider sees only "known to the service"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def _misspelt(name: str) -> str:
    return name[:-1] + ("e" if name[-1] != "e" else "a")  # one letter wrong at the end


def test_likely_matches_appear_as_the_worker_types(start_journey: Callable[..., Journey], app_server: AppServer):
    facts = app_server.facts
    child = facts["child"]
    worker = start_journey("worker")
    worker.sign_in(facts["social_worker"])
    worker.arrive("Your caseload")
    worker.page.get_by_role("link", name="Find a person").first.click()
    worker.arrive("Find a person")
    worker.page.get_by_label("Name", exact=True).press_sequentially(
        f"{child['first_name']} {_misspelt(child['last_name'])}", delay=20
    )
    panel = worker.page.locator("#likely-matches")
    expect(panel.get_by_role("heading", name="Likely matches")).to_be_visible()
    expect(panel.get_by_role("link", name=child["full_name"])).to_be_visible()
    expect(panel.get_by_text("surname", exact=False).first).to_be_visible()
    worker.screenshot("likely-matches-as-you-type")


def test_an_outsider_sees_only_that_the_service_knows_the_child(
    start_journey: Callable[..., Journey], app_server: AppServer
):
    facts = app_server.facts
    child = facts["child"]
    outsider = start_journey("outsider", javascript=False)
    outsider.sign_in(facts["outsider"])
    outsider.arrive("Your caseload")
    outsider.page.get_by_role("link", name="Find a person").first.click()
    outsider.arrive("Find a person")
    outsider.page.get_by_label("Name", exact=True).fill(child["full_name"])
    year, month, day = child["date_of_birth"].split("-")
    born = outsider.page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill(day)
    born.get_by_label("Month").fill(month)
    born.get_by_label("Year").fill(year)
    outsider.page.get_by_role("button", name="Search").click()
    outsider.arrive("Find a person")
    panel = outsider.page.locator("#likely-matches")
    expect(panel.get_by_text("Known to the service")).to_be_visible()
    expect(panel.get_by_role("link", name=child["full_name"])).to_have_count(0)
    outsider.screenshot("known-to-the-service")
