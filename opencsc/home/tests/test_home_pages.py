"""Each role lands on a home page that shows its own work, says who is signed in, and is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from opencsc.accounts.models import AllocationKind, BreakGlassGrant, Role
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Contact, TaskKind
from opencsc.casework.tests.factories import TaskFactory
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
# Real time: the root cast's allocations start today, when the fixtures are built.
TODAY = timezone.localdate()
NOW = timezone.now()


def home(client_for, user) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="home.view", actor_id=user.pk).latest("seq")
    assert event.detail["role"] == user.role
    return response.content.decode()


def signed_in_line(user) -> str:
    return f"Signed in as <strong>{escape(user.get_full_name() or user.username)}</strong> ({user.username})"


def test_social_worker_sees_caseload_and_tasks_due_not_others(client_for, social_worker, child, stranger_child):
    TaskFactory(person=child, assignee=social_worker, kind=TaskKind.CIN_VISIT, due_date=TODAY - dt.timedelta(days=2))
    TaskFactory(person=child, assignee=social_worker, kind=TaskKind.CIN_REVIEW, due_date=TODAY + dt.timedelta(days=3))
    html = home(client_for, social_worker)
    assert signed_in_line(social_worker) in html
    assert child.full_name in html
    assert stranger_child.full_name not in html
    assert "Child in need visit" in html and "Overdue" in html
    assert "Review the child in need plan" in html


def test_team_manager_sees_caseload_overdue_unallocated_and_authorisations(
    client_for, team_manager, social_worker, child, east_team, stranger_child
):
    unallocated = ChildFactory(first_name="Nowork", last_name="Held")
    AllocationFactory(person=unallocated, team=east_team, worker=None, kind=AllocationKind.ALLOCATED_WORKER)
    TaskFactory(person=child, assignee=social_worker, kind=TaskKind.CP_VISIT, due_date=TODAY - dt.timedelta(days=4))
    TaskFactory(person=child, team=east_team, assignee=None, kind=TaskKind.CIN_VISIT, due_date=TODAY)
    TaskFactory(person=child, team=east_team, kind=TaskKind.AUTHORISE_ASSESSMENT, due_date=TODAY)
    html = home(client_for, team_manager)
    assert "Your teams" in html
    for section in ("Authorisations waiting", "Overdue work", "Unallocated work", "Team caseload"):
        assert section in html
    assert "Authorise the assessment" in html
    assert "Child protection visit" in html
    assert "Nowork Held" in html, "a child with no named worker is unallocated work"
    assert escape(str(social_worker)) in html
    assert stranger_child.full_name not in html


def test_mash_home_is_the_queue(client_for, mash_practitioner, team_manager, child):
    Contact.objects.create(
        child=child, contact_date=TODAY, source="6", reason="x", consent_given=True, decision_due=TODAY
    )
    AllocationFactory(person=child, team=mash_practitioner.team, kind=AllocationKind.FRONT_DOOR)
    html = home(client_for, mash_practitioner)
    assert "MASH queue" in html and child.full_name in html and "Police (6)" in html


def test_chair_sees_conferences_and_reviews_due_for_children_they_chair(
    client_for, conference_chair, social_worker, child, stranger_child
):
    AllocationFactory(
        person=child, team=conference_chair.team, worker=conference_chair, kind=AllocationKind.CONFERENCE_CHAIR
    )
    TaskFactory(person=child, assignee=social_worker, kind=TaskKind.CP_REVIEW, due_date=TODAY + dt.timedelta(days=9))
    TaskFactory(person=stranger_child, kind=TaskKind.CP_REVIEW, due_date=TODAY)
    html = home(client_for, conference_chair)
    assert "Conferences and reviews" in html
    assert "Hold the review conference" in html and child.full_name in html
    assert stranger_child.full_name not in html


def test_analyst_home_is_returns_and_data_quality_without_names(client_for, analyst, child):
    html = home(client_for, analyst)
    assert "Returns and data quality" in html and "Build or check a return" in html
    assert child.full_name not in html


def test_ig_home_lists_break_glass_to_review_and_links_the_audit_trail(client_for, ig_officer, social_worker, child):
    BreakGlassGrant.objects.create(
        user=social_worker,
        person=child,
        reason_category="safeguarding_emergency",
        reason="Police at the door asking about the child",
        expires_at=NOW + dt.timedelta(hours=4),
    )
    html = home(client_for, ig_officer)
    assert "Break-glass access to review" in html and escape(str(social_worker)) in html
    assert "Requests waiting for a decision" in html and "/audit/" in html
    assert child.full_name not in html


def test_admin_home_lists_users_teams_roles_and_reference_data(client_for, system_admin, social_worker, child):
    html = home(client_for, system_admin)
    for section in ("Roles", "Teams", "Users", "Reference data"):
        assert f">{section}</h2>" in html
    assert social_worker.username in html and "cin_referral_source" in html
    assert child.full_name not in html


def test_partner_home_is_their_organisations_page_of_the_partner_portal(client_for, partner):
    response = client_for(partner).get("/")
    assert response.status_code == 302 and response["Location"] == "/partners/"


def test_every_role_has_a_home_page(client_for, django_user_model):
    from opencsc.accounts.tests.factories import UserFactory

    for role in Role:
        user = UserFactory(username=f"home-{role.value}", role=role)
        assert client_for(user).get("/", follow=True).status_code == 200
