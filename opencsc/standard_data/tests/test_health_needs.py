"""The health-needs picture: cohorts and needs counted by hand on a small borough; every count the
report shows is at least the threshold; releasing is recorded; no name or identifier leaves."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Person
from opencsc.standard_data import health_needs, services
from opencsc.standard_data.health_needs import SUPPRESSED
from opencsc.standard_data.models import HealthNeedsRelease
from opencsc.standard_data.suppression import TOTAL
from opencsc.standard_data.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _table(report: health_needs.Report, key: str) -> health_needs.Table:
    return next(t for t in report.tables if t.key == key)


def test_cohorts_partition_the_children_highest_level_of_care_first(borough):
    cohorts = health_needs.cohorts_on(AS_OF)
    assert sorted(cohorts.values()).count("cin") == 12
    assert sorted(cohorts.values()).count("cp") == 6
    assert sorted(cohorts.values()).count("lac") == 3  # each also has an open referral episode
    assert not {p.pk for p in borough["nowhere"]} & set(cohorts)


def test_counts_by_hand_with_small_ones_suppressed(borough):
    report = health_needs.build(AS_OF, limit=5)
    assert report.children == 21
    age = _table(report, "age_band")
    # Looked-after cohort of 3 is below 5: hidden, with a partner cohort hidden the same way everywhere.
    assert age.shown_totals()["counts"][2] is None
    assert age.shown_totals()["total"] == 21
    hidden_cohorts = {j for j in range(3) if age.result.shown((TOTAL, j)) is None}
    for table in report.tables:
        assert {j for j in range(3) if table.result.shown((TOTAL, j)) is None} == hidden_cohorts
    rows = {r["label"]: r for r in age.shown_rows()}
    assert age.result.cells[age.rows.index("1 to 4")] == [0, 6, 0]  # the CP children, aged 3
    assert rows["5 to 9"]["counts"][0] == 12  # the CIN children, aged 9
    disability = _table(report, "disability")
    assert disability.result.cells[0] == [0, 2, 0]  # two CP children have a disability
    assert disability.result.shown((0, 1)) is None  # 2 < 5
    sdq = _table(report, "sdq")
    labels = sdq.rows
    assert sdq.result.cells[labels.index("Normal (0 to 13)")][2] == 1  # score 12
    assert sdq.result.cells[labels.index("Borderline (14 to 16)")][2] == 1  # score 15
    assert sdq.result.cells[labels.index("Cause for concern (17 to 40)")][2] == 1  # score 18


def test_no_count_below_the_threshold_is_ever_shown(borough):
    report = health_needs.build(AS_OF, limit=5)
    for table in report.tables:
        for row in [*table.shown_rows(), table.shown_totals()]:
            for value in [*row["counts"], row["total"]]:
                assert value is None or value == 0 or value >= 5, (table.key, row)


def test_small_districts_are_pooled(borough):
    report = health_needs.build(AS_OF, limit=5)
    district = _table(report, "district")
    # ZZ1: 10 CIN and 6 CP children; ZZ2 (3 looked after) and ZZ9 (2 CIN) are below 5: pooled.
    assert district.rows == ["ZZ1", health_needs.OTHER_DISTRICTS]
    assert district.result.cells == [[10, 6, 0], [2, 0, 3]]


def _identifiers() -> list[str]:
    marks = []
    for p in Person.objects.all():
        marks += [p.last_name, p.nhs_number, p.la_child_id or "", p.upn]
        if p.date_of_birth:
            marks += [p.date_of_birth.isoformat(), p.date_of_birth.strftime("%d/%m/%Y")]
    return [m for m in marks if m and len(m) >= 5]


def test_the_released_file_holds_counts_only(borough, icb, tmp_path):
    out = tmp_path / "picture.xlsx"
    call_command("health_needs_report", out=str(out), as_of=AS_OF.isoformat(), to=icb.name, stdout=io.StringIO())
    book = openpyxl.load_workbook(out)
    text = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    )
    assert SUPPRESSED in text
    for mark in _identifiers():
        assert mark not in text
    for ws in book.worksheets[1:]:
        for row in ws.iter_rows(min_row=4, values_only=True):
            for value in row[1:]:
                assert value == SUPPRESSED or value == 0 or value >= 5


def test_releasing_records_the_release_and_its_audit_event(borough, icb, ig_officer):
    from opencsc.audit.services import Actor

    released = services.health_needs_release(
        actor=Actor.from_user(ig_officer), actor_user=ig_officer, agency=icb, as_of=AS_OF
    )
    release = HealthNeedsRelease.objects.get()
    assert release.agency == icb and release.agreement.reference == "ISA-ICB-HN"
    assert release.released_by == ig_officer and release.children == 21
    import hashlib

    assert release.digest == hashlib.sha256(released.content).hexdigest()
    event = AuditEvent.objects.get(action="health_needs.release", outcome="allowed")
    assert event.kind == "disclosure" and event.subject_person_id is None
    assert release.audit_seq == event.seq
    # What was released is kept, suppressed: no small count in the stored tables either.
    for table in release.tables:
        for row in [*table["rows"], table["totals"]]:
            assert all(v is None or v == 0 or v >= 5 for v in [*row["counts"], row["total"]])


def test_a_body_without_a_health_agreement_is_refused(borough, hospital_without_health, ig_officer):
    from opencsc.audit.services import Actor

    with pytest.raises(services.ReleaseRefused):
        services.health_needs_release(
            actor=Actor.from_user(ig_officer), actor_user=ig_officer, agency=hospital_without_health
        )
    assert not HealthNeedsRelease.objects.exists()
    assert AuditEvent.objects.filter(action="health_needs.release", outcome="refused").exists()


def test_a_draft_csv_is_audited_as_a_view_and_releases_nothing(borough, tmp_path):
    out = tmp_path / "draft.csv"
    stdout = io.StringIO()
    call_command("health_needs_report", out=str(out), as_of=AS_OF.isoformat(), stdout=stdout)
    assert "Draft" in stdout.getvalue()
    rows = list(csv.DictReader(out.open()))
    assert {r["count"] for r in rows if r["count"] != SUPPRESSED and int(r["count"]) not in (0,)} and all(
        r["count"] == SUPPRESSED or int(r["count"]) == 0 or int(r["count"]) >= 5 for r in rows
    )
    assert not HealthNeedsRelease.objects.exists()
    assert AuditEvent.objects.filter(action="health_needs.view").exists()


def test_counting_in_batches_gives_the_same_tables(borough, monkeypatch):
    whole = health_needs.build(AS_OF, limit=5)
    monkeypatch.setattr(health_needs, "BATCH", 4)
    batched = health_needs.build(AS_OF, limit=5)
    assert [t.result.cells for t in batched.tables] == [t.result.cells for t in whole.tables]


def test_the_threshold_comes_from_settings(borough, settings):
    settings.OPENCSC_HEALTH_NEEDS_THRESHOLD = 13
    report = health_needs.build(AS_OF)
    assert report.threshold == 13
    age = _table(report, "age_band")
    assert age.shown_totals() == {"counts": [None, None, None], "total": 21}  # cohorts of 12, 6 and 3
    for table in report.tables:
        for row in [*table.shown_rows(), table.shown_totals()]:
            assert all(v is None or v == 0 or v >= 13 for v in [*row["counts"], row["total"]])
