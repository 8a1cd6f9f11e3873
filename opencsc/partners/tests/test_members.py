"""An organisation's administrator manages their own organisation's portal users, and nobody else's."""

from __future__ import annotations

import pytest

from opencsc.accounts.models import User
from opencsc.audit.models import AuditEvent
from opencsc.sharing.models import PartnerMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_admin(police_user):
    PartnerMembership.objects.filter(user=police_user).update(is_org_admin=True)
    return police_user


def test_the_administrator_adds_a_user_to_their_own_organisation(client_for, police_admin, police):
    client = client_for(police_admin)
    assert 'href="/partners/organisation/users/"' in client.get("/partners/").content.decode()
    response = client.post(
        "/partners/organisation/users/",
        {"first_name": "Sam", "last_name": "Constable", "email": "sam@police.example", "username": "sam.pc"},
    )
    assert response.status_code == 302
    added = User.objects.get(username="sam.pc")
    assert added.role == "partner" and added.partner_membership.agency == police
    assert not added.partner_membership.is_org_admin and not added.has_usable_password()
    assert AuditEvent.objects.filter(action="sharing.partner_member_add", actor_id=police_admin.pk).exists()
    taken = client.post(
        "/partners/organisation/users/",
        {"first_name": "A", "last_name": "B", "email": "a@police.example", "username": "sam.pc"},
    )
    assert "That username is taken" in taken.content.decode()


def test_the_administrator_disables_their_users_but_not_another_organisations(
    client_for, police_admin, health_user, police
):
    client = client_for(police_admin)
    client.post(
        "/partners/organisation/users/",
        {"first_name": "Sam", "last_name": "Constable", "email": "sam@police.example", "username": "sam.pc"},
    )
    colleague = User.objects.get(username="sam.pc")
    assert client.post(f"/partners/organisation/users/{colleague.pk}/disable/").status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert client.post(f"/partners/organisation/users/{health_user.pk}/disable/").status_code == 404
    health_user.refresh_from_db()
    assert health_user.is_active
    assert health_user.username not in client.get("/partners/organisation/users/").content.decode()


def test_a_partner_who_is_not_an_administrator_cannot_manage_users(client_for, health_user, police_admin):
    client = client_for(health_user)
    assert client.get("/partners/organisation/users/").status_code == 403
    assert client.post(f"/partners/organisation/users/{police_admin.pk}/disable/").status_code == 404
    police_admin.refresh_from_db()
    assert police_admin.is_active
