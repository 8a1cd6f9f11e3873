"""Checking a return from another system: manage.py validate_return and the Returns page's check
(issue 10). Same engines as the builds; nothing from the files is kept beyond the audit event."""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Person
from opencsc.returns.cin.synthetic import synthetic_return
from opencsc.returns.cin.validate import validate_cin
from opencsc.returns.cin.xml_io import cin_xml_bytes
from opencsc.returns.ssda903.csv_io import write_903_dir
from opencsc.returns.ssda903.synthetic import synthetic_903

pytestmark = pytest.mark.django_db
YEAR = "2025-26"


@pytest.fixture
def broken_cin(tmp_path):
    """A CIN census whose first child has no date of birth, and its expected findings."""
    tables = synthetic_return(30, YEAR, seed=4)
    data = cin_xml_bytes(tables).replace(b"<PersonBirthDate>", b"<PersonBirthDate>not-a-date", 1)
    path = tmp_path / "other_system_cin.xml"
    path.write_bytes(data)
    return path


def _exit_code(capsys, *args) -> tuple[int, str, str]:
    try:
        call_command("validate_return", *args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cin_text_json_and_csv_give_the_same_findings_as_the_engine(broken_cin, capsys):
    from opencsc.returns.cin.xml_io import read_cin_xml

    expected = validate_cin(read_cin_xml(broken_cin), YEAR)
    assert expected
    code, text, _ = _exit_code(capsys, "cin", str(broken_cin))
    assert code == (1 if any(f.severity == "error" for f in expected) else 0)
    assert f"CIN census {YEAR}: 30 children" in text
    _, out, _ = _exit_code(capsys, "cin", str(broken_cin), "--format", "json")
    payload = json.loads(out)
    assert [(f["rule"], f["child_id"]) for f in payload["findings"]] == [(f.rule, f.child_id) for f in expected]
    _, out, _ = _exit_code(capsys, "cin", str(broken_cin), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(expected) and rows[0]["message"] == expected[0].message
    events = AuditEvent.objects.filter(action="return.validate_upload")
    assert events.count() == 3 and all(e.subject_person_id is None for e in events)
    assert Person.objects.count() == 0  # nothing came into the record


def test_903_with_previous_year_and_not_checked_rules(tmp_path, capsys):
    current, previous = synthetic_903(20, seed=7, year=YEAR, with_previous=True)
    write_903_dir(current, tmp_path / "now")
    write_903_dir(previous, tmp_path / "last")
    _, without, _ = _exit_code(capsys, "903", str(tmp_path / "now"), "--year", YEAR, "--format", "json")
    _, with_last, _ = _exit_code(
        capsys, "903", str(tmp_path / "now"), "--year", YEAR, "--previous", str(tmp_path / "last"), "--format", "json"
    )
    skipped = {r["rule"]: r["reason"] for r in json.loads(without)["not_checked"]}
    assert any("last year's return" in reason for reason in skipped.values())
    assert "import_postcodes" in skipped["169"] and "import_ofsted_providers" in skipped["1008"]
    after = {r["rule"]: r["reason"] for r in json.loads(with_last)["not_checked"]}
    assert not [reason for reason in after.values() if "last year's return" in reason]
    assert "import_postcodes" in after["503G"]  # compared with last year now, but needs the postcodes


def test_hostile_or_unsupported_files_are_refused_with_a_clear_message(tmp_path, capsys, settings):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><Message>&a;</Message>')
    code, _, err = _exit_code(capsys, "cin", str(bomb))
    assert code == 2 and "XML features that can attack the reader" in err
    code, _, err = _exit_code(capsys, "cin", str(bomb), "--year", "2019-20")
    assert code == 2 and "Refused" in err
    settings.OPENCSC_RETURNS_CHECK_COMMAND_MAX_BYTES = 10
    code, _, err = _exit_code(capsys, "cin", str(bomb))
    assert code == 2 and "more than the 10 allowed for a CIN census file to check" in err
    refused = AuditEvent.objects.filter(action="return.validate_upload", outcome="denied")
    assert refused.count() == 3


def test_the_page_checks_an_upload_and_keeps_nothing(analyst, client_for, broken_cin, tmp_path):
    client = client_for(analyst)
    page = client.get(reverse("returns:check"))
    assert page.status_code == 200 and b"Check a return from another system" in page.content
    before = {name: len(list(tmp_path.iterdir())) for name in ["tmp"]}
    upload = SimpleUploadedFile("cin.xml", broken_cin.read_bytes(), content_type="application/xml")
    response = client.post(reverse("returns:check"), {"kind": "cin", "year": YEAR, "return_files": upload})
    text = response.content.decode()
    assert response.status_code == 200 and "Findings" in text and "By child" in text
    first = synthetic_return(30, YEAR, seed=4).column("ChildIdentifiers", "LAchildID")[0]
    assert first in text  # per child, by the id the file gives
    event = AuditEvent.objects.get(action="return.validate_upload")
    assert event.detail["files"] == {"cin.xml": broken_cin.stat().st_size} and event.detail["children"] == 30
    assert Person.objects.count() == 0 and before == {"tmp": len(list(tmp_path.iterdir()))}


def test_the_page_checks_a_set_of_903_files(analyst, client_for, tmp_path):
    tables = synthetic_903(10, seed=2, year=YEAR)
    header = tables["Header"]
    tables["Header"] = header.with_columns(pl.Series("SEX", ["9", *header["SEX"].to_list()[1:]], dtype=pl.String))
    paths = write_903_dir(tables, tmp_path / "903")
    uploads = [SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in paths]
    client = client_for(analyst)
    text = client.post(
        reverse("returns:check"), {"kind": "903", "year": YEAR, "return_files": uploads}
    ).content.decode()
    assert "Rules with findings" in text and header["CHILD"][0] in text
    assert "Rules not checked" in text and "import_postcodes" in text


def test_the_page_refuses_oversized_and_hostile_files_with_an_error_summary(analyst, client_for, settings):
    client = client_for(analyst)
    settings.OPENCSC_RETURNS_CHECK_MAX_BYTES = 50
    big = SimpleUploadedFile("big.xml", b"<Message>" + b" " * 200 + b"</Message>")
    text = client.post(reverse("returns:check"), {"kind": "cin", "year": YEAR, "return_files": big}).content.decode()
    assert "govuk-error-summary" in text and "more than the 50 allowed" in text
    settings.OPENCSC_RETURNS_CHECK_MAX_BYTES = 1_000_000
    junk = SimpleUploadedFile("Episodes.csv", b"\x00\x01\x02binary")
    text = client.post(reverse("returns:check"), {"kind": "903", "year": YEAR, "return_files": junk}).content.decode()
    assert "govuk-error-summary" in text and "binary data" in text
    text = client.post(reverse("returns:check"), {"kind": "cin", "year": YEAR}).content.decode()
    assert "Choose the file or files to check" in text


def test_the_check_page_still_refuses_a_post_without_its_csrf_token(analyst, client_for, broken_cin):
    client = client_for(analyst, enforce_csrf_checks=True)
    upload = SimpleUploadedFile("cin.xml", broken_cin.read_bytes())
    response = client.post(reverse("returns:check"), {"kind": "cin", "year": YEAR, "return_files": upload})
    assert response.status_code == 403 and not AuditEvent.objects.filter(action="return.validate_upload").exists()


def test_an_upload_past_the_limit_is_dropped_while_received_and_never_written(analyst, client_for, settings):
    import tempfile
    from unittest import mock

    settings.OPENCSC_RETURNS_CHECK_MAX_BYTES = 3 * 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django would spool anything bigger to a temporary file
    big = SimpleUploadedFile("big.xml", b"<Message>" + b" " * (4 * 1024 * 1024) + b"</Message>")
    with mock.patch.object(tempfile, "NamedTemporaryFile", side_effect=AssertionError("written to disk")):
        response = client_for(analyst).post(
            reverse("returns:check"), {"kind": "cin", "year": YEAR, "return_files": big}
        )
    text = response.content.decode()
    assert "big.xml is more than the 3,145,728 allowed" in text and "govuk-error-summary" in text
    assert AuditEvent.objects.get(action="return.validate_upload").outcome == "denied"


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "partner", "system_admin"])
def test_only_analysts_and_ig_check_returns(request, role, client_for):
    assert client_for(request.getfixturevalue(role)).get(reverse("returns:check")).status_code == 403


def test_a_cin_census_is_checked_for_the_year_it_gives_and_a_903_needs_one(analyst, client_for, broken_cin):
    client = client_for(analyst)
    upload = SimpleUploadedFile("cin.xml", broken_cin.read_bytes())
    text = client.post(reverse("returns:check"), {"kind": "cin", "year": "", "return_files": upload}).content.decode()
    assert f"CIN census {YEAR}," in text
    csv_file = SimpleUploadedFile("Header.csv", b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n")
    text = client.post(reverse("returns:check"), {"kind": "903", "year": "", "return_files": csv_file}).content.decode()
    assert "Select the collection year of the SSDA903 return" in text
