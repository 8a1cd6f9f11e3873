"""Issue 10, defect 7: the anchors file was one per checkout, shared by every database the checkout
pointed at, so a fresh database in a used checkout failed `verify_audit`. Anchors are now kept per
database identity, and each database is checked only against its own."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent, DatabaseIdentity
from opencsc.audit.services import Actor, record_event

pytestmark = pytest.mark.django_db
ACTOR = Actor(id=1, name="sw", role="social_worker")


@pytest.fixture
def used_checkout(settings, tmp_path):
    """A checkout whose earlier database published anchors up to seq 500, both in the old shared file
    and in that database's own file."""
    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    settings.OPENCSC_AUDIT_ANCHOR_EVERY = 5
    other = uuid.uuid4()
    lines = "".join(f"{seq} {'ab' * 32} 2026-11-01T00:00:00+00:00 {other}\n" for seq in (1, 100, 500))
    (tmp_path / "audit-anchors.log").write_text(lines.replace(f" {other}", ""), encoding="utf-8")
    (tmp_path / f"audit-anchors.{other}.log").write_text(lines, encoding="utf-8")
    return tmp_path


def _events(n: int, django_capture_on_commit_callbacks) -> None:
    for i in range(n):
        with django_capture_on_commit_callbacks(execute=True):
            record_event(actor=ACTOR, action="person.view", subject_person_id=i + 1)


def test_fresh_database_in_a_used_checkout_verifies(used_checkout, django_capture_on_commit_callbacks, capsys):
    _events(7, django_capture_on_commit_callbacks)  # anchors this database's seq 5
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "Audit chain intact: 7 events, 1 anchors checked" in out
    identity = DatabaseIdentity.objects.get()
    own = used_checkout / f"audit-anchors.{identity.uuid}.log"
    assert own.read_text().split()[:2] == ["5", AuditEvent.objects.get(seq=5).hash]
    assert str(identity.uuid) in own.read_text()
    assert "Not checked:" in out  # the old shared file is named, not silently used


def test_own_anchors_still_catch_a_rewrite_and_truncation(used_checkout, django_capture_on_commit_callbacks):
    _events(12, django_capture_on_commit_callbacks)
    path = chain.anchor_path()
    path.write_text(path.read_text().replace(AuditEvent.objects.get(seq=10).hash, "cd" * 32), encoding="utf-8")
    with pytest.raises(CommandError, match="seq 10: hash differs from the anchor"):
        call_command("verify_audit")
    with path.open("a") as fh:
        fh.write(f"40 {'ef' * 32} 2026-12-01T00:00:00+00:00 {chain.database_identity().uuid}\n")
    assert chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), chain.read_anchors()) is not None


def test_another_databases_lines_in_our_file_are_ignored(used_checkout, django_capture_on_commit_callbacks):
    _events(6, django_capture_on_commit_callbacks)
    with chain.anchor_path().open("a") as fh:
        fh.write(f"3 {'00' * 32} 2026-12-01T00:00:00+00:00 {uuid.uuid4()}\n")
    assert chain.read_anchors() == {5: AuditEvent.objects.get(seq=5).hash}
    call_command("verify_audit")


def test_the_old_shared_file_can_be_checked_on_purpose(used_checkout, django_capture_on_commit_callbacks):
    _events(3, django_capture_on_commit_callbacks)
    with pytest.raises(CommandError, match="BROKEN"):  # it belonged to another database
        call_command("verify_audit", anchors_file=used_checkout / "audit-anchors.log")
