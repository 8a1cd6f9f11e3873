"""Compile everything held about one person into one chronological subject access bundle.

The record is walked through the field registry (`core.personal_data`): every registered model that
points at a person contributes its rows about this person, each showing every field tagged with a
privacy-notice category, so a model added later is in the bundle without a change here. Some
sources are written out specially because the registry alone would hide what Article 15 asks for:
relationships (who the relative is), disclosures (to whom: Art 15(1)(c)), and the audit log (who
opened the record). Nothing here decides what is redacted (`third_party.py` proposes that).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from opencsc.audit.events import Kind
from opencsc.audit.models import AuditEvent
from opencsc.core.personal_data import NOT_PERSONAL, registered_models, tags_for
from opencsc.people.models import Person, Relationship

# Registered models that are not the person's information for a bundle: the rights app's own rows
# (the correspondence about requests, skipped by app), and internal workflow of the CP-IS upload.
SKIP_MODELS = frozenset(
    {"rights.RightsRequest", "cpis.UploadRecord", "people.Person", "people.Relationship", "documents.Document"}
)
CONSULTATION_KINDS = (Kind.CONSULTATION.value,)


@dataclass
class Line:
    """One field of one entry: `key` is stable across rebuilds (model:pk:field), so a reviewer's
    decision about a string in it can be found again."""

    key: str
    label: str
    text: str
    third_party: bool = False  # the whole passage was flagged third-party when it was recorded
    scan: bool = True  # free text that may name someone else (not a code, date, flag or the person's own field)


@dataclass
class Entry:
    when: dt.date | None
    category: str
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Bundle:
    person: Person
    entries: list[Entry]

    def lines(self) -> Iterable[Line]:
        for entry in self.entries:
            yield from entry.lines


def _display(obj: models.Model, f: models.Field[Any, Any]) -> str:
    value = getattr(obj, f.attname)
    if value is None or value == "" or value == []:
        return ""
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{value:%d %b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(f: models.Field[Any, Any]) -> str:
    text = str(f.verbose_name).replace("nhs ", "NHS ").replace("Nhs ", "NHS ")
    return text[:1].upper() + text[1:]


def _free_text(f: models.Field[Any, Any]) -> bool:
    return isinstance(f, models.CharField | models.TextField) and not f.choices


def _shown(f: models.Field[Any, Any], tags: dict[str, Any]) -> bool:
    """A field tagged with a category, that a person entered or chose (not a key or a blind index)."""
    return f.name in tags and tags[f.name] is not NOT_PERSONAL and f.editable and not f.is_relation


def _when(obj: models.Model, date_fields: list[str]) -> dt.date | None:
    for name in date_fields:
        value = getattr(obj, name, None)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
    created = getattr(obj, "created_at", None)
    return created.date() if isinstance(created, dt.datetime) else None


def _model_entries(model: type[models.Model], person_fk: str, person_id: int) -> list[Entry]:
    tags = tags_for(model)
    shown = [f for f in model._meta.concrete_fields if _shown(f, tags)]
    if not shown:
        return []
    dates = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateField) and f.name in tags]
    dates.sort(key=lambda name: 0 if tags[name] is not NOT_PERSONAL else 1)
    label = model._meta.label
    title = str(model._meta.verbose_name)
    title = title[:1].upper() + title[1:]
    entries = []
    for obj in model._default_manager.filter(**{person_fk: person_id}).order_by("pk"):
        third_party = bool(getattr(obj, "third_party", False))
        lines = [
            Line(
                f"{label}:{obj.pk}:{f.name}",
                _label(f),
                text,
                third_party=third_party and f.name in ("body", "summary"),
                scan=_free_text(f),
            )
            for f in shown
            if (text := _display(obj, f))
        ]
        if lines:
            entries.append(Entry(_when(obj, dates), str(tags[shown[0].name].label), title, lines))  # type: ignore[union-attr]
    return entries


def _person_entry(person: Person) -> Entry:
    tags = tags_for(Person)
    lines = [
        Line(f"people.Person:{person.pk}:{f.name}", _label(f), text, scan=False)  # all theirs
        for f in Person._meta.concrete_fields
        if _shown(f, tags) and (text := _display(person, f))
    ]
    return Entry(None, "Name and identity", "Your record", lines)


def _relationship_entries(person: Person) -> list[Entry]:
    entries = []
    rows = Relationship.objects.filter(models.Q(person=person) | models.Q(relative=person)).select_related(
        "person", "relative"
    )
    for rel in rows.order_by("pk"):
        other = rel.relative if rel.person_id == person.pk else rel.person
        kind = rel.get_kind_display()  # "Parent of", "Sibling of", "Other relationship to"
        if rel.person_id == person.pk:
            text = f"You: {kind.lower()} {other.full_name}"
        else:
            text = f"{other.full_name}: {kind.lower()} you"
        lines = [Line(f"people.Relationship:{rel.pk}:kind", "Relationship", text)]
        if rel.note:
            lines.append(Line(f"people.Relationship:{rel.pk}:note", "Note", rel.note))
        entries.append(Entry(rel.start_date, "Relationships", "Relationship", lines))
    return entries


def _disclosure_entries(person: Person) -> list[Entry]:
    from opencsc.sharing.models import Disclosure  # rights sits above sharing

    entries = []
    for d in Disclosure.objects.filter(person=person).select_related("agency", "purpose").order_by("disclosed_at"):
        text = (
            f"Shared with {d.agency.name} ({d.get_kind_display().lower()}) for: {d.purpose.name}. "
            f"Information shared: {', '.join(d.category_labels()) or 'none recorded'}."
        )
        entries.append(
            Entry(
                d.disclosed_at.date(),
                "Disclosures",
                "Information shared about you",
                [Line(f"sharing.Disclosure:{d.pk}:recipient", "Recipient", text)],
            )
        )
    return entries


def _document_entries(person: Person) -> list[Entry]:
    """Documents partners sent about the person (ADR 0032): listed with what they are and where
    they came from. The bundle is a PDF of text, so the files themselves are not inside it: the
    information governance officer adds a copy of each (opened from the child's record) when
    sending the bundle, or records why one is withheld."""
    from opencsc.documents.models import Document  # rights sits above documents

    entries = []
    for d in Document.objects.filter(person=person).select_related("agency", "uploaded_by").order_by("uploaded_at"):
        text = (
            f"{d.reference}: {d.filename} ({d.get_kind_display()}, {d.size_words}), sent by {d.agency} with the "
            f"{d.attached_to}. The document itself is added to this bundle by the information governance officer."
        )
        entries.append(
            Entry(
                d.uploaded_at.date(),
                d.get_category_display(),
                "A document sent about you",
                [Line(f"documents.Document:{d.pk}:filename", "Document", text)],
            )
        )
    return entries


def _access_entries(person: Person) -> list[Entry]:
    """Who opened the record: every consultation event about the person, one line per person per
    day, from the audit log."""
    per_day: Counter[tuple[dt.date, str, str]] = Counter()
    events = AuditEvent.objects.filter(subject_person_id=person.pk, kind__in=CONSULTATION_KINDS)
    for occurred_at, actor, role in events.values_list("occurred_at", "actor_repr", "actor_role").iterator():
        per_day[(occurred_at.date(), actor, role)] += 1
    entries = []
    for (day, actor, role), count in sorted(per_day.items()):
        times = "once" if count == 1 else f"{count} times"
        who = f"{actor} ({role.replace('_', ' ')})" if role else actor
        text = f"Opened by {who}, {times}"
        entries.append(
            Entry(
                day,
                "Access to your record",
                "Who looked at your record",
                [Line(f"audit:{day.isoformat()}:{actor}", "Viewed", text)],
            )
        )
    return entries


def compile_bundle(person: Person, *, progress: Callable[[str], None] | None = None) -> Bundle:
    """Every entry held about `person`, oldest first (the record itself at the start)."""
    entries: list[Entry] = [_person_entry(person)]
    entries += _relationship_entries(person)
    for model in registered_models():
        if (
            model._meta.label in SKIP_MODELS
            or model._meta.app_label == "rights"
            or model._meta.label == "sharing.Disclosure"
        ):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey | models.OneToOneField) and f.related_model is Person:
                entries += _model_entries(model, f.name, person.pk)
        if progress is not None:
            progress(model._meta.label)
    entries += _disclosure_entries(person)
    entries += _document_entries(person)
    entries += _access_entries(person)
    head, rest = entries[0], entries[1:]
    rest.sort(key=lambda e: (e.when or dt.date.min, e.category, e.title))
    return Bundle(person=person, entries=[head, *rest])
