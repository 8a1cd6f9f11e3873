"""The person record page, arranged by the privacy notice's data categories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models
from django.db.models import Exists, OuterRef

from opencsc.core.categories import CRIMINAL_OFFENCE, SPECIAL_CATEGORY, DataCategory
from opencsc.people import identifiers
from opencsc.people.models import Person, PersonPart, Relationship
from opencsc.people.parts import PART_KINDS, PartKind, kinds_for_category
from opencsc.people.selectors import relationships_both_ways

PART_KINDS_BY_MODEL = {kind.model: kind for kind in PART_KINDS.values()}


@dataclass
class Item:
    kind: PartKind
    part: PersonPart
    rows: list[tuple[str, str]]


@dataclass
class Section:
    category: DataCategory
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    add: list[PartKind] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.category.label

    @property
    def anchor(self) -> str:
        return self.category.value

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.items)

    @property
    def sensitivity(self) -> str:
        if self.category in SPECIAL_CATEGORY:
            return "Special category data"
        if self.category in CRIMINAL_OFFENCE:
            return "Criminal offence data"
        return ""


def _date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _person_rows(person: Person) -> dict[DataCategory, list[tuple[str, str]]]:
    age = ""
    if person.date_of_birth:
        from django.utils import timezone

        age = f" (age {person.age_on(timezone.localdate())})"
    return {
        DataCategory.NAME: [
            ("Name", person.full_name),
            ("Preferred name", person.preferred_name),
            ("Sex", person.get_sex_display()),
            ("LA child id", person.la_child_id or ""),
        ],
        DataCategory.DATE_OF_BIRTH: [
            ("Date of birth", _date(person.date_of_birth) + age),
            ("Expected date of birth", _date(person.expected_date_of_birth)),
            ("Date of death", _date(person.date_of_death)),
        ],
        DataCategory.ETHNICITY: [("Ethnicity", person.get_ethnicity_display() if person.ethnicity else "Not recorded")],
        DataCategory.NHS_NUMBER: [
            ("NHS number", identifiers.format_nhs_number(person.nhs_number) if person.nhs_number else "Not recorded"),
            ("Verified on the NHS Spine", "Yes" if person.nhs_number_verified else "No"),
        ],
        DataCategory.UPN: [
            ("Unique pupil number", person.upn or "Not recorded"),
            ("Former UPN", person.former_upn),
            ("Reason UPN not known", person.get_upn_unknown_reason_display() if person.upn_unknown_reason else ""),
        ],
    }


def _part_rows(kind: PartKind, part: PersonPart) -> list[tuple[str, str]]:
    rows = []
    for name in kind.fields:
        model_field = cast(models.Field, part._meta.get_field(name))  # parts list concrete fields only
        value = getattr(part, name)
        if model_field.choices:
            value = getattr(part, f"get_{name}_display")()
        elif hasattr(value, "strftime"):
            value = _date(value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        rows.append((str(model_field.verbose_name).capitalize(), "" if value is None else str(value)))
    return rows


def record_sections(person: Person, *, can_change: bool, visible: Callable[[list[int]], set[int]]) -> list[Section]:
    """The record's sections. `visible` says which of some person ids the reader may see: a relative
    they may not see is left out of the relationships, with no row that hints at them."""
    by_category = _person_rows(person)
    sections = {
        category: Section(category, rows=[r for r in by_category.get(category, []) if r[1]])
        for category in DataCategory
    }
    # Which kinds of part the person has, in one query (an indexed EXISTS each): most people have a
    # few of the fourteen, and only those are read.
    kinds = [kind for kind in PART_KINDS.values() if kind.model is not Relationship]
    has = (
        Person.objects.filter(pk=person.pk)
        .values(
            **{
                f"has_{i}": Exists(kind.model._default_manager.filter(person=OuterRef("pk")))
                for i, kind in enumerate(kinds)
            }
        )
        .first()
        or {}
    )
    relationships = relationships_both_ways(person)
    for i, kind in enumerate(kinds):
        for part in kind.model._default_manager.filter(person=person) if has.get(f"has_{i}") else []:
            sections[kind.category].items.append(Item(kind, part, _part_rows(kind, part)))
    outgoing = [rel for rel in relationships if rel.person_id == person.pk]
    seen = visible([rel.relative_id for rel in outgoing])
    for rel in (rel for rel in outgoing if rel.relative_id in seen):
        kind = PART_KINDS_BY_MODEL[Relationship]
        sections[kind.category].items.append(Item(kind, rel, _part_rows(kind, rel)))
    for category, section in sections.items():
        if can_change:
            section.add = kinds_for_category(category)
    incoming = [rel for rel in relationships if rel.relative_id == person.pk]
    seen = visible([rel.person_id for rel in incoming])
    for rel in (rel for rel in incoming if rel.person_id in seen):
        sections[DataCategory.RELATIONSHIPS].rows.append(
            (rel.person.full_name, f"{rel.get_kind_display()} {person.full_name}")
        )
    return [s for s in sections.values() if s.rows or s.items or s.add]
