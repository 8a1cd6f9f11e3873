from __future__ import annotations

import datetime as dt

import pytest

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.services import Actor
from opencsc.people.tests.factories import ChildFactory

# Casework tests travel in time to 2025; allocations must already be current then.
LONG_AGO = dt.date(2015, 1, 1)


@pytest.fixture
def child(social_worker, east_team):
    """The root cast's child, allocated since 2015 so it is on the caseload at any frozen date."""
    person = ChildFactory(date_of_birth=dt.date(2014, 5, 17))
    AllocationFactory(
        person=person, team=east_team, worker=social_worker, kind=AllocationKind.ALLOCATED_WORKER, start_date=LONG_AGO
    )
    return person


@pytest.fixture
def sw_actor(social_worker):
    return Actor.from_user(social_worker)


@pytest.fixture
def tm_actor(team_manager):
    return Actor.from_user(team_manager)
