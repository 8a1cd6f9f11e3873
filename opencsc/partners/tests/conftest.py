from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencsc.accounts.models import Role, TeamKind
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.audit.services import Actor
from opencsc.casework import services as casework
from opencsc.people.models import Address, HealthInformation
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.models import Agency
from opencsc.sharing.portal_services import partner_member_add


@pytest.fixture
def agencies(db):
    seed_agencies()


@pytest.fixture
def police(agencies):
    return Agency.objects.get(name="Exampleton Constabulary Public Protection Unit")


@pytest.fixture
def health(agencies):
    return Agency.objects.get(name="Exampleton Health Visiting Service")


def _member(username: str, agency: Agency):
    user = UserFactory(username=username, role=Role.PARTNER, team=TeamFactory(name=agency.name, kind=TeamKind.PARTNER))
    partner_member_add(actor=Actor.system("tests"), added_by=None, user=user, agency=agency)
    return user


@pytest.fixture
def police_user(police):
    return _member("pc.example", police)


@pytest.fixture
def health_user(health):
    return _member("hv.example", health)


@pytest.fixture
def record(child):
    """The child's record: an address, and a health note no check may show (synthetic canaries)."""
    return {
        "address": Address.objects.create(
            person=child, line1="1 Canary Street", town="Exampleton", postcode="ZZ1 1ZZ", start_date=dt.date(2020, 1, 1)
        ),
        "health": HealthInformation.objects.create(
            person=child, kind="condition", summary="CANARY-ASTHMA", recorded_on=dt.date(2024, 1, 1)
        ),
    }


@pytest.fixture
def triaged(child, social_worker, mash_practitioner, record):
    """A contact about the child, triaged red by the MASH (no checks asked yet)."""
    today = timezone.localdate()
    contact = casework.contact_create(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        child=child,
        contact_date=today,
        source="1B",
        reason="CANARY-CONCERN: bruising seen at school",
        consent_given=False,
        no_consent_reason="Telling the family may put the child at risk",
    )
    casework.mash_triage_record(
        actor_user=mash_practitioner,
        actor=Actor.from_user(mash_practitioner),
        contact=contact,
        rag="red",
        rationale="Injury",
        triaged_on=today,
        agencies=[],
    )
    contact.refresh_from_db()
    return contact
