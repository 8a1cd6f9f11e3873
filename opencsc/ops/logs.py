"""Structured logs: one JSON object a line, each with the request id (or job run id) it belongs to.

`LOG_FORMAT=json` (the default when DEBUG is off) selects `JsonFormatter`; journald or any log shipper
can parse the lines without patterns. What goes into a line is kept free of personal data by
construction: the request log (`RequestLogMiddleware`) writes the URL *pattern* that matched
(`people/<int:person_id>/`), never the path or its query string, which can hold a searched name, an
NHS number or a signed link. A test drives a browser journey and scans the server's log for every
seeded name and NHS number (tests/browser/test_logs.py).

Why a 30-line formatter rather than a library: the standard library's `logging` does all the work;
the formatter only picks the fields and calls `json.dumps` (docs/adr/0022-operations.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from opencsc.core import request_context

# LogRecord attributes that are not the caller's `extra=` fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
# Extras never written: Django adds the request object to its own records (django.request,
# django.security), and its text is the full path with the query string.
_DROPPED = {"request", "server_time"}


class RequestIdFilter(logging.Filter):
    """Add `request_id` (the current request's or job run's id, or "") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_context.current()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_context.current(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in _DROPPED:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


request_log = logging.getLogger("opencsc.request")


class RequestLogMiddleware:
    """One line per request: method, the URL pattern that matched (never the path), status, time and
    the user's id. Replaces the WSGI server's access log, which would print paths and query strings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "route": ("/" + match.route) if match is not None else "(no route)",
                "view": match.view_name if match is not None else "",
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class TrustedProxyMiddleware:
    """Behind the reverse proxy every connection comes from the proxy (127.0.0.1), so the audit trail,
    the sign-in throttle and the logs would all see one address. When the connection comes from an
    address in OPENCSC_TRUSTED_PROXIES, take the client's address from the X-Forwarded-For the proxy
    set (its rightmost entry: the one the proxy itself saw). From anyone else, the header is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from django.conf import settings

        self.trusted = frozenset(getattr(settings, "OPENCSC_TRUSTED_PROXIES", []))
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            with contextlib.suppress(ValueError):  # no usable header: keep the proxy's own address
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.get_response(request)
