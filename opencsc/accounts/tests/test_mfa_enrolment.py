"""Issue 10, defect 1: the second factor could be enrolled with the password alone. Enrolment now
needs a single-use, expiring code a system administrator issued for that user; removing an app needs
two administrators. Every step is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencsc.accounts import mfa
from opencsc.accounts.models import DeviceResetRequest, EnrolmentCode, Role
from opencsc.accounts.tests.factories import UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _password_step(client: Client, username: str) -> None:
    response = client.post("/account/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/account/mfa/setup/")


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _reaches_case_data(client: Client, child) -> bool:
    return client.get(f"/people/{child.pk}/").status_code == 200


@pytest.fixture
def second_admin(db):
    return UserFactory(username="sysadmin2", role=Role.SYSTEM_ADMIN)


def test_password_alone_gets_no_secret_no_qr_and_cannot_enrol(social_worker, child):
    """The attack exactly as reported: sign in with the password of a never-enrolled account, open
    /account/mfa/setup/ and post a code. Before the fix the page showed the secret and the post
    confirmed the device and gave full access."""
    client = Client()
    _password_step(client, "sw")
    page = client.get("/account/mfa/setup/")
    html = page.content.decode()
    assert page.status_code == 200 and "You need an enrolment code" in html
    assert "data:image/svg+xml" not in html and "Key:" not in html  # no QR code, no secret
    assert not TOTPDevice.objects.filter(user=social_worker).exists()  # no secret exists anywhere
    # An attacker who saw a secret another way (a half-finished device from before the fix) and
    # posts its current code gets nothing either.
    stale = TOTPDevice.objects.create(user=social_worker, name="Authenticator app", confirmed=False)
    attempt = client.post("/account/mfa/setup/?next=/", {"token": _code(stale)})
    assert attempt.status_code == 200 and "You need an enrolment code" in attempt.content.decode()
    stale.refresh_from_db()
    assert stale.confirmed is False
    assert not _reaches_case_data(client, child)
    assert not AuditEvent.objects.filter(action="auth.mfa_enrolled").exists()


def test_a_code_from_an_administrator_enrols_once(social_worker, system_admin, child):
    admin = Client()
    admin.force_login(system_admin)
    TOTPDevice.objects.create(user=system_admin, name="admin phone", confirmed=True)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=system_admin).persistent_id
    session.save()
    issued = admin.post(f"/account/sign-in-admin/{social_worker.pk}/enrolment-code/")
    assert issued.status_code == 200 and "no-store" in issued["Cache-Control"]
    code = issued.context["code"]
    assert code not in "".join(EnrolmentCode.objects.values_list("code_hash", flat=True))  # stored hashed

    worker = Client()
    _password_step(worker, "sw")
    assert worker.post("/account/mfa/setup/", {"enrolment_code": code.lower().replace("-", " ")}).status_code == 302
    setup = worker.get("/account/mfa/setup/").content.decode()
    assert "Set up your authenticator app" in setup and "data:image/svg+xml" in setup
    device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    assert worker.post("/account/mfa/setup/?next=/", {"token": _code(device)}).status_code == 302
    assert _reaches_case_data(worker, child)

    # Single use: the same code in another session (the thief's) is refused and audited.
    thief = Client()
    thief.post("/account/login/", {"username": "sw", "password": PASSWORD})
    replay = thief.post("/account/mfa/setup/", {"enrolment_code": code})
    assert replay.status_code == 302 and replay.url.startswith("/account/verify/")  # enrolled: the app is asked for
    assert not _reaches_case_data(thief, child)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("auth.enrolment_code_issue") == 1 and actions.count("auth.enrolment_code_use") == 1
    issue_event = AuditEvent.objects.get(action="auth.enrolment_code_issue")
    assert issue_event.actor_id == system_admin.pk and issue_event.object_id == str(social_worker.pk)


def test_code_is_single_use_user_bound_and_expires(social_worker, outsider, child):
    code = mfa.enrolment_code_issue(actor=Actor.system("test"), issued_by=None, user=social_worker)
    other = Client()
    _password_step(other, "outsider")
    refused = other.post("/account/mfa/setup/", {"enrolment_code": code})
    assert "wrong, has been used or has expired" in refused.content.decode()
    assert AuditEvent.objects.filter(action="auth.enrolment_code_refused", actor_id=outsider.pk).count() == 1

    later = mfa.enrolment_code_issue(actor=Actor.system("test"), issued_by=None, user=social_worker)
    assert EnrolmentCode.objects.get(code_hash=mfa._hash(code)).revoked_at is not None  # a new code revokes the old
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        client = Client()
        _password_step(client, "sw")
        expired = client.post("/account/mfa/setup/", {"enrolment_code": later})
        assert "wrong, has been used or has expired" in expired.content.decode()
        assert not _reaches_case_data(client, child)

    fresh = mfa.enrolment_code_issue(actor=Actor.system("test"), issued_by=None, user=social_worker)
    first, second = Client(), Client()
    _password_step(first, "sw")
    _password_step(second, "sw")
    assert first.post("/account/mfa/setup/", {"enrolment_code": fresh}).status_code == 302
    again = second.post("/account/mfa/setup/", {"enrolment_code": fresh})
    assert "wrong, has been used or has expired" in again.content.decode()


def test_only_system_admins_issue_codes_and_not_for_themselves(client_for, social_worker, system_admin, team_manager):
    assert client_for(team_manager).get("/account/sign-in-admin/").status_code == 403
    assert (
        client_for(team_manager).post(f"/account/sign-in-admin/{social_worker.pk}/enrolment-code/").status_code == 403
    )
    admin = client_for(system_admin)
    page = admin.get("/account/sign-in-admin/")
    assert page.status_code == 200 and "sw" in page.content.decode()
    # An enrolled user cannot be given a second app silently: the old one must be removed first.
    TOTPDevice.objects.create(user=social_worker, name="phone", confirmed=True)
    admin.post(f"/account/sign-in-admin/{social_worker.pk}/enrolment-code/")
    assert not EnrolmentCode.objects.filter(user=social_worker).exists()
    admin.post(f"/account/sign-in-admin/{system_admin.pk}/enrolment-code/")
    assert not EnrolmentCode.objects.filter(user=system_admin).exists()


def test_removing_an_app_needs_a_second_administrator(client_for, social_worker, system_admin, second_admin):
    TOTPDevice.objects.create(user=social_worker, name="lost phone", confirmed=True)
    first = client_for(system_admin)
    first.post(
        f"/account/sign-in-admin/{social_worker.pk}/remove-app/", {"reason": "Phone lost on the bus, ticket 4411"}
    )
    reset = DeviceResetRequest.objects.get(user=social_worker)
    first.post(f"/account/sign-in-admin/removals/{reset.pk}/", {"decision": "approve"})
    reset.refresh_from_db()
    assert reset.status == DeviceResetRequest.Status.PENDING  # the asker cannot approve
    assert TOTPDevice.objects.filter(user=social_worker, confirmed=True).exists()

    client_for(second_admin).post(f"/account/sign-in-admin/removals/{reset.pk}/", {"decision": "approve"})
    reset.refresh_from_db()
    assert reset.status == DeviceResetRequest.Status.APPROVED and reset.decided_by == second_admin
    assert not TOTPDevice.objects.filter(user=social_worker).exists()
    request_event = AuditEvent.objects.get(action="auth.mfa_reset_request")
    approve_event = AuditEvent.objects.get(action="auth.mfa_reset_approve")
    assert request_event.actor_id == system_admin.pk and approve_event.actor_id == second_admin.pk
    assert request_event.reason.startswith("Phone lost")
    # Now the user is back to needing a code: the password alone reaches the enrolment-code page.
    client = Client()
    _password_step(client, "sw")
    assert "You need an enrolment code" in client.get("/account/mfa/setup/").content.decode()


def test_demo_switch_still_turns_the_second_factor_off(settings, social_worker, child):
    settings.OPENCSC_REQUIRE_MFA = False
    client = Client()
    response = client.post("/account/login/", {"username": "sw", "password": PASSWORD})
    assert response.status_code == 302 and not response.url.startswith("/account/")
    assert _reaches_case_data(client, child)


def test_bootstrap_command_issues_an_audited_code(social_worker, capsys):
    from django.core.management import call_command

    call_command("issue_enrolment_code", "sw")
    out = capsys.readouterr().out
    assert "works once" in out
    event = AuditEvent.objects.get(action="auth.enrolment_code_issue")
    assert event.actor_repr == "system:issue_enrolment_code"


def test_guessing_enrolment_codes_is_throttled(settings, social_worker, child):
    """After OPENCSC_MFA_ENROLMENT_ATTEMPTS wrong codes even the right code is refused unchecked until
    the window has passed; each refusal is audited, the throttled ones say so."""
    settings.OPENCSC_MFA_ENROLMENT_ATTEMPTS = 3
    settings.OPENCSC_MFA_ENROLMENT_LOCK_MINUTES = 15
    code = mfa.enrolment_code_issue(actor=Actor.system("test"), issued_by=None, user=social_worker)
    client = Client()
    _password_step(client, "sw")
    for guess in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", "GGGG-HHHH-JJJJ"):
        wrong = client.post("/account/mfa/setup/", {"enrolment_code": guess})
        assert "wrong, has been used or has expired" in wrong.content.decode()
    locked = client.post("/account/mfa/setup/", {"enrolment_code": code})
    assert locked.status_code == 200 and "Too many wrong enrolment codes" in locked.content.decode()
    assert EnrolmentCode.objects.get(code_hash=mfa._hash(code)).used_at is None  # the real code was not spent
    throttled = AuditEvent.objects.filter(action="auth.enrolment_code_refused", detail__throttled=True)
    assert throttled.count() == 1 and throttled.get().object_id == str(social_worker.pk)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert client.post("/account/mfa/setup/", {"enrolment_code": code}).status_code == 302
