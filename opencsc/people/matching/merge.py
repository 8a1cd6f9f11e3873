"""Merging two records of one person, and undoing it.

`person_merge` moves every row that points at the duplicate (casework, notes, disclosures,
relationships, allocations, family groups, restricted lists, break-glass grants, CP-IS links, legacy
ids: every foreign key to a person, found from the models, so a new one is never forgotten) to the
survivor, in one transaction, and records each row moved in a `PersonMerge`. The access reach
(`accounts.CaseloadReach`) follows by its triggers, as the allocations, relationships and family
memberships move, so the survivor is seen by everyone who could see either record. The duplicate's
own row stays, as an alias: its pages redirect to the survivor while the merge stands. Audit events
keep the subject id they were written with (the chain is append-only); the alias links them.

A row that cannot move without breaking a rule (both records in one family group, a relationship
between the two records, which would become a relationship of the survivor with themselves) is kept
whole in the merge record and removed; `person_unmerge` puts it back with its own id, and moves
every moved row back, so the two records are exactly as they were.
"""

from __future__ import annotations

import json
from typing import Any

from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.core import compiled
from opencsc.people.matching import index
from opencsc.people.matching.models import DuplicatePair, PairStatus, PersonMerge
from opencsc.people.models import Person


def person_links() -> list[tuple[type[models.Model], str]]:
    """(model, field name) for every foreign key to a person, except the tables derived from the
    record (the matching index, the access reach: they are recomputed) and the merge's own."""
    links: list[tuple[type[models.Model], str]] = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ForeignObjectRel) or not (rel.one_to_many or rel.one_to_one):
            continue
        model = rel.related_model
        if not isinstance(model, type):
            continue
        if model._meta.app_label == "people" and model.__name__ in DERIVED:
            continue
        if model._meta.label in ("accounts.CaseloadReach",):
            continue
        links.append((model, rel.field.name))
    return sorted(links, key=lambda link: (link[0]._meta.label, link[1]))


DERIVED = {"MatchProfile", "MatchKey", "DuplicatePair", "PersonMerge"}


def _attname(model: type[models.Model], field: str) -> str:
    found = model._meta.get_field(field)
    if not isinstance(found, models.ForeignKey):
        raise TypeError(f"{model._meta.label}.{field} is not a foreign key")
    return found.attname


def merged_into(person_id: int) -> int | None:
    """The survivor a person was merged into, while that merge stands (an alias), else None. Asked
    on every opening of a person record, so its SQL is built once per process (`core.compiled`)."""
    row = compiled.first_row("people.merged_into", _standing_merge, person_id)
    return row["survivor_id"] if row else None


def _standing_merge(pk: int) -> QuerySet[Any]:
    return PersonMerge.objects.filter(merged_id=pk, unmerged_at__isnull=True).order_by("pk").values("survivor_id")


def _snapshot_and_delete(model: type[models.Model], pk: Any) -> dict[str, Any]:
    """The whole row (every field at full precision, as the "python" serializer gives it), then
    the row is deleted."""
    row = model._base_manager.get(pk=pk)
    data = json.loads(json.dumps(serializers.serialize("python", [row])[0], default=str))
    model._base_manager.filter(pk=pk).delete()
    return data


def _move(model: type[models.Model], field: str, source: int, target: int) -> tuple[list[Any], list[dict]]:
    """Move the rows of `model` whose `field` is `source` to `target`; (moved ids, removed rows)."""
    manager = model._base_manager
    column = _attname(model, field)
    pks = list(manager.filter(**{column: source}).values_list("pk", flat=True))
    removed: list[dict] = []
    others = [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Person and f.attname != column
    ]
    for other in others:  # a row linking the two records would link the survivor to themselves
        for pk in manager.filter(pk__in=pks, **{other: target}).values_list("pk", flat=True):
            removed.append(_snapshot_and_delete(model, pk))
            pks.remove(pk)
    try:
        with transaction.atomic():
            manager.filter(pk__in=pks).update(**{column: target})
        return pks, removed
    except IntegrityError:
        pass
    moved = []
    for pk in pks:  # one at a time: only the rows that clash (the same family twice) are set aside
        try:
            with transaction.atomic():
                manager.filter(pk=pk).update(**{column: target})
            moved.append(pk)
        except IntegrityError:
            removed.append(_snapshot_and_delete(model, pk))
    return moved, removed


