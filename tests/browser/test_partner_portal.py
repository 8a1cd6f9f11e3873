"""The partner portal (issue 16), in Debian's chromium with axe on every page.

The MASH practitioner takes a contact, rates it, and asks the police through the partner portal; the
partner persona (the police's public protection unit) signs in with their second factor, finds the
check on their organisation's page, reads the question and the child's identifying details, and
answers, attaching a document; the MASH practitioner then sees the answer and the document on the
contact with where they came from, and opens the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser

POLICE = "Exampleton Constabulary Public Protection Unit"
CALL_OUT_LOG = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # synthetic


def _signed_in(start_journey: Callable[..., Journey], name: str, username: str, home: str) -> Journey:
    """A new browser for `username`, signed in (password and second factor) and on their home page."""
    journey = start_journey(name)
    journey.sign_in(username)
    journey.arrive(home)
    return journey


def _open_decision(mash: Journey, child: str) -> None:
    """From anywhere, the MASH queue and then the decision page of the contact about `child`."""
    page = mash.page
    page.get_by_role("link", name="MASH queue", exact=True).first.click()
    mash.arrive("MASH queue")
    page.get_by_role("row").filter(has_text=child).get_by_role("link", name=re.compile("^Decide")).click()
    mash.arrive("Decide on the contact")


def _take_and_rate(mash: Journey, child: str) -> None:
    page = mash.page
    page.get_by_role("link", name="MASH queue", exact=True).first.click()
    mash.arrive("MASH queue")
    page.get_by_role("row").filter(has_text=child).get_by_role("button", name=f"Take the contact about {child}").click()
    mash.arrive("MASH triage")
    page.get_by_label(re.compile("Amber: risk of harm")).check()
    page.get_by_label("Why this rating?", exact=True).fill("Concern needs checks with partners today")
    page.get_by_role("button", name="Save").click()
    mash.arrive(f"Casework: {child}")
    _open_decision(mash, child)


def test_mash_asks_the_police_through_the_portal_and_the_answer_reaches_the_child(
    start_journey: Callable[..., Journey], app_server: AppServer, tmp_path: Path
) -> None:
    child = str(app_server.facts["portal_check_child"])
    mash = _signed_in(start_journey, "portal-mash", "mash.demo", "Front door")
    page = mash.page
    _take_and_rate(mash, child)
    page.get_by_role("link", name="Ask a partner organisation through the partner portal").click()
    mash.arrive("Ask a partner organisation")
    page.get_by_role("button", name="Send the check").click()  # nothing chosen: the error summary
    mash.arrive("Ask a partner organisation")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the organisation to ask")
    page.get_by_label("Which organisation are you asking?").select_option(label=POLICE)
    expect(page.get_by_label(re.compile("Amber: answer within 24 hours"))).to_be_checked()  # from the rating
    page.get_by_label("What are you asking them to check?").fill("Any call-outs to the home in the last year?")
    page.get_by_role("button", name="Send the check").click()
    mash.arrive("Checks waiting for partners")
    row = page.get_by_role("row").filter(has_text=child)
    expect(row).to_contain_text(POLICE)
    reference = row.get_by_role("cell").first.inner_text().split()[0]
    mash.sign_out()

    partner = _signed_in(start_journey, "portal-partner", "partner.demo", "Your agency's work")
    ppage = partner.page
    expect(ppage.locator("main")).not_to_contain_text(child)  # the lists name no child
    ppage.get_by_role("link", name=f"Check {reference}").click()
    partner.arrive(f"Check {reference}")
    expect(ppage.locator("main")).to_contain_text("Any call-outs to the home in the last year?")
    expect(ppage.locator("main")).to_contain_text(child.split()[-1])
    expect(ppage.locator("main")).not_to_contain_text("Concern")  # the contact itself is not shared
    ppage.get_by_role("button", name="Send your answer").click()
    partner.arrive(f"Check {reference}")
    expect(ppage.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    ppage.get_by_label("Your answer").fill("Two domestic abuse call-outs in March; no arrests.")
    disguised = tmp_path / "call-out-log.pdf"  # a PNG named .pdf: refused, and the answer is not sent
    Image.new("RGB", (8, 8), (200, 30, 30)).save(disguised, "PNG")
    ppage.get_by_label("Attach a document (optional)").set_input_files(str(disguised))
    ppage.get_by_role("button", name="Send your answer").click()
    partner.arrive(f"Check {reference}")
    expect(ppage.locator(".govuk-error-summary")).to_contain_text("named .pdf but it is a PNG image")
    partner.screenshot("document-refused")
    log = tmp_path / "Call-out log.pdf"
    log.write_bytes(CALL_OUT_LOG)
    ppage.get_by_label("Attach a document (optional)").set_input_files(str(log))
    ppage.get_by_role("button", name="Send your answer").click()
    partner.arrive("Your agency's work")
    expect(ppage.get_by_text(f"Your answer to {reference} has been sent")).to_be_visible()
    partner.sign_out()

    again = _signed_in(start_journey, "portal-mash-again", "mash.demo", "Front door")
    apage = again.page
    _open_decision(again, child)
    checks = apage.get_by_role("table", name="Checks with other agencies")
    police_row = checks.get_by_role("row").filter(has_text="Police")
    expect(police_row).to_contain_text("Two domestic abuse call-outs in March")
    provenance = f"From: {POLICE} (answered in the partner portal by Pat Partner, check {reference})"
    expect(police_row).to_contain_text(provenance)
    expect(police_row).to_contain_text(f"sent by {POLICE} (Pat Partner)")
    again.screenshot("answer-with-document")
    with apage.expect_download() as opened:
        police_row.get_by_role("link", name=re.compile(r"^Download D-\d{6}: Call-out log\.pdf")).click()
    download = opened.value
    assert Path(download.path()).read_bytes() == CALL_OUT_LOG
    assert download.suggested_filename.endswith("Call-out log.pdf")


def test_a_shared_view_opens_for_the_partner_until_the_worker_revokes_it(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    reference = str(facts["shared_view"])
    child = facts["shared_view_child"]  # a child no other journey changes
    assert isinstance(child, dict)
    partner = _signed_in(start_journey, "portal-view-partner", "partner.demo", "Your agency's work")
    page = partner.page
    page.get_by_role("link", name=f"Shared view {reference}").click()
    partner.arrive(f"Shared view {reference}")
    expect(page.locator("main")).to_contain_text(str(child["last_name"]))
    expect(page.locator("main")).to_contain_text("This opening is recorded")
    page.get_by_role("link", name="Back to your agency's work").click()
    partner.arrive("Your agency's work")
    page.get_by_role("link", name="Your organisation's users").click()
    partner.arrive("Your organisation's users")
    expect(page.get_by_role("table")).to_contain_text("partner.demo")

    worker = _signed_in(start_journey, "portal-view-worker", str(facts["social_worker"]), "Your caseload")
    wpage = worker.page
    worker.visit(f"/sharing/people/{child['id']}/disclosures/")
    worker.arrive("Disclosure log")
    row = wpage.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Pat Partner: Opened")
    row.get_by_label(f"Why revoke {reference}?").fill("The safety plan meeting is over")
    row.get_by_role("button", name=f"Revoke {reference}").click()
    worker.arrive("Disclosure log")
    expect(wpage.get_by_text(f"{reference} revoked")).to_be_visible()

    partner.visit("/partners/")
    partner.arrive("Your agency's work")
    expect(page.get_by_role("link", name=f"Shared view {reference}")).to_have_count(0)


REFERRED = ("Robin", "Journeyreferral")  # synthetic: a child nobody in the seeded borough is called
HEALTH = "Exampleton Health Visiting Service"


def _send_request_for_support(hv: Journey) -> str:
    page = hv.page
    hv.sign_in("hv.demo")
    hv.arrive("Your agency's work")
    page.get_by_role("button", name="Make a request for support").click()
    hv.arrive("Make a request for support")
    page.get_by_role("button", name="Send the request").click()  # nothing filled in: every field named
    hv.arrive("Make a request for support")
    summary = page.locator(".govuk-error-summary")
    for message in ("Enter the child's last name", "Enter what the concern is", "Enter why you are referring now"):
        expect(summary).to_contain_text(message)
    expect(summary).to_contain_text("Select whether the family agreed to this referral")
    hv.screenshot("referral-errors")
    page.get_by_label("Child's first name").fill(REFERRED[0])
    page.get_by_label("Child's last name").fill(REFERRED[1])
    birth = page.get_by_role("group", name="Date of birth", exact=True)
    birth.get_by_label("Day").fill("14")
    birth.get_by_label("Month").fill("2")
    birth.get_by_label("Year").fill("2021")
    page.get_by_label("Address line 1 (optional)").fill("12 Example Mews")
    page.get_by_label("Town or city (optional)").fill("Exampleton")
    page.get_by_label("Postcode (optional)").fill("ZZ3 3ZZ")
    page.get_by_label("What is the concern?").fill("Bruising to both arms seen at the two-year review.")
    page.get_by_label("Why are you referring now?").fill("Mother said a new partner has moved in.")
    page.get_by_role("group", name="Has the family agreed to this referral?").get_by_label("No").check()
    page.get_by_label("If not, why are you referring without their agreement?").fill("Asking may put the child at risk")
    page.get_by_label("What has the family been told?").fill("Nothing yet, on the front door's advice.")
    page.get_by_label("Your role").fill("Health visitor")
    page.get_by_label("Your telephone number").fill("01632 960123")
    page.get_by_role("button", name="Send the request").click()
    hv.arrive(re.compile(r"^Request for support S-\d{6}$"))
    expect(page.get_by_text(re.compile("sent to the front door"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Not decided yet")
    hv.screenshot("referral-received")
    reference = page.get_by_role("heading", level=1).inner_text().split()[-1]
    hv.sign_out()
    return reference


def test_a_partners_request_for_support_reaches_the_mash_and_the_outcome_reaches_the_partner(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    child = " ".join(REFERRED)
    reference = _send_request_for_support(start_journey("referral-hv"))

    mash = _signed_in(start_journey, "referral-mash", "mash.demo", "Front door")
    page = mash.page
    page.get_by_role("link", name="MASH queue", exact=True).first.click()
    mash.arrive("MASH queue")
    expect(page.get_by_role("row").filter(has_text=child)).to_contain_text(f"Partner portal {reference}")
    _take_and_rate(mash, child)
    panel = page.locator(".opencsc-contact-panel")
    expect(panel).to_contain_text(f"Request for support {reference} from {HEALTH}")
    expect(panel).to_contain_text("Harriet Visitor")
    expect(panel).to_contain_text("Known?")
    mash.screenshot("contact-panel")
    page.get_by_role("link", name="Ask a partner organisation through the partner portal").click()
    mash.arrive("Ask a partner organisation")
    page.get_by_label("Which organisation are you asking?").select_option(label=POLICE)
    page.get_by_label("What are you asking them to check?").fill("Anything known about adults at 12 Example Mews?")
    page.get_by_role("button", name="Send the check").click()
    mash.arrive("Checks waiting for partners")
    check = page.get_by_role("row").filter(has_text=child).get_by_role("cell").first.inner_text().split()[0]
    mash.sign_out()

    police = _signed_in(start_journey, "referral-police", "partner.demo", "Your agency's work")
    ppage = police.page
    expect(ppage.get_by_role("link", name=f"Request {reference}")).to_have_count(0)  # the health service's, not theirs
    ppage.get_by_role("link", name=f"Check {check}").click()
    police.arrive(f"Check {check}")
    ppage.get_by_label("Your answer").fill("The new partner has a caution for assault (2019).")
    ppage.get_by_role("button", name="Send your answer").click()
    police.arrive("Your agency's work")
    police.sign_out()

    again = _signed_in(start_journey, "referral-mash-decides", "mash.demo", "Front door")
    apage = again.page
    _open_decision(again, child)
    police_row = (
        apage.get_by_role("table", name="Checks with other agencies").get_by_role("row").filter(has_text="Police")
    )
    expect(police_row).to_contain_text("caution for assault")
    expect(police_row).to_contain_text(f"From: {POLICE} (answered in the partner portal by Pat Partner, check {check})")
    again.screenshot("decide-with-answer")
    apage.get_by_label("Information and advice given", exact=True).check()
    apage.get_by_label("Reasons for the decision", exact=True).fill("Advice to the health visitor; police aware")
    apage.get_by_label("What the referrer may be told (optional)").fill(
        "Advice given to the health visitor; the police are aware"
    )
    apage.get_by_role("button", name="Save").click()
    again.arrive("MASH queue")
    expect(apage.locator("main").get_by_text(child)).to_have_count(0)
    again.sign_out()

    hv = _signed_in(start_journey, "referral-hv-outcome", "hv.demo", "Your agency's work")
    hpage = hv.page
    row = hpage.get_by_role("row").filter(has_text=f"Request {reference}")
    expect(row).to_contain_text("Advice given to the health visitor; the police are aware")
    expect(hpage.locator("main")).not_to_contain_text(REFERRED[1])  # the list names no child
    row.get_by_role("link", name=f"Request {reference}").click()
    hv.arrive(f"Request for support {reference}")
    expect(hpage.locator("main")).to_contain_text("Decided")
    expect(hpage.locator("main")).not_to_contain_text("caution for assault")  # never the record
    hv.screenshot("referral-outcome")
