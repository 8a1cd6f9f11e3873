"""Cross-cutting request middleware: a request id for the audit trail, no caching of case data, and
a `Server-Timing` header for performance monitoring."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from opencsc.core import request_context, server_timing


class RequestIdMiddleware:
    """Give every request an id. Audit events written while serving it carry the same id, so an
    investigator can tie together every row one user action produced. The id is echoed in the
    `X-Request-ID` header and on error pages (a correlation id instead of a traceback), and added to
    every log line written while serving it (`opencsc.ops.logs`). Behind a proxy that sets its own id
    (nginx `$request_id`), `OPENCSC_TRUST_PROXY_REQUEST_ID=True` adopts it when it looks like one, so
    the proxy's access log, the application's logs and the audit trail share one id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "") if settings.OPENCSC_TRUST_PROXY_REQUEST_ID else ""
        request.request_id = offered if request_context.acceptable(offered) else uuid.uuid4().hex  # type: ignore[attr-defined]
        with request_context.bound(request.request_id):  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user may hold case data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class ServerTimingMiddleware:
    """Report how long the request took inside Django, and how much of that went on named spans
    (`audit`: appending to the audit chain), in a `Server-Timing` header: `total;dur=23.4,
    audit;dur=3.1` (milliseconds). Browser developer tools, load tests and a reverse proxy's access log
    can read it. It carries durations only, never data. First in MIDDLEWARE, so `total` covers the
    other middleware (sessions, sign-in, second factor) as well as the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = server_timing.begin()
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            spans = server_timing.end(token)
        response["Server-Timing"] = server_timing.header_value(time.perf_counter() - started, spans)
        return response
