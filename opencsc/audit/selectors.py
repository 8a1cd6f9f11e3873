"""Reading the audit trail. Only information-governance officers may; each look is itself audited."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from opencsc.accounts.access import can_read_audit
from opencsc.audit.models import AuditEvent


class AuditAccessDenied(PermissionError):
    pass


def audit_events_for_user(
    user: object,
    *,
    subject_ids: list[int] | None = None,
    actor_ids: list[int] | None = None,
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, filtered by subject people, acting staff, action and dates (inclusive).
    `None` means no filter; an empty list matches nothing. IG officers only."""
    if not can_read_audit(user):
        raise AuditAccessDenied
    events = AuditEvent.objects.all()
    if subject_ids is not None:
        events = events.filter(subject_person_id__in=subject_ids)
    if actor_ids is not None:
        events = events.filter(actor_id__in=actor_ids)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(occurred_at__gte=_start_of(since))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + dt.timedelta(days=1)))
    return events.order_by("-seq")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
