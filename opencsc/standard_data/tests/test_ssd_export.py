"""The Standard Safeguarding Dataset export: the schema is the documented one; the pseudonymised files
hold no name, address, NHS number, UPN, LA child id, full date of birth or free text (every cell
scanned against every person in the record); pseudonyms are stable under one secret and differ
under another; DuckDB queries over the files agree with the record."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.audit.models import AuditEvent
from opencsc.people import identifiers
from opencsc.people import models as pm
from opencsc.standard_data.ssd.pseudonymise import keyed_hash
from opencsc.standard_data.ssd.schema import TABLES, Kind, columns

pytestmark = pytest.mark.django_db
SECRET = "test-only-ssd-secret-exampleton-0001"
DOC = Path(__file__).resolve().parents[3] / "docs" / "standard-dataset.md"


def _export(tmp_path: Path, name: str, *args: str, fmt: str = "csv") -> Path:
    out = tmp_path / name
    call_command("export_ssd", "--out", str(out), "--format", fmt, *args, stdout=io.StringIO())
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _marks(person: pm.Person) -> list[str]:
    """Everything that would identify this person if it appeared in a pooled file."""
    marks = [person.first_name, person.last_name, person.la_child_id or "", person.upn, person.former_upn]
    if person.nhs_number:
        marks += [person.nhs_number, identifiers.format_nhs_number(person.nhs_number)]
    for a in person.addresses.all():
        marks += [a.line1, a.postcode, a.postcode.replace(" ", "")]
    return [m for m in marks if m and len(m) >= 3]


def test_files_are_named_after_the_tables_and_match_the_schema(rich_borough, tmp_path, settings):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    out = _export(tmp_path, "pseudo", "--pseudonymised")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    for table in TABLES:
        with (out / f"{table}.csv").open() as f:
            assert next(csv.reader(f)) == columns(table)


def test_the_documented_schema_is_the_schema():
    text = DOC.read_text()
    documented: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^### `(ssd_\w+)`", line)
        if heading:
            current = heading.group(1)
            documented[current] = []
        elif current and (cell := re.match(r"^\| `(\w+)` \|", line)):
            documented[current].append(cell.group(1))
    assert documented == {t: columns(t) for t in TABLES}


def test_pseudonymised_files_carry_no_identifier_of_anyone(rich_borough, tmp_path, settings):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    out = _export(tmp_path, "pseudo", "--pseudonymised")
    cells = [cell for table in TABLES for row in _read(out / f"{table}.csv") for cell in row.values()]
    blob = "\n".join(cells)
    people = list(pm.Person.objects.prefetch_related("addresses"))
    assert people
    for person in people:
        for mark in _marks(person):
            assert mark not in blob, f"{mark!r} of person {person.pk} is in the pseudonymised files"
    # No key column holds a record number: every key is a 24-character keyed hash.
    for table, cols in TABLES.items():
        keys = [c.name for c in cols if c.kind in (Kind.PERSON, Kind.KEY)]
        for row in _read(out / f"{table}.csv"):
            assert all(re.fullmatch(r"([0-9a-f]{24})?", row[k]) for k in keys), (table, row)
    assert "cannabis" not in blob and "Free text" not in blob and "Anxiety" not in blob and "worry" not in blob
    # Dates of birth (and expected dates, and deaths) to the month only, and nowhere in full.
    by_key = {keyed_hash(SECRET.encode(), "person", p.pk): p for p in people}
    for row in _read(out / "ssd_person.csv"):
        assert all(
            re.fullmatch(r"(\d{4}-\d{2})?", row[c]) for c in ("pers_dob", "pers_expected_dob", "pers_death_date")
        )
        born = by_key[row["pers_person_id"]].date_of_birth
        assert born is None or row["pers_dob"] == f"{born:%Y-%m}"
    for table, cols in TABLES.items():
        person_col = next((c.name for c in cols if c.kind is Kind.PERSON), None)
        if person_col is None:
            continue  # assessment factors: keys and codes only
        for row in _read(out / f"{table}.csv"):
            born = by_key[row[person_col]].date_of_birth if row[person_col] in by_key else None
            if born:
                for form in (born.isoformat(), f"{born:%d/%m/%Y}"):
                    assert all(form not in v for v in row.values()), (table, form)
    for row in _read(out / "ssd_address.csv"):
        assert row["addr_address_json"] == "" and re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", row["addr_address_postcode"])


def test_pseudonyms_are_stable_under_one_secret_and_differ_under_another(rich_borough, tmp_path, settings):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    first = {r["pers_person_id"] for r in _read(_export(tmp_path, "a", "--pseudonymised") / "ssd_person.csv")}
    again = {r["pers_person_id"] for r in _read(_export(tmp_path, "b", "--pseudonymised") / "ssd_person.csv")}
    settings.OPENCSC_SSD_PSEUDONYM_KEY = "another-council-secret-0002-abcdef"
    other = {r["pers_person_id"] for r in _read(_export(tmp_path, "c", "--pseudonymised") / "ssd_person.csv")}
    assert first == again and len(first) == 24  # 23 with social care episodes, 1 with early help only
    assert not first & other


def test_pseudonymised_export_needs_the_secret(rich_borough, tmp_path, settings):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = ""
    with pytest.raises(CommandError, match="OPENCSC_SSD_PSEUDONYM_KEY"):
        _export(tmp_path, "none", "--pseudonymised")
    assert not (tmp_path / "none" / "ssd_person.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_duckdb_queries_over_the_pooled_files_agree_with_the_record(rich_borough, tmp_path, settings, fmt):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    out = _export(tmp_path, "pool", "--pseudonymised", fmt=fmt)
    db = duckdb.connect()
    read = "read_csv_auto" if fmt == "csv" else "read_parquet"
    options = ", all_varchar = true" if fmt == "csv" else ""
    for table in TABLES:
        # Table names from the schema and a path under tmp_path: nothing from outside reaches the SQL.
        db.execute(f"CREATE VIEW {table} AS SELECT * FROM {read}('{out / f'{table}.{fmt}'}'{options})")  # noqa: S608
    # Children on a CP plan on 31 March 2026, by latest category, joined to the person table.
    rows = db.execute(
        """
        SELECT p.pers_sex, c.cppl_cp_plan_latest_category, count(DISTINCT p.pers_person_id)
        FROM ssd_cp_plans c JOIN ssd_person p ON p.pers_person_id = c.cppl_person_id
        WHERE c.cppl_cp_plan_start_date <= '2026-03-31'
          AND (c.cppl_cp_plan_end_date IS NULL OR c.cppl_cp_plan_end_date > '2026-03-31')
        GROUP BY ALL
        """
    ).fetchall()
    assert rows == [("F", "NEG", 6)]
    # Every CP plan joins to its referral, and every assessment to its referral.
    orphans = db.execute(
        "SELECT count(*) FROM ssd_cp_plans c LEFT JOIN ssd_cin_episodes e ON e.cine_referral_id = c.cppl_referral_id "
        "WHERE e.cine_referral_id IS NULL"
    ).fetchone()
    assert orphans == (0,)
    looked_after_with_sdq = db.execute(
        "SELECT count(DISTINCT s.csdq_person_id) FROM ssd_sdq_scores s JOIN ssd_cla_episodes e "
        "ON e.clae_person_id = s.csdq_person_id"
    ).fetchone()
    assert looked_after_with_sdq == (3,)
    # The journey joins up: the initial conference to its section 47 and both to the referral.
    joined = db.execute(
        "SELECT count(*) FROM ssd_initial_cp_conference i JOIN ssd_s47_enquiry s ON s.s47e_s47_enquiry_id = "
        "i.icpc_s47_enquiry_id JOIN ssd_cin_episodes e ON e.cine_referral_id = s.s47e_referral_id "
        "AND e.cine_referral_id = i.icpc_referral_id"
    ).fetchone()
    assert joined == (1,)
    # One row per care leaver, from the latest contact.
    assert db.execute("SELECT clea_care_leaver_in_touch FROM ssd_care_leavers").fetchall() == [("NO",)]


def test_the_identifiable_export_is_for_the_council_and_audited_per_child(rich_borough, tmp_path):
    out = _export(tmp_path, "council")
    person_rows = _read(out / "ssd_person.csv")
    child = rich_borough["cin"][0]
    mine = next(r for r in person_rows if r["pers_person_id"] == str(child.pk))
    assert mine["pers_surname"] == child.last_name and mine["pers_dob"] == child.date_of_birth.isoformat()
    assert mine["pers_common_child_id"] == child.nhs_number
    assert AuditEvent.objects.filter(action="ssd.export", object_id="identifiable").count() == 1
    exported = set(AuditEvent.objects.filter(action="person.export").values_list("subject_person_id", flat=True))
    assert exported == {int(r["pers_person_id"]) for r in person_rows}
