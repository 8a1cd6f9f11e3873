"""The SSD tables beyond the first nineteen: every table of the SSD's data model is written, the ones
the record cannot fill are header-only for a documented reason, the filled ones join up and agree
with the record when queried with DuckDB, the UPN is in the identifiable export only, and Parquet
carries the SSD's column types."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command

from opencsc.accounts.models import User
from opencsc.standard_data.ssd.build_more import last_30_september, runs
from opencsc.standard_data.ssd.schema import TABLES
from opencsc.standard_data.ssd.tables import EMPTY

pytestmark = pytest.mark.django_db
SECRET = "test-only-ssd-secret-exampleton-0001"
DOC = Path(__file__).resolve().parents[3] / "docs" / "standard-dataset.md"


def _export(tmp_path: Path, name: str, *args: str, fmt: str = "csv") -> duckdb.DuckDBPyConnection:
    out = tmp_path / name
    call_command("export_ssd", "--out", str(out), "--format", fmt, *args, stdout=io.StringIO())
    db = duckdb.connect()
    for table in TABLES:
        path = out / f"{table}.{fmt}"
        reader = f"read_csv('{path}', all_varchar = true, header = true)" if fmt == "csv" else f"read_parquet('{path}')"
        # Table names from the schema and a path under tmp_path: nothing from outside reaches the SQL.
        db.execute(f"CREATE VIEW {table} AS SELECT * FROM {reader}")  # noqa: S608
    return db


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = db.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_every_table_of_the_ssd_model_is_written_and_header_only_ones_are_documented(rich_borough, tmp_path):
    assert len(TABLES) == 46
    db = _export(tmp_path, "council")
    text = DOC.read_text()
    for table in TABLES:
        rows = _one(db, f"SELECT count(*) FROM {table}")  # noqa: S608
        if table in EMPTY:
            assert rows == 0, table
            assert f"### `{table}`\n\nHeader only: {EMPTY[table]}." in text
        else:
            assert rows, f"{table} has no row from a borough that has such data"


def test_early_help_episodes_and_early_help_only_children(rich_borough, tmp_path):
    db = _export(tmp_path, "council")
    only_help = rich_borough["help"][0]
    rows = db.execute(
        "SELECT e.earl_person_id, e.earl_episode_start_date, e.earl_episode_end_date, e.earl_episode_end_reason, "
        "e.earl_episode_organisation, e.earl_episode_reason, p.pers_person_id IS NOT NULL "
        "FROM ssd_early_help_episodes e LEFT JOIN ssd_person p ON p.pers_person_id = e.earl_person_id "
        "ORDER BY e.earl_episode_start_date"
    ).fetchall()
    assert rows == [
        (
            str(rich_borough["cin"][1].pk),
            "2025-03-01",
            "2025-08-31",
            "stepped_up",
            "Exampleton Family Help",
            None,
            True,
        ),
        (str(only_help.pk), "2025-11-03", None, None, "St Quillon's Primary School", None, True),
    ]
    worker = User.objects.get(username="sw-exampleton-17")
    assert _one(
        db, "SELECT earl_episode_worker_id FROM ssd_early_help_episodes WHERE earl_episode_end_date IS NULL"
    ) == str(worker.pk)


def test_the_upn_is_in_the_identifiable_export_only(rich_borough, tmp_path, settings):
    child = rich_borough["cin"][0]
    council = _export(tmp_path, "council")
    assert council.execute(
        "SELECT link_identifier_type, link_identifier_value FROM ssd_linked_identifiers WHERE link_person_id = ?",
        [str(child.pk)],
    ).fetchall() == [("Unique Pupil Number", child.upn)]
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    pooled = _export(tmp_path, "pooled", "--pseudonymised")
    values = pooled.execute(
        "SELECT DISTINCT link_identifier_type, link_identifier_value FROM ssd_linked_identifiers"
    ).fetchall()
    assert values == [("Unique Pupil Number", None)]


def test_placements_legal_statuses_and_visits_join_up(rich_borough, tmp_path):
    db = _export(tmp_path, "council")
    lac = rich_borough["lac"][0]
    # Three episodes: S (V2, U6), L (C2, same placement), P (C2, new placement U1): two placements, two statuses.
    assert db.execute(
        "SELECT clap_cla_placement_start_date, clap_cla_placement_end_date, clap_cla_placement_type "
        "FROM ssd_cla_placement WHERE clap_person_id = ? ORDER BY 1",
        [str(lac.pk)],
    ).fetchall() == [("2024-02-01", "2025-06-01", "U6"), ("2025-06-01", None, "U1")]
    assert db.execute(
        "SELECT lega_legal_status, lega_legal_status_start_date, lega_legal_status_end_date "
        "FROM ssd_legal_status WHERE lega_person_id = ? ORDER BY 2",
        [str(lac.pk)],
    ).fetchall() == [("V2", "2024-02-01", "2025-01-10"), ("C2", "2025-01-10", None)]
    orphans = _one(
        db,
        "SELECT count(*) FROM ssd_cla_episodes e LEFT JOIN ssd_cla_placement p "
        "ON p.clap_cla_placement_id = e.clae_cla_placement_id WHERE p.clap_cla_placement_id IS NULL",
    )
    assert orphans == 0
    cp_visit = db.execute(
        "SELECT v.cppv_cp_visit_seen_alone, p.cppl_cp_plan_start_date FROM ssd_cp_visits v "
        "JOIN ssd_cp_plans p ON p.cppl_cp_plan_id = v.cppv_cp_plan_id"
    ).fetchall()
    assert cp_visit == [("Y", "2025-07-01")]
    assert db.execute(
        "SELECT v.clav_cla_visit_seen, e.clae_entered_care_date FROM ssd_cla_visits v "
        "JOIN ssd_cla_episodes e ON e.clae_cla_id = v.clav_cla_id AND e.clae_cla_episode_start_reason = 'S'"
    ).fetchall() == [("N", "2024-02-01")]
    assert db.execute(
        "SELECT cppr_cp_review_outcome_continue_cp, cppr_cp_review_due FROM ssd_cp_reviews r "
        "JOIN ssd_cp_plans p ON p.cppl_cp_plan_id = r.cppr_cp_plan_id"
    ).fetchall() == [("Y", "2025-10-01")]


def test_mother_family_immigration_conviction_permanence_and_workforce(rich_borough, tmp_path):
    db = _export(tmp_path, "council")
    mum = rich_borough["cin"][10]
    assert db.execute("SELECT moth_person_id, moth_childs_dob FROM ssd_mother").fetchall() == [
        (str(mum.pk), "2024-11-17")
    ]
    assert _one(db, f"SELECT pers_is_mother FROM ssd_person WHERE pers_person_id = '{mum.pk}'") == "Y"  # noqa: S608
    assert _one(db, "SELECT count(*) FROM ssd_family") == 1
    assert _one(db, "SELECT immi_immigration_status FROM ssd_immigration_status") == "UASC"
    assert db.execute(
        "SELECT clac_cla_conviction_date, clac_cla_conviction_offence FROM ssd_cla_convictions"
    ).fetchall() == [("2025-07-01", None)]
    assert db.execute("SELECT perm_adm_decision_date, perm_placement_order_date FROM ssd_permanence").fetchall() == [
        ("2025-02-01", None)
    ]
    worker = User.objects.get(username="sw-exampleton-17")
    assert db.execute(
        "SELECT p.prof_professional_name, d.dept_team_name, i.invo_professional_role_id FROM ssd_involvements i "
        "JOIN ssd_professionals p ON p.prof_professional_id = i.invo_professional_id "
        "JOIN ssd_department d ON d.dept_team_id = i.invo_professional_team"
    ).fetchall() == [("Winifred Quillfeather", worker.team.name, "worker")]


def test_pseudonymised_newer_tables_hold_no_staff_name_organisation_or_free_text(rich_borough, tmp_path, settings):
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    out = tmp_path / "pooled"
    call_command("export_ssd", "--out", str(out), "--pseudonymised", stdout=io.StringIO())
    blob = "\n".join((out / f"{t}.csv").read_text() for t in TABLES)
    for mark in ("Quillfeather", "Winifred", "sw-exampleton-17", "St Quillon", "Free text", "2024-11-17", "ZZ6 6QQ"):
        assert mark not in blob, mark
    assert "ZZ6" in blob  # the placement postcode, to its district


def test_parquet_carries_the_ssd_types(rich_borough, tmp_path, settings):
    db = _export(tmp_path, "council", fmt="parquet")
    types = dict(db.execute("SELECT column_name, column_type FROM (DESCRIBE ssd_cp_plans)").fetchall())
    assert types["cppl_cp_plan_start_date"] == "DATE" and types["cppl_cp_plan_id"] == "VARCHAR"
    professionals = dict(db.execute("SELECT column_name, column_type FROM (DESCRIBE ssd_professionals)").fetchall())
    assert professionals["prof_professional_caseload"] == "BIGINT"
    assert professionals["prof_full_time_equivalency"] == "DOUBLE"
    assert _one(db, "SELECT count(*) FROM ssd_cp_plans WHERE cppl_cp_plan_start_date < DATE '2026-03-31'") == 6
    settings.OPENCSC_SSD_PSEUDONYM_KEY = SECRET
    pooled = _export(tmp_path, "pooled", "--pseudonymised", fmt="parquet")
    person = dict(pooled.execute("SELECT column_name, column_type FROM (DESCRIBE ssd_person)").fetchall())
    assert person["pers_dob"] == "VARCHAR"  # year and month only


def test_runs_join_episodes_by_legal_status_or_placement():
    d = dt.date
    episodes = [
        (1, 9, 100, d(2024, 1, 1), d(2024, 3, 1), "S", "V2"),
        (2, 9, 100, d(2024, 3, 1), d(2024, 6, 1), "L", "C2"),
        (3, 9, 100, d(2024, 6, 1), d(2024, 9, 1), "T", "C2"),
        (4, 9, 100, d(2024, 9, 1), None, "U", "E1"),
    ]
    assert [(r.pk, r.start, r.end) for r in runs(episodes, placement=True)] == [
        (1, d(2024, 1, 1), d(2024, 6, 1)),
        (3, d(2024, 6, 1), d(2024, 9, 1)),
        (4, d(2024, 9, 1), None),
    ]
    assert [(r.pk, r.first[6]) for r in runs(episodes, placement=False)] == [(1, "V2"), (2, "C2"), (4, "E1")]


def test_caseload_census_day_is_the_previous_30_september():
    assert last_30_september(dt.date(2026, 3, 31)) == dt.date(2025, 9, 30)
    assert last_30_september(dt.date(2026, 10, 1)) == dt.date(2026, 9, 30)
    assert last_30_september(dt.date(2026, 9, 30)) == dt.date(2025, 9, 30)
