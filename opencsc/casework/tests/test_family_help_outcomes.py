"""Issue 13, the rest of it: the family plan's goals rated at its reviews feed the outcome measures
(one definition, no double entry); the services catalogue page; services in the privacy notice; Team
Around the Family members from the agency register; the help lane of the chronology picture; and the
reduced casework view of a partner lead practitioner (matrix over the URLs, every read audited)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from opencsc.accounts.models import Role, TeamKind
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.models import FamilyHelpGoalRating, Service, ServiceKind, TeamAroundFamilyMember
from opencsc.casework.tests.factories import AssessmentFactory, EpisodeFactory
from opencsc.insight import outcomes
from opencsc.insight.forms import GoalForm
from opencsc.privacy.models import RecipientType
from opencsc.sharing.models import Agency

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)
TODAY = NOW.date()


def who(user) -> dict:
    return {"actor_user": user, "actor": Actor.from_user(user)}


def d(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def agency(name: str) -> Agency:
    return Agency.objects.create(name=name, recipient_type=RecipientType.objects.order_by("pk").first())


@pytest.fixture
def plan(social_worker, child, east_team):
    with time_machine.travel(dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC), tick=False):
        episode = services.help_episode_open(
            **who(social_worker),
            child=child,
            start_date=dt.date(2025, 5, 1),
            reason="Attendance and routines",
            organisation="Oak Primary School",
            team=east_team,
        )
        return services.help_plan_start(
            **who(social_worker),
            episode=episode,
            start_date=dt.date(2025, 5, 1),
            goal="Children at school on time every day",
            action="Morning routine chart",
            who="Mother, with the family support worker",
            by_when=dt.date(2025, 7, 18),
        )


@pytest.fixture
def school_lead(db):
    school = TeamFactory(name="Oak Primary School", kind=TeamKind.PARTNER)
    return UserFactory(username="pastoral", role=Role.PARTNER, team=school, organisation="Oak Primary School")


# --- 1. goals feed the outcome measures ---------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_ratings_taken_on_the_review_form_are_the_outcome_measures(client_for, social_worker, child, plan, settings):
    settings.OPENCSC_HELP_MODEL = "family_help"
    goal = plan.goals.get()
    worker = client_for(social_worker)
    url = f"/casework/{child.pk}/record/help-review/{plan.pk}/"
    page = worker.get(url)
    assert f"rate_{goal.pk}_child" in page.content.decode()
    for day, scores in ((dt.date(2025, 5, 20), (3, 2, 4)), (TODAY, (7, 6, 5))):
        form = {**d("review_date", day), "progress": "Better mornings"}
        form |= {f"rate_{goal.pk}_{r}": str(s) for r, s in zip(("worker", "child", "parent"), scores, strict=True)}
        assert worker.post(url, form).status_code == 302
    assert FamilyHelpGoalRating.objects.filter(goal=goal).count() == 6
    [view] = outcomes.goals_for(child)
    assert view.goal.plan_label == "Family help plan"
    assert view.distance == {"worker": 4, "child": 4, "parent": 1}
    tables = outcomes.distance_travelled(TODAY)
    [row] = [r for r in tables.by_plan if r.label == "Family help plan"]
    assert row.goals == 1 and row.average("worker") == "+4.0 (1)"
    assert [r.label for r in tables.by_team] == ["Family Support East"]
    # The child's record chart and the Performance page show it.
    chart = worker.get(f"/insight/outcomes/{child.pk}/").content.decode()
    assert "Children at school on time every day" in chart and "rated at each review of the plan" in chart
    # No double entry: a family help goal cannot be typed into the outcomes pages as well.
    assert "family_help" not in dict(GoalForm().fields["plan_type"].choices)
    settings.OPENCSC_HELP_MODEL = "tiered"
    assert outcomes.goals_for(child)[0].goal.plan_label == "Early help plan"


@time_machine.travel(NOW, tick=False)
def test_a_rating_outside_0_to_10_or_for_another_plans_goal_is_refused(social_worker, child, plan):
    goal = plan.goals.get()
    with pytest.raises(ValidationError):
        services.help_plan_review(
            **who(social_worker), plan=plan, review_date=TODAY, progress="x", ratings={goal.pk: {"worker": 11}}
        )
    with pytest.raises(ValidationError):
        services.help_plan_review(
            **who(social_worker), plan=plan, review_date=TODAY, progress="x", ratings={goal.pk + 999: {"worker": 5}}
        )
    assert not FamilyHelpGoalRating.objects.exists()


# --- 2. the services catalogue page ---------------------------------------------------------------


def test_a_manager_adds_a_commissioned_service_from_the_agency_register(client_for, team_manager):
    provider = agency("Brightside Parenting CIC")
    manager = client_for(team_manager)
    assert manager.get("/casework/services/new/").status_code == 200
    missing = manager.post(
        "/casework/services/new/",
        {"name": "Incredible Years", "kind": ServiceKind.PARENTING, "commissioned": "yes", "active": "yes"},
    )
    assert missing.status_code == 200
    assert "Select the organisation that provides the service" in missing.content.decode()
    assert "govuk-error-summary" in missing.content.decode()
    saved = manager.post(
        "/casework/services/new/",
        {
            "name": "Incredible Years",
            "kind": ServiceKind.PARENTING,
            "commissioned": "yes",
            "provider_agency": provider.pk,
            "description": "A 14-week group for parents of children aged 3 to 8",
            "active": "yes",
        },
    )
    assert saved.status_code == 302
    service = Service.objects.get(name="Incredible Years")
    assert service.provider_agency == provider and service.provider == "Brightside Parenting CIC"
    event = AuditEvent.objects.get(action="casework.service_catalogue_add")
    assert event.actor_id == team_manager.pk and event.object_id == str(service.pk)
    listing = manager.get("/casework/services/").content.decode()
    assert "Incredible Years" in listing and "Commissioned" in listing
    changed = manager.post(
        f"/casework/services/{service.pk}/",
        {"name": "Incredible Years", "kind": ServiceKind.PARENTING, "commissioned": "no", "provider": "Council"}
        | {"active": "no"},
    )
    assert changed.status_code == 302
    service.refresh_from_db()
    assert not service.active and service.provider_agency is None
    assert AuditEvent.objects.filter(action="casework.service_catalogue_change").exists()


def test_who_may_see_and_who_may_change_the_catalogue(client_for, social_worker, system_admin, school_lead):
    Service.objects.create(name="Riverside Family Centre", kind=ServiceKind.FAMILY_CENTRE, provider="Council")
    worker = client_for(social_worker)
    assert worker.get("/casework/services/").status_code == 200
    assert "Add a service" not in worker.get("/casework/services/").content.decode()
    assert worker.get("/casework/services/new/").status_code == 403
    assert worker.post("/casework/services/new/", {"name": "X"}).status_code == 403
    assert client_for(system_admin).get("/casework/services/new/").status_code == 200
    assert client_for(school_lead).get("/casework/services/").status_code == 403


# --- 3. services in the privacy notice ------------------------------------------------------------


def test_the_privacy_notice_lists_the_services_taking_referrals(client):
    Service.objects.create(
        name="Riverside Family Centre",
        kind=ServiceKind.FAMILY_CENTRE,
        provider="Exampleton Council",
        description="Stay and play, health visitor drop-ins",
    )
    Service.objects.create(
        name="Step Change", kind=ServiceKind.SUBSTANCE_MISUSE, commissioned=True, provider="Turning Point"
    )
    Service.objects.create(name="Closed Youth Club", kind=ServiceKind.YOUTH, provider="Council", active=False)
    notice = client.get("/privacy-notice/").content.decode()
    assert "Details of the services we provide" in notice
    assert "Riverside Family Centre" in notice and "Stay and play" in notice
    assert "Step Change</strong>, run for us by Turning Point" in notice
    assert "Closed Youth Club" not in notice


# --- 4. Team Around the Family from the agency register -------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_taf_member_is_chosen_from_the_agency_register_and_old_free_text_stays(
    client_for, social_worker, child, plan
):
    school = agency("Oak Primary School")
    episode = plan.episode
    TeamAroundFamilyMember.objects.create(
        child=child, episode=episode, name="Sam Old", agency="Typed Surgery", joined_on=dt.date(2025, 5, 2)
    )
    worker = client_for(social_worker)
    url = f"/casework/{child.pk}/record/help-team/{episode.pk}/"
    assert school.name in worker.get(url).content.decode()
    neither = worker.post(url, {"name": "Ann Pastoral", **d("joined_on", TODAY)})
    assert "Select their organisation, or enter its name" in neither.content.decode()
    assert (
        worker.post(url, {"name": "Ann Pastoral", "organisation": school.pk, **d("joined_on", TODAY)}).status_code
        == 302
    )
    member = TeamAroundFamilyMember.objects.get(name="Ann Pastoral")
    assert member.organisation == school and member.agency == "Oak Primary School"
    page = worker.get(f"/casework/{child.pk}/").content.decode()
    assert "Ann Pastoral, Oak Primary School" in page and "Sam Old, Typed Surgery" in page


# --- 5. the help lane of the chronology picture ---------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_chronology_picture_has_a_help_lane_with_services_as_events(client_for, social_worker, child, plan):
    service = Service.objects.create(name="Incredible Years", kind=ServiceKind.PARENTING, provider="Council")
    referral = services.service_refer(
        **who(social_worker), child=child, service=service, referred_on=dt.date(2025, 5, 5)
    )
    services.service_update(
        **who(social_worker),
        referral=referral,
        start_date=dt.date(2025, 5, 12),
        sessions_offered=6,
        sessions_attended=4,
        end_date=None,
    )
    page = client_for(social_worker).get(f"/casework/{child.pk}/chronology/").content.decode()
    assert ">Early help</text>" in page  # the lane, named as the council names its help
    assert "Early help: Attendance and routines from 1 May 2025 to continuing" in page
    assert "Service provided: Parenting programme: Incredible Years, referred 5 May 2025, started 12 May 2025" in page
    assert "4 of 6 sessions attended" in page
    # The lane costs a fixed number of queries, whatever the number of services and episodes.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = client_for(social_worker)
    worker.get(f"/casework/{child.pk}/chronology/")  # the session's first request loads more
    with CaptureQueriesContext(connection) as one:
        worker.get(f"/casework/{child.pk}/chronology/")
    for n in range(4):
        services.service_refer(**who(social_worker), child=child, service=service, referred_on=dt.date(2025, 6, 2 + n))
    with CaptureQueriesContext(connection) as five:
        worker.get(f"/casework/{child.pk}/chronology/")
    assert len(five.captured_queries) == len(one.captured_queries)


# --- 6. the reduced casework view of a partner lead practitioner ----------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_partner_lead_sees_the_familys_help_and_not_the_statutory_record(
    client_for, social_worker, child, plan, school_lead, django_assert_max_num_queries
):
    services.help_lead_change(
        **who(social_worker), episode=plan.episode, lead_practitioner=school_lead, start_date=dt.date(2025, 5, 2)
    )
    episode = EpisodeFactory(child=child, referral_date=dt.date(2025, 6, 2))
    assessment = AssessmentFactory(episode=episode)
    lead = client_for(school_lead)
    with django_assert_max_num_queries(40):
        page = lead.get(f"/casework/{child.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Children at school on time every day" in html and "Review<span" in html  # the plan, and work on it
    assert "Assessments" not in html and "Section 47" not in html and "Front door" not in html
    assert "Case notes" not in html
    refused = {
        f"/casework/{child.pk}/chronology/": 404,
        f"/casework/{child.pk}/notes/": 404,
        f"/casework/{child.pk}/record/strategy/": 404,
        f"/casework/{child.pk}/record/assessment-complete/{assessment.pk}/": 404,
        f"/casework/{child.pk}/record/help-step-up/{plan.episode.pk}/": 404,
    }
    for url, status in refused.items():
        assert lead.get(url).status_code == status, url
    assert lead.get(f"/casework/{child.pk}/record/help-review/{plan.pk}/").status_code == 200
    # every read audited: the page view, and each refusal
    views = AuditEvent.objects.filter(actor_id=school_lead.pk, action="casework.view", subject_person_id=child.pk)
    assert any(e.detail.get("purpose") == "family help (partner lead)" for e in views)
    denied = AuditEvent.objects.filter(actor_id=school_lead.pk, action="person.access_denied")
    assert denied.count() >= 3
    # The social worker still has the full page; the reduced one reads less to build.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = client_for(social_worker)
    worker.get(f"/casework/{child.pk}/")
    with CaptureQueriesContext(connection) as full_queries:
        full = worker.get(f"/casework/{child.pk}/").content.decode()
    with CaptureQueriesContext(connection) as reduced_queries:
        lead.get(f"/casework/{child.pk}/")
    assert "Front door" in full
    print(f"\nqueries: full page {len(full_queries)}, partner lead's page {len(reduced_queries)}")
    assert len(reduced_queries) < len(full_queries)


def test_both_agency_choices_read_the_register_afresh_for_each_form():
    from opencsc.casework.forms import ServiceCatalogueForm, TeamMemberForm

    school = agency("Elm Academy")
    for form_class, name in ((TeamMemberForm, "organisation"), (ServiceCatalogueForm, "provider_agency")):
        assert school in form_class().fields[name].queryset, form_class
    school.is_active = False
    school.save()
    for form_class, name in ((TeamMemberForm, "organisation"), (ServiceCatalogueForm, "provider_agency")):
        assert school not in form_class().fields[name].queryset, form_class
