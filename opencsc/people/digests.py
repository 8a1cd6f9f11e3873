"""Stored digests of a person's record (issue 11, "Measured"): the parts of the person record and
casework pages that cost most to compute and depend only on the person's own rows and the day.

A digest is current while its `version` equals the person's change counter (`audit.SubjectVersion`,
bumped in the transaction of every audit event that writes about them) and its `as_of` is today. A
page calls `read_or_compute`: the stored value when it is current, else the value computed now and
stored for the next reader. The counter is read *before* computing, so a digest stored under a
counter never holds data older than that counter (a write that commits meanwhile bumps the counter
past it, and the next reader computes again): a stale digest is never shown.

Only the caller decides who may see the person; a digest never holds anything about another person
or anything that depends on who is looking (the family, restricted relatives, partner scope)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from opencsc.audit.models import SubjectVersion
from opencsc.audit.services import subject_version
from opencsc.people.models import PersonDigest

FINDINGS = "findings"
SUMMARY = "summary"
KINDS = (FINDINGS, SUMMARY)


def read_or_compute(person_id: int, kind: str, compute: Callable[[], Any], *, today: dt.date | None = None) -> Any:
    """The digest `kind` of the person as JSON-able data: stored if current, else computed and stored."""
    day = today or timezone.localdate()
    current = SubjectVersion.objects.filter(person_id=OuterRef("person_id")).values("version")[:1]
    row = (
        PersonDigest.objects.filter(person_id=person_id, kind=kind)
        .annotate(current=Subquery(current))
        .values("version", "as_of", "data", "current")
        .first()
    )
    if row is not None and row["version"] == (row["current"] or 0) and row["as_of"] == day:
        return json.loads(row["data"])
    version = row["current"] or 0 if row is not None else subject_version(person_id)
    value = compute()
    store(person_id, kind, version, day, value)
    return value


def store(person_id: int, kind: str, version: int, day: dt.date, value: Any) -> None:
    store_many(kind, day, [(person_id, version, value)])


def store_many(kind: str, day: dt.date, rows: list[tuple[int, int, Any]]) -> None:
    """Store (person id, counter read before computing, value) digests, replacing what was there."""
    PersonDigest.objects.bulk_create(
        [
            PersonDigest(person_id=pk, kind=kind, version=version, as_of=day, data=json.dumps(value))
            for pk, version, value in rows
        ],
        update_conflicts=True,
        unique_fields=["person", "kind"],
        update_fields=["version", "as_of", "data"],
    )


def is_current(person_id: int, kind: str, *, today: dt.date | None = None) -> bool:
    """Whether the stored digest would be shown as it is (for tests and the refresh command)."""
    day = today or timezone.localdate()
    row = PersonDigest.objects.filter(person_id=person_id, kind=kind).values("version", "as_of").first()
    return row is not None and row["version"] == subject_version(person_id) and row["as_of"] == day
