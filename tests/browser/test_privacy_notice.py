"""The public privacy notice (no sign-in, with and without JavaScript) and a practitioner's share, each
page checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser

NOTICE_HEADING = re.compile(r"^Privacy notice: ")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_privacy_notice_needs_no_sign_in(start_journey: Callable[..., Journey], javascript: bool) -> None:
    visitor = start_journey("public", javascript=javascript)
    response = visitor.visit("/privacy-notice/")
    assert response is not None and response.status == 200
    visitor.arrive(NOTICE_HEADING)
    page = visitor.page
    expect(page.get_by_role("heading", name="Sharing with the NHS and the Department for Education")).to_be_visible()
    expect(page.get_by_role("heading", name="Your rights and how to ask")).to_be_visible()
    page.get_by_role("link", name="How long we keep it").click()
    expect(page).to_have_url(re.compile(r"#how-long$"))


def test_a_social_worker_shares_and_opens_the_pack(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    facts = app_server.facts
    child = facts["child"]
    worker = start_journey("worker")
    worker.sign_in(facts["social_worker"])
    worker.arrive("Your caseload")
    page = worker.page

    worker.visit(f"/sharing/people/{child['id']}/disclosures/")
    worker.arrive("Disclosure log")
    page.get_by_role("link", name="Share information").click()
    worker.arrive("Share information")
    page.get_by_label("Who are you sharing with?").select_option(label="Exampleton Constabulary Public Protection Unit")
    page.get_by_label("Support children and keep them safe").check()
    page.get_by_role("button", name="Continue").click()
    worker.arrive(re.compile(r"^Choose what to share with "))

    page.get_by_role("button", name="Share and record the disclosure").click()  # nothing chosen yet
    worker.arrive(re.compile(r"^Choose what to share with "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    page.locator("input[name=items]").first.check()
    page.get_by_label("Shared without consent: to protect a child from harm").check()
    page.get_by_label("Who agreed, or why you are sharing without consent").fill("Risk of significant harm")
    page.get_by_role("button", name="Share and record the disclosure").click()
    worker.arrive(re.compile(r"^Disclosure D-\d{6}$"))
    page.get_by_role("link", name="Open the disclosure pack").click()
    worker.arrive(re.compile(r"^Disclosure D-\d{6}$"))
    expect(page.get_by_text("OFFICIAL-SENSITIVE")).to_be_visible()
