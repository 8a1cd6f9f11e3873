"""Helpers for tests that post casework step pages the way a browser does."""

from __future__ import annotations

import datetime as dt


def d(name: str, day: dt.date) -> dict[str, str]:
    """A GOV.UK date input's three fields for `day`."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def refused(client, url: str, data: dict, message: str) -> str:
    """Post, expect the form back with a GOV.UK error summary holding `message`."""
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200, body[:2000]
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert message in body, body[body.find("govuk-error-summary") :][:2000]
    return body
