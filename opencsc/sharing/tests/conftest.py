from __future__ import annotations

import datetime as dt

import pytest

from opencsc.audit.services import Actor
from opencsc.people.models import Address, HealthInformation, PoliceInformation
from opencsc.privacy.models import Purpose
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.models import Agency


@pytest.fixture
def agencies(db):
    seed_agencies()


@pytest.fixture
def police(agencies):
    return Agency.objects.get(name="Exampleton Constabulary Public Protection Unit")


@pytest.fixture
def school(agencies):
    return Agency.objects.get(name="Exampleton Primary Academy")


@pytest.fixture
def safeguarding(db):
    return Purpose.objects.get(code="support-and-protect")


@pytest.fixture
def record(child):
    """The child's record with an address, a health note and police information (synthetic)."""
    return {
        "address": Address.objects.create(
            person=child, line1="1 Test Street", town="Exampleton", postcode="ZZ1 1ZZ", start_date=dt.date(2020, 1, 1)
        ),
        "health": HealthInformation.objects.create(
            person=child, kind="condition", summary="CANARY-ASTHMA", recorded_on=dt.date(2024, 1, 1)
        ),
        "police": PoliceInformation.objects.create(
            person=child,
            kind="intelligence",
            summary="CANARY-POLICE",
            source="Exampleton Police",
            recorded_on=dt.date(2024, 2, 1),
        ),
    }


@pytest.fixture
def sw_actor(social_worker):
    return Actor.from_user(social_worker)


def key(obj, category: str) -> str:
    return f"{obj._meta.label}:{obj.pk}:{category}"
