"""The public "ask us" form in the browser: no sign-in, a GOV.UK error summary, the acknowledgement
with its reference, the rate limit, and the request waiting in information governance's queue. Every
page is checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser
RATE_LIMIT = 5  # OPENCSC_ASK_US_RATE_LIMIT's default: posts an hour from one address


def _fill(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("See the information held (subject access, Article 15)").check()
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Me", exact=True).check()
    page.get_by_label("Tell us what you are asking for").fill("I was in care from 2009 to 2017. Please send my file.")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill("careleaver@example.com")


def test_someone_asks_for_their_file_without_an_account(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    visitor = start_journey("public")
    page = visitor.page
    visitor.visit("/privacy-notice/")
    visitor.arrive(re.compile(r"^Privacy notice: "))
    page.get_by_role("link", name="Ask us online").click()
    visitor.arrive("Ask us about your information")

    page.get_by_role("button", name="Send your request").click()  # nothing filled in
    visitor.arrive("Ask us about your information")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Select what you would like to do")
    expect(summary).to_contain_text("Enter your full name")
    summary.get_by_role("link", name="Enter your full name").click()
    expect(page.get_by_label("Your full name")).to_be_focused()

    _fill(page, "Robin Careleaver")
    page.get_by_role("button", name="Send your request").click()
    visitor.arrive("Request sent")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"ASK-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    visitor.screenshot("acknowledgement")

    # Two posts so far from this address; a flood is refused with a page that says what to do instead.
    for n in range(RATE_LIMIT - 2):
        visitor.visit("/ask-us/")
        visitor.arrive("Ask us about your information")
        _fill(page, f"Flood Sender{'x' * (n + 1)}")
        page.get_by_role("button", name="Send your request").click()
        visitor.arrive("Request sent")
    visitor.visit("/ask-us/")
    visitor.arrive("Ask us about your information")
    _fill(page, "One Toomany")
    page.get_by_role("button", name="Send your request").click()
    visitor.arrive("Too many requests from your connection")

    ig = start_journey("ig")
    ig.sign_in(app_server.facts["ig_officer"])
    ig.arrive("Information governance")
    ig.page.get_by_role("link", name="Rights requests").click()
    ig.arrive("Rights requests")
    ig.screenshot("queue")
    ig.page.get_by_role("link", name=reference).click()
    ig.arrive(f"Rights request {reference}")
    expect(ig.page.get_by_text("Robin Careleaver (The person the information is about)")).to_be_visible()
    ig.screenshot("detail")


def test_information_governance_answers_a_subject_access_request(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    """Record a request from a letter, confirm identity, link the child's record, compile the bundle,
    decide the proposed redactions and release the PDF: every page checked with axe."""
    child = app_server.facts["child"]
    ig = start_journey("ig")
    page = ig.page
    ig.sign_in(app_server.facts["ig_officer"])
    ig.arrive("Information governance")
    page.get_by_role("link", name="Rights requests").click()
    ig.arrive("Rights requests")
    page.get_by_role("link", name="Record a request received by letter, email, phone or in person").click()
    ig.arrive("Record a rights request")
    page.get_by_label("See the information held (subject access, Article 15)").check()
    page.get_by_label("Requester's full name").fill(child["full_name"])
    page.get_by_label("Me", exact=True).check()
    page.get_by_label("What they asked for").fill("A copy of my file, by post please.")
    page.get_by_label("Post", exact=True).check()
    page.get_by_label("Postal address").fill("1 Test Street, Exampleton")
    received = page.get_by_role("group", name="Date the request was received")
    received.get_by_label("Day").fill("1")
    received.get_by_label("Month").fill("12")
    received.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record the request").click()
    ig.arrive(re.compile(r"^Rights request ASK-"))
    page.get_by_label("Person id of their record").fill(str(child["id"]))
    page.get_by_role("button", name="Link the record").click()
    ig.arrive(re.compile(r"^Rights request ASK-"))
    page.get_by_role("button", name="Compile the bundle").click()
    ig.arrive(re.compile(r"^Subject access bundle for ASK-"))
    ig.screenshot("bundle")
    expect(page.get_by_text(re.compile(r"proposed or added redactions?;"))).to_be_visible()
    accept = page.get_by_role("button", name=re.compile(r"^Remove all \d+ undecided"))
    if accept.count():
        accept.click()
        ig.arrive(re.compile(r"^Subject access bundle for ASK-"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Release and download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    ig.visit(page.url)
    ig.arrive(re.compile(r"^Subject access bundle for ASK-"))
    expect(page.get_by_text(re.compile(r"^Released .* entries"))).to_be_visible()
