"""A user's way through the service in one browser, with every page they land on checked by axe.

`Journey.arrive(heading)` is the one step the tests take after each navigation: it waits for the page
the user expects (by its main heading), then checks it with axe and for script, CSP and missing-asset
errors. The journey records every document the browser loads, so a page that was reached but never
checked is reported too (see `unchecked_pages`).
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, expect

from .axe import Violation, report
from .server import AppServer

TOTP_STEP = 30  # seconds: django-otp's default, used by the service's TOTP devices
TOTP_TOLERANCE = 1  # steps of clock difference the service's TOTP devices accept (django-otp's default)


@dataclass
class _Document:
    url: str
    checked: bool = False


@dataclass
class Journey:
    """One person using the service in their own browser context."""

    name: str
    context: BrowserContext
    page: Page
    server: AppServer
    artifacts: Path
    checker: Callable[[Page], list[Violation]]
    documents: list[_Document] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("domcontentloaded", lambda page: self.documents.append(_Document(page.url)))
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)

    # --- what the browser reports ---------------------------------------------------------
    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    def _response(self, response: Response) -> None:
        # Chromium asks for /favicon.ico on its own; the service does not have one.
        if (
            response.status >= 400
            and response.request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
        ):
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _request_failed(self, request: Request) -> None:
        if request.resource_type != "document":
            self.problems.append(f"failed to load {request.resource_type} {request.url}: {request.failure}")

    # --- steps ------------------------------------------------------------------------------
    def visit(self, path: str) -> Response | None:
        return self.page.goto(path)

    def arrive(self, heading: str | re.Pattern[str]) -> None:
        """Wait for the page whose main heading is `heading`, then check it: no WCAG A/AA violation
        (axe), no script error, no CSP violation, no stylesheet or script that failed to load."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        self.page.wait_for_load_state("load")
        violations = self.checker(self.page)
        if violations:
            shot = self.screenshot("axe")
            raise AssertionError(f"{report(self.page.url, violations)}\nscreenshot: {shot}")
        if self.problems:
            problems, self.problems = self.problems, []
            raise AssertionError(f"problems on {self.page.url}:\n" + "\n".join(problems))
        if self.documents:
            self.documents[-1].checked = True

    def unchecked_pages(self) -> list[str]:
        return [document.url for document in self.documents if not document.checked]

    def screenshot(self, label: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{self.name}-{len(self.screenshots) + 1:02d}-{label}.png"
        self.page.screenshot(path=path, full_page=True)
        self.screenshots.append(path)
        return path

    # --- signing in and out -----------------------------------------------------------------
    def sign_in(self, username: str) -> None:
        """Sign in with the password and then the authenticator app's code, as a worker does. On a
        user's first sign-in the service asks for the enrolment code an administrator issued, then
        shows the app's key."""
        self.visit("/")
        self.arrive("Sign in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(self.server.facts["password"])
        self.page.get_by_role("button", name="Continue").click()
        heading = self.page.get_by_role("heading", level=1)
        expect(heading).to_have_text(
            re.compile("You need an enrolment code|Set up your authenticator app|Enter your security code")
        )
        if heading.inner_text() == "You need an enrolment code":
            # The password alone reaches only this page; the code came from a system administrator.
            self.arrive("You need an enrolment code")
            self.page.get_by_label("Enrolment code").fill(self.server.facts["enrolment_codes"][username])
            self.page.get_by_role("button", name="Continue").click()
            expect(heading).to_have_text("Set up your authenticator app")
        if heading.inner_text() == "Set up your authenticator app":
            self.arrive("Set up your authenticator app")
            secret = self.page.locator("code").filter(has_text=re.compile(r"^[A-Z2-7]+$")).inner_text()
            self.server.totp_keys[username] = base64.b32decode(secret + "=" * (-len(secret) % 8))
            button = "Continue"
        else:
            self.arrive("Enter your security code")
            button = "Sign in"
        self.page.get_by_label("Security code").fill(self._fresh_code(username))
        self.page.get_by_role("button", name=button).click()

    def _fresh_code(self, username: str) -> str:
        # The service refuses a code it has already accepted (replay protection) but, like an
        # authenticator app a little ahead of the server's clock, accepts the next step's code
        # (django-otp's default tolerance of one step). So a second sign-in by the same user within
        # one 30-second step uses the next code; only a third has to wait for the clock.
        key = self.server.totp_keys[username]
        now = int(time.time()) // TOTP_STEP
        step = max(now, self.server.last_totp_step.get(username, now - 1) + 1)
        if step > now + TOTP_TOLERANCE:
            time.sleep((step - TOTP_TOLERANCE) * TOTP_STEP - time.time() + 0.5)
        self.server.last_totp_step[username] = step
        return f"{totp(key, step=TOTP_STEP, drift=step - int(time.time()) // TOTP_STEP):06d}"

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.arrive("Sign in")
        expect(self.page.get_by_text("You have signed out")).to_be_visible()
