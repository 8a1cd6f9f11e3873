"""Every casework due date, in one module.

Statutory clocks count working days with the England and Wales bank holidays
(`opencsc.core.working_days`); local practice standards are Django settings (see the "casework"
block at the end of `config/settings.py`). Working-day clocks land on a working day by construction.
Month and week clocks are deadlines ("within 3 months"), so when one falls on a weekend or a bank
holiday it is brought back to the working day before: the meeting must happen by then.

| clock | rule | source |
| --- | --- | --- |
| contact decision | 1 working day after the contact | WT2023 |
| assessment | 45 working days after the referral | WT2023 |
| initial conference | 15 working days after the strategy discussion | WT2023, CIN InitialCPCtarget |
| first core group | 10 working days after the initial conference | WT2023 |
| core groups after | every OPENCSC_CORE_GROUP_WEEKS weeks | local |
| first CP review | 3 months after the initial conference | WT2023 |
| later CP reviews | 6 months after the previous review | WT2023 |
| LAC reviews | 20 working days, then 3 months, then 6-monthly | Care Planning Regs 2010 reg 33 |
| LAC visits | 1 week after placement, then OPENCSC_LAC_VISIT_WEEKS; long term after a year: months | reg 28 |
| CP / CIN visits | OPENCSC_CP_VISIT_WORKING_DAYS / OPENCSC_CIN_VISIT_WORKING_DAYS working days | local |
| CIN plan review | OPENCSC_CIN_PLAN_REVIEW_MONTHS months | local |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from opencsc.core.working_days import add_months, add_working_days, is_working_day

DECISION_WORKING_DAYS = 1
ASSESSMENT_WORKING_DAYS = 45
ICPC_WORKING_DAYS = 15
FIRST_CORE_GROUP_WORKING_DAYS = 10
FIRST_CP_REVIEW_MONTHS = 3
CP_REVIEW_MONTHS = 6
FIRST_LAC_REVIEW_WORKING_DAYS = 20
SECOND_LAC_REVIEW_MONTHS = 3
LAC_REVIEW_MONTHS = 6
FIRST_LAC_VISIT_DAYS = 7


def deadline(day: dt.date) -> dt.date:
    """`day` if it is a working day, otherwise the last working day before it."""
    return day if is_working_day(day) else add_working_days(day, -1)


def contact_decision_due(contact_date: dt.date) -> dt.date:
    return add_working_days(contact_date, DECISION_WORKING_DAYS)


def assessment_due(referral_date: dt.date) -> dt.date:
    return add_working_days(referral_date, ASSESSMENT_WORKING_DAYS)


def icpc_target(strategy_date: dt.date) -> dt.date:
    """The census `InitialCPCtarget`: 15 working days after the strategy discussion."""
    return add_working_days(strategy_date, ICPC_WORKING_DAYS)


def first_core_group_due(icpc_date: dt.date) -> dt.date:
    return add_working_days(icpc_date, FIRST_CORE_GROUP_WORKING_DAYS)


def next_core_group_due(last_meeting: dt.date) -> dt.date:
    return deadline(last_meeting + dt.timedelta(weeks=settings.OPENCSC_CORE_GROUP_WEEKS))


def first_cp_review_due(icpc_date: dt.date) -> dt.date:
    return deadline(add_months(icpc_date, FIRST_CP_REVIEW_MONTHS))


def next_cp_review_due(last_review: dt.date) -> dt.date:
    return deadline(add_months(last_review, CP_REVIEW_MONTHS))


def cp_review_due(icpc_date: dt.date, reviews: list[dt.date]) -> dt.date:
    """The next review conference: 3 months after the ICPC, then 6 months after the latest review."""
    return next_cp_review_due(max(reviews)) if reviews else first_cp_review_due(icpc_date)


def lac_review_due(period_start: dt.date, reviews: list[dt.date]) -> dt.date:
    """The next looked-after review given the reviews held so far in the period."""
    if not reviews:
        return add_working_days(period_start, FIRST_LAC_REVIEW_WORKING_DAYS)
    months = SECOND_LAC_REVIEW_MONTHS if len(reviews) == 1 else LAC_REVIEW_MONTHS
    return deadline(add_months(max(reviews), months))


def lac_visit_due(
    *, placement_start: dt.date, last_visit: dt.date | None, period_start: dt.date, long_term: bool = False
) -> dt.date:
    """Within a week of a placement starting; then every OPENCSC_LAC_VISIT_WEEKS weeks; after the
    first year of a placement intended to last until 18, every OPENCSC_LAC_LONG_TERM_VISIT_MONTHS."""
    if last_visit is None or last_visit < placement_start:
        return deadline(placement_start + dt.timedelta(days=FIRST_LAC_VISIT_DAYS))
    if long_term and last_visit >= add_months(period_start, 12):
        return deadline(add_months(last_visit, settings.OPENCSC_LAC_LONG_TERM_VISIT_MONTHS))
    return deadline(last_visit + dt.timedelta(weeks=settings.OPENCSC_LAC_VISIT_WEEKS))


def cp_visit_due(since: dt.date) -> dt.date:
    return add_working_days(since, settings.OPENCSC_CP_VISIT_WORKING_DAYS)


def cin_visit_due(since: dt.date) -> dt.date:
    return add_working_days(since, settings.OPENCSC_CIN_VISIT_WORKING_DAYS)


def family_assessment_due(start: dt.date) -> dt.date:
    """A whole-family (early help / Family Help) assessment: a local standard in working days."""
    return add_working_days(start, settings.OPENCSC_FAMILY_HELP_ASSESSMENT_WORKING_DAYS)


def family_plan_review_due(since: dt.date) -> dt.date:
    """The family's plan is reviewed every OPENCSC_FAMILY_HELP_REVIEW_WEEKS (a local cycle)."""
    return deadline(since + dt.timedelta(weeks=settings.OPENCSC_FAMILY_HELP_REVIEW_WEEKS))


