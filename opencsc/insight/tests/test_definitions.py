"""Each indicator on a small hand-built borough; the right answers are worked out by hand in the
comments (working days skip weekends and England and Wales bank holidays)."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.casework import models as cm
from opencsc.casework.tests.factories import AssessmentFactory, CPPlanFactory, EpisodeFactory
from opencsc.insight import definitions
from opencsc.insight.record import Record, Window, month_windows
from opencsc.insight.services import figures
from opencsc.insight.tests.factories import contact, looked_after, referrals
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

JAN_2026 = Window(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEB_2026 = Window(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
D = dt.date


def measure(key: str, w: Window = JAN_2026) -> tuple[int, int]:
    indicator = definitions.BY_KEY[key]
    cases = indicator.cases(Record(), w)
    return sum(c.counted for c in cases), len(cases)


def test_months_end_with_the_as_of_month_which_is_cut_at_the_as_of_date():
    windows = month_windows(D(2026, 3, 10), 3)
    assert [(w.start, w.end) for w in windows] == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 10)),
    ]
    assert month_windows(D(2026, 1, 15), 2)[0].start == D(2025, 12, 1)  # across the year end


def test_contact_decisions_in_one_working_day_skip_new_years_day():
    contact(ChildFactory(), D(2026, 1, 2), D(2026, 1, 5))  # Fri -> Mon: 1 working day
    contact(ChildFactory(), D(2025, 12, 31), D(2026, 1, 2))  # Wed -> Fri, 1 Jan a bank holiday: 1
    contact(ChildFactory(), D(2026, 1, 5), D(2026, 1, 7), decision="nfa")  # Mon -> Wed: 2
    contact(ChildFactory(), D(2026, 1, 30), D(2026, 2, 2))  # decided in February: not January's
    assert measure("decisions-in-one-working-day") == (2, 3)
    assert measure("contacts-to-referrals") == (2, 3)


def test_re_referrals_count_an_earlier_referral_on_or_after_the_same_date_a_year_before():
    referrals(D(2025, 1, 10), D(2026, 1, 9))  # 364 days: a re-referral
    referrals(D(2025, 1, 12), D(2026, 1, 12))  # exactly 12 months: a re-referral
    referrals(D(2025, 1, 10), D(2026, 1, 11))  # 12 months and a day: not
    referrals(D(2026, 1, 20))  # first referral: not
    referrals(D(2025, 12, 31))  # December's referral: not in January's figure at all
    # January's referrals: the second of each of the first three children, and the fourth child's.
    assert measure("re-referrals") == (2, 4)


def test_assessments_in_45_working_days_count_the_christmas_bank_holidays():
    # Referral Mon 3 Nov 2025. Working days after it: 19 in November, 5+5+5 to 19 Dec (34), 22-24 Dec
    # (37), 25 and 26 Dec bank holidays, 29-31 Dec (40), 1 Jan bank holiday, Fri 2 Jan (41), Mon 5 to
    # Thu 8 Jan (45). So 8 Jan is day 45 (in time) and 9 Jan day 46 (late). Counting weekends only,
    # 8 Jan would be day 48: the test fails if bank holidays are ignored.
    for authorised in (D(2026, 1, 8), D(2026, 1, 9)):
        episode = EpisodeFactory(referral_date=D(2025, 11, 3))
        AssessmentFactory(episode=episode, authorised_date=authorised, status="authorised")
    AssessmentFactory(episode=EpisodeFactory(referral_date=D(2025, 12, 1)))  # not authorised: left out
    assert measure("assessments-in-45-working-days") == (1, 2)


def _icpc(strategy: dt.date, held: dt.date, kind: str = cm.ConferenceKind.INITIAL) -> None:
    episode = EpisodeFactory(referral_date=strategy)
    discussion = cm.StrategyDiscussion.objects.create(child=episode.child, episode=episode, discussion_date=strategy)
    s47 = cm.Section47.objects.create(
        child=episode.child, episode=episode, strategy_discussion=discussion, start_date=strategy, icpc_target=held
    )
    cm.Conference.objects.create(
        child=episode.child, episode=episode, kind=kind, section47=s47, conference_date=held, outcome="plan"
    )


def test_icpc_within_15_working_days_of_the_strategy_discussion():
    # Strategy Mon 15 Dec 2025: 16-19 Dec (4), 22-24 (7), 29-31 (10), 2 Jan (11), 5-8 Jan (15).
    _icpc(D(2025, 12, 15), D(2026, 1, 8))  # day 15: in time
    _icpc(D(2025, 12, 15), D(2026, 1, 9))  # day 16: late
    _icpc(D(2025, 12, 15), D(2026, 1, 20), kind=cm.ConferenceKind.TRANSFER_IN)  # reported separately
    assert measure("icpc-in-15-working-days") == (1, 2)


def test_plans_lasting_two_years_count_plans_ending_in_the_month():
    CPPlanFactory(start_date=D(2024, 1, 15), end_date=D(2026, 1, 15))  # exactly 2 years: counted
    CPPlanFactory(start_date=D(2024, 1, 20), end_date=D(2026, 1, 19))  # a day short
    CPPlanFactory(start_date=D(2023, 1, 1), end_date=D(2026, 2, 1))  # ended in February
    assert measure("cp-plans-lasting-2-years") == (1, 2)
    assert measure("cp-plans-lasting-2-years", FEB_2026) == (1, 1)


def test_repeat_plans_within_two_years_and_ever():
    earlier = CPPlanFactory(start_date=D(2023, 6, 1), end_date=D(2024, 1, 10))
    CPPlanFactory(child=earlier.child, episode=earlier.episode, start_date=D(2026, 1, 12))  # 2 years 2 days
    recent = CPPlanFactory(start_date=D(2023, 6, 1), end_date=D(2024, 2, 1))
    CPPlanFactory(child=recent.child, episode=recent.episode, start_date=D(2026, 1, 20))  # within 2 years
    CPPlanFactory(start_date=D(2026, 1, 5), initial_category="PHY")  # a first plan
    assert measure("repeat-cp-plans-2-years") == (1, 3)
    assert measure("repeat-cp-plans-ever") == (2, 3)
    assert measure("cp-plans-neg") == (2, 3)
    assert measure("cp-plans-phy") == (1, 3)


def test_cp_visits_on_time_leave_out_plans_not_yet_due(settings):
    settings.OPENCSC_CP_VISIT_WORKING_DAYS = 10
    window_end = JAN_2026.end  # Sat 31 Jan 2026
    on_time = CPPlanFactory(start_date=D(2025, 11, 3))
    cm.Visit.objects.create(child=on_time.child, kind="cp", visit_date=D(2026, 1, 19), seen=True, seen_alone=True)
    # 20-23 Jan (4) and 26-30 Jan (9): 9 working days before the month's end
    late = CPPlanFactory(start_date=D(2025, 11, 3))
    cm.Visit.objects.create(child=late.child, kind="cp", visit_date=D(2026, 1, 15), seen=True, seen_alone=False)
    # 16 Jan (1), 19-23 (6), 26-30 (11): late
    not_seen = CPPlanFactory(start_date=D(2025, 11, 3))
    cm.Visit.objects.create(child=not_seen.child, kind="cp", visit_date=D(2026, 1, 28), seen=False, seen_alone=False)
    CPPlanFactory(start_date=D(2026, 1, 26))  # 5 working days old: no visit due yet
    assert window_end.weekday() == 5
    assert measure("cp-visits-on-time") == (1, 3)


def test_rates_per_10000_use_the_population_setting(settings):
    settings.OPENCSC_CHILD_POPULATION = 20000
    for _ in range(3):
        CPPlanFactory(start_date=D(2025, 6, 1))
    CPPlanFactory(start_date=D(2025, 6, 1), end_date=D(2026, 1, 31))  # ended on the last day: not open
    indicator = definitions.BY_KEY["cp-rate"]
    rows = figures(indicator, Record(), JAN_2026)
    assert [(r.level, r.numerator, r.denominator) for r in rows] == [("borough", 3, 20000)]


def test_three_or_more_placements_in_the_year_do_not_count_legal_status_changes():
    moves = [("S", "V2", D(2025, 3, 1)), ("L", "C2", D(2025, 6, 1)), ("P", "C2", D(2025, 9, 1))]
    # Placements live since 31 Jan 2025: March's (continued by June's L), September's, December's = 3
    looked_after([*moves, ("P", "C2", D(2025, 12, 1))])
    looked_after([("S", "V2", D(2024, 1, 1)), ("L", "C2", D(2025, 6, 1))])  # one placement throughout
    looked_after([("S", "C2", D(2023, 1, 1)), ("P", "C2", D(2024, 5, 1)), ("L", "C1", D(2025, 1, 10))])
    # 31 Jan 2025 to 31 Jan 2026: only the L episode is live, continuing May 2024's placement: 1
    looked_after([("S", "V3", D(2025, 12, 1))])  # short breaks: left out
    assert measure("three-or-more-placements") == (1, 3)


def test_long_term_stability_follows_a_placement_through_legal_status_changes():
    looked_after([("S", "V2", D(2023, 1, 1)), ("L", "C2", D(2024, 6, 1))], born=D(2014, 1, 1))  # stable
    looked_after([("S", "C2", D(2023, 1, 1)), ("P", "C2", D(2025, 3, 1))], born=D(2014, 1, 1))  # moved
    looked_after([("S", "C2", D(2023, 1, 1))], born=D(2009, 6, 1))  # 16 in 2025: left out
    looked_after([("S", "C2", D(2024, 1, 1))], born=D(2014, 1, 1))  # in care 2 years 1 month: left out
    assert measure("long-term-placement-stability") == (1, 2)


def test_long_term_stability_applies_the_same_carer_and_adoption_rules():
    """Worked by hand at 31 January 2026: under 16 and in care since before 31 July 2023 (2.5 years)
    is the denominator; the numerator needs the current arrangement to have begun by 31 January 2024."""
    born = D(2014, 1, 1)
    # 1. Moved on 1 Mar 2025, but to a new placement with the same carers (T): stable since 2023. Yes.
    looked_after([("S", "C2", D(2023, 1, 1), "U4"), ("T", "C2", D(2025, 3, 1), "U1")], born=born)
    # 2. Placed for adoption (A6) on 1 Sep 2025 from a foster placement begun 1 Jun 2023: adoptive and
    #    previous placements together since 1 Jun 2023, over 2 years. Yes.
    looked_after(
        [("S", "C2", D(2023, 1, 1), "U4"), ("P", "C2", D(2023, 6, 1), "U4"), ("B", "E1", D(2025, 9, 1), "A6")],
        born=born,
    )
    # 3. Placed for adoption on 1 Sep 2025 from a placement begun 1 Jun 2024: together 1 year 8 months. No.
    looked_after(
        [("S", "C2", D(2023, 1, 1), "U4"), ("P", "C2", D(2024, 6, 1), "U4"), ("B", "E1", D(2025, 9, 1), "A6")],
        born=born,
    )
    # 4. A new foster placement (not adoptive) on 1 Sep 2025, after one begun 1 Jun 2023: the previous
    #    placement counts only for adoption. No.
    looked_after(
        [("S", "C2", D(2023, 1, 1), "U4"), ("P", "C2", D(2023, 6, 1), "U4"), ("P", "C2", D(2025, 9, 1), "U6")],
        born=born,
    )
    assert measure("long-term-placement-stability") == (2, 4)
    chosen = definitions.get("long-term-placement-stability")
    assert chosen is not None and "Not yet applied" not in chosen.exclusions


def test_lac_reviews_on_time_use_twenty_working_days_for_the_first():
    # In care from Mon 5 Jan 2026: 6-9 Jan (4), 12-16 (9), 19-23 (14), 26-30 (19), Mon 2 Feb (20).
    for held in (D(2026, 2, 2), D(2026, 2, 3)):
        child = looked_after([("S", "C2", D(2026, 1, 5))])
        period = cm.PeriodOfCare.objects.get(child=child)
        cm.LookedAfterReview.objects.create(child=child, period=period, review_date=held, participation="PN1")
    assert measure("lac-reviews-on-time", FEB_2026) == (1, 2)


def test_health_assessments_cover_children_in_care_for_twelve_months():
    child = looked_after([("S", "C2", D(2024, 9, 1))])
    cm.HealthCheck.objects.create(child=child, kind="health_assessment", check_date=D(2025, 6, 1))
    cm.HealthCheck.objects.create(child=child, kind="teeth_check", check_date=D(2024, 12, 1))  # over a year ago
    looked_after([("S", "C2", D(2025, 6, 1))])  # in care 8 months: not in the cohort
    assert measure("health-assessments") == (1, 1)
    assert measure("dental-checks") == (0, 1)


MID_JAN = D(2026, 1, 14)


def test_care_leaver_contacts():
    def leaver(touch: str, activity: str, suitable: bool | None, day: dt.date = MID_JAN) -> None:
        cm.CareLeaverContact.objects.create(
            child=ChildFactory(date_of_birth=D(2007, 1, 14)),
            contact_date=day,
            in_touch=touch,
            activity=activity,
            accommodation="U" if suitable is not None else "",
            accommodation_suitable=suitable,
        )

    leaver("YES", "F2", True)
    leaver("YES", "G5", False)
    leaver("NO", "", None)
    leaver("YES", "F5", True, day=D(2025, 12, 31))
    assert measure("care-leavers-in-touch") == (2, 3)
    assert measure("care-leavers-suitable-accommodation") == (1, 3)
    assert measure("care-leavers-eet") == (1, 3)


def test_missing_counts_children_in_care_in_the_month():
    away = looked_after([("S", "C2", D(2025, 1, 1))])
    cm.MissingEpisode.objects.create(child=away, kind="M", start_date=D(2026, 1, 20))
    looked_after([("S", "C2", D(2025, 1, 1))])
    assert measure("missing") == (1, 2)


def test_caseloads_by_worker_and_team():
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    ann, bob = UserFactory(team=east), UserFactory(team=west)
    for worker, team, n in ((ann, east, 3), (bob, west, 1)):
        for _ in range(n):
            AllocationFactory(team=team, worker=worker, kind=AllocationKind.ALLOCATED_WORKER, start_date=D(2025, 1, 1))
    AllocationFactory(team=west, worker=None, start_date=D(2025, 1, 1))  # no named worker: not counted
    rows = figures(definitions.BY_KEY["caseloads"], Record(), JAN_2026)
    by = {(r.level, r.team_id, r.worker_id): (r.numerator, r.denominator) for r in rows}
    assert by[("borough", None, None)] == (4, 2)  # 2 children per worker
    assert by[("team", east.pk, None)] == (3, 1)
    assert by[("worker", west.pk, bob.pk)] == (1, 1)


def test_figures_go_to_the_team_that_held_the_child_at_the_months_end():
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    moved = referrals(D(2025, 3, 1), D(2026, 1, 9))
    AllocationFactory(person=moved, team=east, start_date=D(2025, 3, 1), end_date=D(2026, 1, 20))
    AllocationFactory(person=moved, team=west, start_date=D(2026, 1, 20))
    closed = referrals(D(2026, 1, 5))
    AllocationFactory(person=closed, team=east, start_date=D(2026, 1, 5), end_date=D(2026, 1, 15))
    referrals(D(2026, 1, 6))  # never allocated
    rows = figures(definitions.BY_KEY["re-referrals"], Record(), JAN_2026)
    teams = {r.team_id: (r.numerator, r.denominator) for r in rows if r.level == "team"}
    assert teams == {west.pk: (1, 1), east.pk: (0, 1), None: (0, 1)}


def test_every_indicator_is_documented():
    for indicator in definitions.INDICATORS:
        assert indicator.numerator and indicator.denominator and indicator.period and indicator.source
        assert indicator.national is None  # no unverified national figure is shipped
    assert len(definitions.BY_KEY) == len(definitions.INDICATORS)


def test_one_record_serves_indicators_reading_the_same_table_by_different_dates():
    CPPlanFactory(start_date=D(2024, 1, 15), end_date=D(2026, 1, 15))
    CPPlanFactory(start_date=D(2026, 1, 5))
    rec = Record()
    lasting = definitions.BY_KEY["cp-plans-lasting-2-years"].cases(rec, JAN_2026)  # by end date
    started = definitions.BY_KEY["cp-plans-neg"].cases(rec, JAN_2026)  # by start date, same record
    assert (len(lasting), len(started)) == (1, 1)
