"""Who may see what: every role x every person-data URL x every relationship state.

A route that takes a person id and is not classified here fails `test_every_person_route_is_classified`,
so a new page cannot ship without its access rule being tested.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from opencsc.accounts.models import BreakGlassGrant, RestrictedAccess
from opencsc.audit.models import AuditEvent
from opencsc.people.models import Address
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

# (url name, kwargs besides person_id, needs change rights)
PERSON_ROUTES = {
    "people:detail": ({}, False),
    "people:genogram": ({}, False),
    "people:families": ({}, False),
    "people:edit": ({}, True),
    "people:add_part": ({"kind": "address"}, True),
    "people:remove_part": ({"kind": "address", "part_id": None}, True),
    "people:allocate": ({}, "manage"),
    "people:restricted": ({}, "manage"),
    "privacy:processor_contracts": ({}, "manage"),
}
# Routes from later apps register here (name -> (kwargs, needs change)); see casework and sharing tests.
EXTRA_ROUTES: dict[str, tuple[dict, bool]] = {
    # casework (every step page, as every role, in opencsc/casework/tests/test_access.py)
    # family group changes (POST only; tested in opencsc/people/tests/test_families.py)
    "people:family_add": ({"family_id": 1}, True),
    "people:family_remove": ({"membership_id": 1}, True),
    "casework:overview": ({}, False),
    "casework:chronology": ({}, False),
    "casework:notes": ({}, False),
    "casework:step": ({"slug": "contact"}, True),
    "casework:step_on": ({"slug": "contact", "obj_id": 1}, True),
    # sharing (tested role by role in opencsc/sharing/tests/test_access.py)
    "sharing:disclosure_log": ({}, False),
    "sharing:share_start": ({}, True),
    "sharing:share_items": ({}, True),
    "sharing:request_new": ({}, True),
    "sharing:request_reply": ({"request_id": 1}, True),
    # contracted cases: ending one (POST only; tested in opencsc/privacy/tests/test_contract_page.py)
    "privacy:processor_contract_end": ({"allocation_id": 1}, "manage"),
    # insight outcomes (tested role by role in opencsc/insight/tests/test_outcomes.py)
    "insight:child_outcomes": ({}, False),
    "insight:goal_new": ({}, True),
    "insight:rating_new": ({"goal_id": 1}, True),
}

ROLES = [
    "social_worker",
    "team_manager",
    "outsider",
    "mash_practitioner",
    "conference_chair",
    "analyst",
    "ig_officer",
    "partner",
    "system_admin",
]
SEES_TEAM_CASELOAD = {"social_worker", "team_manager"}
CAN_CHANGE = {"social_worker", "team_manager"}


def _person_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _person_routes(entry, ns)
        elif isinstance(entry, URLPattern) and "person_id" in entry.pattern.regex.pattern:
            names.append(f"{prefix}{entry.name}")
    return names


def test_every_person_route_is_classified():
    unclassified = set(_person_routes()) - set(PERSON_ROUTES) - set(EXTRA_ROUTES)
    assert not unclassified, f"Routes taking a person id with no access-matrix entry: {sorted(unclassified)}"


def _url(name: str, person_id: int, address_id: int) -> str:
    from django.urls import reverse

    kwargs, _ = {**PERSON_ROUTES, **EXTRA_ROUTES}[name]
    kwargs = {k: (address_id if v is None else v) for k, v in kwargs.items()}
    return reverse(name, kwargs={"person_id": person_id, **kwargs})


@pytest.fixture
def cast(request, child):
    return {name: request.getfixturevalue(name) for name in ROLES}


@pytest.fixture
def address(child):
    return Address.objects.create(
        person=child, line1="1 Test Street", town="Exampleton", postcode="ZZ1 1ZZ", start_date=dt.date(2020, 1, 1)
    )


@pytest.mark.parametrize("route", list(PERSON_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_in_scope_child(cast, role, route, child, address, client_for):
    user = cast[role]
    response = client_for(user).get(_url(route, child.pk, address.pk))
    needs_change = PERSON_ROUTES[route][1]
    if needs_change == "manage":
        allowed = role == "team_manager"
    else:
        allowed = role in (CAN_CHANGE if needs_change else SEES_TEAM_CASELOAD)
    assert response.status_code == (200 if allowed else 404), f"{role} on {route}"
    if not allowed:
        assert child.la_child_id not in response.content.decode()


@pytest.mark.parametrize("route", list(PERSON_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_missing_and_forbidden_look_the_same(cast, role, route, address, client_for):
    user = cast[role]
    stranger = ChildFactory()
    missing = client_for(user).get(_url(route, 999_999, address.pk))
    forbidden = client_for(user).get(_url(route, stranger.pk, address.pk))
    assert missing.status_code == forbidden.status_code == 404
    assert _without_nonce(missing.content) == _without_nonce(forbidden.content)


def _without_nonce(html: bytes) -> bytes:
    """Each response carries a fresh CSP nonce and CSRF mask; everything else must be identical."""
    return re.sub(rb'(nonce|value)="[A-Za-z0-9+/=_-]{20,}"', b"", html)


@pytest.mark.parametrize("route", list(PERSON_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_restricted_child_only_for_named_users(cast, role, route, child, address, client_for, team_manager):
    child.is_restricted = True
    child.save()
    RestrictedAccess.objects.create(person=child, user=team_manager, granted_by=team_manager)
    response = client_for(cast[role]).get(_url(route, child.pk, address.pk))
    assert response.status_code == (200 if role == "team_manager" else 404), f"{role} on {route}"
    if role != "team_manager":
        assert child.la_child_id not in response.content.decode()


@pytest.mark.parametrize("route", list(PERSON_ROUTES))
def test_break_glass_reads_but_never_writes(route, outsider, child, address, client_for):
    BreakGlassGrant.objects.create(
        user=outsider,
        person=child,
        reason_category="safeguarding_emergency",
        reason="Police called about an urgent concern tonight",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    response = client_for(outsider).get(_url(route, child.pk, address.pk))
    assert response.status_code == (404 if PERSON_ROUTES[route][1] else 200)


def test_expired_break_glass_gives_nothing(outsider, child, client_for):
    BreakGlassGrant.objects.create(
        user=outsider,
        person=child,
        reason_category="safeguarding_emergency",
        reason="Police called about an urgent concern tonight",
        granted_at=timezone.now() - dt.timedelta(hours=5),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client_for(outsider).get(f"/people/{child.pk}/").status_code == 404


def test_family_member_visible_through_the_child(social_worker, outsider, mother, client_for):
    assert client_for(social_worker).get(f"/people/{mother.pk}/").status_code == 200
    assert client_for(outsider).get(f"/people/{mother.pk}/").status_code == 404


def test_ending_the_allocation_removes_access_at_once(social_worker, child, client_for):
    client = client_for(social_worker)
    assert client.get(f"/people/{child.pk}/").status_code == 200
    child.allocations.update(end_date=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(f"/people/{child.pk}/").status_code == 404


def test_every_read_and_refusal_is_audited_once(social_worker, outsider, child, client_for):
    before = AuditEvent.objects.count()
    client_for(social_worker).get(f"/people/{child.pk}/")
    client_for(outsider).get(f"/people/{child.pk}/")
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.action, e.actor_repr, e.outcome, e.subject_person_id) for e in events] == [
        ("person.view", "sw", "allowed", child.pk),
        ("person.access_denied", "outsider", "denied", child.pk),
    ]


def test_search_never_returns_people_out_of_scope(social_worker, outsider, child, client_for):
    for user, expected in ((social_worker, True), (outsider, False)):
        response = client_for(user).get("/people/", {"name": child.last_name})
        assert (child.full_name in response.content.decode()) is expected


CASEWORK_ROUTES = [name for name in EXTRA_ROUTES if name.startswith("casework:") and name != "casework:step_on"]


@pytest.mark.parametrize("route", CASEWORK_ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_casework_pages_by_role(cast, role, route, child, client_for):
    from django.urls import reverse

    kwargs, needs_change = EXTRA_ROUTES[route]
    url = reverse(route, kwargs={"person_id": child.pk, **kwargs})
    response = client_for(cast[role]).get(url)
    allowed = role in (CAN_CHANGE if needs_change else SEES_TEAM_CASELOAD)
    assert response.status_code == (200 if allowed else 404), f"{role} on {route}"
    if not allowed:
        assert child.la_child_id not in response.content.decode()


@pytest.mark.parametrize("route", CASEWORK_ROUTES)
def test_casework_pages_of_a_restricted_child(route, child, social_worker, team_manager, client_for):
    from django.urls import reverse

    child.is_restricted = True
    child.save()
    RestrictedAccess.objects.create(person=child, user=team_manager, granted_by=team_manager)
    kwargs, _ = EXTRA_ROUTES[route]
    url = reverse(route, kwargs={"person_id": child.pk, **kwargs})
    assert client_for(social_worker).get(url).status_code == 404
    assert client_for(team_manager).get(url).status_code == 200
