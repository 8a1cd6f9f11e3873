"""Removing one person's data from every table, in one transaction (ADR 0030).

Nothing here names a table. `rows_of_person` walks the models: every foreign key pointing at the
person (whatever its on_delete says: a row about a disposed person is disposed of, so PROTECT and
SET_NULL links are followed too), then every foreign key pointing at those rows, and so on; plus any
integer column named `person_id` or `subject_person_id` (derived tables such as the access reach,
which keep ids without a foreign key). A model added later is covered without a change here.

Kept on purpose: the audit log (scrubbed to ids only, `audit.scrub`) and the disposal items (the
certificate). The matching index is taken out through its own service so that the name
frequencies stay right; groups (a family group) left with no member are removed with the person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from opencsc.core.personal_data import category_of
from opencsc.people.matching import index
from opencsc.people.matching.models import NameFrequency, PersonMerge
from opencsc.people.models import Person

# Tables that keep a person's id on purpose after disposal: the audit log (ids only) and the
# certificate. Everything else holding the id is removed.
KEEPS_IDS = {"audit.AuditEvent", "audit.ScrubbedEvent", "rights.DisposalItem"}
ID_COLUMNS = ("person_id", "subject_person_id")


@dataclass
class Removal:
    """What was found for one person: model -> primary keys, in the order found."""

    rows: dict[type[models.Model], list[Any]] = field(default_factory=lambda: defaultdict(list))

    def add(self, model: type[models.Model], pks: Iterable[Any]) -> list[Any]:
        seen = set(self.rows[model])
        new = [pk for pk in pks if pk not in seen]
        self.rows[model].extend(new)
        return new

    def counts(self) -> dict[str, int]:
        return {model._meta.label: len(pks) for model, pks in sorted(self.rows.items(), key=_label) if pks}

    def categories(self) -> list[str]:
        found: set[str] = set()
        for model, pks in self.rows.items():
            if pks:
                found |= {str(c) for f in model._meta.concrete_fields if (c := category_of(model, f.name))}
        return sorted(found)


def _label(item: tuple[type[models.Model], Any]) -> str:
    return item[0]._meta.label


def _pointers(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(model, column) of every foreign key pointing at `model`: hidden ones (`related_name="+"`,
    which `_meta.related_objects` leaves out) and the tables behind many-to-many fields too."""
    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ForeignObjectRel) or not isinstance(rel.related_model, type):
            continue
        field_ = rel.field
        if isinstance(field_, models.ForeignKey):
            found.append((rel.related_model, field_.attname))
    return found


def _id_columns() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in KEEPS_IDS:
            continue
        for f in model._meta.concrete_fields:
            if f.name in ID_COLUMNS and isinstance(f, models.IntegerField) and not f.is_relation:
                found.append((model, f.attname))
    return found


def people_of(person_id: int) -> list[int]:
    """The person and any alias records merged into them (the same human, kept for redirects)."""
    aliases = PersonMerge.objects.filter(survivor_id=person_id, unmerged_at__isnull=True)
    return [person_id, *aliases.values_list("merged_id", flat=True)]


class Entangled(Exception):
    """A row about someone else depends on a row of this person (a sibling's note filed under this
    child's episode): removing this person would take it too, so the disposal is refused."""


def _check_not_someone_elses(related: type[models.Model], hits: list[Any], people: list[int]) -> None:
    """Rows reached through another table (not straight from the person) must not name another
    person: a casework row of a sibling hanging off this child's episode is the sibling's."""
    columns = [
        f.attname
        for f in related._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Person
    ]
    if not columns or not hits:
        return
    others = Q()
    for column in columns:
        others |= Q(**{f"{column}__isnull": False}) & ~Q(**{f"{column}__in": people})
    clash = related._base_manager.filter(pk__in=hits).filter(others).values_list("pk", flat=True).first()
    if clash is not None:
        raise Entangled(f"{related._meta.label} {clash}, about another person, depends on this record")


def rows_of_person(person_id: int) -> Removal:
    """Every row to remove with this person (Entangled if a row of someone else depends on one)."""
    found = Removal()
    frontier: list[tuple[type[models.Model], list[Any]]] = [(Person, found.add(Person, people_of(person_id)))]
    while frontier:
        model, pks = frontier.pop()
        for related, column in _pointers(model):
            if related._meta.label in KEEPS_IDS:
                continue
            hits = list(related._base_manager.filter(**{f"{column}__in": pks}).values_list("pk", flat=True))
            if model is not Person:
                _check_not_someone_elses(related, hits, found.rows[Person])
            if new := found.add(related, hits):
                frontier.append((related, new))
    for model, column in _id_columns():
        hits = list(model._base_manager.filter(**{f"{column}__in": found.rows[Person]}).values_list("pk", flat=True))
        found.add(model, hits)
    return found


