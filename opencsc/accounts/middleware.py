"""Second factor and idle timeout, enforced for every signed-in request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in user may reach before completing the second factor: the sign-in steps
# themselves and public pages. Nothing holding case data.
_MFA_EXEMPT_PATHS = frozenset({"/account/login/", "/account/verify/", "/account/mfa/setup/", "/account/logout/"})
_MFA_EXEMPT_PREFIXES = ("/static/", "/privacy-notice/", "/ask-us/", "/accessibility/", "/healthz")


class SecondFactorRequiredMiddleware:
    """A password alone reaches nothing: until the session is verified with a TOTP token, every page
    (and the API) redirects to the second-factor step. Only the local demo may switch this off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.OPENCSC_REQUIRE_MFA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and request.path not in _MFA_EXEMPT_PATHS
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return HttpResponse("Second factor required", status=401)
            return redirect(f"{reverse('accounts:verify')}?next={request.path}")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session left idle longer than SESSION_IDLE_TIMEOUT_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?timeout=1")
            if now - last >= 60 or "last_seen" not in request.session:  # one session write a minute
                request.session["last_seen"] = now
        return self.get_response(request)
