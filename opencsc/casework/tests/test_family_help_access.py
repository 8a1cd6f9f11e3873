"""Who sees and records early help / Family Help: a partner-agency lead practitioner sees the families
they lead and nothing else (the same 404 as a missing record otherwise), records the help work but not
social care's steps; a multi-agency child protection team's partner members see the team's cases; every
read is audited. And the pages: the words follow the setting, the steps are offered only when possible."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.accounts import access
from opencsc.accounts.models import AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.models import FamilyHelpAssessment, HelpEndReason, HelpEpisode
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)
TODAY = NOW.date()


def d(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def school(db):
    return TeamFactory(name="Oak Primary School", kind=TeamKind.PARTNER)


@pytest.fixture
def pastoral_lead(school):
    return UserFactory(username="pastoral", role=Role.PARTNER, team=school, organisation="Oak Primary School")


@pytest.fixture
def colleague(school):
    """Another practitioner of the same school, who leads no family."""
    return UserFactory(username="colleague", role=Role.PARTNER, team=school, organisation="Oak Primary School")


@pytest.fixture
def led(social_worker, child, east_team, pastoral_lead):
    """The child's help, opened by the council and led by the school's pastoral lead."""
    who = {"actor_user": social_worker, "actor": Actor.from_user(social_worker)}
    episode = services.help_episode_open(
        **who,
        child=child,
        start_date=dt.date(2025, 5, 1),
        reason="Attendance and routines",
        organisation="Oak Primary School",
        team=east_team,
    )
    services.help_lead_change(**who, episode=episode, lead_practitioner=pastoral_lead, start_date=dt.date(2025, 5, 2))
    return episode


@time_machine.travel(NOW, tick=False)
def test_partner_lead_sees_the_family_they_lead_and_nothing_else(
    client_for, led, child, pastoral_lead, colleague, social_worker, east_team
):
    mother = PersonFactory()
    RelationshipFactory(person=mother, relative=child, kind="parent")
    elsewhere = ChildFactory()
    AllocationFactory(person=elsewhere, team=east_team, worker=social_worker, start_date=dt.date(2015, 1, 1))
    lead = client_for(pastoral_lead)
    assert lead.get(f"/casework/{child.pk}/").status_code == 200
    assert lead.get(f"/people/{mother.pk}/").status_code == 200  # the family, as for a worker
    assert lead.get(f"/casework/{elsewhere.pk}/").status_code == 404
    assert lead.get("/casework/999999/").status_code == 404
    assert client_for(colleague).get(f"/casework/{child.pk}/").status_code == 404
    viewed = AuditEvent.objects.filter(actor_id=pastoral_lead.pk, action="casework.view", subject_person_id=child.pk)
    assert viewed.exists()
    assert AuditEvent.objects.filter(actor_id=pastoral_lead.pk, action="person.access_denied").count() >= 2


@time_machine.travel(NOW, tick=False)
def test_the_council_keeps_sight_of_a_family_a_partner_leads(led, child, social_worker, pastoral_lead):
    assert access.can_change_person(social_worker, child.pk)
    assert not access.can_change_person(pastoral_lead, child.pk)
    assert access.can_work_family_help(pastoral_lead, child.pk)


@time_machine.travel(NOW, tick=False)
def test_partner_lead_records_the_help_but_not_social_cares_steps(client_for, led, child, pastoral_lead):
    lead = client_for(pastoral_lead)
    page = lead.get(f"/casework/{child.pk}/").content.decode()
    assert "Start the whole-family assessment" in page and "Step up to children" not in page
    response = lead.post(
        f"/casework/{child.pk}/record/help-assessment/{led.pk}/",
        {**d("start_date", TODAY), "organisation": "Oak Primary School"},
    )
    assert response.status_code == 302
    assert FamilyHelpAssessment.objects.get(episode=led).recorded_by == pastoral_lead
    for slug in ("help-step-up", "help-lead"):
        assert lead.get(f"/casework/{child.pk}/record/{slug}/{led.pk}/").status_code == 404
    for slug in ("help-start", "contact", "referral"):
        assert lead.get(f"/casework/{child.pk}/record/{slug}/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_partners_sight_ends_with_the_help(client_for, led, child, pastoral_lead, social_worker):
    services.help_episode_close(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        episode=led,
        end_date=TODAY,
        end_reason=HelpEndReason.GOALS_MET,
        outcome="Attendance good",
    )
    with time_machine.travel(NOW + dt.timedelta(days=60), tick=False):
        assert client_for(pastoral_lead).get(f"/casework/{child.pk}/").status_code == 404
        assert not access.can_work_family_help(pastoral_lead, child.pk)


@time_machine.travel(NOW, tick=False)
def test_multi_agency_cp_team_partners_see_the_teams_cases_only(client_for, social_worker):
    macpt = TeamFactory(name="MACPT East", kind=TeamKind.MULTI_AGENCY_CP)
    police = UserFactory(username="police-macpt", role=Role.PARTNER, team=macpt, organisation="Police")
    health = UserFactory(username="health", role=Role.PARTNER, team=TeamFactory(name="Trust", kind=TeamKind.PARTNER))
    lcpp = UserFactory(username="lcpp", role=Role.SOCIAL_WORKER, team=macpt)
    cp_child = ChildFactory()
    AllocationFactory(
        person=cp_child, team=macpt, worker=lcpp, kind=AllocationKind.ALLOCATED_WORKER, start_date=dt.date(2025, 1, 1)
    )
    other = ChildFactory()
    AllocationFactory(person=other, team=social_worker.team, worker=social_worker, start_date=dt.date(2025, 1, 1))
    member = client_for(police)
    assert member.get(f"/casework/{cp_child.pk}/").status_code == 200
    assert member.get(f"/casework/{other.pk}/").status_code == 404
    assert client_for(health).get(f"/casework/{cp_child.pk}/").status_code == 404
    assert not access.can_change_person(police, cp_child.pk)  # partners read; social workers record
    assert access.can_change_person(lcpp, cp_child.pk)
    assert AuditEvent.objects.filter(actor_id=police.pk, action="casework.view", subject_person_id=cp_child.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_the_page_uses_the_councils_word_for_help(client_for, social_worker, child, settings):
    client = client_for(social_worker)
    settings.OPENCSC_HELP_MODEL = "tiered"
    assert "Start early help" in client.get(f"/casework/{child.pk}/").content.decode()
    settings.OPENCSC_HELP_MODEL = "family_help"
    page = client.get(f"/casework/{child.pk}/").content.decode()
    assert "Start family help" in page and "Start early help" not in page


@time_machine.travel(NOW, tick=False)
def test_the_whole_help_journey_through_the_pages(client_for, social_worker, child, east_team):
    client = client_for(social_worker)
    base = f"/casework/{child.pk}/record"
    response = client.post(
        f"{base}/help-start/",
        {
            **d("start_date", TODAY),
            "reason": "Routines",
            "organisation": "Family Help service",
            "team": east_team.pk,
            "lead_practitioner": social_worker.pk,
            "consent_given": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    episode = HelpEpisode.objects.get(child=child)
    assert (
        client.post(
            f"{base}/help-assessment/{episode.pk}/", {**d("start_date", TODAY), "organisation": "FH"}
        ).status_code
        == 302
    )
    assessment = episode.assessments.get()
    response = client.post(
        f"{base}/help-assessment-complete/{assessment.pk}/",
        {**d("completed_date", TODAY), "strengths": "Warm", "needs": "Routines", "consent_given": "yes"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/help-plan/{episode.pk}/",
        {**d("start_date", TODAY), "goal": "On time", "action": "Chart", "who": "Mum", **d("by_when", TODAY)},
    )
    assert response.status_code == 302
    plan = episode.plans.get()
    review = client.get(f"{base}/help-review/{plan.pk}/").content.decode()
    assert "On time" in review  # the goals are offered to mark achieved
    goal = plan.goals.get()
    response = client.post(
        f"{base}/help-review/{plan.pk}/",
        {**d("review_date", TODAY), "progress": "Better", "achieved": [goal.pk]},
    )
    assert response.status_code == 302
    error = client.post(f"{base}/help-close/{episode.pk}/", {**d("end_date", TODAY), "end_reason": "goals_met"})
    assert error.status_code == 200 and "govuk-error-summary" in error.content.decode()
    response = client.post(
        f"{base}/help-close/{episode.pk}/",
        {**d("end_date", TODAY), "end_reason": "goals_met", "outcome": "Settled"},
    )
    assert response.status_code == 302
    page = client.get(f"/casework/{child.pk}/").content.decode()
    assert "Episodes of help" in page and "The family&#x27;s goals were met" in page


@time_machine.travel(NOW, tick=False)
def test_the_front_door_never_offers_help_that_cannot_start(client_for, team_manager, child, east_team, settings):
    from opencsc.casework.tests.factories import EpisodeFactory
    from opencsc.casework.tests.test_front_door_queue import contact_for

    contact = contact_for(child, team_manager, contact_date=TODAY)
    page = f"/casework/{child.pk}/record/decision/{contact.pk}/"
    client = client_for(team_manager)
    settings.OPENCSC_HELP_MODEL = "tiered"
    assert "Step to early help" in client.get(page).content.decode()
    EpisodeFactory(child=child, referral_date=dt.date(2025, 6, 2))
    assert "Step to early help" not in client.get(page).content.decode()  # tiered: social care holds the child
    settings.OPENCSC_HELP_MODEL = "family_help"
    assert "Step to family help" in client.get(page).content.decode()  # Family Help runs alongside


@time_machine.travel(NOW, tick=False)
def test_the_partners_portal_lists_the_families_they_lead_audited(client_for, led, child, pastoral_lead, colleague):
    html = client_for(pastoral_lead).get("/partners/").content.decode()
    assert "Families you lead" in html and f"/casework/{child.pk}/" in html
    listed = AuditEvent.objects.get(actor_id=pastoral_lead.pk, action="casework.families_led_view")
    assert listed.detail["person_ids"] == [child.pk]
    other = client_for(colleague).get("/partners/").content.decode()
    assert f"/casework/{child.pk}/" not in other and "Families you lead" not in other


# --- the person record, the family's records and every other person page, as a partner lead -------


def _sensitive_child(child, mother):
    """Rows a partner lead has no agreement for: special category, police, statutory."""
    from opencsc.casework.tests.factories import CPPlanFactory
    from opencsc.people.models import Disability, HealthInformation, PoliceInformation, StateBenefit

    HealthInformation.objects.create(person=child, kind="mental_health", summary="Anxiety clinic", recorded_on=TODAY)
    Disability.objects.create(person=child, code="BEH")
    PoliceInformation.objects.create(
        person=mother, kind="caution", summary="Caution for theft", source="Met", recorded_on=TODAY
    )
    StateBenefit.objects.create(person=mother, benefit="Universal Credit", reference="UC-1", start_date=TODAY)
    CPPlanFactory(child=child, start_date=dt.date(2025, 6, 1))


# Tables a partner lead's pages must never query: special-category, criminal, money, other agencies'
# information, the stored digest (it holds the statutory findings), and social care's statutory rows.
NEVER_QUERIED = (
    "people_healthinformation",
    "people_disability",
    "people_policeinformation",
    "people_financialinformation",
    "people_statebenefit",
    "people_socialmediainformation",
    "people_agencyinformation",
    "people_persondigest",
    "casework_childprotectionplan",
    "casework_childinneedplan",
    "casework_periodofcare",
    "casework_referralepisode",
    "casework_assessment",
    "casework_section47",
    "casework_missingepisode",
)


@time_machine.travel(NOW, tick=False)
def test_partner_lead_sees_the_help_part_of_the_person_records_of_the_family_they_lead(
    client_for, led, child, pastoral_lead, colleague, social_worker, east_team
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opencsc.people.models import Address, PersonAlert

    mother = PersonFactory(first_name="Mara")
    RelationshipFactory(person=mother, relative=child, kind="parent")
    Address.objects.create(person=mother, line1="4 Elm Row", town="Exampleton", postcode="ZZ1 4EE", start_date=TODAY)
    PersonAlert.objects.create(person=mother, kind="interpreter", detail="Polish", start_date=dt.date(2025, 1, 1))
    _sensitive_child(child, mother)
    lead = client_for(pastoral_lead)
    for person in (child, mother):
        with CaptureQueriesContext(connection) as queries:
            page = lead.get(f"/people/{person.pk}/")
        html = page.content.decode()
        assert page.status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
        assert not [t for t in NEVER_QUERIED if t in sql], f"/people/{person.pk}/ read {sql[:300]}"
        assert '"ethnicity"' not in sql and '"nhs_number"' not in sql  # the row's sensitive columns unread
        assert "Health information" not in html and "Criminal and police" not in html and "Ethnicity" not in html
        assert "NHS number" not in html and "Unique pupil number" not in html and "State benefits" not in html
        assert "Child protection plan" not in html and "Disclosure log" not in html
        assert person.full_name in html and "lead practitioner" in html
    mother_page = lead.get(f"/people/{mother.pk}/").content.decode()
    assert "4 Elm Row" in mother_page and "Interpreter needed" in mother_page and child.full_name in mother_page
    child_page = lead.get(f"/people/{child.pk}/").content.decode()
    assert "Attendance and routines" not in child_page  # the summary says help, led by whom; not the reason
    assert "led by Oak Primary School" in child_page and f"/casework/{child.pk}/" in child_page
    assert f"/casework/{child.pk}/chronology/" not in child_page and f"/casework/{child.pk}/notes/" not in child_page
    # The council's worker still sees the whole record.
    worker_page = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    assert "Health information" in worker_page and "Child protection plan" in worker_page
    # Every read audited, with the categories shown.
    read = AuditEvent.objects.filter(actor_id=pastoral_lead.pk, action="person.view", subject_person_id=mother.pk)
    assert read.exists() and "health" not in read.first().detail["categories"]
    assert "address" in read.first().detail["categories"]


@time_machine.travel(NOW, tick=False)
def test_partner_lead_matrix_over_every_person_url(client_for, led, child, pastoral_lead, colleague, east_team):
    """Every route that takes a person id, as the lead (their child, the child's mother, a child they do
    not lead, a missing id) and as their colleague: what they may open, and the audited 404 otherwise."""
    from django.urls import reverse

    from opencsc.accounts.tests.test_access_matrix import EXTRA_ROUTES, PERSON_ROUTES, _person_routes
    from opencsc.people.models import Address

    mother = PersonFactory()
    RelationshipFactory(person=mother, relative=child, kind="parent")
    elsewhere = ChildFactory()
    AllocationFactory(person=elsewhere, team=east_team, start_date=dt.date(2015, 1, 1))
    address = Address.objects.create(
        person=child, line1="1 Test Street", town="Exampleton", postcode="ZZ1 1ZZ", start_date=TODAY
    )
    # What a lead may open about the family they lead; every other person route is the audited 404.
    opens = {
        "people:detail",
        "people:genogram",
        "people:families",
        "casework:overview",
        "casework:step",  # a help step (below); social care's steps are 404 (test above)
        "insight:child_outcomes",
    }
    post_only = {"people:family_add", "people:family_remove", "privacy:processor_contract_end"}
    routes = {**PERSON_ROUTES, **EXTRA_ROUTES}
    assert set(_person_routes()) <= set(routes)  # every person route is in this matrix
    lead, other = client_for(pastoral_lead), client_for(colleague)

    def ask(client, name, url):
        return client.post(url) if name in post_only else client.get(url)

    for name, (kwargs, _) in routes.items():
        kwargs = {k: (address.pk if v is None else v) for k, v in kwargs.items()}
        if name == "casework:step":
            kwargs = {"slug": "help-assessment"}
        for person in (child, mother):
            if name.startswith(("casework:", "insight:")) and person is mother:
                continue  # casework pages are a child's
            url = reverse(name, kwargs={"person_id": person.pk, **kwargs})
            if name == "casework:step":
                url = reverse(
                    "casework:step_on", kwargs={"person_id": child.pk, "slug": "help-assessment", "obj_id": led.pk}
                )
            denied = AuditEvent.objects.filter(actor_id=pastoral_lead.pk, outcome="denied").count()
            response = ask(lead, name, url)
            expected = 200 if name in opens else 404
            assert response.status_code == expected, f"lead on {name} of {'child' if person is child else 'mother'}"
            if expected == 404:
                assert person.la_child_id is None or person.la_child_id not in response.content.decode()
                if name not in ("casework:step_on",):  # a step on an object: 404 from the object lookup
                    assert AuditEvent.objects.filter(actor_id=pastoral_lead.pk, outcome="denied").count() > denied, name
            for stranger in (elsewhere.pk, 999999):
                stranger_url = url.replace(f"/{person.pk}/", f"/{stranger}/", 1)
                assert ask(lead, name, stranger_url).status_code == 404, f"lead on {name} of someone else"
            assert ask(other, name, url).status_code == 404, f"colleague on {name}"


@time_machine.travel(NOW, tick=False)
def test_partner_lead_on_the_people_pages_without_a_person_id(client_for, led, child, pastoral_lead, east_team):
    """Search finds the family they lead and nobody else (the matcher too); adding people, the
    duplicate queue and emergency access are not theirs."""
    elsewhere = ChildFactory(last_name="Elsewherex")
    AllocationFactory(person=elsewhere, team=east_team, start_date=dt.date(2015, 1, 1))
    lead = client_for(pastoral_lead)
    found = lead.get("/people/", {"name": child.last_name}).content.decode()
    assert f"/people/{child.pk}/" in found
    for query in ({"name": elsewhere.last_name}, {"la_child_id": elsewhere.la_child_id}):
        page = lead.get("/people/", query).content.decode() + lead.get("/people/match/", query).content.decode()
        assert f"/people/{elsewhere.pk}/" not in page and elsewhere.last_name not in page.replace(
            f'value="{elsewhere.last_name}"', ""
        )
    assert "Emergency access to a record" not in found and "Add a new person" not in found
    for url in ("/people/new/", "/people/duplicates/", "/people/emergency-access/"):
        assert lead.get(url).status_code in (403, 404), url
    assert lead.post("/people/emergency-access/", {"person": elsewhere.pk, "reason": "x" * 40}).status_code in (
        403,
        404,
    )
    from opencsc.accounts.models import BreakGlassGrant

    assert not BreakGlassGrant.objects.filter(user=pastoral_lead).exists()
