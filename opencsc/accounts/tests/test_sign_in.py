"""Signing in: a password alone reaches nothing; TOTP codes cannot be replayed; guessing is throttled."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencsc.accounts import mfa
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _password_step(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post("/account/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_password_alone_reaches_no_case_data(social_worker, child):
    client = Client()
    response = _password_step(client, "sw")
    assert response.status_code == 302 and response.url.startswith("/account/mfa/setup/")
    for url in ("/", f"/people/{child.pk}/", "/people/", "/audit/"):
        page = client.get(url)
        assert page.status_code == 302 and page.url.startswith("/account/verify/"), url


def test_first_sign_in_sets_up_totp_then_signs_in(social_worker, child):
    code = mfa.enrolment_code_issue(actor=Actor.system("test"), issued_by=None, user=social_worker)
    client = Client()
    _password_step(client, "sw")
    client.post("/account/mfa/setup/", {"enrolment_code": code})
    setup = client.get("/account/mfa/setup/")
    assert "Set up your authenticator app" in setup.content.decode()
    device = TOTPDevice.objects.get(user=social_worker)
    response = client.post("/account/mfa/setup/?next=/", {"token": _code(device)})
    assert response.status_code == 302
    assert client.get(f"/people/{child.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enrolled", actor_id=social_worker.pk).count() == 1


def test_totp_code_cannot_be_replayed(social_worker):
    device = TOTPDevice.objects.create(user=social_worker, name="phone", confirmed=True)
    code = _code(device)
    first, second = Client(), Client()
    _password_step(first, "sw")
    assert first.post("/account/verify/", {"token": code}).status_code == 302
    _password_step(second, "sw")
    replay = second.post("/account/verify/", {"token": code})
    assert replay.status_code == 200
    assert "wrong or has expired" in replay.content.decode()


def test_wrong_password_message_does_not_reveal_whether_the_user_exists(social_worker):
    known = _password_step(Client(), "sw", "wrong-password-123").content.decode()
    unknown = _password_step(Client(), "nobody-here", "wrong-password-123").content.decode()
    assert "Enter a correct username and password" in known
    assert known.count("Enter a correct username") == unknown.count("Enter a correct username")
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_password_guessing_is_locked_out_without_locking_out_the_victim(social_worker, settings):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(attacker, "sw", "guess-guess-guess", ip="203.0.113.9")
    locked = _password_step(attacker, "sw", PASSWORD, ip="203.0.113.9")
    assert "Too many attempts" in locked.content.decode()
    victim = _password_step(Client(), "sw", PASSWORD, ip="10.0.0.1")
    assert victim.status_code == 302 and "/account/mfa/setup/" in victim.url


def test_idle_session_is_signed_out(client_for, social_worker, settings):
    client = client_for(social_worker)
    with time_machine.travel(time.time(), tick=False) as traveller:
        assert client.get("/").status_code == 200
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
        response = client.get("/")
    assert response.status_code == 302 and "timeout=1" in response.url
    assert client.get("/").status_code == 302  # the session is gone, not just redirected once


def test_sign_out_ends_the_session(client_for, social_worker, settings):
    client = client_for(social_worker)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/account/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/").status_code == 302


def test_disabled_account_loses_access_at_once(client_for, social_worker, child):
    client = client_for(social_worker)
    social_worker.is_active = False
    social_worker.save()
    assert client.get(f"/people/{child.pk}/").status_code == 302


def test_break_glass_needs_reason_is_time_limited_audited_and_alerts_ig(
    client_for, outsider, child, ig_officer, django_capture_on_commit_callbacks, settings
):
    client = client_for(outsider)
    assert client.get(f"/people/{child.pk}/").status_code == 404
    short = client.post(
        "/people/emergency-access/",
        {"identifier": child.la_child_id, "reason_category": "safeguarding_emergency", "reason": "urgent"},
    )
    assert "at least 20 characters" in short.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/emergency-access/",
            {
                "identifier": child.la_child_id,
                "reason_category": "safeguarding_emergency",
                "reason": "Police report the child is missing tonight and need the school details",
            },
        )
    assert response.status_code == 302
    page = client.get(f"/people/{child.pk}/")
    assert "You are viewing this record with emergency access" in page.content.decode()
    view = AuditEvent.objects.filter(action="person.view", actor_id=outsider.pk).latest("seq")
    assert view.detail["break_glass"] is True and "missing tonight" in view.reason
    assert len(mail.outbox) == 1 and ig_officer.email in mail.outbox[0].to
    assert child.full_name not in mail.outbox[0].body  # the alert carries a reference, not case content
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 24 * 3600  # only the grant should expire here
    with time_machine.travel(time.time() + settings.OPENCSC_BREAK_GLASS_MINUTES * 60 + 60, tick=False):
        assert client.get(f"/people/{child.pk}/").status_code == 404


def test_break_glass_is_refused_to_roles_without_it(client_for, analyst, child):
    assert client_for(analyst).get("/people/emergency-access/").status_code == 403


def test_restricted_record_needs_a_manager_to_break_the_seal(client_for, outsider, child):
    child.is_restricted = True
    child.save()
    response = client_for(outsider).post(
        "/people/emergency-access/",
        {
            "identifier": child.la_child_id,
            "reason_category": "safeguarding_emergency",
            "reason": "Police report the child is missing tonight and need the school details",
        },
    )
    assert "No record you can open in an emergency" in response.content.decode()


def test_ig_reviews_break_glass_but_not_their_own(client_for, ig_officer, outsider, child):
    from django.utils import timezone

    from opencsc.accounts.models import BreakGlassGrant, GovernanceAlert

    grant = BreakGlassGrant.objects.create(
        user=outsider,
        person=child,
        reason_category="consent",
        reason="Parent asked us to check the record urgently",
        expires_at=timezone.now() + timezone.timedelta(hours=1),
    )
    GovernanceAlert.objects.create(
        kind="break_glass", user=outsider, subject_person_id=child.pk, break_glass=grant, summary="test"
    )
    client = client_for(ig_officer)
    assert "Review" in client.get("/audit/alerts/").content.decode()
    client.post(f"/audit/break-glass/{grant.pk}/review/", {"note": "Justified: police request logged", "revoke": "on"})
    grant.refresh_from_db()
    assert grant.reviewed_by == ig_officer and grant.revoked_at is not None
    assert client_for(outsider).get(f"/people/{child.pk}/").status_code == 404


def test_only_ig_reads_the_audit_trail(client_for, ig_officer, social_worker, child):
    client_for(social_worker).get(f"/people/{child.pk}/")
    page = client_for(ig_officer).get("/audit/", {"subject": child.pk})
    assert page.status_code == 200 and "person.view" in page.content.decode()
    assert client_for(social_worker).get("/audit/").status_code == 403
    assert AuditEvent.objects.filter(action="audit.view", actor_id=ig_officer.pk).count() == 1
