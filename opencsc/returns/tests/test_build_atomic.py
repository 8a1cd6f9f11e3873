"""A return on disk is always one the disclosure log knows (issue 10, defect 5).

`build_return cin` killed after writing the file and before recording the per-child disclosures left a
complete, valid CIN file with none of them recorded. The build now stages the file, records the
disclosures in one transaction, and renames the file into place only after the commit. These tests
crash the build at each point between those steps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ReferralEpisode
from opencsc.returns.build import publish
from opencsc.returns.cin.xml_io import read_cin_xml
from opencsc.returns.ssda903.csv_io import read_903_dir

# The test's own transaction makes the build's transaction a savepoint: a crash inside it rolls back
# exactly what the build wrote, as a killed process's open transaction is rolled back by the database.
pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler on the way up can treat it as an error."""


@pytest.fixture
def referred(child):
    ReferralEpisode.objects.create(child=child, referral_date=dt.date(2025, 6, 2), source="1A", primary_need="N1")
    return child


def _crash_at(monkeypatch, stage: str) -> None:
    def checkpoint(reached: str) -> None:
        if reached == stage:
            raise Killed(stage)

    monkeypatch.setattr(publish, "checkpoint", checkpoint)


def _disclosures() -> int:
    from opencsc.sharing.models import Disclosure

    return Disclosure.objects.filter(kind="transfer").count()


def _complete_cin_files(folder) -> list:
    """Every file under the folder that reads as a CIN census with children in it (staged or not)."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            try:
                if len(read_cin_xml(path)):
                    found.append(path)
            except Exception:  # noqa: S112 (not a CIN file)
                continue
    return found


def _build(out) -> None:
    call_command("build_return", "cin", "--year", "2025-26", "--out", str(out))


@pytest.mark.parametrize("stage", ["written", "recorded"])
def test_a_build_killed_before_the_commit_leaves_neither_file_nor_disclosures(referred, tmp_path, monkeypatch, stage):
    _crash_at(monkeypatch, stage)
    with pytest.raises(Killed):
        _build(tmp_path / "cin.xml")
    assert _disclosures() == 0
    assert not (tmp_path / "cin.xml").exists()
    assert _complete_cin_files(tmp_path) == []  # not even under the staging name
    assert not AuditEvent.objects.filter(action="return.write").exists()


def test_a_build_killed_after_the_commit_leaves_disclosures_and_no_published_file(referred, tmp_path, monkeypatch):
    _crash_at(monkeypatch, "committed")
    with pytest.raises(Killed):
        _build(tmp_path / "cin.xml")
    assert _disclosures() == 1  # the log says more left than did, never less
    assert not (tmp_path / "cin.xml").exists()
    staged = _complete_cin_files(tmp_path)
    assert [p.name.startswith(".cin.") and ".partial" in p.name for p in staged] == [True]

    monkeypatch.setattr(publish, "checkpoint", lambda stage: None)
    _build(tmp_path / "cin.xml")  # the next build clears what was left staged and publishes its own
    assert _complete_cin_files(tmp_path) == [tmp_path / "cin.xml"]
    assert _disclosures() == 2


def test_a_hard_kill_before_the_commit_leaves_only_a_hidden_partial_that_the_next_build_removes(
    referred, tmp_path, monkeypatch
):
    """With SIGKILL no clean-up runs: the staged file stays, under a hidden .partial name, never at --out."""
    _crash_at(monkeypatch, "written")
    monkeypatch.setattr(publish.shutil, "rmtree", lambda *a, **k: None)
    monkeypatch.setattr(publish.Path, "unlink", lambda *a, **k: None)
    with pytest.raises(Killed):
        _build(tmp_path / "cin.xml")
    monkeypatch.undo()
    assert _disclosures() == 0 and not (tmp_path / "cin.xml").exists()
    [left] = _complete_cin_files(tmp_path)
    assert left.name.startswith(".cin.") and left.name.endswith(".partial.xml")
    _build(tmp_path / "cin.xml")
    assert _complete_cin_files(tmp_path) == [tmp_path / "cin.xml"] and _disclosures() == 1


def test_a_completed_build_publishes_the_file_with_its_disclosures_and_event(referred, tmp_path):
    _build(tmp_path / "out" / "cin.xml")
    assert _complete_cin_files(tmp_path) == [tmp_path / "out" / "cin.xml"]
    assert _disclosures() == 1
    event = AuditEvent.objects.get(action="return.write")
    assert event.detail["files"] == ["cin.xml"] and event.detail["disclosures"] == 1


def test_the_903_directory_appears_only_after_the_commit(referred, tmp_path, monkeypatch):
    _crash_at(monkeypatch, "recorded")
    with pytest.raises(Killed):
        call_command("build_return", "903", "--year", "2025-26", "--out", str(tmp_path / "903"))
    assert list(tmp_path.iterdir()) == [] and _disclosures() == 0
    monkeypatch.setattr(publish, "checkpoint", lambda stage: None)
    call_command("build_return", "903", "--year", "2025-26", "--out", str(tmp_path / "903"), "--no-transfer")
    assert "Header" in read_903_dir(tmp_path / "903")
    assert [p.name for p in tmp_path.iterdir()] == ["903"]


def test_a_page_build_that_dies_while_storing_its_files_cannot_be_downloaded(
    referred, analyst, client_for, tmp_path, settings, monkeypatch
):
    from django.urls import reverse

    from opencsc.returns.build import jobs

    settings.OPENCSC_RETURNS_DIR = str(tmp_path / "returns")
    settings.OPENCSC_RETURNS_RUN_INLINE = True
    real = jobs._write_atomic

    def dies_on_children(target, text):
        if target.name == "children.json":
            raise OSError("disk full")
        real(target, text)

    monkeypatch.setattr(jobs, "_write_atomic", dies_on_children)
    client = client_for(analyst)
    client.post(reverse("returns:index"), {"kind": "cin", "year": "2025-26"})
    job = jobs.recent()[0]
    assert job.status == "failed" and "disk full" in job.message
    assert client.post(reverse("returns:download", args=[job.id])).status_code == 404
    assert _disclosures() == 0 and not list(job.path().glob(".*.partial"))


def test_a_download_whose_disclosures_fail_records_nothing(
    referred, analyst, client_for, tmp_path, settings, monkeypatch
):
    from django.urls import reverse

    from opencsc.returns.build import jobs, services

    settings.OPENCSC_RETURNS_DIR = str(tmp_path / "returns")
    settings.OPENCSC_RETURNS_RUN_INLINE = True
    client = client_for(analyst)
    client.post(reverse("returns:index"), {"kind": "cin", "year": "2025-26"})
    job = jobs.recent()[0]

    def fails(**kwargs):
        raise RuntimeError("sharing app down")

    monkeypatch.setattr(services, "record_transfer", fails)
    client.raise_request_exception = False
    assert client.post(reverse("returns:download", args=[job.id])).status_code == 500
    assert not AuditEvent.objects.filter(action="return.download").exists() and _disclosures() == 0
