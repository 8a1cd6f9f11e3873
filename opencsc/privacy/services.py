"""Changes to the processing register. Only information-governance officers may make them; each
change is validated (a category's Article 9/10 flags must agree with the code), saved in one
transaction with its `privacy.register_change` audit event, and stamps `updated_at`, which the public
notice shows as its "last updated" date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, TeamKind
from opencsc.accounts.services import allocation_end, allocation_open
from opencsc.audit.services import Actor, record_event
from opencsc.people.models import Person
from opencsc.privacy.models import Processor


def register_entry_save(
    *,
    actor_user: Any,
    actor: Actor,
    entry: models.Model,
    changes: dict[str, Any],
    many: dict[str, list[Any]] | None = None,
) -> models.Model:
    """Create (`entry.pk` is None) or change one register row. `many` sets many-to-many links
    (a purpose's categories, bases, recipients, retention rules)."""
    if not access.can_manage_sharing_register(actor_user):
        raise PermissionDenied
    creating = entry.pk is None
    changed = [name for name, value in changes.items() if creating or getattr(entry, name) != value]
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.updated_at = timezone.now()  # type: ignore[attr-defined]
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        for name, values in (many or {}).items():
            before = {obj.pk for obj in getattr(entry, name).all()}
            getattr(entry, name).set(values)
            if before != {obj.pk for obj in values}:
                changed.append(name)
        record_event(
            actor=actor,
            action="privacy.register_change",
            obj=entry,
            detail={"model": entry._meta.label, "created": creating, "fields": sorted(changed)},
        )
    return entry


# --- Processor staff and their contracted cases (Art 28) ------------------------------------------


def processor_case_contract(
    *, actor_user: Any, actor: Actor, processor: Processor, person: Person, start_date: dt.date | None = None
) -> Allocation:
    """Contract one child's case to a processor: its staff (the users of `processor.team`) may then
    work on that child, and the child's family, through the ordinary access scope, until the end of
    the contract. Only someone who allocates work and may change the child's record (a manager of a
    team holding the child), only while the contract runs, and only to a processor whose staff work
    in openCSC. The allocation ends the day after the contract does. Audits
    `privacy.processor_case_contract` about the child (and `allocation.open`)."""
    if not (access.can_allocate(actor_user) and access.can_change_person(actor_user, person.pk)):
        raise PermissionDenied
    start = start_date or timezone.localdate()
    team = processor.team
    if team is None or team.kind != TeamKind.PROCESSOR:
        raise ValidationError({"processor": f"{processor} has no staff working in openCSC"})
    if not processor.is_current(start):
        raise ValidationError({"processor": f"The contract with {processor} does not run on {start:%-d %B %Y}"})
    if Allocation.objects.current(start).filter(person=person, team=team, kind=AllocationKind.CONTRACTED).exists():
        raise ValidationError({"processor": f"This child's case is already contracted to {processor}"})
    with transaction.atomic():
        allocation = allocation_open(
            actor=actor, person=person, team=team, kind=AllocationKind.CONTRACTED, start_date=start
        )
        if processor.contract_end is not None:
            allocation.end_date = processor.contract_end + dt.timedelta(days=1)
            allocation.save(update_fields=["end_date"])
        record_event(
            actor=actor,
            action="privacy.processor_case_contract",
            subject_person_id=person.pk,
            obj=allocation,
            object_repr=f"case contracted to {processor}"[:200],
            detail={"processor": processor.pk, "team_id": team.pk, "until": str(allocation.end_date or "")},
        )
    return allocation


def processor_case_end(*, actor_user: Any, actor: Actor, allocation: Allocation) -> Allocation:
    """End a contracted case today: the processor's staff lose sight of the child at once.
    Audits `privacy.processor_case_end` (and `allocation.end`)."""
    if allocation.kind != AllocationKind.CONTRACTED:
        raise ValidationError({"allocation": "Not a contracted case"})
    if not (access.can_allocate(actor_user) and access.can_change_person(actor_user, allocation.person_id)):
        raise PermissionDenied
    with transaction.atomic():
        ended = allocation_end(
            actor=actor, allocation=allocation, end_date=max(timezone.localdate(), allocation.start_date)
        )
        record_event(
            actor=actor,
            action="privacy.processor_case_end",
            subject_person_id=allocation.person_id,
            obj=allocation,
            detail={"team_id": allocation.team_id},
        )
    return ended
