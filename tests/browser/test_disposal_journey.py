"""Disposal of records, in Debian's chromium (each page checked with axe): one information
governance officer prepares a batch of what is due, cannot approve it themselves, a second officer
approves it, the first carries it out and reads the certificate."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def test_prepare_approve_carry_out_and_read_the_certificate(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    child_id = str(facts["disposal_child_id"])
    preparer = start_journey("ig-preparer")
    page = preparer.page
    preparer.sign_in(facts["ig_officer"])
    preparer.arrive("Information governance")
    page.get_by_role("link", name="Rights requests").click()
    preparer.arrive("Rights requests")
    page.get_by_role("link", name="Disposal of records under the retention rules").click()
    preparer.arrive("Disposal of records")
    page.get_by_role("link", name="See what is due and prepare a batch").click()
    preparer.arrive("Prepare a disposal batch")
    due = page.get_by_role("table", name="Due for disposal")
    expect(due.get_by_role("row").filter(has_text=child_id).filter(has_text="Child in need record")).to_be_visible()
    page.get_by_role("button", name="Prepare the batch").click()  # without confirming: an error summary
    preparer.arrive("Prepare a disposal batch")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have checked the list")
    page.get_by_label("I have checked the list").check()
    page.get_by_role("button", name="Prepare the batch").click()
    preparer.arrive(re.compile(r"^Disposal batch DB-"))
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Disposal batch ")
    expect(page.get_by_text("a different information governance officer must approve it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the batch")).to_have_count(0)
    preparer.screenshot("prepared")
    batch_url = page.url

    approver = start_journey("ig-approver")
    approver.sign_in(facts["second_ig_officer"])
    approver.arrive("Information governance")
    approver.page.get_by_role("link", name=reference).click()  # "Disposal batches waiting for your approval"
    approver.arrive(f"Disposal batch {reference}")
    approver.page.get_by_label("I have checked this batch and approve").check()
    approver.page.get_by_role("button", name="Approve the batch").click()
    approver.arrive(f"Disposal batch {reference}")
    expect(approver.page.get_by_text("Approved, not yet carried out")).to_be_visible()
    approver.screenshot("approved")

    preparer.visit(batch_url)
    preparer.arrive(f"Disposal batch {reference}")
    page.get_by_label("I understand that these records will be removed for good").check()
    page.get_by_role("button", name="Carry out the disposal").click()
    preparer.arrive(f"Disposal certificate {reference}")
    row = page.get_by_role("table", name="Records").get_by_role("row").filter(has_text=child_id)
    expect(row).to_contain_text("Disposed of on")
    expect(row).to_contain_text("Child in need record")
    expect(page.get_by_text("Browsertest")).to_have_count(0)
    preparer.screenshot("certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (CSV)").click()
    assert download.value.suggested_filename == f"disposal-certificate-{reference}.csv"
