"""Changes to the processing register. Only information-governance officers may make them; each
change is validated (a category's Article 9/10 flags must agree with the code), saved in one
transaction with its `privacy.register_change` audit event, and stamps `updated_at`, which the public
notice shows as its "last updated" date."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event


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
