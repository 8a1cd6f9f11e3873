"""Conference chairs and reviewing officers record the conferences and reviews of the children
allocated to them as chair (`access.can_record_conference`), and nothing else; another chair gets
the same 404 as for a child that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.accounts.models import AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.casework import models as cm
from opencsc.casework.tests.conftest import LONG_AGO
from opencsc.casework.tests.factories import CareEpisodeFactory, EpisodeFactory, PeriodFactory
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)


def d(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def chair_of(child, username: str, kind: str = AllocationKind.CONFERENCE_CHAIR):
    team = TeamFactory(name=f"Reviewing {username}", kind=TeamKind.REVIEWING)
    user = UserFactory(username=username, role=Role.CONFERENCE_CHAIR, team=team)
    AllocationFactory(person=child, team=team, worker=user, kind=kind, start_date=LONG_AGO)
    return user


@pytest.fixture
def enquiry_open(client_for, social_worker, child):
    """A referral with a section 47 enquiry started by the child's social worker."""
    EpisodeFactory(child=child, referral_date=dt.date(2025, 5, 1))
    response = client_for(social_worker).post(
        f"/casework/{child.pk}/record/strategy/",
        {**d("discussion_date", dt.date(2025, 5, 6)), "start_section47": "yes", "police_present": "on"},
    )
    assert response.status_code == 302
    return cm.Section47.objects.get(child=child)


@time_machine.travel(NOW, tick=False)
def test_chair_records_the_conference_and_review_of_a_child_they_chair(client_for, child, enquiry_open):
    chair = chair_of(child, "chair.allocated")
    client = client_for(chair)
    overview = client.get(f"/casework/{child.pk}/").content.decode()
    assert f"/casework/{child.pk}/record/conference/" in overview
    assert f"/casework/{child.pk}/record/visit/" not in overview  # only what a chair records

    response = client.post(
        f"/casework/{child.pk}/record/conference/",
        {"kind": "initial", **d("conference_date", dt.date(2025, 5, 20)), "outcome": "plan", "category": "NEG"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    conference = cm.Conference.objects.get(child=child, kind="initial")
    assert conference.chair == chair and conference.recorded_by == chair
    plan = cm.ChildProtectionPlan.objects.get(child=child)
    assert AuditEvent.objects.filter(action="casework.conference_record", actor_id=chair.pk).exists()

    assert f"/casework/{child.pk}/record/cp-review/{plan.pk}/" in client.get(f"/casework/{child.pk}/").content.decode()
    response = client.post(
        f"/casework/{child.pk}/record/cp-review/{plan.pk}/",
        {**d("conference_date", dt.date(2025, 6, 13)), "outcome": "end_plan"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.end_date == dt.date(2025, 6, 13)


@time_machine.travel(NOW, tick=False)
def test_chair_cannot_record_other_steps(client_for, child, enquiry_open):
    client = client_for(chair_of(child, "chair.allocated"))
    assert client.get(f"/casework/{child.pk}/").status_code == 200  # they see the child
    for slug in ("visit", "note", "closure", "strategy", "health-check"):
        assert client.get(f"/casework/{child.pk}/record/{slug}/").status_code == 404, slug


@time_machine.travel(NOW, tick=False)
def test_other_chair_gets_404(client_for, child, enquiry_open):
    chair_of(child, "chair.allocated")
    other = chair_of(ChildFactory(), "chair.other")
    client = client_for(other)
    url = f"/casework/{child.pk}/record/conference/"
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"kind": "initial", **d("conference_date", dt.date(2025, 5, 20)), "outcome": "plan", "category": "NEG"}
    )
    assert response.status_code == 404
    assert not cm.Conference.objects.exists()
    assert AuditEvent.objects.filter(action="person.access_denied", actor_id=other.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_chair_on_another_kind_of_allocation_cannot_record(client_for, child, enquiry_open):
    """A chair allocated as the child's worker (not as chair) may see the child but not chair it."""
    client = client_for(chair_of(child, "chair.worker", kind=AllocationKind.ALLOCATED_WORKER))
    assert client.get(f"/casework/{child.pk}/").status_code == 200
    assert client.get(f"/casework/{child.pk}/record/conference/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_reviewing_officer_records_a_looked_after_review(client_for, child):
    period = PeriodFactory(child=child, start_date=dt.date(2025, 5, 1))
    CareEpisodeFactory(period=period)
    officer = chair_of(child, "iro", kind=AllocationKind.REVIEWING_OFFICER)
    client = client_for(officer)
    url = f"/casework/{child.pk}/record/lac-review/{period.pk}/"
    assert url in client.get(f"/casework/{child.pk}/").content.decode()
    response = client.post(url, {**d("review_date", dt.date(2025, 5, 29)), "participation": "PN1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert cm.LookedAfterReview.objects.get(period=period).recorded_by == officer
    other = client_for(chair_of(ChildFactory(), "iro.other", kind=AllocationKind.REVIEWING_OFFICER))
    assert other.post(url, {**d("review_date", dt.date(2025, 5, 29)), "participation": "PN1"}).status_code == 404
