"""Early help in Debian's chromium, every page checked with axe (issue 13).

A MASH practitioner records a contact and steps the family to early help, held by the Family Help Hub
with Sam Worker as lead practitioner; Sam completes the whole-family assessment, agrees the family's
plan and reviews it, then steps the family up to children's social care (the tiered model ends the
early help that day); the assessment is authorised, a strategy discussion and an initial conference
start a child protection plan, whose lead child protection practitioner is named; the case closes
with RC9 and the family steps down to early help again, which then ends with the family's goals met.
The chronology tells it as one history.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer
from .test_casework_journey import _chronology_has, _date, _open, _row, _save, _tray, _working_days_back

pytestmark = pytest.mark.browser


def _contact_to_help(mash: Journey, first: str, last: str, day: dt.date) -> str:
    page = mash.page
    mash.sign_in("mash.demo")
    mash.arrive("Front door")
    _open(mash, "Find a person", "Find a person")
    _open(mash, "Add a new person", "Add a new person")
    page.get_by_role("checkbox", name=re.compile("child", re.IGNORECASE)).check()
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("Male", exact=True).check()
    _date(page, "Date of birth", dt.date(2015, 9, 14))
    _save(mash, f"{first} {last}", "has been added and allocated to you")
    _open(mash, "Record a contact", "Record a contact")
    _date(page, "Date of contact", day)
    page.get_by_label("Source of the contact", exact=True).select_option("2A")
    page.get_by_label("What is the concern or request?", exact=True).fill("School: late most days, parent struggling")
    page.get_by_role("group", name="Has the family consented").get_by_label("Yes", exact=True).check()
    casework = f"Casework: {first} {last}"
    _save(mash, casework, "Contact recorded")
    _open(mash, "Decide on the contact", "Decide on the contact")
    page.get_by_label("Step to early help", exact=True).check()
    _date(page, "Date of decision", day)
    page.get_by_label("Reasons for the decision", exact=True).fill("Below the threshold; the family wants help")
    page.get_by_label("Team the referral or help goes to", exact=True).select_option(label="Family Help Hub")
    page.get_by_label("Allocated worker (optional)", exact=True).select_option(label="Sam Worker")
    page.get_by_role("button", name="Save").click()
    mash.arrive("MASH queue")
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    return casework


def _help_work(sw: Journey, casework: str, last: str, days: list[dt.date]) -> None:
    page = sw.page
    tray = _tray(sw)
    expect(_row(tray, "Complete the whole-family assessment", last)).to_be_visible()
    _row(tray, "Complete the whole-family assessment", last).get_by_role("link").click()
    sw.arrive(casework)
    expect(page.get_by_role("heading", name="Early help", exact=True)).to_be_visible()
    _open(sw, "Start the whole-family assessment", "Start the whole-family assessment")
    _date(page, "Assessment start date", days[1])
    _save(sw, casework, "Whole-family assessment started")
    _open(sw, "Complete the whole-family assessment", "Complete the whole-family assessment")
    _date(page, "Date completed", days[1])
    page.get_by_label("The family's strengths", exact=True).fill("Close to grandparents; the parent asks for help")
    page.get_by_label("What the family needs", exact=True).fill("Morning routines; getting to school on time")
    page.get_by_label("In the family's own words", exact=True).fill("We want calmer mornings")
    page.get_by_role("group", name="Did the family consent to the assessment?").get_by_label("Yes", exact=True).check()
    _save(sw, casework, "Assessment completed: now agree the family's plan")
    _open(sw, "Agree the family's plan", "Agree the family's plan")
    _date(page, "Date the plan was agreed", days[2])
    page.get_by_label("Goal: what the family wants to change", exact=True).fill("At school on time every day")
    page.get_by_label("What will be done", exact=True).fill("Routine chart; two visits a week")
    page.get_by_label("Who will do it", exact=True).fill("Parent and family support worker")
    _date(page, "By when", days[6])
    _save(sw, casework, "The family's plan is agreed: its first review is due")
    _open(sw, "Review the family's plan", "Review the family's plan")
    _date(page, "Review date", days[2])
    page.get_by_label("Progress against the goals", exact=True).fill("Late twice this week, down from daily")
    page.get_by_label("At school on time every day", exact=True).check()
    # The goal's ratings are taken on the review form, once: the outcome measures read them.
    for rater, score in (("The worker", "8"), ("The child or young person", "7"), ("A parent or carer", "9")):
        page.get_by_label(f"{rater}: rating of \u201cAt school on time every day\u201d (0 to 10)").fill(score)
    _save(sw, casework, "Review recorded: the next review is due")
    expect(page.get_by_role("table", name="Goals of the family's plan").get_by_text("Achieved")).to_be_visible()
    _open(sw, "Goals and outcomes", re.compile("Goals and outcomes: "))
    expect(page.get_by_role("heading", name="At school on time every day")).to_be_visible()
    expect(page.get_by_text("Early help plan, agreed")).to_be_visible()
    sw.screenshot("goal-ratings-from-the-review")
    page.get_by_role("link", name="Back to casework").click()
    sw.arrive(casework)


def _services_catalogue(manager: Journey, name: str) -> None:
    """A team manager adds an in-house family centre to the services catalogue; the public privacy
    notice then lists it among the services we provide."""
    page = manager.page
    manager.visit("/casework/services/")
    manager.arrive("Services catalogue")
    _open(manager, "Add a service", "Add a service")
    page.get_by_role("button", name="Save").click()
    manager.arrive("Add a service")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    manager.screenshot("service-errors")
    page.get_by_label("Name of the service", exact=True).fill(name)
    page.get_by_label("Family centre", exact=True).check()
    page.get_by_label("The council (in-house)", exact=True).check()
    page.get_by_label("If in-house: the council service that runs it", exact=True).fill("Exampleton Family Help")
    page.get_by_label("What the service offers", exact=True).fill("Stay and play, parenting drop-ins")
    page.get_by_role("group", name="Is the service taking referrals?").get_by_label("Yes", exact=True).check()
    _save(manager, "Services catalogue", "saved in the services catalogue")
    expect(page.get_by_role("rowheader", name=re.compile(name))).to_be_visible()
    manager.screenshot("services-catalogue")
    manager.visit("/privacy-notice/")
    manager.arrive(re.compile("Privacy notice"))
    expect(page.locator("#service-list").get_by_text(name)).to_be_visible()


def _step_up(sw: Journey, manager: Journey, casework: str, last: str, days: list[dt.date]) -> None:
    page = sw.page
    _open(sw, "Step up to children's social care", "Step up to children's social care")
    _date(page, "Referral date", days[3])
    page.get_by_label("Team the referral goes to", exact=True).select_option(label="Family Support East")
    page.get_by_label("Allocated worker (optional)", exact=True).select_option(label="Sam Worker")
    _save(sw, casework, "Referral opened: the assessment is due in 45 working days")
    expect(page.get_by_text("No open early help.")).to_be_visible()
    _open(sw, "Start an assessment", "Start the assessment")
    _date(page, "Assessment start date", days[3])
    _save(sw, casework, "Assessment started")
    _open(sw, "Complete the assessment", "Complete the assessment")
    _date(page, "Date completed", days[4])
    page.get_by_label(re.compile(r"\(2B\)")).check()
    page.get_by_label("Strategy discussion (significant harm)", exact=True).check()
    page.get_by_label("Summary of the assessment", exact=True).fill("Disclosure at school needs a strategy discussion")
    _save(sw, casework, "Assessment sent to a team manager to authorise")
    tray = _tray(manager)
    _row(tray, "Authorise the assessment", last).get_by_role("link").click()
    manager.arrive(casework)
    _open(manager, "Authorise the assessment", "Authorise the assessment")
    _date(manager.page, "Date authorised", days[4])
    _save(manager, casework, "Assessment authorised")


def _protection(sw: Journey, casework: str, days: list[dt.date]) -> None:
    page = sw.page
    sw.page.reload()
    sw.arrive(casework)
    _open(sw, "Record a strategy discussion", "Record a strategy discussion")
    _date(page, "Date of the strategy discussion", days[5])
    page.get_by_label("Police took part", exact=True).check()
    page.get_by_role("group", name="Start section 47 enquiries?").get_by_label("Yes", exact=True).check()
    _save(sw, casework, "Strategy discussion recorded")
    _open(sw, "Record a child protection conference", "Record a child protection conference")
    page.get_by_label("Initial child protection conference", exact=True).check()
    _date(page, "Date of the conference", days[7])
    page.get_by_label("Child protection plan (start or continue)", exact=True).check()
    page.get_by_label("Category of abuse (for a plan)", exact=True).select_option("EMO")
    _save(sw, casework, "Conference recorded")
    _open(sw, "Lead practitioner of the child protection plan", "Name the lead child protection practitioner")
    page.get_by_label("Lead child protection practitioner", exact=True).select_option(label="Sam Worker")
    _save(sw, casework, "Lead child protection practitioner recorded")
    lead = page.locator(".govuk-summary-list__row").filter(has_text="Lead child protection practitioner")
    expect(lead.get_by_text("Sam Worker")).to_be_visible()


def _step_down_and_close(sw: Journey, casework: str, days: list[dt.date]) -> None:
    page = sw.page
    _open(sw, "Close the case", "Close the case")
    _date(page, "Closure date", days[8])
    page.get_by_label(re.compile(r"\(RC9\)")).check()
    _save(sw, casework, "Case closed")
    _open(sw, "Step down to early help", "Start help for the family")
    expect(page.get_by_text(re.compile(r"recorded as its step-down"))).to_be_visible()
    _date(page, "Start date", days[9])
    page.get_by_label("What does the family need help with?", exact=True).fill("Keep the routines going")
    page.get_by_label("Team holding the family's help", exact=True).select_option(label="Family Help Hub")
    page.get_by_label("Lead practitioner (optional)", exact=True).select_option(label="Sam Worker")
    page.get_by_role("group", name="Has the family agreed to the help?").get_by_label("Yes", exact=True).check()
    _save(sw, casework, "Help started: the whole-family assessment is due")
    _open(sw, "End the help", "End the help")
    _date(page, "End date", days[10])
    page.get_by_label("The family's goals were met", exact=True).check()
    page.get_by_label("What changed for the family", exact=True).fill("Settled at home and at school")
    _save(sw, casework, "Help ended")
    table = page.get_by_role("table", name="Every episode of help, oldest first")
    expect(table.get_by_role("row")).to_have_count(5)  # heading, early help, CIN, CP, early help
    _chronology_has(
        sw,
        casework,
        "Early help started",
        "Early help ended: stepped up to children's social care",
        "Lead child protection practitioner named",
        "Case closed: Case closed after assessment, referred to early help (RC9)",
        "Early help started (stepped down from social care)",
        "Early help ended: the family's goals were met",
    )


def test_contact_to_early_help_step_up_and_step_down_in_the_browser(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    days = _working_days_back(11)
    first, last = "Help", f"Journey{uuid.uuid4().hex[:6].upper()}"
    mash = start_journey("mash-help")
    casework = _contact_to_help(mash, first, last, days[0])
    mash.sign_out()
    sw = start_journey("family-help-worker")
    sw.sign_in("sw.demo")
    sw.arrive(re.compile("Your caseload"))
    _help_work(sw, casework, last, days)
    manager = start_journey("family-help-manager")
    manager.sign_in("tm.demo")
    manager.arrive("Your teams")
    _services_catalogue(manager, f"Riverside Family Centre {last}")
    _step_up(sw, manager, casework, last, days)
    _protection(sw, casework, days)
    _step_down_and_close(sw, casework, days)
    _open(sw, "Chronology", "Chronology")
    expect(sw.page.locator("svg.opencsc-chronology-picture text", has_text="Early help")).to_be_visible()
    sw.screenshot("chronology-help-lane")


def test_a_partner_lead_sees_the_familys_help_only(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    """The demo's police practitioner leads Maisie Brennan's help: from their home page they reach the
    reduced casework page (the help, its plan, the Team Around the Family), with no chronology or case
    notes to follow, and the chronology's address gives them the page for a record they cannot see."""
    lead = start_journey("partner-lead")
    page = lead.page
    lead.sign_in("partner.demo")
    lead.arrive("Your agency's work")
    page.get_by_role("link", name="Maisie Brennan").first.click()
    lead.arrive(re.compile(r"^(Early|Family) help: Maisie Brennan$"))
    expect(page.get_by_text("The council's social care record is not shown here")).to_be_visible()
    expect(page.get_by_role("link", name="Chronology")).to_have_count(0)
    expect(page.get_by_role("link", name="Case notes")).to_have_count(0)
    lead.screenshot("partner-lead-reduced-view")
    response = lead.visit(page.url + "chronology/")
    assert response is not None and response.status == 404
    lead.arrive("Page not found")