def _groups_left_empty(found: Removal) -> dict[type[models.Model], list[Any]]:
    """Groups (a family group) whose every member link is being removed: (model, pks)."""
    empty: dict[type[models.Model], list[Any]] = {}
    for m2m in Person._meta.get_fields(include_hidden=True):
        if not isinstance(m2m, models.ManyToManyRel):
            continue
        through, group = m2m.through, m2m.related_model
        if through is None or not isinstance(group, type) or not found.rows.get(through):
            continue
        own = [f for f in through._meta.concrete_fields if f.is_relation and f.related_model is group]
        if not own:
            continue
        column = own[0].attname
        touched = set(through._base_manager.filter(pk__in=found.rows[through]).values_list(column, flat=True))
        still = set(
            through._base_manager.filter(**{f"{column}__in": touched})
            .exclude(pk__in=found.rows[through])
            .values_list(column, flat=True)
        )
        empty[group] = sorted(touched - still)
    return empty


def remove(found: Removal) -> None:
    """Delete every row found, in the caller's transaction. Raw deletes: each table is named by the
    walk, so Django's own cascade (which refuses PROTECT links) is not needed; foreign keys are
    checked by the database at commit."""
    for group, pks in _groups_left_empty(found).items():
        found.add(group, pks)  # recorded, so the certificate counts them
    for model, pks in sorted(found.rows.items(), key=_label, reverse=True):
        if model is Person or not pks:
            continue
        for start in range(0, len(pks), 500):
            model._base_manager.filter(pk__in=pks[start : start + 500])._raw_delete(model._base_manager.db)
    Person._base_manager.filter(pk__in=found.rows[Person])._raw_delete(Person._base_manager.db)


def remove_from_matching_index(person_ids: list[int]) -> None:
    """Profile, blocking keys and the person's share of the name frequencies; a name carried by
    nobody any more leaves the frequency table (the token itself is personal data)."""
    from opencsc.people.matching.models import MatchProfile

    tokens: set[str] = set()
    for given, surnames in MatchProfile.objects.filter(person_id__in=person_ids).values_list("given", "surnames"):
        tokens |= set(given.split()) | set(surnames.replace("/", " ").split())
    for pk in person_ids:
        index.remove_person_keys(pk)
    NameFrequency.objects.filter(token__in=[t[:100] for t in tokens], count__lte=0).delete()


def audit_scope(found: Removal) -> Q:
    """The audit events about what is removed: the person (and aliases) as subject, or any removed
    row as the event's object."""
    where = Q(subject_person_id__in=found.rows[Person])
    for model, pks in found.rows.items():
        if pks:
            where |= Q(object_type=model._meta.label, object_id__in=[str(pk) for pk in pks])
    return where


class _DocumentBlob:
    """A partner's document's encrypted file (ADR 0032): the same file may be named by another
    child's row (content-addressed), so it goes only if no row names it once the commit is done."""

    def __init__(self, name: str) -> None:
        self.name, self.storage = name, self

    def delete(self, name: str) -> None:
        from opencsc.documents import storage  # rights sits above documents
        from opencsc.documents.models import Document

        if not Document.objects.filter(blob=name).exists():
            storage.delete(name)


def file_fields(found: Removal) -> list[Any]:
    """Stored files of the rows found (uploaded documents), to delete after the commit."""
    from opencsc.documents.models import Document

    files: list[Any] = [
        _DocumentBlob(name)
        for name in set(
            Document._base_manager.filter(pk__in=found.rows.get(Document, [])).values_list("blob", flat=True)
        )
    ]
    for model, pks in found.rows.items():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if names and pks:
            for row in model._base_manager.filter(pk__in=pks):
                files += [getattr(row, n) for n in names if getattr(row, n)]
    return files


def delete_files_after_commit(files: list[Any]) -> None:
    """Files go only once the person's rows are gone for good: a rolled-back disposal keeps them."""

    def delete(stored: Any) -> Callable[[], None]:
        return lambda: stored.storage.delete(stored.name)

    for stored in files:
        transaction.on_commit(delete(stored))
