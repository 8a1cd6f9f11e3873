"""Working days in England and Wales: weekends and bank holidays are not working days.

Every statutory clock in openCSC counts with this module (see `opencsc.casework.timescales`). Bank
holidays come from govuk-bank-holidays, which ships GOV.UK's published list and is used here with its
cached copy only (`use_cached_holidays=True`), so nothing is downloaded at run time. That list covers
2012 to two years ahead; dates outside it count weekends only, and `covered()` says whether a date is
inside it so callers can warn.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@cache
def _holidays() -> tuple[dt.date, ...]:
    data = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return tuple(sorted(h["date"] for h in data))


@cache
def _holiday_set() -> frozenset[dt.date]:
    return frozenset(_holidays())


def covered(day: dt.date) -> bool:
    """True when the published bank-holiday list covers this date's year."""
    hols = _holidays()
    return hols[0].year <= day.year <= hols[-1].year


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holiday_set()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (before it, if negative).

    `start` itself is day 0 whether or not it is a working day: 45 working days after a Friday
    referral is counted from the Monday that follows.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    # Whole weeks first (5 working days each, minus holidays crossed), then day by day.
    while remaining > 10:
        weeks = remaining // 5 - 1
        jump = day + dt.timedelta(days=7 * weeks * step)
        lo, hi = (day, jump) if step > 0 else (jump, day)
        holidays_crossed = (
            _count_holidays_on_weekdays(lo + dt.timedelta(days=1), hi)
            if step > 0
            else (_count_holidays_on_weekdays(lo, hi - dt.timedelta(days=1)))
        )
        remaining -= 5 * weeks - holidays_crossed
        day = jump
    while remaining > 0:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier).

    This is the DfE's count: a referral on Monday authorised on Tuesday took 1 working day, and
    `add_working_days(start, working_days_between(start, end))` is the first working day on or
    before `end` reached from `start`.
    """
    if end < start:
        return -working_days_between(end, start)
    total_days = (end - start).days
    weeks, extra = divmod(total_days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + dt.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count - _count_holidays_on_weekdays(start + dt.timedelta(days=1), end)


def _count_holidays_on_weekdays(first: dt.date, last: dt.date) -> int:
    """Bank holidays falling Monday to Friday in [first, last]."""
    if last < first:
        return 0
    hols = _holidays()
    lo, hi = bisect_left(hols, first), bisect_right(hols, last)
    return sum(1 for d in hols[lo:hi] if d.weekday() < 5)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day on or after `day`."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
