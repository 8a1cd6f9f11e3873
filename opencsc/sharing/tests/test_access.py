"""Every sharing page that takes a person id, for every role and relationship state: 0 leaks; out of
scope and missing look the same. Sharing needs change rights (own caseload), the log needs read rights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import BreakGlassGrant, RestrictedAccess
from opencsc.accounts.tests.test_access_matrix import EXTRA_ROUTES, ROLES, _without_nonce
from opencsc.audit.services import Actor
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

ROUTES = {name: spec for name, spec in EXTRA_ROUTES.items() if name.startswith("sharing:")}
SEES = {"social_worker", "team_manager"}


@pytest.fixture
def cast(request, child):
    return {name: request.getfixturevalue(name) for name in ROLES}


@pytest.fixture
def approved_request(child, team_manager, ig_officer, police):
    from opencsc.privacy.models import Category, LawfulBasis, Purpose
    from opencsc.sharing import services

    logged = services.request_log(
        actor_user=team_manager,
        actor=Actor.from_user(team_manager),
        person=child,
        agency=police,
        kind="crime",
        requester_name="DS Example",
        requester_reference="",
        received_on=dt.date(2025, 1, 1),
        details="Address",
        purpose=Purpose.objects.get(code="crime"),
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        categories=Category.objects.filter(code="address"),
    )
    return services.request_decide(
        actor_user=ig_officer, actor=Actor.from_user(ig_officer), request=logged, approve=True, note="ok"
    )


def _url(name, person_id, request_id):
    kwargs = {k: request_id for k in ROUTES[name][0]}
    return reverse(name, kwargs={"person_id": person_id, **kwargs})


def test_every_sharing_route_taking_a_person_is_in_the_matrix():
    from opencsc.accounts.tests.test_access_matrix import _person_routes

    mine = {name for name in _person_routes() if name.startswith("sharing:")}
    assert mine == set(ROUTES)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_in_scope_child(cast, role, route, child, approved_request, client_for):
    response = client_for(cast[role]).get(_url(route, child.pk, approved_request.pk))
    allowed = role in SEES
    assert response.status_code in ((200, 302) if allowed else (404,)), f"{role} on {route}"
    if not allowed:
        assert child.last_name not in response.content.decode()


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_missing_and_forbidden_look_the_same(cast, role, route, approved_request, client_for):
    stranger = ChildFactory()
    client = client_for(cast[role])
    missing = client.get(_url(route, 999_999, approved_request.pk))
    forbidden = client.get(_url(route, stranger.pk, approved_request.pk))
    assert missing.status_code == forbidden.status_code == 404
    assert _without_nonce(missing.content) == _without_nonce(forbidden.content)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_restricted_child_only_for_named_users(cast, role, route, child, team_manager, approved_request, client_for):
    child.is_restricted = True
    child.save()
    RestrictedAccess.objects.create(person=child, user=team_manager, granted_by=team_manager)
    response = client_for(cast[role]).get(_url(route, child.pk, approved_request.pk))
    assert response.status_code in ((200, 302) if role == "team_manager" else (404,)), f"{role} on {route}"


@pytest.mark.parametrize("route", list(ROUTES))
def test_break_glass_reads_the_log_but_never_shares(route, outsider, child, approved_request, client_for):
    BreakGlassGrant.objects.create(
        user=outsider,
        person=child,
        reason_category="safeguarding_emergency",
        reason="Urgent call tonight",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    response = client_for(outsider).get(_url(route, child.pk, approved_request.pk))
    assert response.status_code == (404 if ROUTES[route][1] else 200)


def test_a_disclosure_page_is_closed_to_an_outsider(social_worker, outsider, child, client_for):
    from opencsc.core.categories import DataCategory as C
    from opencsc.privacy.models import Purpose
    from opencsc.sharing.models import Agency
    from opencsc.sharing.services import disclosure_record_transfer

    disclosure_record_transfer(
        actor=Actor.system("test"),
        agency=Agency.objects.get(code="dfe"),
        purpose=Purpose.objects.get(code="statutory-returns"),
        person_ids=[child.pk],
        categories=[C.UPN],
        reference="test",
    )
    from opencsc.sharing.models import Disclosure

    url = reverse("sharing:disclosure", args=[Disclosure.objects.get().pk])
    assert client_for(social_worker).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).get(reverse("sharing:disclosure", args=[999_999])).status_code == 404
