from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/people/", "/account/login/", "/privacy-notice/"])
def test_security_headers_on_every_page(client_for, social_worker, path):
    response = client_for(social_worker).get(path, secure=True)
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    if b"<script nonce=" in response.content:  # a page with its inline script allows exactly that nonce
        nonce = response.content.split(b'<script nonce="')[1].split(b'"')[0].decode()
        assert f"'nonce-{nonce}'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


def test_hsts_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/account/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_session_cookie_is_host_only_secure_and_hidden_from_scripts(client, social_worker, settings):
    response = client.post(
        "/account/login/", {"username": "sw", "password": "correct-horse-battery-staple"}, secure=True
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
