"""Checking a return from another system, in Debian's chromium with axe on every page: an analyst
submits nothing (a GOV.UK error summary), then a CIN census with broken children, and reads the
findings per rule and per child, with the rules' messages and what could not be checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_analyst_checks_a_cin_census_from_another_system(
    start_journey: Callable[..., Journey], app_server: AppServer, tmp_path: Path, javascript: bool
) -> None:
    from opencsc.returns.cin.synthetic import broken_return
    from opencsc.returns.cin.xml_io import cin_xml_bytes

    census = tmp_path / "other_system_cin.xml"
    census.write_bytes(cin_xml_bytes(broken_return(40, "2025-26", seed=3)[0]))
    analyst = start_journey("return-check", javascript=javascript)
    analyst.sign_in("analyst.demo")
    analyst.arrive(re.compile(".+"))
    page = analyst.page
    analyst.visit("/returns/")
    analyst.arrive("Statutory returns")
    page.get_by_role("link", name="Check a return from another system").click()
    analyst.arrive("Check a return from another system")
    analyst.screenshot("form")

    page.get_by_role("button", name="Check the return").click()
    analyst.arrive("Check a return from another system")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Choose the file or files to check")).to_be_visible()

    page.get_by_label("Files to check").set_input_files(str(census))
    page.get_by_role("button", name="Check the return").click()
    analyst.arrive("Findings")
    expect(page.get_by_role("heading", name="By child")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("What it checks")
    analyst.artifacts.mkdir(parents=True, exist_ok=True)  # the top of a long page (a full one is slow)
    page.screenshot(path=analyst.artifacts / "return-check-findings.png", timeout=30_000)
