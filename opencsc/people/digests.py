"""Stored digests of a person's record (issue 11, "Measured"): the parts of the person record and
casework pages that cost most to compute and depend only on the person's own rows and the day.

A digest is current while its `version` equals the person's change counter (`audit.SubjectVersion`,
bumped in the transaction of every audit event that writes about them) and its `as_of` is today. A
page calls `read_or_compute`: the stored value when it is current, else the value computed now and
stored for the next reader. The counter is read *before* computing, so a digest stored under a
counter never holds data older than that counter (a write that commits meanwhile bumps the counter
past it, and the next reader computes again): a stale digest is never shown.

A stored value is also only as current as the code that computed it: each kind has a format number
(`FORMATS`), stored with the digest, and a digest of another format is computed again on its next
read, so a change to what a kind holds or how the page words it shows at once, not at midnight.

Only the caller decides who may see the person; a digest never holds anything about another person
or anything that depends on who is looking (the family, restricted relatives, partner scope)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from opencsc.audit.models import SubjectVersion
from opencsc.audit.services import subject_version
from opencsc.people.models import Person, PersonDigest

FINDINGS = "findings"
SUMMARY = "summary"
KINDS = (FINDINGS, SUMMARY)
# What each kind's stored value is, as a number: raise a kind's number in the change that alters what
# its computation stores or how the page words it (a status's detail, an alert's label, a finding's
# message), and every row stored before is computed again on its next read.
FORMATS: dict[str, int] = {FINDINGS: 1, SUMMARY: 1}


def prefetch(person: Person, kinds: Iterable[str]) -> None:
    """Read the stored digests `kinds` of `person` in one query, for a page that draws several (the
    casework page: the summary and the findings). `read_or_compute` on this person object then uses
    the rows read here; it computes, as ever, what is missing or not current."""
    wanted = list(kinds)
    rows = {row["kind"]: row for row in _rows(person.pk, wanted)}
    person.__dict__["_digest_rows"] = {kind: rows.get(kind) for kind in wanted}


def _rows(person_id: int, kinds: list[str]) -> list[dict[str, Any]]:
    current = SubjectVersion.objects.filter(person_id=OuterRef("person_id")).values("version")[:1]
    return list(
        PersonDigest.objects.filter(person_id=person_id, kind__in=kinds)
        .annotate(current=Subquery(current))
        .values("kind", "version", "format", "as_of", "data", "current")
    )


def read_or_compute(person: Person, kind: str, compute: Callable[[], Any], *, today: dt.date | None = None) -> Any:
    """The digest `kind` of the person as JSON-able data: stored if current, else computed and stored."""
    day = today or timezone.localdate()
    fetched = person.__dict__.get("_digest_rows", {})
    # A prefetched row serves one read: a second call asks the database again.
    row = fetched.pop(kind) if kind in fetched else next(iter(_rows(person.pk, [kind])), None)
    if row is not None and _is_current(row, kind, row["current"] or 0, day):
        return json.loads(row["data"])
    version = row["current"] or 0 if row is not None else subject_version(person.pk)
    value = compute()
    store(person.pk, kind, version, day, value)
    return value


def _is_current(row: Mapping[str, Any], kind: str, counter: int, day: dt.date) -> bool:
    return row["version"] == counter and row["as_of"] == day and row["format"] == FORMATS[kind]


def store(person_id: int, kind: str, version: int, day: dt.date, value: Any) -> None:
    store_many(kind, day, [(person_id, version, value)])


def store_many(kind: str, day: dt.date, rows: list[tuple[int, int, Any]]) -> None:
    """Store (person id, counter read before computing, value) digests, replacing what was there."""
    PersonDigest.objects.bulk_create(
        [
            PersonDigest(
                person_id=pk, kind=kind, version=version, format=FORMATS[kind], as_of=day, data=json.dumps(value)
            )
            for pk, version, value in rows
        ],
        update_conflicts=True,
        unique_fields=["person", "kind"],
        update_fields=["version", "format", "as_of", "data"],
    )


def is_current(person_id: int, kind: str, *, today: dt.date | None = None) -> bool:
    """Whether the stored digest would be shown as it is (for tests and the refresh command)."""
    day = today or timezone.localdate()
    row = PersonDigest.objects.filter(person_id=person_id, kind=kind).values("version", "format", "as_of").first()
    return row is not None and _is_current(row, kind, subject_version(person_id), day)
