"""Structured logs: JSON lines with the request id, the URL pattern and never the path or query."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from opencsc.audit.models import AuditEvent
from opencsc.core import request_context
from opencsc.ops.logs import JsonFormatter, RequestIdFilter


def test_a_json_line_carries_the_request_id_and_extra_fields() -> None:
    record = logging.makeLogRecord({"name": "opencsc.jobs", "levelname": "INFO", "msg": "job %s", "args": ("x",)})
    record.job = "anchor_audit"
    with request_context.bound("abc123def456abcd"):
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job x" and line["request_id"] == "abc123def456abcd"
    assert line["job"] == "anchor_audit" and line["level"] == "INFO" and line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_the_request_line_names_the_route_not_the_path(
    client: Client, caplog: pytest.LogCaptureFixture, django_user_model: object
) -> None:
    with caplog.at_level(logging.INFO, logger="opencsc.request"):
        response = client.get("/privacy-notice/?q=Amelia+Zebedee-Quint&nhs=9990001234")
    lines = [r for r in caplog.records if r.name == "opencsc.request"]
    assert len(lines) == 1
    line = json.loads(JsonFormatter().format(lines[0]))
    assert line["route"] == "/privacy-notice/" and line["status"] == response.status_code
    assert line["request_id"] == response["X-Request-ID"]
    text = json.dumps(line)
    assert "Zebedee" not in text and "9990001234" not in text and "?" not in line["route"]


@pytest.mark.django_db
def test_the_request_id_ties_the_log_line_to_the_audit_event(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """A refused request writes an audit event; its request id is the one in the log and the header."""
    with caplog.at_level(logging.INFO, logger="opencsc.request"):
        response = client.post("/account/logout/", {}, enforce_csrf_checks=True)  # no CSRF token: refused
    del response
    client_csrf = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO, logger="opencsc.request"):
        refused = client_csrf.post("/account/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.request_id == refused["X-Request-ID"]
    assert any(getattr(r, "request_id", "") == event.request_id for r in caplog.records if r.name == "opencsc.request")


@pytest.mark.django_db
def test_a_proxy_request_id_is_adopted_only_when_trusted_and_well_formed(client: Client, settings: object) -> None:
    proxy_id = "0123456789abcdef0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=proxy_id)["X-Request-ID"] != proxy_id
    settings.OPENCSC_TRUST_PROXY_REQUEST_ID = True  # type: ignore[attr-defined]
    assert client.get("/healthz", HTTP_X_REQUEST_ID=proxy_id)["X-Request-ID"] == proxy_id
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_the_client_address_comes_from_the_trusted_proxy_only(client: Client, settings: object) -> None:
    """The audit trail records the client's address behind the proxy, and a client cannot forge it."""
    settings.OPENCSC_TRUSTED_PROXIES = ["127.0.0.1"]  # type: ignore[attr-defined]
    refused = Client(enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.post("/account/login/", {"username": "x"}).status_code == 403
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.ip_address == "203.0.113.9"

    forged = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.post("/account/login/", {"username": "x"}).status_code == 403
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.ip_address == "198.51.100.7"


def test_django_s_request_object_is_never_written() -> None:
    """Django puts the request on its own log records; its text is the path with the query string."""
    record = logging.makeLogRecord(
        {"name": "django.request", "levelname": "WARNING", "msg": "Not Found: %s", "args": ("/people/1/",)}
    )
    record.request = "<WSGIRequest: GET '/people/search/?q=Zebedee-Quint'>"
    record.status_code = 404
    line = JsonFormatter().format(record)
    assert "Zebedee" not in line and json.loads(line)["status_code"] == 404
