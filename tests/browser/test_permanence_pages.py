"""Previous permanence and deprivation of liberty orders in Debian's chromium, every page checked with
axe: a social worker records the seeded child's previous permanence (after a refusal that comes back
as a GOV.UK error summary linking to the field) and sees a DoLO refused for ending the day it began."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def _date(page: Page, group: str, day: dt.date | None) -> None:
    fields = page.get_by_role("group", name=group, exact=True)
    for label, value in (("Day", day and day.day), ("Month", day and day.month), ("Year", day and day.year)):
        fields.get_by_label(label, exact=True).fill(str(value) if value else "")


def _weekday_back(days: int) -> dt.date:
    day = dt.date.today() - dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def test_previous_permanence_and_dolo_pages(start_journey: Callable[..., Journey], app_server: AppServer) -> None:
    child = app_server.facts["child"]
    worker = start_journey("permanence")
    worker.sign_in(str(app_server.facts["social_worker"]))
    worker.arrive(re.compile("Your caseload"))
    page = worker.page
    casework = f"Casework: {child['full_name']}"
    worker.visit(f"/casework/{child['id']}/")
    worker.arrive(casework)

    become = page.get_by_role("link", name="The child becomes looked after", exact=True)
    if become.count():
        become.click()
        worker.arrive("The child becomes looked after")
        _date(page, "Date the child became looked after", _weekday_back(30))
        page.get_by_label("Legal status", exact=True).select_option("C2")
        page.get_by_label("Category of need", exact=True).select_option("N1")
        page.get_by_label("Placement type", exact=True).select_option("K2")
        page.get_by_label("Placement provider", exact=True).select_option("PR4")
        page.get_by_label("Ofsted URN", exact=True).fill("SC123456")
        page.get_by_role("button", name="Save").click()
        worker.arrive(casework)

    section = page.locator(".govuk-summary-list__row", has_text="Previous permanence")
    section.get_by_role("link", name=re.compile(r"^(Record|Change) previous permanence$")).click()
    worker.arrive("Previous permanence")
    page.get_by_label(re.compile(r"\(P2\)")).check()
    page.get_by_label("Local authority that arranged it", exact=True).fill("")
    _date(page, "Date of the order", None)
    page.get_by_role("button", name="Save").click()
    worker.arrive("Previous permanence")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=re.compile("Enter the local authority that arranged"))).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))

    page.get_by_label(re.compile(r"\(P4\)")).check()
    page.get_by_label("Local authority that arranged it", exact=True).fill("NUK")
    page.get_by_role("button", name="Save").click()
    worker.arrive(casework)
    expect(page.locator(".govuk-notification-banner__heading", has_text="Previous permanence saved")).to_be_visible()
    expect(page.locator(".govuk-summary-list__row", has_text="Previous permanence")).to_contain_text("Unknown")

    page.get_by_role("link", name="Record a deprivation of liberty order", exact=True).click()
    worker.arrive("Record a deprivation of liberty order")
    day = _weekday_back(3)
    _date(page, "Date the order started", day)
    _date(page, "Date the order ended (if it has)", day)
    page.get_by_role("button", name="Save").click()
    worker.arrive("Record a deprivation of liberty order")
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("must end after the day it started"))
    ).to_be_visible()
