"""Early help / Family Help: the episode from the front door to closure, step-up and step-down as one
history, the tiered and Family Help settings (labels and pathways change, data and the CIN census do
not), tasks and timescales, family network meetings and the lead child protection practitioner."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.accounts.models import Allocation, AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import help_model, selectors, services
from opencsc.casework.models import (
    ContactDecision,
    FamilyNetworkMeeting,
    GoalStatus,
    HelpEndReason,
    HelpEpisode,
    MeetingKind,
    MeetingOutcome,
    ReferralEpisode,
    Task,
    TaskKind,
)
from opencsc.casework.tests.factories import AssessmentFactory, EpisodeFactory
from opencsc.casework.tests.test_front_door_queue import contact_for
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory
from opencsc.returns.build.annex_a import collect_annex_a
from opencsc.returns.build.cin import build_cin
from opencsc.returns.cin.xml_io import write_cin_xml

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)  # a Monday
TODAY = NOW.date()
START = dt.date(2025, 5, 1)


@pytest.fixture
def help_team(db):
    return TeamFactory(name="Family Help North", kind=TeamKind.FAMILY_HELP)


@pytest.fixture
def help_worker(help_team):
    return UserFactory(username="fhw", role=Role.SOCIAL_WORKER, team=help_team)


def who(user) -> dict:
    return {"actor_user": user, "actor": Actor.from_user(user)}


def open_help(user, child, team, lead=None, start=START) -> HelpEpisode:
    return services.help_episode_open(
        **who(user),
        child=child,
        start_date=start,
        reason="Mother asks for help with routines and school attendance",
        organisation="Exampleton Council Family Help service",
        team=team,
        lead_practitioner=lead,
    )


def actions(child) -> list[str]:
    return list(AuditEvent.objects.filter(subject_person_id=child.pk).values_list("action", flat=True))


@time_machine.travel(NOW, tick=False)
def test_front_door_step_to_help_opens_an_episode_held_by_the_chosen_team(team_manager, child, help_team, help_worker):
    contact = contact_for(child, team_manager, contact_date=TODAY)
    services.contact_decide(
        **who(team_manager),
        contact=contact,
        decision=ContactDecision.EARLY_HELP,
        decision_date=TODAY,
        rationale="Needs support with routines; no safeguarding concern",
        team=help_team,
        worker=help_worker,
    )
    episode = HelpEpisode.objects.get(child=child)
    assert episode.contact == contact and episode.lead_practitioner == help_worker
    assert episode.start_date == TODAY and episode.reason == contact.reason
    lead = Allocation.objects.current().get(person=child, kind=AllocationKind.LEAD_PRACTITIONER)
    assert (lead.team, lead.worker) == (help_team, help_worker)
    task = Task.objects.open().get(person=child, kind=TaskKind.FAMILY_ASSESSMENT)
    assert task.assignee == help_worker and task.due_date > TODAY
    assert not ReferralEpisode.objects.filter(child=child).exists()
    assert "casework.help_episode_open" in actions(child)


@time_machine.travel(NOW, tick=False)
def test_step_to_help_needs_a_team_so_no_family_is_left_unheld(team_manager, child):
    contact = contact_for(child, team_manager, contact_date=TODAY)
    with pytest.raises(ValidationError) as caught:
        services.contact_decide(
            **who(team_manager),
            contact=contact,
            decision=ContactDecision.EARLY_HELP,
            decision_date=TODAY,
            rationale="Support",
        )
    assert "team" in caught.value.message_dict
    assert not HelpEpisode.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_help_journey_assessment_plan_review_and_closure(social_worker, child, east_team):
    episode = open_help(social_worker, child, east_team, social_worker)
    assessment = services.help_assessment_start(
        **who(social_worker), episode=episode, start_date=dt.date(2025, 5, 2), organisation="Family Help service"
    )
    with pytest.raises(ValidationError):  # one assessment in progress at a time
        services.help_assessment_start(
            **who(social_worker), episode=episode, start_date=dt.date(2025, 5, 3), organisation="Again"
        )
    services.help_assessment_complete(
        **who(social_worker),
        assessment=assessment,
        completed_date=dt.date(2025, 5, 20),
        strengths="Loving, committed grandparents nearby",
        needs="Morning routines; school attendance 82%",
        family_words="We just need a hand getting everyone out of the door",
        consent_given=True,
    )
    assert not Task.objects.open().filter(person=child, kind=TaskKind.FAMILY_ASSESSMENT).exists()
    assert Task.objects.open().filter(person=child, kind=TaskKind.FAMILY_PLAN).exists()
    plan = services.help_plan_start(
        **who(social_worker),
        episode=episode,
        start_date=dt.date(2025, 5, 27),
        goal="Children at school on time every day",
        action="Morning routine chart; family support worker visits twice a week",
        who="Mother, with the family support worker",
        by_when=dt.date(2025, 7, 18),
    )
    second = services.help_goal_add(
        **who(social_worker),
        plan=plan,
        goal="Mother attends a parenting group",
        action="Book the Incredible Years course",
        who="Lead practitioner",
        by_when=dt.date(2025, 9, 1),
    )
    review_task = Task.objects.open().get(person=child, kind=TaskKind.FAMILY_PLAN_REVIEW)
    assert review_task.due_date == plan.next_review_due > dt.date(2025, 8, 1)
    first = plan.goals.exclude(pk=second.pk).get()
    services.help_plan_review(
        **who(social_worker),
        plan=plan,
        review_date=TODAY,
        progress="Attendance up to 96%",
        family_view="Mornings are calmer",
        achieved=[first.pk],
    )
    plan.refresh_from_db()
    assert {g.pk: g.status for g in plan.goals.all()} == {
        first.pk: GoalStatus.ACHIEVED,
        second.pk: GoalStatus.IN_PROGRESS,
    }
    assert Task.objects.open().get(person=child, kind=TaskKind.FAMILY_PLAN_REVIEW).due_date == plan.next_review_due
    services.help_episode_close(
        **who(social_worker),
        episode=episode,
        end_date=TODAY,
        end_reason=HelpEndReason.GOALS_MET,
        outcome="Attendance good; routines settled",
    )
    episode.refresh_from_db()
    plan.refresh_from_db()
    assert episode.end_date == TODAY and plan.end_date == TODAY
    assert plan.goals.get(pk=second.pk).status == GoalStatus.NOT_ACHIEVED
    assert not Task.objects.open().filter(person=child, kind__in=[TaskKind.FAMILY_PLAN_REVIEW]).exists()
    lead = Allocation.objects.get(person=child, kind=AllocationKind.LEAD_PRACTITIONER)
    assert lead.end_date is not None and lead.end_date > TODAY  # leaves the caseload after closure letters
    assert {
        "casework.help_assessment_start",
        "casework.help_assessment_complete",
        "casework.help_plan_start",
        "casework.help_goal_add",
        "casework.help_plan_review",
        "casework.help_episode_close",
    } <= set(actions(child))
    chronology = [item.title for item in selectors.chronology(child)]
    assert "Early help started" in chronology
    assert "Early help ended: the family's goals were met" in chronology


@time_machine.travel(NOW, tick=False)
def test_the_setting_changes_the_words_of_the_chronology_not_the_stored_rows(social_worker, child, east_team, settings):
    open_help(social_worker, child, east_team)
    settings.OPENCSC_HELP_MODEL = "family_help"
    assert "Family help started" in [i.title for i in selectors.chronology(child)]
    assert help_model.decision_label() == "Step to family help"
    settings.OPENCSC_HELP_MODEL = "tiered"
    assert "Early help started" in [i.title for i in selectors.chronology(child)]


@time_machine.travel(NOW, tick=False)
def test_tiered_step_up_ends_early_help_and_keeps_one_history(social_worker, child, east_team, settings):
    settings.OPENCSC_HELP_MODEL = "tiered"
    episode = open_help(social_worker, child, east_team)
    referral = services.help_step_up(**who(social_worker), episode=episode, referral_date=TODAY, team=east_team)
    episode.refresh_from_db()
    assert referral.source == "5D" and episode.stepped_up_to == referral
    assert episode.end_reason == HelpEndReason.STEPPED_UP and episode.end_date == TODAY
    kinds = [(e.kind, e.start, e.end) for e in help_model.episodes_of_help(child)]
    assert kinds == [("early_help", START, TODAY), ("child_in_need", TODAY, None)]


@time_machine.travel(NOW, tick=False)
def test_family_help_step_up_keeps_the_help_and_its_lead_open(social_worker, child, east_team, settings):
    settings.OPENCSC_HELP_MODEL = "family_help"
    episode = open_help(social_worker, child, east_team, social_worker)
    services.help_step_up(**who(social_worker), episode=episode, referral_date=TODAY, team=east_team)
    episode.refresh_from_db()
    assert episode.is_open and episode.stepped_up_to is not None
    assert Allocation.objects.current().filter(person=child, kind=AllocationKind.LEAD_PRACTITIONER).exists()
    assert [e.label for e in help_model.episodes_of_help(child)] == [
        "Family help",
        "Family help (child in need, section 17)",
    ]


@time_machine.travel(NOW, tick=False)
def test_step_down_after_rc9_is_linked_and_tiered_refuses_help_while_social_care_is_open(
    social_worker, child, east_team, settings
):
    settings.OPENCSC_HELP_MODEL = "tiered"
    episode = EpisodeFactory(child=child, referral_date=dt.date(2025, 3, 3))
    AssessmentFactory(child=child, episode=episode, start_date=dt.date(2025, 3, 4), authorised_date=dt.date(2025, 4, 1))
    with pytest.raises(ValidationError):
        open_help(social_worker, child, east_team)
    services.episode_close(
        **who(social_worker), episode=episode, closure_date=dt.date(2025, 4, 10), closure_reason="RC9"
    )
    help_episode = open_help(social_worker, child, east_team, start=dt.date(2025, 4, 14))
    assert help_episode.stepped_down_from == episode
    history = [(e.kind, e.end) for e in help_model.episodes_of_help(child)]
    assert history == [("child_in_need", dt.date(2025, 4, 10)), ("early_help", None)]
    assert "Early help started (stepped down from social care)" in [i.title for i in selectors.chronology(child)]


@time_machine.travel(NOW, tick=False)
def test_closing_social_care_keeps_the_familys_help_under_family_help(social_worker, child, east_team, settings):
    settings.OPENCSC_HELP_MODEL = "family_help"
    help_episode = open_help(social_worker, child, east_team, social_worker)
    referral = services.help_step_up(
        **who(social_worker), episode=help_episode, referral_date=dt.date(2025, 5, 5), team=east_team
    )
    AssessmentFactory(
        child=child, episode=referral, start_date=dt.date(2025, 5, 6), authorised_date=dt.date(2025, 6, 2)
    )
    services.episode_close(**who(social_worker), episode=referral, closure_date=TODAY, closure_reason="RC9")
    help_episode.refresh_from_db()
    assert help_episode.is_open and help_episode.stepped_down_from == referral
    assert (
        Allocation.objects.current().filter(person=child, kind=AllocationKind.LEAD_PRACTITIONER).get().end_date is None
    )
    assert Task.objects.open().filter(person=child, kind=TaskKind.FAMILY_ASSESSMENT).exists()


def _cin_xml(tmp_path, name: str) -> bytes:
    path = tmp_path / name
    write_cin_xml(build_cin("2025-26"), path)
    return path.read_bytes()


@time_machine.travel(NOW, tick=False)
def test_early_help_only_is_in_annex_a_list_2_and_not_in_the_cin_census(social_worker, child, east_team, tmp_path):
    episode = open_help(social_worker, child, east_team)
    services.help_assessment_start(**who(social_worker), episode=episode, start_date=START, organisation="Oak School")
    assert len(build_cin("2025-26")) == 0
    lists = collect_annex_a(TODAY)
    list_2 = lists.rows["List 2"]
    assert len(list_2) == 1 and list_2[0][5:] == [START, None, "Oak School"]
    assert not lists.rows["List 3"] and not lists.rows["List 6"]


@time_machine.travel(NOW, tick=False)
def test_the_cin_census_is_identical_under_either_model(social_worker, child, east_team, settings, tmp_path):
    other = ChildFactory(date_of_birth=dt.date(2013, 2, 2))
    AllocationFactory(person=other, team=east_team, worker=social_worker, start_date=dt.date(2015, 1, 1))
    settings.OPENCSC_HELP_MODEL = "family_help"
    episode = open_help(social_worker, child, east_team)
    services.help_step_up(**who(social_worker), episode=episode, referral_date=dt.date(2025, 5, 5), team=east_team)
    open_help(social_worker, other, east_team)
    family_help = _cin_xml(tmp_path, "fh.xml")
    settings.OPENCSC_HELP_MODEL = "tiered"
    tiered = _cin_xml(tmp_path, "tiered.xml")
    assert family_help == tiered
    assert family_help.count(b"<CINdetails>") == 1  # the stepped-up child only; help alone is not in it
    assert b"<ReferralSource>5D</ReferralSource>" in family_help


@time_machine.travel(NOW, tick=False)
def test_family_network_meeting_offer_attendees_and_the_familys_plan(social_worker, child, east_team):
    open_help(social_worker, child, east_team)
    grandmother = PersonFactory(first_name="Gwen", last_name="Example")
    RelationshipFactory(person=grandmother, relative=child, kind="grandparent")
    meeting = services.network_meeting_offer(
        **who(social_worker),
        child=child,
        kind=MeetingKind.FGC,
        offered_on=dt.date(2025, 6, 2),
        before_pre_proceedings=True,
    )
    services.network_meeting_record(
        **who(social_worker),
        meeting=meeting,
        meeting_date=dt.date(2025, 6, 12),
        outcome=MeetingOutcome.PLAN_AGREED,
        facilitator="Independent FGC coordinator",
        family_plan="Gran takes the children to school on Mondays and Tuesdays",
        relatives=[grandmother],
        other_name="Dee Neighbour",
        other_relationship="Family friend",
    )
    meeting = FamilyNetworkMeeting.objects.get(pk=meeting.pk)
    assert meeting.help_episode is not None and meeting.before_pre_proceedings
    assert sorted((a.name, a.relationship) for a in meeting.attendees.all()) == [
        ("Dee Neighbour", "Family friend"),
        ("Gwen Example", "Grandparent of the child"),
    ]
    stranger = PersonFactory()
    other = services.network_meeting_offer(
        **who(social_worker), child=child, kind=MeetingKind.NETWORK, offered_on=TODAY
    )
    with pytest.raises(ValidationError):
        services.network_meeting_record(
            **who(social_worker),
            meeting=other,
            meeting_date=TODAY,
            outcome=MeetingOutcome.NO_PLAN,
            relatives=[stranger],
        )
    assert {"casework.network_meeting_offer", "casework.network_meeting_record"} <= set(actions(child))


@time_machine.travel(NOW, tick=False)
def test_lead_child_protection_practitioner_is_a_social_worker(social_worker, child, partner):
    from opencsc.casework.tests.factories import CPPlanFactory

    episode = EpisodeFactory(child=child, referral_date=dt.date(2025, 3, 3))
    plan = CPPlanFactory(child=child, episode=episode, start_date=dt.date(2025, 4, 1))
    services.lead_cp_practitioner_set(**who(social_worker), obj=plan, lead_practitioner=social_worker)
    plan.refresh_from_db()
    assert plan.lead_practitioner == social_worker
    with pytest.raises(ValidationError):
        services.lead_cp_practitioner_set(**who(social_worker), obj=plan, lead_practitioner=partner)
    assert "casework.lead_cp_practitioner_set" in actions(child)


@time_machine.travel(NOW, tick=False)
def test_outsider_cannot_open_help(outsider, child, east_team):
    with pytest.raises(PermissionDenied):
        open_help(outsider, child, east_team)
    assert not HelpEpisode.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_services_provided_referral_start_attendance_and_end(social_worker, child, east_team):
    from opencsc.casework.models import Service, ServiceKind

    episode = open_help(social_worker, child, east_team)
    course = Service.objects.create(
        name="Incredible Years", kind=ServiceKind.PARENTING, commissioned=True, provider="Exampleton Family Trust"
    )
    referral = services.service_refer(**who(social_worker), child=child, service=course, referred_on=START)
    assert referral.help_episode == episode
    with pytest.raises(ValidationError):
        services.service_update(
            **who(social_worker), referral=referral, start_date=START, sessions_offered=2, sessions_attended=3
        )
    services.service_update(
        **who(social_worker), referral=referral, start_date=dt.date(2025, 5, 8), sessions_offered=6, sessions_attended=5
    )
    services.service_update(
        **who(social_worker),
        referral=referral,
        start_date=dt.date(2025, 5, 8),
        sessions_offered=8,
        sessions_attended=7,
        end_date=TODAY,
    )
    referral.refresh_from_db()
    assert (referral.sessions_attended, referral.end_date) == (7, TODAY)
    titles = [i.title for i in selectors.chronology(child)]
    assert {"Referred to Incredible Years", "Started Incredible Years", "Ended Incredible Years"} <= set(titles)
    assert titles.count("Started Incredible Years") == 1  # a later update does not repeat the start
    assert {"casework.service_refer", "casework.service_update"} <= set(actions(child))
