"""What can be disclosed about a person, as items grouped by data category, found through the field
registry: the person's own fields (one item per category) and every registered record that belongs to
the person (one item per record and category). Nothing here checks access: callers are selectors and
services that have already done so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import models

from opencsc.core.categories import DataCategory
from opencsc.core.personal_data import NOT_PERSONAL, registered_models, tags_for
from opencsc.people.models import Person

# Records the sharing and privacy apps keep about disclosures are not themselves shared onwards.
_NOT_DISCLOSABLE_APPS = frozenset({"sharing", "privacy", "accounts", "audit"})
# Tables derived from the record (the matching index, the stored page digests, duplicate proposals
# and merges): the record itself is what may be shared, never a second, normalised copy of it.
_DERIVED_MODELS = frozenset(
    {"people.MatchProfile", "people.MatchKey", "people.PersonDigest", "people.DuplicatePair", "people.PersonMerge"}
)
# Keys and search aids carry no information a recipient needs.
_NEVER_SHOWN = frozenset({"nhs_number_index"})


@dataclass(frozen=True)
class Item:
    key: str
    model_label: str
    pk: int
    category: DataCategory
    title: str
    rows: tuple[tuple[str, str], ...]

    def reference(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "model": self.model_label,
            "id": self.pk,
            "category": self.category.value,
            "title": self.title,
        }


def _display(instance: models.Model, field: models.Field) -> str:
    value = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(value)


def _owner_field(model: type[models.Model]) -> str | None:
    """The foreign key that says whose record a row is (a person key tagged as not personal data)."""
    tags = tags_for(model)
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.ForeignKey)
            and field.related_model is Person
            and tags.get(field.name) is NOT_PERSONAL
        ):
            return field.name
    return None


def _fields_by_category(model: type[models.Model]) -> dict[DataCategory, list[Any]]:
    grouped: dict[DataCategory, list[Any]] = {}
    for name, tag in tags_for(model).items():
        if isinstance(tag, DataCategory) and name not in _NEVER_SHOWN:
            field = model._meta.get_field(name)
            if field.editable:
                grouped.setdefault(tag, []).append(field)
    return grouped


def _items_of(instance: models.Model, title: str) -> list[Item]:
    items = []
    for category, fields in _fields_by_category(type(instance)).items():
        rows = tuple((str(f.verbose_name).capitalize(), text) for f in fields if (text := _display(instance, f)))
        if rows:
            label = instance._meta.label
            items.append(Item(f"{label}:{instance.pk}:{category.value}", label, instance.pk, category, title, rows))
    return items


def disclosable_items(
    person: Person, categories: Collection[DataCategory] | None = None
) -> dict[DataCategory, list[Item]]:
    """Every item of the person's record, keyed by category, in the order of `DataCategory`; with
    `categories`, only the items of those (the same items, without reading the models that hold
    none of them: a MASH check's identifying details read two models, not every one)."""
    wanted = set(categories) if categories is not None else set(DataCategory)
    found: list[Item] = _items_of(person, "Personal details")
    for model in registered_models():
        if model is Person or model._meta.app_label in _NOT_DISCLOSABLE_APPS or model._meta.abstract:
            continue
        if model._meta.label in _DERIVED_MODELS:
            continue
        owner = _owner_field(model)
        if owner is None or not wanted & set(_fields_by_category(model)):
            continue
        for row in model._default_manager.filter(**{owner: person}).order_by("pk"):
            found += _items_of(row, str(model._meta.verbose_name).capitalize())
    grouped: dict[DataCategory, list[Item]] = {category: [] for category in DataCategory}
    for item in found:
        grouped[item.category].append(item)
    return {category: items for category, items in grouped.items() if items and category in wanted}


def items_for(person: Person, references: list[dict[str, Any]]) -> list[Item]:
    """The items `references` (a disclosure's `records`) point at, rebuilt from the person's record
    exactly as `disclosable_items` would build them, reading only the rows referred to (a shared
    view or a check opens in a few queries, not one per model of the record). A reference to a row
    that no longer exists, or no longer belongs to the person, is left out."""
    from django.apps import apps

    wanted: dict[str, set[int]] = {}
    for ref in references:
        wanted.setdefault(str(ref.get("model", "")), set()).add(int(ref.get("id", 0)))
    found: dict[str, Item] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        if model is Person:
            rows: Any = [person] if person.pk in ids else []
            title = "Personal details"
        else:
            owner = _owner_field(model)
            if owner is None or model._meta.app_label in _NOT_DISCLOSABLE_APPS or label in _DERIVED_MODELS:
                continue
            rows = model._default_manager.filter(**{owner: person}, pk__in=ids).order_by("pk")
            title = str(model._meta.verbose_name).capitalize()
        for row in rows:
            for item in _items_of(row, title):
                found[item.key] = item
    return [found[ref["key"]] for ref in references if ref.get("key") in found]


def pack_digest(header: dict[str, Any], items: list[Item]) -> str:
    """SHA-256 of what a pack says, so a pack opened later can be proved to be the one disclosed."""
    canonical = json.dumps(
        {"header": header, "items": [[i.key, i.title, list(map(list, i.rows))] for i in items]},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
