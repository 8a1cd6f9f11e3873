"""What every casework write shares: the access check, the status-history row, the audit event,
and opening and closing tray tasks. Services call these inside their own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, Team, TeamKind, User
from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import StatusChange, Task, TaskKind
from opencsc.core import limits
from opencsc.people.models import Person


def require_change(user: Any, child: Person) -> None:
    """Refuse the write unless `accounts.access` lets this user change this child's record."""
    if not access.can_change_person(user, child.pk):
        raise PermissionDenied("You cannot change this child's record")


def require_conference(user: Any, child: Person) -> None:
    """Refuse unless `accounts.access` lets this user record this child's conferences and reviews
    (their workers, and the chair or reviewing officer allocated to the child)."""
    if not access.can_record_conference(user, child.pk):
        raise PermissionDenied("You cannot record conferences for this child")


def user_or_none(user: Any) -> User | None:
    return user if isinstance(user, User) else None


def history(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    obj: models.Model,
    from_status: str,
    to_status: str,
    effective_date: dt.date,
    note: str = "",
) -> StatusChange:
    """Write the status-history row for one transition (call inside the service's transaction)."""
    return StatusChange.objects.create(
        child=child,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        changed_by=user_or_none(actor_user),
        actor_repr=actor.name,
        note=note[:200],
    )


def audit(*, actor: Actor, action: str, child: Person, obj: models.Model, **detail: Any) -> None:
    record_event(
        actor=actor,
        action=action,
        subject_person_id=child.pk,
        obj=obj,
        detail={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in detail.items()},
    )


def current_owner(child: Person) -> tuple[Team | None, User | None]:
    """The team and worker currently holding the child, for new tasks: the latest allocation outside
    the front door, and a front-door team's only when nobody else holds the child. (A referral
    decided at the front door is allocated from the decision date, which may be earlier than the
    day a MASH practitioner added the child to their own caseload: the referral's team still owns
    the work.)"""
    allocations = (
        Allocation.objects.current()
        .filter(person=child)
        .exclude(kind=AllocationKind.FRONT_DOOR)
        .select_related("team", "worker")
        .annotate(at_front_door=ExpressionWrapper(Q(team__kind=TeamKind.FRONT_DOOR), output_field=BooleanField()))
        .order_by("at_front_door", "-start_date", "-pk")
    )
    allocation = allocations.first()
    if allocation is None:
        return None, None
    return allocation.team, allocation.worker


def task_open(
    *,
    child: Person,
    kind: TaskKind | str,
    due_date: dt.date,
    obj: models.Model | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    title: str = "",
) -> Task:
    """Open a tray task; with no team given, it goes to whoever holds the child. `title` names a task
    whose kind another app defines (CP-IS); without it the title is the TaskKind's label."""
    if team is None and assignee is None:
        team, assignee = current_owner(child)
    return Task.objects.create(
        person=child,
        kind=kind,
        title=title or TaskKind(kind).label,
        due_date=due_date,
        team=team,
        assignee=assignee,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def tasks_close(*, child: Person, kinds: list[TaskKind], actor_user: Any, obj: models.Model | None = None) -> int:
    """Mark the child's open tasks of these kinds done (only those about `obj`, if given)."""
    tasks = Task.objects.open().filter(person=child, kind__in=kinds)
    if obj is not None:
        tasks = tasks.filter(object_type=obj._meta.label, object_id=str(obj.pk))
    return tasks.update(done_at=timezone.now(), done_by=user_or_none(actor_user))


def check_values(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Validate field values the way a form would (choices, lengths) and against `core.limits` (text
    caps, date bounds, postcodes), so an import or the API cannot store what a page would refuse."""
    obj.full_clean(exclude=exclude, validate_constraints=False)
    errors = {name: message for name, message in limits.model_errors(obj).items() if name not in (exclude or [])}
    if errors:
        raise ValidationError(errors)


def save_new(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Validate field values (choices, lengths, limits) the way a form would, then insert."""
    check_values(obj, exclude=exclude)
    obj.save()


def record_new(
    obj: models.Model,
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    action: str,
    to_status: str,
    effective_date: dt.date,
    note: str = "",
    **detail: Any,
) -> None:
    """Insert a newly recorded step with its status-history row (from nothing to `to_status`) and its
    audit event. Call inside the service's transaction, so all three commit or none does."""
    save_new(obj)
    history(
        actor_user=actor_user,
        actor=actor,
        child=child,
        obj=obj,
        from_status="",
        to_status=to_status,
        effective_date=effective_date,
        note=note,
    )
    audit(actor=actor, action=action, child=child, obj=obj, **detail)
