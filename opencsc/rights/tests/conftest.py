from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opencsc.audit.services import Actor
from opencsc.rights import services


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "subject_access",
        "requester_name": "Jordan Testperson",
        "requester_relationship": "self",
        "subject_name": "Jordan Testperson",
        "subject_date_of_birth": dt.date(2004, 5, 6),
        "details": "Please send me a copy of my social care file.",
        "reply_by": "email",
        "reply_email": "jordan@example.com",
        "reply_address": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_request(ig_officer):
    def make(**overrides: Any):
        created, _ = services.request_receive(
            actor=Actor.from_user(ig_officer), actor_user=ig_officer, data=request_data(**overrides)
        )
        return created

    return make
