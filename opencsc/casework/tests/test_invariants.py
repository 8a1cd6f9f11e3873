"""Each entry check refuses the change with a message that says how to fix it, and writes nothing
(no row, no audit event)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from opencsc.audit.models import AuditEvent
from opencsc.casework import services as s
from opencsc.casework.models import AssessmentStatus, Conference, StatusChange
from opencsc.casework.tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CINPlanFactory,
    CPPlanFactory,
    EpisodeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.date


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def who(social_worker, sw_actor):
    return {"actor_user": social_worker, "actor": sw_actor}


def refused(field: str, text: str, call, *args, **kwargs) -> None:
    events, rows = AuditEvent.objects.count(), StatusChange.objects.count()
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    messages = " ".join(info.value.message_dict.get(field, []))
    assert text in messages, info.value.message_dict
    assert (AuditEvent.objects.count(), StatusChange.objects.count()) == (events, rows)


def test_one_open_referral_episode(who, child):
    EpisodeFactory(child=child)
    refused(
        "referral_date",
        "already has an open referral episode",
        s.referral_create,
        **who,
        child=child,
        referral_date=D(2025, 3, 3),
        source="2A",
    )


def test_new_referral_cannot_overlap_the_previous_episode(who, child):
    EpisodeFactory(child=child, closure_date=D(2025, 3, 10), closure_reason="RC7")
    refused(
        "referral_date",
        "must be on or after that date",
        s.referral_create,
        **who,
        child=child,
        referral_date=D(2025, 3, 7),
        source="2A",
    )


def test_referral_not_in_the_future(who, child):
    refused(
        "referral_date",
        "today or in the past",
        s.referral_create,
        **who,
        child=child,
        referral_date=D(2025, 6, 3),
        source="2A",
    )


def test_assessment_start_not_before_referral_rule_1103(who, child):
    episode = EpisodeFactory(child=child, referral_date=D(2025, 2, 3))
    refused(
        "start_date",
        "cannot be before the referral date",
        s.assessment_start,
        **who,
        episode=episode,
        start_date=D(2025, 2, 1),
    )


def test_one_open_assessment_per_episode_rule_8896(who, child):
    episode = EpisodeFactory(child=child)
    AssessmentFactory(episode=episode)
    refused(
        "start_date",
        "already has an assessment in progress",
        s.assessment_start,
        **who,
        episode=episode,
        start_date=D(2025, 2, 3),
    )


def test_nothing_on_an_nfa_referral_rule_8831(who, child):
    episode = EpisodeFactory(child=child, referral_nfa=True)
    refused("start_date", "no further action", s.assessment_start, **who, episode=episode, start_date=D(2025, 2, 3))


@pytest.mark.parametrize(
    ("factors", "text"),
    [
        (["21", "16A"], "cannot be combined"),
        (["16A", "16A"], "only once"),
        (["18A"], "no longer used"),
        ([], "Select the factors"),
        (["99Z"], "not a DfE assessment factor"),
    ],
)
def test_assessment_factors_rules_8869_8898_8945q(who, child, factors, text):
    assessment = AssessmentFactory(episode=EpisodeFactory(child=child))
    refused(
        "factors",
        text,
        s.assessment_complete,
        **who,
        assessment=assessment,
        completed_date=D(2025, 2, 3),
        factors=factors,
        outcome="nfa",
    )


def test_late_assessment_needs_a_reason(who, child):
    assessment = AssessmentFactory(episode=EpisodeFactory(child=child, referral_date=D(2025, 1, 6)))
    refused(
        "delay_reason",
        "took longer than 45 working days",
        s.assessment_complete,
        **who,
        assessment=assessment,
        completed_date=D(2025, 3, 11),
        factors=["21"],
        outcome="nfa",
    )


def test_only_a_team_manager_authorises(who, child):
    assessment = AssessmentFactory(
        episode=EpisodeFactory(child=child),
        status=AssessmentStatus.SUBMITTED,
        completed_date=D(2025, 2, 3),
        factors=["21"],
        outcome="nfa",
    )
    refused(
        "authorised_date",
        "Only a team manager",
        s.assessment_authorise,
        **who,
        assessment=assessment,
        authorised_date=D(2025, 2, 4),
    )


def test_initial_conference_needs_a_section47(who, child):
    episode = EpisodeFactory(child=child)
    refused(
        "kind",
        "follows a section 47 enquiry",
        s.conference_record,
        **who,
        episode=episode,
        kind="initial",
        conference_date=D(2025, 2, 5),
        outcome="plan",
        category="NEG",
    )


def test_conference_not_at_a_weekend_rule_8875(who, child):
    episode = EpisodeFactory(child=child)
    refused(
        "conference_date",
        "weekend",
        s.conference_record,
        **who,
        episode=episode,
        kind="transfer_in",
        conference_date=D(2025, 2, 8),
        outcome="plan",
        category="NEG",
    )


def test_conference_not_before_the_section47(who, child):
    episode = EpisodeFactory(child=child)
    s.strategy_discussion_record(**who, episode=episode, discussion_date=D(2025, 2, 5), start_section47=True)
    refused(
        "conference_date",
        "before the section 47 enquiry started",
        s.conference_record,
        **who,
        episode=episode,
        kind="initial",
        conference_date=D(2025, 2, 4),
        outcome="plan",
        category="NEG",
    )


def test_plan_outcome_needs_a_category(who, child):
    episode = EpisodeFactory(child=child)
    refused(
        "category",
        "category of abuse",
        s.conference_record,
        **who,
        episode=episode,
        kind="transfer_in",
        conference_date=D(2025, 2, 5),
        outcome="plan",
    )


def test_one_open_cp_plan_rule_8935(who, child):
    episode = EpisodeFactory(child=child)
    CPPlanFactory(episode=episode)
    refused(
        "start_date",
        "already has an open child protection plan",
        s.conference_record,
        **who,
        episode=episode,
        kind="transfer_in",
        conference_date=D(2025, 3, 5),
        outcome="plan",
        category="NEG",
    )
    assert not Conference.objects.exists()  # the conference itself was rolled back with the plan


def test_cp_plans_do_not_overlap_rule_8940(who, child):
    old = EpisodeFactory(child=child, referral_date=D(2024, 1, 8), closure_date=D(2024, 12, 2), closure_reason="RC7")
    CPPlanFactory(episode=old, start_date=D(2024, 2, 1), end_date=D(2025, 3, 3))
    episode = EpisodeFactory(child=child, referral_date=D(2025, 1, 6))
    refused(
        "start_date",
        "overlap an earlier child protection plan",
        s.conference_record,
        **who,
        episode=episode,
        kind="transfer_in",
        conference_date=D(2025, 2, 5),
        outcome="plan",
        category="NEG",
    )


def test_cp_plan_cannot_end_on_its_start_day_rule_8840(who, child):
    plan = CPPlanFactory(episode=EpisodeFactory(child=child), start_date=D(2025, 2, 3))
    refused("end_date", "rule 8840", s.cp_plan_end, **who, plan=plan, end_date=D(2025, 2, 3))


def test_review_after_plan_start_rule_8841(who, child):
    plan = CPPlanFactory(episode=EpisodeFactory(child=child), start_date=D(2025, 2, 3))
    refused(
        "conference_date",
        "after the plan started",
        s.cp_review_record,
        **who,
        plan=plan,
        conference_date=D(2025, 2, 3),
        outcome="plan",
    )


def test_no_cin_plan_alongside_a_cp_plan_rule_4001(who, child):
    episode = EpisodeFactory(child=child)
    CPPlanFactory(episode=episode, start_date=D(2025, 2, 3))
    refused(
        "start_date", "on a child protection plan", s.cin_plan_start, **who, episode=episode, start_date=D(2025, 3, 3)
    )


def test_one_open_cin_plan_rule_4004(who, child):
    episode = EpisodeFactory(child=child)
    CINPlanFactory(episode=episode)
    refused(
        "start_date",
        "already has an open child in need plan",
        s.cin_plan_start,
        **who,
        episode=episode,
        start_date=D(2025, 3, 3),
    )


def test_cin_plan_not_before_referral_rule_4015(who, child):
    episode = EpisodeFactory(child=child, referral_date=D(2025, 2, 3))
    refused(
        "start_date",
        "cannot be before the referral date",
        s.cin_plan_start,
        **who,
        episode=episode,
        start_date=D(2025, 1, 31),
    )


def test_cp_plan_start_ends_the_cin_plan_the_same_day(who, child):
    episode = EpisodeFactory(child=child)
    cin = CINPlanFactory(episode=episode, start_date=D(2025, 1, 13))
    s.conference_record(
        **who, episode=episode, kind="transfer_in", conference_date=D(2025, 3, 5), outcome="plan", category="PHY"
    )
    cin.refresh_from_db()
    assert cin.end_date == D(2025, 3, 5)


@pytest.mark.parametrize(
    ("reason", "field", "text"),
    [
        ("RC2", "closure_reason", "date of death"),
        ("RC8", "closure_reason", "closed after an assessment"),
        ("RC9", "closure_reason", "closed after an assessment"),
    ],
)
def test_closure_reason_rules_8585q_8825q(who, child, reason, field, text):
    episode = EpisodeFactory(child=child)
    refused(field, text, s.episode_close, **who, episode=episode, closure_date=D(2025, 3, 3), closure_reason=reason)


def test_closure_not_before_recorded_work_rule_8565(who, child):
    episode = EpisodeFactory(child=child)
    AssessmentFactory(
        episode=episode,
        start_date=D(2025, 2, 10),
        authorised_date=D(2025, 3, 3),
        completed_date=D(2025, 3, 3),
        status=AssessmentStatus.AUTHORISED,
        factors=["21"],
    )
    refused(
        "closure_date",
        "close on or after that date",
        s.episode_close,
        **who,
        episode=episode,
        closure_date=D(2025, 2, 20),
        closure_reason="RC8",
    )


def test_closure_waits_for_an_open_assessment(who, child):
    episode = EpisodeFactory(child=child)
    AssessmentFactory(episode=episode)
    refused(
        "closure_date",
        "complete and authorise it before closing",
        s.episode_close,
        **who,
        episode=episode,
        closure_date=D(2025, 3, 3),
        closure_reason="RC7",
    )


def test_closure_waits_for_care_to_end(who, child):
    episode = EpisodeFactory(child=child)
    CareEpisodeFactory(period__child=child)
    refused(
        "closure_date",
        "still looked after",
        s.episode_close,
        **who,
        episode=episode,
        closure_date=D(2025, 3, 3),
        closure_reason="RC7",
    )


def test_care_episodes_cannot_start_and_end_the_same_day(who, child):
    episode = CareEpisodeFactory(period__child=child, start_date=D(2025, 1, 6), period__start_date=D(2025, 1, 6))
    refused(
        "change_date",
        "cannot start and end on the same day",
        s.care_episode_change,
        **who,
        period=episode.period,
        change_date=D(2025, 1, 6),
        values={"legal_status": "C1"},
    )


def test_care_episode_change_needs_a_change(who, child):
    episode = CareEpisodeFactory(period__child=child)
    refused(
        "legal_status",
        "Nothing has changed",
        s.care_episode_change,
        **who,
        period=episode.period,
        change_date=D(2025, 3, 3),
        values={},
    )


def test_placement_change_needs_its_reason_on_the_ceasing_episode(who, child):
    episode = CareEpisodeFactory(period__child=child)
    refused(
        "reason_place_change",
        "reason the placement changed",
        s.care_episode_change,
        **who,
        period=episode.period,
        change_date=D(2025, 3, 3),
        values={"carer": "FC-2", "urn": "SC123456"},
    )


def test_placement_provider_not_for_temporary_placements(who, child):
    refused(
        "placement_provider",
        "Leave the placement provider blank",
        s.care_period_start,
        **who,
        child=child,
        start_date=D(2025, 3, 3),
        legal_status="V2",
        primary_need="N1",
        placement_type="T1",
        placement_provider="PR1",
    )


def test_urn_format(who, child):
    refused(
        "urn",
        "SC and 6 digits",
        s.care_period_start,
        **who,
        child=child,
        start_date=D(2025, 3, 3),
        legal_status="V2",
        primary_need="N1",
        placement_type="K2",
        placement_provider="PR4",
        urn="ABC",
    )


def test_one_open_period_of_care(who, child):
    CareEpisodeFactory(period__child=child)
    refused(
        "start_date",
        "already looked after",
        s.care_period_start,
        **who,
        child=child,
        start_date=D(2025, 3, 3),
        legal_status="V2",
        primary_need="N1",
        placement_type="U6",
        placement_provider="PR1",
    )


def test_rec_x1_is_only_for_a_change_of_episode(who, child):
    episode = CareEpisodeFactory(period__child=child)
    refused(
        "reason_ceased",
        "X1 is only for a change of episode",
        s.care_period_end,
        **who,
        period=episode.period,
        end_date=D(2025, 3, 3),
        reason_ceased="X1",
    )


def test_seen_alone_implies_seen(who, child):
    refused(
        "seen_alone",
        "must also be recorded as seen",
        s.visit_record,
        **who,
        child=child,
        kind="cin",
        visit_date=D(2025, 3, 3),
        seen=False,
        seen_alone=True,
    )
