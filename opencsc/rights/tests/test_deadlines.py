"""The statutory month: calendar months, month ends, extensions, weekends and bank holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.rights.deadlines import due_date

D = dt.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2025, 9, 3), D(2025, 10, 3)),  # the corresponding date next month (a Friday)
        (D(2025, 1, 31), D(2025, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
        (D(2025, 3, 31), D(2025, 4, 30)),
        (D(2025, 12, 15), D(2026, 1, 15)),  # across a year end
        (D(2025, 10, 4), D(2025, 11, 4)),  # received on a Saturday: the clock still runs from it
    ],
)
def test_one_calendar_month(received, due):
    assert due_date(received) == due


def test_a_due_date_on_a_weekend_moves_to_the_next_working_day():
    assert due_date(D(2025, 4, 5)) == D(2025, 5, 6)  # 5 May 2025 is a Monday bank holiday, 4 May a Sunday
    assert due_date(D(2025, 7, 12)) == D(2025, 8, 12)  # a Tuesday: unchanged
    assert due_date(D(2025, 8, 13)) == D(2025, 9, 15)  # 13 Sep 2025 is a Saturday


def test_a_due_date_on_christmas_moves_past_the_bank_holidays():
    assert due_date(D(2025, 11, 25)) == D(2025, 12, 29)  # 25, 26 Dec bank holidays, 27-28 weekend


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (D(2025, 1, 31), 1, D(2025, 3, 31)),  # 31 Jan + 2 months in one step, not via 28 Feb
        (D(2025, 1, 31), 2, D(2025, 4, 30)),
        (D(2025, 11, 30), 2, D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        (D(2025, 6, 10), 2, D(2025, 9, 10)),
    ],
)
def test_extensions_add_whole_calendar_months(received, months, due):
    assert due_date(received, extension_months=months) == due


@pytest.mark.parametrize("months", [-1, 3])
def test_an_extension_is_at_most_two_months(months):
    with pytest.raises(ValueError, match="0 to 2 months"):
        due_date(D(2025, 6, 10), extension_months=months)
