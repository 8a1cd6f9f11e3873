"""The health-needs picture for the NHS, in Debian's chromium with axe on every page: information
governance opens the picture (counts only, suppressed as released), asks to release it without
choosing a body (a GOV.UK error summary), releases it to an NHS body and gets the workbook, and
finds the release listed. With and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser
HEADING = "Health-needs picture for the NHS"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_ig_releases_the_health_needs_picture(
    start_journey: Callable[..., Journey], app_server: AppServer, javascript: bool
) -> None:
    ig = start_journey("health-needs", javascript=javascript)
    ig.sign_in(app_server.facts["ig_officer"])
    ig.arrive("Information governance")
    page = ig.page
    page.get_by_role("link", name="Health-needs picture for the NHS").click()
    ig.arrive(HEADING)
    expect(page.get_by_role("table", name="Age band", exact=True)).to_be_visible()
    expect(page.locator("#computed")).to_contain_text("Computed ")  # the stored nightly picture
    expect(page.get_by_role("table", name="Disability", exact=True)).to_contain_text("All children")
    ig.screenshot("picture")

    page.get_by_role("button", name="Release and download").click()
    ig.arrive(HEADING)
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Select the NHS body to release the picture to")).to_be_visible()

    page.get_by_label("NHS body to release it to").select_option(label="Exampleton Health Visiting Service")
    with page.expect_download() as download:
        page.get_by_role("button", name="Release and download").click()
    assert download.value.suggested_filename.startswith("health-needs-")
    ig.visit("/standard-data/health-needs/")
    ig.arrive(HEADING)
    expect(page.get_by_role("table", name="Releases of the health-needs picture")).to_contain_text(
        "Exampleton Health Visiting Service"
    )