def person_merge(*, actor_user: Any, actor: Actor, survivor: Person, duplicate: Person, reason: str) -> PersonMerge:
    """Merge `duplicate` into `survivor` (see the module docstring). Data-quality officers only
    (`access.can_review_duplicates`); audited on both people in the same transaction."""
    if not access.can_review_duplicates(actor_user):
        raise PermissionDenied
    if survivor.pk == duplicate.pk:
        raise ValidationError("A record cannot be merged into itself")
    if merged_into(survivor.pk) or merged_into(duplicate.pk):
        raise ValidationError("One of these records has already been merged into another: undo that merge first")
    with transaction.atomic():
        moved: list[list[Any]] = []
        removed: list[dict] = []
        for model, field in person_links():
            pks, gone = _move(model, field, duplicate.pk, survivor.pk)
            moved += [[model._meta.label, pk, field] for pk in pks]
            removed += [{"field": field, "row": row} for row in gone]
        merge = PersonMerge.objects.create(
            survivor=survivor,
            merged=duplicate,
            moved=moved,
            removed=removed,
            reason=reason,
            merged_by=actor_user if getattr(actor_user, "pk", None) else None,
        )
        _pair(survivor.pk, duplicate.pk).update(
            status=PairStatus.MERGED, reviewed_by=actor_user, reviewed_at=timezone.now()
        )
        index.remove_person_keys(duplicate.pk)
        index.index_people([survivor.pk])
        detail = {
            "survivor": survivor.pk,
            "merged": duplicate.pk,
            "rows_moved": len(moved),
            "rows_set_aside": len(removed),
        }
        for subject in (survivor.pk, duplicate.pk):
            record_event(
                actor=actor, action="person.merge", subject_person_id=subject, obj=merge, reason=reason, detail=detail
            )
    return merge


def person_unmerge(*, actor_user: Any, actor: Actor, merge: PersonMerge, reason: str) -> PersonMerge:
    """Undo a merge: every moved row back to the duplicate, every row set aside restored with its
    own id; the alias ends. Audited on both people in the same transaction."""
    if not access.can_review_duplicates(actor_user):
        raise PermissionDenied
    if merge.unmerged_at is not None:
        raise ValidationError("This merge has already been undone")
    with transaction.atomic():
        by_model: dict[tuple[str, str], list[Any]] = {}
        for label, pk, field in merge.moved:
            by_model.setdefault((label, field), []).append(pk)
        from django.apps import apps

        for (label, field), pks in by_model.items():
            model = apps.get_model(label)
            column = _attname(model, field)
            model._base_manager.filter(pk__in=pks).update(**{column: merge.merged_id})
        for item in merge.removed:
            for restored in serializers.deserialize("python", [item["row"]]):
                restored.save()
        merge.unmerged_at, merge.unmerged_by = timezone.now(), actor_user
        merge.save(update_fields=["unmerged_at", "unmerged_by"])
        _pair(merge.survivor_id, merge.merged_id).update(status=PairStatus.PROPOSED, reviewed_by=None, reviewed_at=None)
        index.index_people([merge.survivor_id, merge.merged_id])
        detail = {"survivor": merge.survivor_id, "merged": merge.merged_id, "merge": merge.pk}
        for subject in (merge.survivor_id, merge.merged_id):
            record_event(
                actor=actor, action="person.unmerge", subject_person_id=subject, obj=merge, reason=reason, detail=detail
            )
    return merge


def pair_dismiss(*, actor_user: Any, actor: Actor, pair: DuplicatePair, reason: str) -> None:
    """Record that two proposed records are different people (find_duplicates leaves them be)."""
    if not access.can_review_duplicates(actor_user):
        raise PermissionDenied
    with transaction.atomic():
        DuplicatePair.objects.filter(pk=pair.pk).update(
            status=PairStatus.NOT_DUPLICATE, reviewed_by=actor_user, reviewed_at=timezone.now()
        )
        record_event(
            actor=actor,
            action="duplicates.dismiss",
            subject_person_id=pair.person_a_id,
            obj=pair,
            reason=reason,
            detail={"person_a": pair.person_a_id, "person_b": pair.person_b_id},
        )


def _pair(a: int, b: int) -> models.QuerySet[DuplicatePair]:
    low, high = sorted((a, b))
    return DuplicatePair.objects.filter(person_a_id=low, person_b_id=high)
