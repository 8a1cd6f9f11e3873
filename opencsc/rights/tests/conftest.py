from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opencsc.accounts.models import Role
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.audit.services import Actor
from opencsc.rights import services
from opencsc.rights.tests.disposal_fixtures import build_family


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


@pytest.fixture
def second_ig(db):
    """A second information governance officer: the four eyes of a disposal."""
    return UserFactory(username="ig2", role=Role.IG_OFFICER, team=TeamFactory(name="Information Governance"))


@pytest.fixture
def family(ig_officer):
    """A child due for disposal, the mother held only for them, and a father with records of his own."""
    return build_family(ig_officer)
