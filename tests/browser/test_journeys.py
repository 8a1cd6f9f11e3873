"""Journeys through the real application in Debian's chromium, each page checked with axe.

The server is seeded with the demo borough; `app_server.facts` names the people involved (see
`prepare.py`). Each journey signs in a different user, as a worker would: password, then the code from
an authenticator app set up on first sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def _find_child(journey: Journey, name: str) -> None:
    journey.page.get_by_role("link", name="Find a person").first.click()
    journey.arrive("Find a person")
    journey.page.get_by_label("Name", exact=True).fill(name)
    journey.page.get_by_role("button", name="Search").click()
    journey.arrive("Find a person")


def _add_address_with_a_mistake_first(journey: Journey, child_name: str) -> None:
    page = journey.page
    page.locator("#address > summary").click()  # the record's categories are collapsed (GOV.UK details)
    page.get_by_role("link", name="Add address").click()
    journey.arrive("Add address")
    page.get_by_label("Address line 1").fill("12 Browser Test Road")
    page.get_by_label("Town or city").fill("Exampleton")
    page.get_by_label("Postcode").fill("EX1 2BT")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("31")  # there is no 31 February
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Save").click()

    journey.arrive("Add address")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary for screen readers
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link", name=re.compile("Start date must be a real date")).click()
    expect(start.get_by_label("Day")).to_be_focused()
    expect(page.get_by_label("Address line 1")).to_have_value("12 Browser Test Road")  # nothing retyped

    start.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Save").click()
    journey.arrive(child_name)
    expect(page.get_by_text("Address added")).to_be_visible()
    expect(page.locator("#address").get_by_text("12 Browser Test Road")).to_be_visible()


def _see_the_genogram(journey: Journey, child_name: str) -> None:
    page = journey.page
    page.get_by_role("link", name="See the family as a genogram").click()
    journey.arrive("Genogram")
    picture = page.get_by_role("img", name=f"Genogram of the family of {child_name}")
    expect(picture).to_be_visible()
    people = page.get_by_role("table", name="People in the genogram").get_by_role("rowheader")
    expect(people.filter(has_text=f"{child_name} (this record)")).to_have_count(1)
    relatives = people.get_by_role("link").all_inner_texts()
    assert relatives, "the demo child's genogram shows no relatives"
    drawn = picture.inner_html()
    for name in relatives:  # each relative listed in the text alternative is drawn too
        assert all(part[:16] in drawn for part in name.split()), name
    page.get_by_role("link", name="Back to the record").click()
    journey.arrive(child_name)


def _ig_officer_finds_the_view(journey: Journey, facts: dict[str, object], child: dict[str, object]) -> None:
    page = journey.page
    journey.sign_in(str(facts["ig_officer"]))
    journey.arrive("Information governance")
    page.get_by_role("link", name="Audit trail").first.click()
    journey.arrive("Audit trail")
    page.get_by_label("Person", exact=True).fill(str(child["full_name"]))
    page.get_by_label("Member of staff", exact=True).fill(str(facts["social_worker"]))
    page.get_by_label("What happened").select_option(label="Viewed a person's record")
    page.get_by_role("button", name="Apply filters").click()
    journey.arrive("Audit trail")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text(f"{facts['social_worker_name']} viewed {child['full_name']}'s record")
    expect(page.get_by_text("person.view")).to_have_count(0)


def test_social_worker_records_an_address_and_ig_officer_sees_the_view(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    """Journeys 1 and 2 in one test, because the second looks for what the first left on the trail."""
    facts = app_server.facts
    child = facts["child"]
    worker = start_journey("social-worker")
    worker.sign_in(facts["social_worker"])
    worker.arrive("Your caseload")
    caseload = worker.page.get_by_role("table", name="People allocated to you")
    expect(caseload.get_by_role("link", name=child["full_name"])).to_be_visible()

    _find_child(worker, child["full_name"])
    expect(worker.page.get_by_role("heading", name="1 person found")).to_be_visible()
    worker.page.get_by_role("link", name=child["full_name"]).first.click()  # also under "Likely matches"
    worker.arrive(child["full_name"])
    assert worker.page.url.endswith(f"/people/{child['id']}/")

    _add_address_with_a_mistake_first(worker, child["full_name"])
    _see_the_genogram(worker, child["full_name"])
    worker.sign_out()

    _ig_officer_finds_the_view(start_journey("ig-officer"), facts, child)


def test_outsider_gets_page_not_found_for_the_child(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    child = facts["child"]
    outsider = start_journey("outsider")
    outsider.sign_in(facts["outsider"])
    outsider.arrive("Your caseload")
    expect(outsider.page.get_by_role("link", name=child["full_name"])).to_have_count(0)

    for path in (f"/people/{child['id']}/", f"/people/{child['id']}/genogram/"):
        response = outsider.visit(path)
        assert response is not None and response.status == 404
        outsider.arrive("Page not found")
        expect(outsider.page.get_by_text(child["last_name"])).to_have_count(0)

    _find_child(outsider, child["full_name"])
    expect(outsider.page.get_by_role("heading", name="0 people found")).to_be_visible()
    expect(outsider.page.get_by_role("link", name=child["full_name"])).to_have_count(0)


def test_search_works_without_javascript(start_journey: Callable[..., Journey], app_server: AppServer) -> None:
    facts = app_server.facts
    child = facts["child"]
    manager = start_journey("no-javascript", javascript=False)
    manager.sign_in(facts["team_manager"])
    manager.arrive("Your teams")
    assert "js-enabled" not in (manager.page.get_attribute("body", "class") or "")

    _find_child(manager, child["last_name"])
    expect(manager.page.get_by_role("heading", name=re.compile(r"^\d+ (person|people) found$"))).to_be_visible()
    manager.page.get_by_role("link", name=child["full_name"]).click()
    manager.arrive(child["full_name"])
