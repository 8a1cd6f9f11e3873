"""The record as the indicators read it: the rows every definition needs, loaded once per run.

Set-based and read-only: one query per table, `values_list` tuples only, never a name, address or
free-text column. The only encrypted column read is `HealthCheck.kind` (special-category data,
decrypted in memory to tell a health assessment from a dental check; nothing of it is stored).
`child_ids` narrows every table to those children (the drill-down reads only the children the user
may see); each indicator's cases depend only on that child's own rows, so a narrowed record gives the
same cases for those children as the whole record does.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from opencsc.accounts.models import Allocation, AllocationKind
from opencsc.casework.models import (
    Assessment,
    CareEpisode,
    CareLeaverContact,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    Contact,
    HealthCheck,
    LookedAfterReview,
    MissingEpisode,
    PeriodOfCare,
    ReferralEpisode,
    Visit,
)
from opencsc.people.models import Person


@dataclass(frozen=True)
class Window:
    """One month of the dashboard: its first day, and its last day or the as-of date if earlier (the
    current month is "so far")."""

    start: dt.date
    end: dt.date

    @property
    def month(self) -> dt.date:
        return self.start

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def open_at_end(self, start: dt.date, end: dt.date | None) -> bool:
        """Something running from `start` to `end` (the day it stopped; None: still running) is live
        on the window's last day."""
        return start <= self.end and (end is None or end > self.end)


