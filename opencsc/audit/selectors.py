"""Reading the audit trail. Only information-governance officers may; each look is itself audited."""

from __future__ import annotations

from django.db.models import QuerySet

from opencsc.accounts.access import can_read_audit
from opencsc.audit.models import AuditEvent


class AuditAccessDenied(PermissionError):
    pass


def audit_events_for_user(
    user: object, *, subject_person_id: int | None = None, actor_id: int | None = None, action: str = ""
) -> QuerySet[AuditEvent]:
    if not can_read_audit(user):
        raise AuditAccessDenied
    events = AuditEvent.objects.all()
    if subject_person_id is not None:
        events = events.filter(subject_person_id=subject_person_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    return events.order_by("-seq")
