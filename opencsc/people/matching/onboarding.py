"""Onboarding a borough: `import_people` (load people from a legacy system) and `match_people` (answer a
file of queries, for a school roll or a CP-IS reconciliation). Both read the same CSV columns.

The import is all or nothing: every row is checked first (each identifier as the person form checks
it, each error reported with its row number and column), and nothing is written unless every row
passes. It is idempotent by external_id: a row whose external_id is already known updates that
person when something changed and is left alone otherwise, so the same file twice changes nothing.
It writes through bulk inserts (a borough is a million rows), as the system actor `import_people`,
with one `person.create` audit event per new person, one `person.update` per changed one, one
`person.import` for the file, and the matching index brought up to date in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event, record_events_bulk
from opencsc.core.bulk import bulk_insert, insert_values
from opencsc.people import identifiers
from opencsc.people.matching import index
from opencsc.people.matching.models import ExternalId
from opencsc.people.matching.normalise import name_tokens
from opencsc.people.matching.normalise import postcode as normal_postcode
from opencsc.people.matching.service import MatchQuery, find_matches
from opencsc.people.models import Address, NameKind, Person, PersonName

COLUMNS = (
    "external_id",
    "first_name",
    "surname",
    "other_names",
    "sex",
    "date_of_birth",
    "postcode",
    "nhs_number",
    "upn",
    "la_child_id",
)
RESULT_COLUMNS = ("query_id", "rank", "person_id", "external_id", "score", "band", "reasons")
SOURCE = "import"
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
CHUNK = 5000
LOOKUP_CHUNK = 10_000
# The tables an import fills, beside the matching keys, whose secondary indexes and foreign keys a
# large first load re-creates once at the end (`index.keys_bulk_loading`).
BULK_LOADED = (Person, Address, PersonName, ExternalId, AuditEvent)
Progress = Callable[[int, int], None]


@dataclass
class Row:
    number: int  # the line in the file (the header is line 1)
    external_id: str
    first_name: str
    surname: str
    other_names: str
    sex: str
    date_of_birth: dt.date | None
    postcode: str
    nhs_number: str
    upn: str
    la_child_id: str

    def person_fields(self) -> dict[str, Any]:
        from opencsc.people.services import nhs_number_index

        return {
            "first_name": self.first_name,
            "last_name": self.surname,
            "sex": self.sex or "U",
            "date_of_birth": self.date_of_birth,
            "is_child": True,
            "nhs_number": self.nhs_number,
            "nhs_number_index": nhs_number_index(self.nhs_number) if self.nhs_number else "",
            "upn": self.upn,
            "la_child_id": self.la_child_id or None,
        }

    def query(self) -> MatchQuery:
        return MatchQuery(
            first_name=self.first_name,
            surname=self.surname,
            other_names=self.other_names,
            sex=self.sex,
            date_of_birth=self.date_of_birth,
            postcode=self.postcode,
            nhs_number=self.nhs_number,
            la_child_id=self.la_child_id,
            upn=self.upn,
        )


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.errors

    def lines(self) -> Iterator[str]:
        yield from self.errors[:200]
        if len(self.errors) > 200:
            yield f"... and {len(self.errors) - 200} more errors"
        if self.errors:
            yield f"Refused: {len(self.errors)} errors in {self.rows} rows; nothing was changed."
        else:
            yield (
                f"{self.rows} rows: {self.created} people created, {self.updated} updated, {self.unchanged} unchanged."
            )


def _parse_row(number: int, raw: dict[str, str], errors: list[str], today: dt.date) -> Row | None:
    def err(column: str, message: str) -> None:
        errors.append(f"Row {number}, {column}: {message}")

    value = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    count = len(errors)
    if not value["external_id"]:
        err("external_id", "is empty: every row needs the legacy system's id")
    if not value["surname"]:
        err("surname", "is empty: enter the family name")
    sex = value["sex"].upper()
    if sex not in ("", "M", "F", "U"):
        err("sex", f"{value['sex']!r} is not M, F, U or blank")
    born = None
    if value["date_of_birth"]:
        try:
            born = dt.date.fromisoformat(value["date_of_birth"])
        except ValueError:
            err("date_of_birth", f"{value['date_of_birth']!r} is not a date written YYYY-MM-DD")
        else:
            if born > today:
                err("date_of_birth", "is in the future")
    pc = normal_postcode(value["postcode"])
    if pc and not POSTCODE.match(pc):
        err("postcode", f"{value['postcode']!r} is not a UK postcode")
    nhs = identifiers.normalise_nhs_number(value["nhs_number"]) if value["nhs_number"] else ""
    if nhs and (message := identifiers.nhs_number_error(nhs)):
        err("nhs_number", message)
    upn = value["upn"].upper()
    if upn and (message := identifiers.upn_error(upn)):
        err("upn", message)
    la = value["la_child_id"]
    if la and (message := identifiers.la_child_id_error(la)):
        err("la_child_id", message)
    if len(errors) > count:
        return None
    return Row(
        number, value["external_id"], value["first_name"], value["surname"], value["other_names"], sex, born,
        pc, nhs, upn, la,
    )  # fmt: skip


def read_rows(handle: TextIO, errors: list[str]) -> list[Row]:
    """Every row of the file, checked; errors (row-numbered) are appended to `errors`."""
    reader = csv.DictReader(handle)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        errors.append(f"Row 1 (the header): the columns {', '.join(missing)} are missing")
        return []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for number, raw in enumerate(reader, start=2):
        row = _parse_row(number, raw, errors, today)
        if row is None:
            continue
        if row.external_id in seen:
            errors.append(f"Row {number}, external_id: {row.external_id!r} is also on row {seen[row.external_id]}")
            continue
        seen[row.external_id] = number
        rows.append(row)
    return rows


def _lookup(model: type[Model], key: str, value: str, values: list[str], **equal: str) -> dict[Any, Any]:
    """{key: value} of the rows of `model` whose `key` field is one of `values` (and whose fields in
    `equal` have those values), asked LOOKUP_CHUNK values at a time (a million-row file would
    otherwise send one statement with a million parameters). On PostgreSQL each chunk goes as one
    array parameter (`= ANY(%s)`): ten thousand placeholders cost more to build and to parse than
    the lookup itself."""
    found: dict[Any, Any] = {}
    if connection.vendor != "postgresql":
        pairs = model._default_manager.filter(**equal).values_list(key, value)
        for start in range(0, len(values), LOOKUP_CHUNK):
            found.update(pairs.filter(**{f"{key}__in": values[start : start + LOOKUP_CHUNK]}))
        return found

    def column(name: str) -> str:
        return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    # Only our own quoted table and column names are formatted in; every value is a parameter.
    sql = (
        f"SELECT {column(key)}, {column(value)} FROM {connection.ops.quote_name(model._meta.db_table)}"  # noqa: S608
        f" WHERE {column(key)} = ANY(%s)" + "".join(f" AND {column(name)} = %s" for name in equal)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), LOOKUP_CHUNK * 10):
            cursor.execute(sql, [values[start : start + LOOKUP_CHUNK * 10], *equal.values()])
            found.update(cursor.fetchall())
    return found


def _check_la_ids(rows: list[Row], known: dict[str, int], errors: list[str]) -> None:
    """An LA child id may belong to one person only."""
    wanted = {r.la_child_id: r for r in rows if r.la_child_id}
    holders = _lookup(Person, "la_child_id", "id", list(wanted))
    for la, row in wanted.items():
        holder = holders.get(la)
        if holder is not None and holder != known.get(row.external_id):
            errors.append(f"Row {row.number}, la_child_id: {la} already belongs to another person (id {holder})")


def import_people(path: Path, *, actor: Actor, progress: Progress | None = None) -> Report:
    report = Report()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = read_rows(handle, report.errors)
    report.rows = len(rows) + len({e.split(",")[0] for e in report.errors if e.startswith("Row ")})
    known = _lookup(ExternalId, "value", "person", [r.external_id for r in rows], source=SOURCE)
    _check_la_ids(rows, known, report.errors)
    if report.errors:
        return report
    report.rows = len(rows)
    adding = sum(r.external_id not in known for r in rows)
    with transaction.atomic(), index.keys_bulk_loading(adding, also=BULK_LOADED):
        changed: list[int] = []
        frequencies: Counter[str] = Counter()
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            changed += _write_chunk(chunk, known, report, actor, frequencies)
            if progress:
                progress(min(start + CHUNK, len(rows)), len(rows))
        index.add_frequencies(frequencies)
        index.index_people(changed)
        record_event(
            actor=actor,
            action="person.import",
            detail={"file": path.name, "rows": report.rows, "created": report.created, "updated": report.updated},
        )
    return report


def _write_chunk(
    chunk: list[Row], known: dict[str, int], report: Report, actor: Actor, frequencies: Counter[str]
) -> list[int]:
    """Write one chunk of rows, filing the new people in the matching index from the rows themselves
    (their name tokens counted into `frequencies`); returns the ids of the people changed."""
    new = [r for r in chunk if r.external_id not in known]
    people = [Person(**r.person_fields()) for r in new]
    bulk_insert(Person, people, need_ids=True)  # COPY on PostgreSQL, bulk_create elsewhere
    now = timezone.now()
    insert_values(
        ExternalId,
        ("person_id", "source", "value", "created_at"),
        [(p.pk, SOURCE, r.external_id, now) for r, p in zip(new, people, strict=True)],
    )
    _write_parts([(r, p.pk) for r, p in zip(new, people, strict=True)])
    index.index_new_profiles([_profile(r, p) for r, p in zip(new, people, strict=True)], frequencies)
    report.created += len(new)
    record_events_bulk(
        actor=actor,
        action="person.create",
        rows=[{"subject_person_id": p.pk, "object_type": "people.Person", "object_id": str(p.pk)} for p in people],
    )
    changed = _update_existing([r for r in chunk if r.external_id in known], known, report)
    if changed:
        record_events_bulk(
            actor=actor,
            action="person.update",
            rows=[{"subject_person_id": pk, "object_type": "people.Person", "object_id": str(pk)} for pk in changed],
        )
    return changed


def _profile(row: Row, person: Person) -> index.Profile:
    """The profile `index.build_profiles` would read back for a person just imported from `row`
    (first name and the other names as given names, the surname, the one postcode)."""
    surnames = name_tokens(row.surname)
    return index.Profile(
        person_id=person.pk,
        given=name_tokens(row.first_name, row.other_names),
        surnames=surnames,
        current_surnames=len(surnames),
        sex=person.sex,
        date_of_birth=row.date_of_birth,
        postcodes=[row.postcode] if row.postcode else [],
        nhs_number_index=person.nhs_number_index or "",
        la_child_id=(row.la_child_id or "").upper(),
        upn=row.upn.upper(),
    )


def _write_parts(rows: list[tuple[Row, int]]) -> None:
    today, now = timezone.localdate(), timezone.now()
    insert_values(
        Address,
        ("person_id", "line1", "line2", "town", "postcode", "start_date", "end_date", "created_at", "updated_at"),
        [
            (pk, "Postcode only (imported)", "", "Not recorded", f"{r.postcode[:-3]} {r.postcode[-3:]}", today, None,
             now, now)
            for r, pk in rows
            if r.postcode
        ],
    )  # fmt: skip
    insert_values(
        PersonName,
        ("person_id", "kind", "first_name", "last_name", "created_at", "updated_at"),
        [(pk, NameKind.ALIAS.value, r.other_names, r.surname, now, now) for r, pk in rows if r.other_names],
    )


# The NHS number is compared through its blind index: the same number gives the same index, and
# reading it needs no decryption (a million decryptions were most of a repeated import's time).
COMPARED = ("first_name", "last_name", "sex", "date_of_birth", "nhs_number_index", "upn", "la_child_id")


def _update_existing(rows: list[Row], known: dict[str, int], report: Report) -> list[int]:
    """Update the people whose row differs from their record; returns their ids."""
    current = {
        v["pk"]: v for v in Person.objects.filter(pk__in=[known[r.external_id] for r in rows]).values("pk", *COMPARED)
    }
    postcodes = dict(
        Address.objects.filter(person_id__in=list(current), end_date__isnull=True).values_list("person_id", "postcode")
    )
    others = dict(
        PersonName.objects.filter(person_id__in=list(current), kind=NameKind.ALIAS).values_list(
            "person_id", "first_name"
        )
    )
    changed = []
    for row in rows:
        pk = known[row.external_id]
        person, fields = current[pk], row.person_fields()
        same = all((person[f] or None) == (fields[f] or None) for f in COMPARED)
        same = same and normal_postcode(postcodes.get(pk, "")) == row.postcode and others.get(pk, "") == row.other_names
        if same:
            report.unchanged += 1
            continue
        Person.objects.filter(pk=pk).update(**fields)
        Address.objects.filter(person_id=pk, line1="Postcode only (imported)").delete()
        PersonName.objects.filter(person_id=pk, kind=NameKind.ALIAS).delete()
        _write_parts([(row, pk)])
        changed.append(pk)
        report.updated += 1
    return changed


def _safe(cell: Any) -> Any:
    """Spreadsheet-safe: a text cell starting with = + - @ tab or CR gets an apostrophe."""
    return f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def match_people(
    queries: Path, out: Path, *, top: int, actor: Actor, progress: Progress | None = None
) -> tuple[int, int, list[str]]:
    """Answer every query row; write RESULT_COLUMNS, one row per candidate. Returns (queries, result
    rows, errors). Rows that fail the checks are reported and skipped; one audit event for the file."""
    errors: list[str] = []
    with queries.open(newline="", encoding="utf-8-sig") as handle:
        rows = read_rows(handle, errors)
    written = 0
    results: list[tuple[Row, list[Any]]] = []
    for i, row in enumerate(rows, start=1):
        results.append((row, find_matches(row.query(), limit=top)))
        if progress and (i % 100 == 0 or i == len(rows)):
            progress(i, len(rows))
    ids = {c.person_id for _, found in results for c in found}
    external = dict(ExternalId.objects.filter(person_id__in=ids, source=SOURCE).values_list("person_id", "value"))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESULT_COLUMNS)
        for row, found in results:
            for rank, c in enumerate(found, start=1):
                reasons = "; ".join(c.reasons)
                writer.writerow(
                    [_safe(row.external_id), rank, c.person_id, _safe(external.get(c.person_id, "")),
                     f"{c.score:.3f}", c.band, _safe(reasons)]
                )  # fmt: skip
                written += 1
    record_event(
        actor=actor,
        action="person.match_file",
        detail={"file": queries.name, "queries": len(rows), "results": written, "refused_rows": len(errors)},
    )
    return len(rows), written, errors
