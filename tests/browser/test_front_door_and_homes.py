"""The front door as the MASH works it, and each role's home page, in Debian's chromium with axe on
every page (issue 11).

The MASH practitioner opens the queue, takes the contact about a child whose case is open with the
social worker persona, reads the concern on the triage page, rates it and asks for checks, reads the
concern again on the decision page and passes it to the allocated worker; the social worker then
finds the notification on their home page and the task in their tray. Every other role signs in to
a home page that shows its own work and who is signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def _signed_in_as(journey: Journey, username: str) -> None:
    expect(journey.page.locator(".opencsc-signed-in")).to_contain_text(f"({username})")


def test_mash_passes_a_contact_to_the_allocated_worker(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    child = str(facts["front_door_child"])
    mash = start_journey("mash-front-door")
    page = mash.page
    mash.sign_in("mash.demo")
    mash.arrive("Front door")
    _signed_in_as(mash, "mash.demo")
    page.get_by_role("link", name="MASH queue", exact=True).first.click()
    mash.arrive("MASH queue")
    row = page.get_by_role("row").filter(has_text=child)
    expect(row.get_by_role("cell").first).to_have_text(re.compile("Not yet rated|Red|Amber|Green"))
    row.get_by_role("button", name=f"Take the contact about {child}").click()

    concern = page.locator(".opencsc-contact-panel")
    if page.get_by_role("heading", level=1).inner_text() == "MASH triage":
        mash.arrive("MASH triage")
        expect(page.get_by_text(f"You have taken the contact about {child}")).to_be_visible()
        expect(concern).to_contain_text("Concern")
        expect(concern).to_contain_text("What the family was told")
        page.get_by_label(re.compile("Red: immediate")).check()
        page.get_by_label("Why this rating?", exact=True).fill("Injury with a changing explanation")
        page.get_by_label("Police", exact=True).check()
        page.get_by_role("button", name="Save").click()
        mash.arrive(f"Casework: {child}")
        page.get_by_role("link", name="MASH queue", exact=True).first.click()
        mash.arrive("MASH queue")
        page.get_by_role("row").filter(has_text=child).get_by_role("link", name=re.compile("^Decide")).click()
    mash.arrive("Decide on the contact")
    expect(concern).to_contain_text("Concern")
    expect(concern).to_contain_text("Source")
    expect(concern).to_contain_text("Consent")
    expect(concern).to_contain_text(str(facts["social_worker_name"]))  # who holds the case
    expect(page.get_by_role("table", name="Checks with other agencies")).to_be_visible()
    expect(page.get_by_label("Referral to children's social care", exact=True)).to_have_count(0)
    page.get_by_label(re.compile("Pass to the allocated worker")).check()
    page.get_by_label("Reasons for the decision", exact=True).fill("Open case: the allocated worker acts on it")
    page.get_by_role("button", name="Save").click()
    mash.arrive("MASH queue")
    expect(page.locator(".govuk-notification-banner__heading", has_text="Decision recorded")).to_be_visible()
    expect(page.locator("main").get_by_text(child)).to_have_count(0)
    mash.sign_out()

    worker = start_journey("allocated-worker")
    worker.sign_in(str(facts["social_worker"]))
    worker.arrive("Your caseload")
    banner = worker.page.get_by_role("region", name="New for you")
    expect(banner).to_contain_text(f"New contact passed to you by the front door: {child}")
    worker.page.get_by_role("link", name="Work tray").first.click()
    worker.arrive("Work tray")
    mine = worker.page.get_by_role("table", name="My tasks")
    expect(
        mine.get_by_role("row").filter(has_text="Read a new contact passed to you").filter(has_text=child)
    ).to_be_visible()
    mine.get_by_role("link", name=child).first.click()
    worker.arrive(f"Casework: {child}")
    worker.page.get_by_role("link", name="Chronology", exact=True).first.click()
    worker.arrive("Chronology")
    events = worker.page.get_by_role("table", name="Events, oldest first")
    passed = events.get_by_role("cell", name=re.compile("Contact passed to the allocated worker")).first
    expect(passed).to_be_visible()
    expect(passed).to_contain_text("Concern: ")  # the concern reaches the worker's chronology


@pytest.mark.parametrize(
    ("username", "heading", "sections"),
    [
        ("tm.demo", "Your teams", ["Authorisations waiting", "Overdue work", "Unallocated work", "Team caseload"]),
        ("chair.demo", "Conferences and reviews", ["Due"]),
        ("analyst.demo", "Returns and data quality", ["Data quality", "Recent builds and checks"]),
        (
            "ig.demo",
            "Information governance",
            ["Requests waiting for a decision", "Break-glass access to review", "Open alerts"],
        ),
        ("admin.demo", "Administration", ["Roles", "Teams", "Users", "Reference data"]),
        ("partner.demo", "Your agency's work", ["Checks waiting for your answer"]),
        ("sw.demo", "Your caseload", ["Tasks due"]),
        ("mash.demo", "Front door", ["MASH queue", "Your tasks due"]),
    ],
)
def test_each_role_lands_on_its_own_home_page(
    start_journey: Callable[..., Journey], username: str, heading: str, sections: list[str]
) -> None:
    journey = start_journey(f"home-{username}")
    journey.sign_in(username)
    journey.arrive(heading)
    _signed_in_as(journey, username)
    for section in sections:
        expect(journey.page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(journey.page.get_by_text("Nobody is allocated to you at the moment")).to_have_count(0)
