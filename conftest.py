"""Shared fixtures: the cast of roles every access rule is tested against, and signed-in clients.

The cast: a social worker and their team manager (Family Support East) with a child allocated to the
worker; a MASH practitioner; a conference chair; a performance analyst; an IG officer; a partner; a
system administrator; and an "outsider" social worker in another team who must never see the child.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from opencsc.accounts.models import AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory

# Property tests check correctness, not speed: on a loaded 2-core CI machine a per-example deadline
# only produces flaky failures. Speed is measured by the scripts in bench/.
hypothesis_settings.register_profile("opencsc", deadline=None, print_blob=True)
hypothesis_settings.load_profile("opencsc")


@pytest.fixture
def east_team(db):
    return TeamFactory(name="Family Support East", kind=TeamKind.FAMILY_SUPPORT)


@pytest.fixture
def west_team(db):
    return TeamFactory(name="Family Support West", kind=TeamKind.FAMILY_SUPPORT)


@pytest.fixture
def social_worker(east_team):
    return UserFactory(username="sw", role=Role.SOCIAL_WORKER, team=east_team)


@pytest.fixture
def team_manager(east_team):
    manager = UserFactory(username="tm", role=Role.TEAM_MANAGER, team=east_team)
    manager.managed_teams.add(east_team)
    return manager


@pytest.fixture
def outsider(west_team):
    return UserFactory(username="outsider", role=Role.SOCIAL_WORKER, team=west_team)


@pytest.fixture
def mash_practitioner(db):
    return UserFactory(
        username="mash",
        role=Role.MASH_PRACTITIONER,
        team=TeamFactory(name="Front Door and MASH", kind=TeamKind.FRONT_DOOR),
    )


@pytest.fixture
def conference_chair(db):
    return UserFactory(
        username="chair", role=Role.CONFERENCE_CHAIR, team=TeamFactory(name="Reviewing", kind=TeamKind.REVIEWING)
    )


@pytest.fixture
def analyst(db):
    return UserFactory(
        username="analyst",
        role=Role.PERFORMANCE_ANALYST,
        team=TeamFactory(name="Performance", kind=TeamKind.PERFORMANCE),
    )


@pytest.fixture
def ig_officer(db):
    return UserFactory(
        username="ig",
        role=Role.IG_OFFICER,
        team=TeamFactory(name="Information Governance", kind=TeamKind.INFORMATION_GOVERNANCE),
    )


@pytest.fixture
def partner(db):
    return UserFactory(username="partner", role=Role.PARTNER, team=TeamFactory(name="Health", kind=TeamKind.PARTNER))


@pytest.fixture
def system_admin(db):
    return UserFactory(
        username="sysadmin", role=Role.SYSTEM_ADMIN, team=TeamFactory(name="Systems", kind=TeamKind.SYSTEMS)
    )


@pytest.fixture
def child(social_worker, east_team):
    """A child allocated to the social worker in Family Support East."""
    person = ChildFactory()
    AllocationFactory(person=person, team=east_team, worker=social_worker, kind=AllocationKind.ALLOCATED_WORKER)
    return person


@pytest.fixture
def mother(child):
    """The child's mother: visible to whoever sees the child, through the relationship."""
    parent = PersonFactory(sex="F")
    RelationshipFactory(person=parent, relative=child)
    return parent


@pytest.fixture
def stranger_child(db):
    """A child on nobody's caseload in this cast."""
    return ChildFactory()


def signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    """A client signed in the way a worker signs in: password and a verified second factor."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in