def month_windows(as_of: dt.date, months: int) -> list[Window]:
    """The `months` calendar months ending with the one holding `as_of`, oldest first."""
    windows = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        windows.append(Window(first, min(nxt - dt.timedelta(days=1), as_of)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return windows[::-1]


@dataclass(frozen=True)
class Holder:
    """Who held a child: an allocated-worker allocation's team and worker, from `start` to `end`."""

    start: dt.date
    end: dt.date | None
    team_id: int
    worker_id: int | None


class Record:
    """The rows the indicators read (see the module docstring). Each table loads on first use."""

    def __init__(self, child_ids: Iterable[int] | QuerySet[Any] | None = None) -> None:
        # A queryset (the user's visible people, as `values("pk")`) stays a subquery.
        self.child_ids = child_ids if child_ids is None or isinstance(child_ids, QuerySet) else sorted(set(child_ids))
        self._buckets: dict[tuple[str, int], dict[tuple[int, int], list[Any]]] = {}

    def _scope(self, qs: QuerySet[Any], field: str = "child_id") -> QuerySet[Any]:
        return qs if self.child_ids is None else qs.filter(**{f"{field}__in": self.child_ids})

    def by_month(self, table: str, day_at: int) -> dict[tuple[int, int], list[Any]]:
        """The rows of `table` grouped by the (year, month) of their column `day_at`: a month's flow
        indicator looks only at its own rows."""
        if (table, day_at) not in self._buckets:
            buckets: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for row in getattr(self, table):
                day = row[day_at]
                if day is not None:
                    buckets[(day.year, day.month)].append(row)
            self._buckets[(table, day_at)] = buckets
        return self._buckets[(table, day_at)]

    def in_window(self, table: str, day_at: int, w: Window) -> list[Any]:
        return [r for r in self.by_month(table, day_at).get((w.start.year, w.start.month), []) if r[day_at] <= w.end]

    # --- the front door and referrals ------------------------------------------------------------

    @cached_property
    def contacts(self) -> list[tuple[int, dt.date, str, dt.date]]:
        """Decided contacts: (child, contact date, decision, decision date)."""
        qs = self._scope(Contact.objects.exclude(decision="").filter(decision_date__isnull=False))
        return list(qs.values_list("child_id", "contact_date", "decision", "decision_date"))

    @cached_property
    def referrals(self) -> list[tuple[int, int, dt.date, bool, dt.date | None]]:
        """(episode, child, referral date, NFA at referral, closure date)."""
        qs = self._scope(ReferralEpisode.objects.filter(child__is_child=True))
        return list(qs.values_list("id", "child_id", "referral_date", "referral_nfa", "closure_date"))

    @cached_property
    def referral_dates(self) -> dict[int, list[dt.date]]:
        dates: dict[int, list[dt.date]] = defaultdict(list)
        for _, child, day, _, _ in self.referrals:
            dates[child].append(day)
        return {child: sorted(days) for child, days in dates.items()}

    @cached_property
    def assessments(self) -> list[tuple[int, dt.date, dt.date]]:
        """Authorised assessments: (child, referral date of their episode, authorisation date)."""
        qs = self._scope(Assessment.objects.filter(authorised_date__isnull=False))
        return list(qs.values_list("child_id", "episode__referral_date", "authorised_date"))

    @cached_property
    def initial_conferences(self) -> list[tuple[int, dt.date, dt.date]]:
        """Initial conferences that followed a section 47 enquiry: (child, the enquiry's start (the
        strategy discussion), conference date). Transfer-in and pre-birth conferences are other kinds
        and are not here."""
        qs = self._scope(Conference.objects.filter(kind=ConferenceKind.INITIAL, section47__isnull=False))
        return list(qs.values_list("child_id", "section47__start_date", "conference_date"))

    # --- child protection ------------------------------------------------------------------------

    @cached_property
    def cp_plans(self) -> list[tuple[int, int, dt.date, dt.date | None, str]]:
        """(plan, child, start, end, initial category)."""
        qs = self._scope(ChildProtectionPlan.objects.all())
        return list(qs.values_list("id", "child_id", "start_date", "end_date", "initial_category"))

    @cached_property
    def cp_plans_by_child(self) -> dict[int, list[tuple[int, int, dt.date, dt.date | None, str]]]:
        plans: dict[int, list[Any]] = defaultdict(list)
        for row in self.cp_plans:
            plans[row[1]].append(row)
        return {child: sorted(rows, key=lambda r: (r[2], r[0])) for child, rows in plans.items()}

    @cached_property
    def visits(self) -> dict[str, dict[int, list[dt.date]]]:
        """Visits at which the child was seen: kind -> child -> sorted dates."""
        found: dict[str, dict[int, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
        for kind, child, day in self._scope(Visit.objects.filter(seen=True)).values_list(
            "kind", "child_id", "visit_date"
        ):
            found[kind][child].append(day)
        for by_child in found.values():
            for days in by_child.values():
                days.sort()
        return found

    def last_visit(self, kind: str, child: int, on_or_before: dt.date) -> dt.date | None:
        days = self.visits.get(kind, {}).get(child, [])
        i = bisect.bisect_right(days, on_or_before)
        return days[i - 1] if i else None

    # --- looked-after children and care leavers ---------------------------------------------------

    @cached_property
    def periods(self) -> list[tuple[int, int, dt.date, dt.date | None]]:
        """Periods of care: (period, child, start, end)."""
        return list(self._scope(PeriodOfCare.objects.all()).values_list("id", "child_id", "start_date", "end_date"))

    @cached_property
    def care_episodes(self) -> dict[int, list[tuple[dt.date, dt.date | None, str, str, str]]]:
        """child -> episodes of every period, in order: (start, end, reason new episode, legal status,
        placement type)."""
        found: dict[int, list[Any]] = defaultdict(list)
        qs = self._scope(CareEpisode.objects.order_by("start_date", "pk"))
        fields = ("child_id", "start_date", "end_date", "reason_new_episode", "legal_status", "placement_type")
        for child, *row in qs.values_list(*fields):
            found[child].append(tuple(row))
        return found

    @cached_property
    def lac_reviews(self) -> dict[int, list[dt.date]]:
        """period -> review dates in order."""
        found: dict[int, list[dt.date]] = defaultdict(list)
        for period, day in self._scope(LookedAfterReview.objects.order_by("review_date")).values_list(
            "period_id", "review_date"
        ):
            found[period].append(day)
        return found

    @cached_property
    def missing(self) -> list[tuple[int, dt.date]]:
        return list(self._scope(MissingEpisode.objects.all()).values_list("child_id", "start_date"))

    @cached_property
    def health_checks(self) -> dict[str, dict[int, list[dt.date]]]:
        """kind -> child -> dates. The kind is encrypted at rest, so it is read and sorted here."""
        found: dict[str, dict[int, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
        for kind, child, day in self._scope(HealthCheck.objects.all()).values_list("kind", "child_id", "check_date"):
            found[str(kind)][child].append(day)
        return found

    @cached_property
    def care_leaver_contacts(self) -> list[tuple[int, dt.date, str, str, bool | None]]:
        """(young person, contact date, in touch, activity, accommodation suitable)."""
        qs = self._scope(CareLeaverContact.objects.all())
        return list(qs.values_list("child_id", "contact_date", "in_touch", "activity", "accommodation_suitable"))

    @cached_property
    def born(self) -> dict[int, dt.date]:
        qs = self._scope(Person.objects.filter(date_of_birth__isnull=False), "id")
        return dict(qs.values_list("id", "date_of_birth"))

    # --- who held the child ----------------------------------------------------------------------

    @cached_property
    def holders(self) -> dict[int, list[Holder]]:
        """child -> allocated-worker allocations, by start date."""
        found: dict[int, list[Holder]] = defaultdict(list)
        qs = self._scope(Allocation.objects.filter(kind=AllocationKind.ALLOCATED_WORKER), "person_id")
        for person, start, end, team, worker in qs.order_by("start_date", "pk").values_list(
            "person_id", "start_date", "end_date", "team_id", "worker_id"
        ):
            found[person].append(Holder(start, end, team, worker))
        return found

    def holder(self, child: int, on: dt.date) -> Holder | None:
        """The allocation that held the child on `on`, or else the last one that began by then (a case
        closed during the month stays with the team that closed it)."""
        held = [h for h in self.holders.get(child, []) if h.start <= on]
        current = [h for h in held if h.end is None or h.end > on]
        chosen = current or held
        return chosen[-1] if chosen else None
