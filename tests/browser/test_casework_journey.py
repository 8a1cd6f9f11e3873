"""The child's statutory journey in Debian's chromium, every page checked with axe (issue 3).

A MASH practitioner adds a child, records a contact, triages it (asking police and health), stores
the police reply and decides on a referral to Family Support East; the social worker there starts
and completes the assessment, the team manager authorises it; the worker records the strategy
discussion (which starts the section 47 enquiry), the initial conference (which starts the child
protection plan) and a review conference, then closes the case. The chronology and the work trays
are checked along the way.

Dates: each step is dated in the past, on working days, in the order the rules require (no
conference at a weekend, a review after the plan started, nothing in the future), counted back from
today so the journey passes on any day it runs.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def _working_days_back(count: int) -> list[dt.date]:
    """`count` weekdays before this week, oldest first (bank holidays only move timescales)."""
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    days: list[dt.date] = []
    day = monday - dt.timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def _date(page: Page | Locator, group: str, day: dt.date) -> None:
    fields = page.get_by_role("group", name=group, exact=True)
    fields.get_by_label("Day", exact=True).fill(str(day.day))
    fields.get_by_label("Month", exact=True).fill(str(day.month))
    fields.get_by_label("Year", exact=True).fill(str(day.year))


def _save(journey: Journey, after: str | re.Pattern[str], message: str) -> None:
    journey.page.get_by_role("button", name="Save").click()
    journey.arrive(after)
    # The success banner, not any text: the page may also list return findings that mention the step.
    expect(journey.page.locator(".govuk-notification-banner__heading", has_text=message)).to_be_visible()


def _open(journey: Journey, link: str, heading: str) -> None:
    journey.page.get_by_role("link", name=link, exact=True).first.click()
    journey.arrive(heading)


def _tray(journey: Journey) -> Locator:
    journey.page.get_by_role("link", name="Work tray").first.click()
    journey.arrive("Work tray")
    return journey.page.locator("main")


def _row(tray: Locator, task: str, child: str) -> Locator:
    return tray.get_by_role("row").filter(has_text=task).filter(has_text=child)


def _chronology_has(journey: Journey, casework: str, *events: str) -> None:
    _open(journey, "Chronology", "Chronology")
    table = journey.page.get_by_role("table", name="Events, oldest first")
    for event in events:
        expect(table.get_by_text(event).first).to_be_visible()
    _open(journey, "Back to casework", casework)


def _front_door(mash: Journey, facts: dict[str, object], first: str, last: str, days: list[dt.date]) -> str:
    page = mash.page
    mash.sign_in("mash.demo")
    mash.arrive("Front door")
    _open(mash, "Find a person", "Find a person")
    _open(mash, "Add a new person", "Add a new person")
    page.get_by_role("checkbox", name=re.compile("child", re.IGNORECASE)).check()
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("Female", exact=True).check()
    _date(page, "Date of birth", dt.date(2016, 4, 2))
    _save(mash, f"{first} {last}", "has been added and allocated to you")

    _open(mash, "Record a contact", "Record a contact")
    _date(page, "Date of contact", days[0])
    page.get_by_label("Source of the contact", exact=True).select_option("2A")
    page.get_by_label("What is the concern or request?", exact=True).fill("Class teacher reports bruising to the arm")
    page.get_by_role("group", name="Has the family consented").get_by_label("Yes", exact=True).check()
    casework = f"Casework: {first} {last}"
    _save(mash, casework, "Contact recorded")
    expect(_row(_tray(mash), "Decide on the contact", last)).to_be_visible()
    _open(mash, f"{first} {last}", casework)

    _open(mash, "MASH triage", "MASH triage")
    page.get_by_label(re.compile("Amber:")).check()
    page.get_by_label("Why this rating?", exact=True).fill("Unexplained injury; no previous involvement")
    _date(page, "Date of triage", days[0])
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Health", exact=True).check()
    _save(mash, casework, "Triage recorded and checks requested")

    _open(mash, "Record an agency's reply", "Record an agency's reply")
    page.get_by_label("Agency", exact=True).select_option(label="Police check")
    _date(page, "Date of reply", days[1])
    page.get_by_label("What did the agency say?", exact=True).fill("One previous call-out to the address")
    _save(mash, casework, "Reply stored as information from another agency")

    _open(mash, "Decide on the contact", "Decide on the contact")
    page.get_by_label("Referral to children's social care", exact=True).check()
    _date(page, "Date of decision", days[1])
    page.get_by_label("Reasons for the decision", exact=True).fill("Needs a child and family assessment")
    page.get_by_label("Primary need (for a referral)", exact=True).select_option("N1")
    page.get_by_label("Team the referral or help goes to", exact=True).select_option(label="Family Support East")
    page.get_by_label("Allocated worker (optional)", exact=True).select_option(label=str(facts["worker_name"]))
    page.get_by_role("button", name="Save").click()
    mash.arrive("MASH queue")  # the front door no longer holds the child
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    expect(page.locator("main").get_by_text(last)).to_have_count(0)
    return casework


def _assessment(sw: Journey, manager: Journey, casework: str, last: str, days: list[dt.date]) -> None:
    page = sw.page
    expect(_row(_tray(sw), "Complete the assessment", last)).to_be_visible()
    _row(page.locator("main"), "Complete the assessment", last).get_by_role("link").click()
    sw.arrive(casework)
    _open(sw, "Start an assessment", "Start the assessment")
    _date(page, "Assessment start date", days[2])
    _save(sw, casework, "Assessment started")
    _open(sw, "Complete the assessment", "Complete the assessment")
    _date(page, "Date completed", days[3])
    page.get_by_label(re.compile(r"\(3A\)")).check()
    page.get_by_label(re.compile(r"\(2B\)")).check()
    page.get_by_label("Strategy discussion (significant harm)", exact=True).check()
    summary = "Concerns about physical harm need a strategy discussion"
    page.get_by_label("Summary of the assessment", exact=True).fill(summary)
    _save(sw, casework, "Assessment sent to a team manager to authorise")

    manager.sign_in("tm.demo")
    manager.arrive("Your teams")
    tray = _tray(manager)
    expect(_row(tray, "Authorise the assessment", last)).to_be_visible()
    _row(tray, "Authorise the assessment", last).get_by_role("link").click()
    manager.arrive(casework)
    _open(manager, "Authorise the assessment", "Authorise the assessment")
    _date(manager.page, "Date authorised", days[4])
    _save(manager, casework, "Assessment authorised")
    expect(_row(_tray(manager), "Authorise the assessment", last)).to_have_count(0)


def _protection(sw: Journey, casework: str, last: str, days: list[dt.date]) -> None:
    page = sw.page
    _open(sw, "Record a strategy discussion", "Record a strategy discussion")
    _date(page, "Date of the strategy discussion", days[5])
    page.get_by_label("Health took part", exact=True).check()
    page.get_by_role("group", name="Start section 47 enquiries?").get_by_label("Yes", exact=True).check()
    _save(sw, casework, "Strategy discussion recorded")
    expect(_row(_tray(sw), "Hold the initial child protection conference", last)).to_be_visible()
    _row(page.locator("main"), "Hold the initial child protection conference", last).get_by_role("link").click()
    sw.arrive(casework)

    _open(sw, "Record a child protection conference", "Record a child protection conference")
    page.get_by_label("Initial child protection conference", exact=True).check()
    _date(page, "Date of the conference", days[7])
    page.get_by_label("Child protection plan (start or continue)", exact=True).check()
    page.get_by_label("Category of abuse (for a plan)", exact=True).select_option("PHY")
    _save(sw, casework, "Conference recorded")
    tray = _tray(sw)
    expect(_row(tray, "Hold the review conference", last)).to_be_visible()
    expect(_row(tray, "Hold the initial child protection conference", last)).to_have_count(0)
    _row(tray, "Hold the review conference", last).get_by_role("link").click()
    sw.arrive(casework)

    _open(sw, "Review conference", "Record a review conference")
    _date(page, "Date of the review conference", days[9])
    page.get_by_label("Continue the plan", exact=True).check()
    _save(sw, casework, "Review recorded")
    _chronology_has(
        sw,
        casework,
        "Contact received",
        "Referral received",
        "Assessment authorised",
        "Section 47 enquiry started",
        "Child protection plan started: physical abuse (PHY)",
        "Review conference",
    )


def _closure(sw: Journey, casework: str, last: str, days: list[dt.date]) -> None:
    _open(sw, "Close the case", "Close the case")
    _date(sw.page, "Closure date", days[10])
    sw.page.get_by_label(re.compile(r"\(RC7\)")).check()
    _save(sw, casework, "Case closed")
    expect(sw.page.get_by_text("No open referral episode.")).to_be_visible()
    _chronology_has(
        sw,
        casework,
        "Case closed: Services ceased for any other reason, including child no longer in need (RC7)",
        "Child protection plan ended",
    )
    expect(_row(_tray(sw), "", last)).to_have_count(0)


def test_contact_to_closure_in_the_browser(start_journey: Callable[..., Journey], app_server: AppServer) -> None:
    facts = dict(app_server.facts)
    facts["worker_name"] = "Sam Worker"
    days = _working_days_back(11)
    first, last = "Journey", f"Browser{uuid.uuid4().hex[:6].upper()}"

    mash = start_journey("mash")
    casework = _front_door(mash, facts, first, last, days)
    mash.sign_out()

    sw = start_journey("social-worker")
    sw.sign_in(str(facts["social_worker"]))
    sw.arrive(re.compile("Your caseload"))
    manager = start_journey("team-manager")
    _assessment(sw, manager, casework, last, days)

    sw.page.reload()
    sw.arrive(casework)
    _protection(sw, casework, last, days)
    _closure(sw, casework, last, days)


def test_record_pages_refuse_with_govuk_errors_without_javascript(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    """The looked-after record pages, in a browser with JavaScript off: each refusal comes back as a
    GOV.UK error summary linking to the field, and every page (with its errors) passes axe."""
    facts = app_server.facts
    child = facts["child"]
    worker = start_journey("no-javascript-records", javascript=False)
    worker.sign_in(str(facts["social_worker"]))
    worker.arrive(re.compile("Your caseload"))
    page = worker.page
    base = f"/casework/{child['id']}/record"
    yesterday = _working_days_back(1)[0]

    worker.visit(f"{base}/health-check/")
    worker.arrive("Record a health, dental or SDQ check")
    page.get_by_label("Strengths and difficulties questionnaire", exact=True).check()
    _date(page, "Date of the check", yesterday)
    page.get_by_label("SDQ score (for a strengths and difficulties questionnaire)", exact=True).fill("41")
    page.get_by_role("button", name="Save").click()
    worker.arrive("Record a health, dental or SDQ check")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter the SDQ score as a whole number from 0 to 40")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))

    for slug, heading, message in (
        ("conviction", "Record a conviction or final warning", "Enter the date of the conviction or final warning"),
        ("sw-episode", "Change of social worker", "Select the new social worker"),
        ("uasc", "Unaccompanied asylum-seeking child status", "Enter the date the child became"),
    ):
        worker.visit(f"{base}/{slug}/")
        worker.arrive(heading)
        if slug == "sw-episode":
            _date(page, "Date they became the child's social worker", yesterday)
        else:
            page.get_by_role("group").first.get_by_label("Day").fill("")
        page.get_by_role("button", name="Save").click()
        worker.arrive(heading)
        expect(page.locator(".govuk-error-summary").get_by_role("link", name=re.compile(message))).to_be_visible()
