from __future__ import annotations

import re

import pytest

from opencsc.audit.services import Actor, record_event
from opencsc.core import server_timing

pytestmark = pytest.mark.django_db

_ENTRY = re.compile(r"^(?P<name>[a-z]+);dur=(?P<ms>\d+\.\d)$")


def _entries(header: str) -> dict[str, float]:
    entries = {}
    for part in header.split(", "):
        match = _ENTRY.match(part)
        assert match, f"unexpected Server-Timing entry {part!r}: durations only"
        entries[match["name"]] = float(match["ms"])
    return entries


def test_server_timing_reports_total_and_audit_time_and_nothing_else(client_for, social_worker, child):
    response = client_for(social_worker).get(f"/people/{child.pk}/")
    assert response.status_code == 200
    entries = _entries(response["Server-Timing"])
    # Each entry is a fixed name and a duration (checked by _ENTRY): nothing from the record.
    assert set(entries) == {"total", "audit"}  # the record page writes its audit event
    assert 0 <= entries["audit"] <= entries["total"]


def test_pages_without_audit_writes_report_total_only(client):
    response = client.get("/account/login/")
    assert set(_entries(response["Server-Timing"])) == {"total"}


def test_spans_outside_a_request_are_not_recorded_and_requests_do_not_share_them():
    record_event(actor=Actor.system("test"), action="demo.seed")  # no request: nothing to collect into
    token = server_timing.begin()
    with server_timing.span("audit"):
        pass
    with server_timing.span("audit"):
        pass
    spans = server_timing.end(token)
    assert set(spans) == {"audit"} and spans["audit"] >= 0
    assert server_timing.end(server_timing.begin()) == {}  # a fresh request starts from nothing
