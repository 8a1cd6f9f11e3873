"""A system administrator issues an authenticator-app enrolment code (issue 10, defect 1), and the
user it was issued for sets up their app with it. Every page passes axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .journey import Journey
from .server import AppServer

pytestmark = pytest.mark.browser


def test_admin_issues_a_code_and_the_user_enrols_with_it(
    start_journey: Callable[..., Journey], app_server: AppServer
) -> None:
    spare = str(app_server.facts["spare_user"])
    admin = start_journey("system-admin")
    admin.sign_in("admin.demo")
    admin.arrive(re.compile(".+"))  # whichever home page a system administrator has
    page = admin.page
    page.get_by_role("link", name="Sign-in set-up").first.click()
    admin.arrive("Sign-in set-up")
    page.get_by_label("Find a user by username or name").fill(spare)
    page.get_by_role("button", name="Find").click()
    admin.arrive("Sign-in set-up")
    row = page.get_by_role("row").filter(has_text=f"({spare})")
    expect(row.get_by_text("Not set up")).to_be_visible()
    admin.screenshot("sign-in-set-up")
    row.get_by_role("button", name=re.compile("Issue enrolment code")).click()
    admin.arrive(re.compile("Enrolment code for"))
    admin.screenshot("code-issued")
    code = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    user = start_journey("new-user")
    user.visit("/")
    user.arrive("Sign in")
    user.page.get_by_label("Username").fill(spare)
    user.page.get_by_label("Password").fill(app_server.facts["password"])
    user.page.get_by_role("button", name="Continue").click()
    user.arrive("You need an enrolment code")
    user.screenshot("needs-code")
    expect(user.page.locator("img")).to_have_count(0)  # no QR code before the code
    user.page.get_by_label("Enrolment code").fill(code)
    user.page.get_by_role("button", name="Continue").click()
    user.arrive("Set up your authenticator app")
