"""The person record page, arranged by the privacy notice's data categories."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from opencsc.core import compiled
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
    remove_url: str = ""


@dataclass
class Section:
    category: DataCategory
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    add: list[tuple[PartKind, str]] = field(default_factory=list)  # each kind with the URL that adds one

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


def _name_rows(person: Person) -> list[tuple[str, str]]:
    return [
        ("Name", person.full_name),
        ("Preferred name", person.preferred_name),
        ("Sex", person.get_sex_display()),
        ("LA child id", person.la_child_id or ""),
    ]


def _birth_rows(person: Person) -> list[tuple[str, str]]:
    age = ""
    if person.date_of_birth:
        from django.utils import timezone

        age = f" (age {person.age_on(timezone.localdate())})"
    return [
        ("Date of birth", _date(person.date_of_birth) + age),
        ("Expected date of birth", _date(person.expected_date_of_birth)),
        ("Date of death", _date(person.date_of_death)),
    ]


def _nhs_rows(person: Person) -> list[tuple[str, str]]:
    return [
        ("NHS number", identifiers.format_nhs_number(person.nhs_number) if person.nhs_number else "Not recorded"),
        ("Verified on the NHS Spine", "Yes" if person.nhs_number_verified else "No"),
    ]


def _upn_rows(person: Person) -> list[tuple[str, str]]:
    return [
        ("Unique pupil number", person.upn or "Not recorded"),
        ("Former UPN", person.former_upn),
        ("Reason UPN not known", person.get_upn_unknown_reason_display() if person.upn_unknown_reason else ""),
    ]


# The person row's own fields, by category. Each is read only when its category is shown, so a
# reader limited to some categories (`Person.categories`) never touches the others' columns.
PERSON_ROWS: dict[DataCategory, Callable[[Person], list[tuple[str, str]]]] = {
    DataCategory.NAME: _name_rows,
    DataCategory.DATE_OF_BIRTH: _birth_rows,
    DataCategory.ETHNICITY: lambda p: [("Ethnicity", p.get_ethnicity_display() if p.ethnicity else "Not recorded")],
    DataCategory.NHS_NUMBER: _nhs_rows,
    DataCategory.UPN: _upn_rows,
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


_SLUG = "KIND"  # a stand-in slug, replaced by each kind's (`_links`)


def _links(person: Person, sections: dict[DataCategory, Section]) -> None:
    """The add and remove links of a reader who may change the record: each URL pattern reversed
    once for the page, not once a link (a record shows forty or so; each reverse costs ~30 us)."""
    add = reverse("people:add_part", args=[person.pk, _SLUG])
    remove = reverse("people:remove_part", args=[person.pk, _SLUG, 0])
    for category, section in sections.items():
        section.add = [(kind, add.replace(f"/{_SLUG}/", f"/{kind.slug}/")) for kind in kinds_for_category(category)]
        for item in section.items:
            item.remove_url = remove.replace(f"/{_SLUG}/0/", f"/{item.kind.slug}/{item.part.pk}/")


def _presence(kinds: list[PartKind], person_id: int) -> dict[str, Any]:
    """`has_<i>`: whether the person has a row of `kinds[i]` (its SQL built once per process)."""

    def build(pk: int) -> QuerySet[Any]:
        checks = {
            f"has_{i}": Exists(kind.model._default_manager.filter(person=OuterRef("pk")))
            for i, kind in enumerate(kinds)
        }
        return Person.objects.filter(pk=pk).values(**checks)

    key = "people.record_presence:" + ",".join(kind.slug for kind in kinds)
    return compiled.first_row(key, build, person_id) or {}


def record_sections(
    person: Person,
    *,
    can_change: bool,
    visible: Callable[[list[int]], set[int]],
    categories: Iterable[DataCategory] | None = None,
) -> list[Section]:
    """The record's sections. `visible` says which of some person ids the reader may see: a relative
    they may not see is left out of the relationships, with no row that hints at them. With
    `categories`, only those sections are built: the other categories' tables are never queried."""
    shown = [c for c in DataCategory if categories is None or c in set(categories)]
    sections = {
        category: Section(category, rows=[r for r in PERSON_ROWS[category](person) if r[1]])
        if category in PERSON_ROWS
        else Section(category)
        for category in shown
    }
    # Which kinds of part the person has, in one query (an indexed EXISTS each): most people have a
    # few of the fourteen, and only those are read; a reader limited to some categories reads only theirs.
    kinds = [kind for kind in PART_KINDS.values() if kind.model is not Relationship and kind.category in sections]
    has = _presence(kinds, person.pk) if kinds else {}
    relationships = relationships_both_ways(person) if DataCategory.RELATIONSHIPS in sections else []
    for i, kind in enumerate(kinds):
        for part in kind.model._default_manager.filter(person=person) if has.get(f"has_{i}") else []:
            sections[kind.category].items.append(Item(kind, part, _part_rows(kind, part)))
    outgoing = [rel for rel in relationships if rel.person_id == person.pk]
    incoming = [rel for rel in relationships if rel.relative_id == person.pk]
    # Who of the relatives either way round the reader may see, asked once for both lists.
    seen = visible([*(rel.relative_id for rel in outgoing), *(rel.person_id for rel in incoming)])
    for rel in (rel for rel in outgoing if rel.relative_id in seen):
        kind = PART_KINDS_BY_MODEL[Relationship]
        sections[kind.category].items.append(Item(kind, rel, _part_rows(kind, rel)))
    if can_change:
        _links(person, sections)
    for rel in (rel for rel in incoming if rel.person_id in seen):
        sections[DataCategory.RELATIONSHIPS].rows.append(
            (rel.person.full_name, f"{rel.get_kind_display()} {person.full_name}")
        )
    return [s for s in sections.values() if s.rows or s.items or s.add]