def cin_plan_review_due(since: dt.date) -> dt.date:
    return deadline(add_months(since, settings.OPENCSC_CIN_PLAN_REVIEW_MONTHS))


@dataclass(frozen=True)
class Timescale:
    """One clock on the casework overview: what is due, by when, and whether it was met."""

    label: str
    due: dt.date
    done_on: dt.date | None = None

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if self.done_on is not None:
            return "met" if self.done_on <= self.due else "late"
        if self.due < today:
            return "overdue"
        return "due_soon" if (self.due - today).days <= 5 else "on_track"

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def mash_response_hours(rag: str) -> int:
    """Hours the MASH has to respond to a contact of this RAG rating (local settings). A contact not
    yet rated is held to the red clock: until someone has looked, it may be red."""
    return {
        "amber": settings.OPENCSC_MASH_AMBER_HOURS,
        "green": settings.OPENCSC_MASH_GREEN_HOURS,
    }.get(rag, settings.OPENCSC_MASH_RED_HOURS)


@dataclass(frozen=True)
class RagClock:
    """The MASH queue's clock for one contact: received when, due by when, by its RAG rating."""

    rag: str
    received_at: dt.datetime
    due_at: dt.datetime
    now: dt.datetime

    @property
    def overdue(self) -> bool:
        return self.now > self.due_at

    @property
    def hours_waiting(self) -> int:
        return max(0, int((self.now - self.received_at).total_seconds() // 3600))

    @property
    def text(self) -> str:
        """Plain words: "3 hours left of 4" or "Overdue by 5 hours (red: 4 hours)"."""
        limit = mash_response_hours(self.rag)
        if self.overdue:
            late = int((self.now - self.due_at).total_seconds() // 3600)
            return f"Overdue by {_hours(late)} ({limit} hour limit)"
        left = int((self.due_at - self.now).total_seconds() // 3600)
        return f"{_hours(left)} left of {limit}" if left else f"Less than an hour left of {limit}"


def _hours(n: int) -> str:
    if n >= 48:
        return f"{n // 24} days"
    return "less than an hour" if n < 1 else f"{n} hour{'s' if n != 1 else ''}"


def mash_clock(*, contact_date: dt.date, created_at: dt.datetime, rag: str, now: dt.datetime | None = None) -> RagClock:
    """The RAG clock starts when the contact was recorded; a contact recorded on a later day than it
    came in (backdated) starts at 9am on the day it came in. It never starts after the contact was
    recorded (a contact dated ahead of its recording starts when recorded, not in the future)."""
    now = now or timezone.now()
    received = created_at
    if timezone.localtime(created_at).date() != contact_date:
        received = min(created_at, timezone.make_aware(dt.datetime.combine(contact_date, dt.time(9, 0))))
    due = received + dt.timedelta(hours=mash_response_hours(rag))
    return RagClock(rag=rag, received_at=received, due_at=due, now=now)
