"""Each transition writes exactly its audit event(s) and its status-history row, in one go."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager

import pytest
import time_machine

from opencsc.accounts import access
from opencsc.accounts.models import Allocation
from opencsc.audit.models import AuditEvent
from opencsc.casework import services as s
from opencsc.casework.models import StatusChange, Task
from opencsc.casework.tests.factories import AssessmentFactory, CareEpisodeFactory, CPPlanFactory, EpisodeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.date


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def who(social_worker, sw_actor):
    return {"actor_user": social_worker, "actor": sw_actor}


class Written:
    actions: Counter
    statuses: list[tuple[str, str, str]]


@contextmanager
def written():
    """Collect the audit actions and status rows written inside the block."""
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    last = StatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = Written()
    yield result
    result.actions = Counter(AuditEvent.objects.filter(seq__gt=seq).values_list("action", flat=True))
    result.statuses = list(
        StatusChange.objects.filter(pk__gt=last).order_by("pk").values_list("object_type", "from_status", "to_status")
    )


def test_referral_create(who, child):
    with written() as w:
        episode = s.referral_create(**who, child=child, referral_date=D(2025, 5, 1), source="6")
    assert w.actions == Counter({"casework.referral_create": 1})
    assert w.statuses == [("casework.ReferralEpisode", "", "open")]
    event = AuditEvent.objects.get(action="casework.referral_create")
    assert (event.subject_person_id, event.object_id, event.actor_repr) == (child.pk, str(episode.pk), "sw")
    assert Task.objects.get(person=child).due_date == D(2025, 7, 7)  # early May and spring bank holidays


def test_contact_create_allocates_to_the_front_door(who, child, mash_practitioner):
    with written() as w:
        s.contact_create(
            **who,
            child=child,
            contact_date=D(2025, 6, 2),
            source="2A",
            reason="Concern",
            consent_given=False,
            no_consent_reason="Risk of harm if parents told",
        )
    assert w.actions == Counter({"casework.contact_create": 1, "allocation.open": 1})
    assert w.statuses == [("casework.Contact", "", "received")]
    task = Task.objects.get(person=child)
    assert (task.team, task.due_date) == (mash_practitioner.team, D(2025, 6, 3))


def test_assessment_lifecycle(who, child, team_manager, tm_actor):
    episode = EpisodeFactory(child=child)
    with written() as w:
        a = s.assessment_start(**who, episode=episode, start_date=D(2025, 1, 7))
    assert (w.actions, w.statuses) == (
        Counter({"casework.assessment_start": 1}),
        [("casework.Assessment", "", "in_progress")],
    )
    with written() as w:
        s.assessment_complete(**who, assessment=a, completed_date=D(2025, 2, 3), factors=["21"], outcome="nfa")
    assert (w.actions, w.statuses) == (
        Counter({"casework.assessment_submit": 1}),
        [("casework.Assessment", "in_progress", "submitted")],
    )
    with written() as w:
        s.assessment_authorise(actor_user=team_manager, actor=tm_actor, assessment=a, authorised_date=D(2025, 2, 4))
    assert (w.actions, w.statuses) == (
        Counter({"casework.assessment_authorise": 1}),
        [("casework.Assessment", "submitted", "authorised")],
    )
    assert AuditEvent.objects.get(action="casework.assessment_authorise").actor_repr == "tm"


def test_strategy_discussion_starting_s47(who, child):
    episode = EpisodeFactory(child=child)
    with written() as w:
        s.strategy_discussion_record(**who, episode=episode, discussion_date=D(2025, 2, 3), start_section47=True)
    assert w.actions == Counter({"casework.strategy_record": 1, "casework.s47_start": 1})
    assert w.statuses == [("casework.StrategyDiscussion", "", "completed"), ("casework.Section47", "", "open")]


def test_icpc_with_plan(who, child):
    episode = EpisodeFactory(child=child)
    s.strategy_discussion_record(**who, episode=episode, discussion_date=D(2025, 2, 3), start_section47=True)
    with written() as w:
        s.conference_record(
            **who, episode=episode, kind="initial", conference_date=D(2025, 2, 17), outcome="plan", category="SAB"
        )
    assert w.actions == Counter({"casework.conference_record": 1, "casework.cp_plan_start": 1})
    assert w.statuses == [
        ("casework.Conference", "", "completed"),
        ("casework.Section47", "open", "completed"),
        ("casework.ChildProtectionPlan", "", "open"),
    ]
    kinds = set(Task.objects.open().filter(person=child).values_list("kind", flat=True))
    assert kinds == {"core_group", "cp_review", "cp_visit"}  # the ICPC task closed, the plan tasks opened


def test_review_changing_category_and_ending(who, child):
    plan = CPPlanFactory(episode=EpisodeFactory(child=child), start_date=D(2025, 2, 3))
    with written() as w:
        s.cp_review_record(**who, plan=plan, conference_date=D(2025, 4, 30), outcome="plan", category="MUL")
    assert w.actions == Counter({"casework.conference_record": 1, "casework.cp_plan_category": 1})
    assert w.statuses == [("casework.Conference", "", "completed"), ("casework.ChildProtectionPlan", "NEG", "MUL")]
    with written() as w:
        s.cp_review_record(**who, plan=plan, conference_date=D(2025, 5, 30), outcome="end_plan")
    assert w.actions == Counter({"casework.conference_record": 1, "casework.cp_plan_end": 1})
    assert w.statuses[-1] == ("casework.ChildProtectionPlan", "open", "ended")


def test_care_episode_split_and_end(who, child):
    episode = CareEpisodeFactory(period__child=child)
    with written() as w:
        new = s.care_episode_change(
            **who, period=episode.period, change_date=D(2025, 3, 3), values={"legal_status": "C1"}
        )
    assert new.reason_new_episode == "L"
    episode.refresh_from_db()
    assert (episode.end_date, episode.reason_ceased, new.start_date) == (D(2025, 3, 3), "X1", D(2025, 3, 3))
    assert w.actions == Counter({"casework.care_episode_change": 1})
    assert w.statuses == [("casework.CareEpisode", "open", "ended")]
    with written() as w:
        s.care_period_end(**who, period=episode.period, end_date=D(2025, 5, 1), reason_ceased="E4A")
    assert w.actions == Counter({"casework.care_period_end": 1})
    assert w.statuses == [("casework.PeriodOfCare", "open", "ended")]


@pytest.mark.parametrize(
    ("values", "rne"),
    [
        ({"legal_status": "C1"}, "L"),
        ({"carer": "FC-2"}, "P"),
        ({"placement_postcode": "EX1 1AA"}, "T"),
        ({"legal_status": "C2", "carer": "FC-9"}, "B"),
        ({"legal_status": "C2", "placement_postcode": "EX1 1AA"}, "U"),
    ],
)
def test_reason_for_new_episode_follows_what_changed(who, child, values, rne):
    episode = CareEpisodeFactory(period__child=child)
    reason = "" if rne == "L" else "CARPL"
    new = s.care_episode_change(
        **who, period=episode.period, change_date=D(2025, 3, 3), values=values, reason_place_change=reason
    )
    assert new.reason_new_episode == rne


def test_closure_ends_the_plan_and_clears_the_tray(who, child):
    episode = EpisodeFactory(child=child)
    AssessmentFactory(
        episode=episode,
        authorised_date=D(2025, 1, 20),
        completed_date=D(2025, 1, 20),
        status="authorised",
        factors=["21"],
    )
    plan = CPPlanFactory(episode=episode, start_date=D(2025, 2, 3))
    Task.objects.create(person=child, kind="cp_visit", title="x", due_date=D(2025, 6, 1))
    with written() as w:
        s.episode_close(**who, episode=episode, closure_date=D(2025, 5, 30), closure_reason="RC8")
    assert w.actions == Counter({"casework.episode_close": 1, "casework.cp_plan_end": 1, "allocation.end": 1})
    assert w.statuses == [
        ("casework.ChildProtectionPlan", "open", "ended"),
        ("casework.ReferralEpisode", "open", "closed"),
    ]
    plan.refresh_from_db()
    assert plan.end_date == D(2025, 5, 30)
    assert not Task.objects.open().filter(person=child).exists()


def test_a_closed_case_leaves_the_caseload_after_the_closing_days(who, child, social_worker, team_manager):
    episode = EpisodeFactory(child=child, referral_date=D(2025, 1, 6))
    s.episode_close(**who, episode=episode, closure_date=D(2025, 5, 30), closure_reason="RC7")
    # 28 days (OPENCSC_CLOSED_CASE_ACCESS_DAYS) to finish the closure: still on the caseload...
    assert Allocation.objects.get(person=child).end_date == D(2025, 6, 27)
    with time_machine.travel(dt.datetime(2025, 6, 26, 10, tzinfo=dt.UTC), tick=False):
        assert access.can_change_person(social_worker, child.pk)
    # ...and then off it, for the worker and their manager alike (a new referral allocates again).
    with time_machine.travel(dt.datetime(2025, 6, 27, 10, tzinfo=dt.UTC), tick=False):
        assert not access.can_view_person(social_worker, child.pk)
        assert not access.can_view_person(team_manager, child.pk)


def test_closing_late_still_leaves_a_day_to_finish(who, child):
    episode = EpisodeFactory(child=child, referral_date=D(2025, 1, 6))
    s.episode_close(**who, episode=episode, closure_date=D(2025, 4, 1), closure_reason="RC7")
    assert Allocation.objects.get(person=child).end_date == D(2025, 6, 3)  # the frozen day is 2 June


def test_case_note_audit_keeps_categories_not_text(who, child):
    with written() as w:
        note = s.case_note_add(
            **who,
            child=child,
            kind="phone",
            note_date=D(2025, 6, 2),
            subject="Call with GP",
            body="Mother's medication reviewed",
            third_party=True,
            categories=["health"],
        )
    assert w.actions == Counter({"casework.note_add": 1})
    event = AuditEvent.objects.get(action="casework.note_add")
    assert event.detail == {"categories": ["health"], "third_party": True}
    assert "medication" not in str(event.detail) + event.object_repr
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM casework_casenote WHERE id = %s", [note.pk])
        assert "medication" not in cursor.fetchone()[0]
