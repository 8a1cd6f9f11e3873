"""Rotating the audit HMAC key starts a new chain segment: the whole chain still verifies with the old
keys kept for verification, and an old segment rewritten with its (leaked) old key is still caught."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event

OLD = "b2xkLWF1ZGl0LWtleS1vbGQtYXVkaXQta2V5LTAxMjM0NTY="
NEW = "bmV3LWF1ZGl0LWtleS1uZXctYXVkaXQta2V5LTAxMjM0NTY="


def _verify() -> chain.Break | None:
    return chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), chain.read_anchors())


@pytest.fixture
def rotated(db: None, settings: object, tmp_path: object) -> None:
    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")  # type: ignore[attr-defined,operator]
    settings.OPENCSC_AUDIT_HMAC_KEY = OLD  # type: ignore[attr-defined]
    for n in range(3):
        record_event(actor=Actor.system("test"), action="audit.verify", detail={"n": n})
    settings.OPENCSC_AUDIT_HMAC_KEY = NEW  # type: ignore[attr-defined]
    settings.OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS = [OLD]  # type: ignore[attr-defined]
    call_command("rotate_audit_key", stdout=io.StringIO())
    for n in range(2):
        record_event(actor=Actor.system("test"), action="audit.verify", detail={"after": n})


def test_the_chain_verifies_across_the_rotation(rotated: None) -> None:
    rotation = AuditEvent.objects.get(action=chain.ROTATION_ACTION)
    assert rotation.seq == 4 and AuditEvent.objects.count() == 6
    assert _verify() is None
    call_command("verify_audit", stdout=io.StringIO())


def test_without_the_old_key_the_old_segment_does_not_verify(rotated: None, settings: object) -> None:
    settings.OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS = []  # type: ignore[attr-defined]
    broken = _verify()
    assert broken is not None and broken.seq == 1


def test_an_old_segment_rewritten_with_the_leaked_old_key_is_caught(rotated: None) -> None:
    """Rewrite row 2 and re-hash rows 2-3 with the old key: the rotation row, under the new key, no
    longer links to them."""
    rows = list(chain.iter_rows(AuditEvent.objects.filter(seq__lte=3)))
    rows[1]["detail"] = {"n": "forged"}
    old_key = chain.base64.b64decode(OLD)
    prev = rows[0]["hash"]
    forged = {}
    for row in rows[1:]:
        row["prev_hash"] = prev
        row["hash"] = chain.row_hash(prev, row, old_key)
        forged[row["seq"]] = row
        prev = row["hash"]
    broken_rows = [forged.get(r["seq"], r) for r in chain.iter_rows(AuditEvent.objects.all())]
    broken = chain.verify_rows(broken_rows, {})
    assert broken is not None and broken.seq == 4 and "prev_hash" in broken.problem


def test_rotation_is_refused_without_the_old_key(db: None, settings: object) -> None:
    record_event(actor=Actor.system("test"), action="audit.verify")
    settings.OPENCSC_AUDIT_HMAC_KEY = NEW  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="not under the last of OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS"):
        call_command("rotate_audit_key", stdout=io.StringIO())


def test_events_scrubbed_across_segments_still_verify(db: None, settings: object, tmp_path: object) -> None:
    """A disposal (ADR 0030) scrubs a row of the old segment (checked against its hash with the old
    key) and one of the new; the witnesses are made with the current key, and the chain verifies."""
    from django.db.models import Q

    from opencsc.audit.models import ScrubbedEvent
    from opencsc.audit.scrub import scrub_events

    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")  # type: ignore[attr-defined,operator]
    settings.OPENCSC_AUDIT_HMAC_KEY = OLD  # type: ignore[attr-defined]
    record_event(actor=Actor.system("test"), action="audit.verify", reason="Named Person", subject_person_id=9)
    settings.OPENCSC_AUDIT_HMAC_KEY = NEW  # type: ignore[attr-defined]
    settings.OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS = [OLD]  # type: ignore[attr-defined]
    call_command("rotate_audit_key", stdout=io.StringIO())
    record_event(actor=Actor.system("test"), action="audit.verify", reason="Named Person", subject_person_id=9)
    assert scrub_events(Q(subject_person_id=9), cause="test") == 2
    assert set(ScrubbedEvent.objects.values_list("key_index", flat=True)) == {1}
    assert not AuditEvent.objects.filter(subject_person_id=9).exclude(reason="").exists()
    assert _verify() is None
    call_command("verify_audit", stdout=io.StringIO())
