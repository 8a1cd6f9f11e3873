"""Fixtures for the browser tests: the application in its own server process, Debian's chromium, and
journeys that check every page with axe.

Chromium is the one Debian installs at /usr/bin/chromium; Playwright never downloads a browser here.
Without it the tests are skipped with a message, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from .axe import NoScriptChecker, check_live_page
from .journey import Journey
from .server import AppServer, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("OPENCSC_BROWSER_ARTIFACTS", Path(tempfile.gettempdir()) / "opencsc-browser-tests"))
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so a fixture can tell whether its test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) for the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def app_server(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The application, migrated and seeded, served by its own process on a free loopback port.
    One per pytest-xdist worker that runs browser tests, each with its own database."""
    with running_server(tmp_path_factory.mktemp("app-server")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Browser]:
    # Module scope on purpose: while Playwright's synchronous API is started, this thread has an
    # asyncio loop marked as running, and Django then refuses ORM calls from the same thread as
    # "async-unsafe". Stopping Playwright after each browser module keeps the database tests that
    # pytest-xdist schedules on this worker afterwards unaffected.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def start_journey(
    browser: Browser, app_server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Journey]]:
    """Start a journey: `start_journey("worker")` or `start_journey("no-js", javascript=False)`.

    After the test: if it failed, a screenshot of where each journey stopped is saved (the paths are
    printed with the failure); if it passed, every page a journey loaded must have been checked."""
    journeys: list[Journey] = []
    checkers: list[NoScriptChecker] = []
    artifacts = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid)

    def start(name: str, *, javascript: bool = True) -> Journey:
        context = browser.new_context(base_url=app_server.url, java_script_enabled=javascript, locale="en-GB")
        context.set_default_timeout(10_000)
        if javascript:
            checker = check_live_page
        else:
            checkers.append(NoScriptChecker(browser, app_server.url))
            checker = checkers[-1].check
        journey = Journey(
            name=name, context=context, page=context.new_page(), server=app_server, artifacts=artifacts, checker=checker
        )
        journeys.append(journey)
        return journey

    yield start

    reports = request.node.stash.get(_REPORTS, {})
    failed = "call" in reports and reports["call"].failed
    try:
        if failed:
            shots = [str(journey.screenshot("failed")) for journey in journeys if not journey.page.is_closed()]
            print(f"\nScreenshots: {', '.join(shots)}\nServer log: {app_server.log_path}")
        elif "call" in reports:
            unchecked = {j.name: j.unchecked_pages() for j in journeys if j.unchecked_pages()}
            assert not unchecked, f"pages loaded but never checked with axe: {unchecked}"
    finally:
        for journey in journeys:
            journey.context.close()
        for checker in checkers:
            checker.close()
