from __future__ import annotations

import pytest

from opencsc.accounts.models import Allocation
from opencsc.accounts.tests.factories import UserFactory
from opencsc.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_manager_reallocates_to_another_worker_in_one_audited_step(
    client_for, team_manager, social_worker, child, east_team
):
    colleague = UserFactory(username="sw2", team=east_team)
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client_for(team_manager).post(
        f"/people/{child.pk}/allocate/", {"team": east_team.pk, "worker": colleague.pk}
    )
    assert response.status_code == 302
    current = Allocation.objects.current().get(person=child)
    assert current.worker == colleague
    assert [e.action for e in AuditEvent.objects.filter(seq__gt=head).order_by("seq")] == [
        "allocation.end",
        "allocation.open",
    ]
    assert client_for(colleague).get(f"/people/{child.pk}/").status_code == 200


def test_worker_must_belong_to_the_team(client_for, team_manager, child, west_team, east_team):
    stranger = UserFactory(username="sw-west", team=west_team)
    response = client_for(team_manager).post(
        f"/people/{child.pk}/allocate/", {"team": east_team.pk, "worker": stranger.pk}
    )
    assert "Select a worker in Family Support East" in response.content.decode()
    assert Allocation.objects.current().get(person=child).worker.username == "sw"


def test_restricting_a_record_hides_it_from_the_team_but_not_the_named(client_for, team_manager, social_worker, child):
    client_for(team_manager).post(f"/people/{child.pk}/restricted/", {"restricted": "on", "add_user": ""})
    child.refresh_from_db()
    assert child.is_restricted
    assert client_for(social_worker).get(f"/people/{child.pk}/").status_code == 404
    assert client_for(team_manager).get(f"/people/{child.pk}/").status_code == 200
    client_for(team_manager).post(f"/people/{child.pk}/restricted/", {"restricted": "on", "add_user": "sw"})
    assert client_for(social_worker).get(f"/people/{child.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="restricted.set", subject_person_id=child.pk).count() == 1


def test_naming_an_unknown_user_says_so(client_for, team_manager, child):
    body = (
        client_for(team_manager)
        .post(f"/people/{child.pk}/restricted/", {"restricted": "on", "add_user": "nobody"})
        .content.decode()
    )
    assert "There is no active user with that username" in body
