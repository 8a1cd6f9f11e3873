"""The statutory clock of a rights request (UK GDPR Art 12(3)), in calendar months.

The ICO's rule: the month runs from the day the request is received (or the day the requester's
identity is confirmed, when it had to be checked first) to the corresponding calendar date of the
next month; when that month is shorter and has no such date, to its last day (31 January -> 28 or
29 February); when the date falls on a weekend or a bank holiday, to the next working day. The
controller may extend by up to two further months for a complex or numerous request, telling the
requester why within the first month. Month-end arithmetic is python-dateutil's `relativedelta`
(docs/adr/0020-rights-requests-and-the-calendar-month-clock.md); bank holidays come from
`core.working_days`.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from opencsc.core.working_days import next_working_day

MAX_EXTENSION_MONTHS = 2


def due_date(clock_start: dt.date, *, extension_months: int = 0) -> dt.date:
    """The last day to answer: one calendar month (plus any extension) after `clock_start`, clamped to
    the month's end, moved to the next working day if it is not one."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 0 to {MAX_EXTENSION_MONTHS} months, not {extension_months}")
    # One step of 1 + n months, not n + 1 steps: 31 Jan + 2 months is 31 March, not 28 March.
    return next_working_day(clock_start + relativedelta(months=1 + extension_months))


def latest_extension_notice(clock_start: dt.date) -> dt.date:
    """An extension must be told to the requester within the first month."""
    return due_date(clock_start)
