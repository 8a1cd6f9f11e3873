"""Reads of the rights request register, for information governance only (`access.
can_manage_rights_requests`). A request another role asks for, and one that does not exist, are the
same 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from opencsc.accounts import access
from opencsc.people.models import Person
from opencsc.rights.models import CLOSED_STATUSES, RequestStatus, RightsRequest


def get_request_for_user(user: Any, request_id: int) -> RightsRequest:
    if not access.can_manage_rights_requests(user):
        raise Http404
    found = RightsRequest.objects.select_related("subject", "identity_verified_by", "closed_by").filter(pk=request_id)
    request = found.first()
    if request is None:
        raise Http404
    return request


def candidate_records(request: RightsRequest, *, limit: int = 10) -> list[Person]:
    """Records that may be the one a request is about (information governance links the right one):
    the same last name as the name given, or the same date of birth."""
    last = request.subject_name.split()[-1] if request.subject_name.split() else ""
    query = Q(last_name__iexact=last) if last else Q(pk__in=[])
    if request.subject_date_of_birth:
        query |= Q(date_of_birth=request.subject_date_of_birth)
    return list(Person.objects.filter(query).order_by("last_name", "first_name", "pk")[:limit])


@dataclass(frozen=True)
class QueueRow:
    request: RightsRequest
    days_left: int
    overdue: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def open_queue(user: Any, *, today: dt.date | None = None) -> list[QueueRow]:
    """Open requests, soonest due first (overdue ones first of all)."""
    if not access.can_manage_rights_requests(user):
        raise Http404
    today = today or timezone.localdate()
    rows = []
    for request in RightsRequest.objects.open().order_by("due_on", "pk"):
        rows.append(QueueRow(request, (request.due_on - today).days, request.due_on < today))
    return rows


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    answered: int
    on_time: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.answered) if self.answered else None


def monthly_on_time(*, months: int = 12, today: dt.date | None = None) -> list[MonthCount]:
    """For each of the last `months` calendar months (this one first): requests answered or refused in
    that month, and how many of them by their due date. Withdrawn requests are not counted."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - relativedelta(months=months - 1)
    closed = (
        RightsRequest.objects.filter(closed_on__gte=first, status__in=CLOSED_STATUSES)
        .exclude(status=RequestStatus.WITHDRAWN)
        .values_list("closed_on", "due_on")
    )
    counts: dict[dt.date, list[int]] = {}
    for closed_on, due_on in closed:
        if closed_on is None:
            continue
        bucket = counts.setdefault(closed_on.replace(day=1), [0, 0])
        bucket[0] += 1
        bucket[1] += int(closed_on <= due_on)
    result = []
    for i in range(months):
        month = today.replace(day=1) - relativedelta(months=i)
        answered, on_time = counts.get(month, [0, 0])
        result.append(MonthCount(month, answered, on_time))
    return result
