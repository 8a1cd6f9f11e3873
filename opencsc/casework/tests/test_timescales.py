"""Due-date arithmetic with frozen time, across weekends, bank holidays and year ends. Expected dates
are worked out by hand from the England and Wales bank-holiday list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.casework import timescales as t
from opencsc.casework.timescales import Timescale

D = dt.date


@pytest.mark.parametrize(
    ("contact", "due"),
    [
        (D(2025, 1, 3), D(2025, 1, 6)),  # Friday -> Monday
        (D(2025, 1, 4), D(2025, 1, 6)),  # Saturday: day 0 is the Saturday, day 1 the Monday
        (D(2024, 12, 24), D(2024, 12, 27)),  # Christmas Eve: 25 and 26 December are bank holidays
        (D(2025, 12, 31), D(2026, 1, 2)),  # year end: 1 January is a bank holiday
        (D(2025, 4, 17), D(2025, 4, 22)),  # Thursday before Good Friday and Easter Monday
    ],
)
def test_contact_decision_is_due_one_working_day_later(contact, due):
    with time_machine.travel(dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        assert t.contact_decision_due(contact) == due


def test_assessment_is_due_45_working_days_after_referral():
    with time_machine.travel(dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        assert t.assessment_due(D(2025, 1, 6)) == D(2025, 3, 10)  # nine clear weeks
        # Good Friday, Easter Monday and the early May bank holiday push it three days later.
        assert t.assessment_due(D(2025, 3, 17)) == D(2025, 5, 22)
        # Across Christmas and New Year.
        assert t.assessment_due(D(2024, 12, 2)) == D(2025, 2, 6)


def test_icpc_target_is_15_working_days_after_the_strategy_discussion_across_the_year_end():
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        assert t.icpc_target(D(2024, 12, 16)) == D(2025, 1, 9)
        assert t.icpc_target(D(2025, 1, 22)) == D(2025, 2, 12)
        assert t.icpc_target(D(2024, 12, 16)).weekday() < 5  # census rule 8870Q


def test_first_core_group_is_10_working_days_after_the_icpc_over_easter():
    assert t.first_core_group_due(D(2025, 4, 11)) == D(2025, 4, 29)


@pytest.mark.parametrize(
    ("icpc", "due"),
    [
        (D(2025, 1, 8), D(2025, 4, 8)),
        (D(2024, 11, 29), D(2025, 2, 28)),  # 29 February does not exist in 2025
        (D(2025, 2, 24), D(2025, 5, 23)),  # 24 May is a Saturday: the Friday before
        (D(2025, 2, 26), D(2025, 5, 23)),  # 26 May is the spring bank holiday
    ],
)
def test_first_cp_review_is_within_3_months(icpc, due):
    assert t.first_cp_review_due(icpc) == due


def test_later_cp_reviews_are_within_6_months_and_never_on_christmas_day():
    assert t.next_cp_review_due(D(2025, 6, 25)) == D(2025, 12, 24)
    assert t.cp_review_due(D(2025, 1, 8), []) == D(2025, 4, 8)
    assert t.cp_review_due(D(2025, 1, 8), [D(2025, 4, 7)]) == D(2025, 10, 7)


def test_lac_review_schedule_20_working_days_then_3_months_then_6_months():
    start = D(2025, 12, 15)
    assert t.lac_review_due(start, []) == D(2026, 1, 15)  # Christmas, Boxing Day, New Year's Day
    assert t.lac_review_due(start, [D(2026, 1, 14)]) == D(2026, 4, 14)
    assert t.lac_review_due(start, [D(2026, 1, 14), D(2026, 4, 8)]) == D(2026, 10, 8)


def test_lac_visits_within_a_week_of_placement_then_at_the_local_interval(settings):
    settings.OPENCSC_LAC_VISIT_WEEKS = 6
    settings.OPENCSC_LAC_LONG_TERM_VISIT_MONTHS = 3
    # A week after 11 April 2025 is Good Friday: the visit must happen by the Thursday.
    assert t.lac_visit_due(placement_start=D(2025, 4, 11), last_visit=None, period_start=D(2025, 4, 11)) == D(
        2025, 4, 17
    )
    assert t.lac_visit_due(placement_start=D(2025, 4, 11), last_visit=D(2025, 4, 16), period_start=D(2025, 4, 11)) == D(
        2025, 5, 28
    )
    # After the first year of a long-term placement: 3-monthly.
    assert t.lac_visit_due(
        placement_start=D(2024, 1, 8), last_visit=D(2025, 3, 3), period_start=D(2024, 1, 8), long_term=True
    ) == D(2025, 6, 3)


def test_visit_and_cin_review_frequencies_come_from_settings(settings):
    settings.OPENCSC_CP_VISIT_WORKING_DAYS = 5
    settings.OPENCSC_CIN_VISIT_WORKING_DAYS = 10
    settings.OPENCSC_CIN_PLAN_REVIEW_MONTHS = 3
    assert t.cp_visit_due(D(2024, 12, 20)) == D(2024, 12, 31)  # 23, 24, 27, 30, 31 December
    assert t.cin_visit_due(D(2025, 1, 6)) == D(2025, 1, 20)
    assert t.cin_plan_review_due(D(2025, 3, 5)) == D(2025, 6, 5)
    settings.OPENCSC_CP_VISIT_WORKING_DAYS = 10
    assert t.cp_visit_due(D(2024, 12, 20)) == D(2025, 1, 8)  # then 2, 3, 6, 7, 8 January


@time_machine.travel(dt.datetime(2025, 3, 17, 12, tzinfo=dt.UTC), tick=False)
def test_timescale_states_against_frozen_today():
    assert Timescale("x", D(2025, 3, 14)).state == "overdue"
    assert Timescale("x", D(2025, 3, 20)).state == "due_soon"
    assert Timescale("x", D(2025, 5, 1)).state == "on_track"
    assert Timescale("x", D(2025, 3, 14), done_on=D(2025, 3, 14)).state == "met"
    assert Timescale("x", D(2025, 3, 14), done_on=D(2025, 3, 17)).state == "late"
