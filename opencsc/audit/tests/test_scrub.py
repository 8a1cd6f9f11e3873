"""Scrubbing events to ids only (disposal, ADR 0030): the chain still verifies, the database still
refuses any other edit, and a scrubbed row edited afterwards (or a forged witness) is detected."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Q

from opencsc.audit import chain
from opencsc.audit.guard import append_only_guard_lifted
from opencsc.audit.models import AuditEvent, ScrubbedEvent
from opencsc.audit.scrub import ScrubError, scrub_events
from opencsc.audit.services import Actor, record_event

pytestmark = pytest.mark.django_db
ACTOR = Actor(id=1, name="sw", role="social_worker")


@pytest.fixture
def trail(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    settings.OPENCSC_AUDIT_ANCHOR_EVERY = 3
    for n in range(1, 8):
        with django_capture_on_commit_callbacks(execute=True):
            record_event(
                actor=ACTOR,
                action="person.view",
                subject_person_id=n % 2,
                object_repr=f"Alexandra Scrubtest {n}",
                reason="Worried about Alexandra",
                detail={"n": n, "name": "Alexandra Scrubtest", "ok": True},
            )


def _verify() -> chain.Break | None:
    return chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), chain.read_anchors())


def test_scrubbed_events_keep_ids_only_and_the_chain_verifies(trail):
    assert scrub_events(Q(subject_person_id=1), cause="test") == 4
    scrubbed = AuditEvent.objects.filter(subject_person_id=1)
    assert all(e.object_repr == "" and e.reason == "" for e in scrubbed)
    assert all(e.detail == {"n": e.detail["n"], "ok": True, "scrubbed": ["name"]} for e in scrubbed)
    assert "Scrubtest" in AuditEvent.objects.get(seq=2).object_repr  # the others are untouched
    assert _verify() is None
    assert scrub_events(Q(subject_person_id=1), cause="again") == 0  # idempotent


def test_the_database_still_refuses_an_unwitnessed_edit_or_a_change_of_ids(trail):
    scrub_events(Q(seq=1), cause="test")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(object_repr="changed")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(subject_person_id=99)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ScrubbedEvent.objects.filter(seq=1).delete()


def test_a_scrubbed_row_edited_afterwards_is_detected(trail):
    scrub_events(Q(seq=1), cause="test")
    AuditEvent.objects.filter(seq=1).update(actor_repr="someone-else")  # allowed by the trigger...
    broken = _verify()
    assert broken is not None and broken.seq == 1 and "witness" in broken.problem  # ...but found


def test_a_forged_witness_is_detected(trail):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_scrubbedevent (seq, witness, key_index, scrubbed_at, cause) VALUES (%s, %s, 0, %s, 'x')",
            [2, "0" * 64, "2026-01-01T00:00:00+00:00"],
        )
    AuditEvent.objects.filter(seq=2).update(object_repr="")
    broken = _verify()
    assert broken is not None and broken.seq == 2


def test_a_tampered_row_is_not_laundered_by_scrubbing(trail):
    with append_only_guard_lifted(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_repr = 'forger' WHERE seq = 3")
    with pytest.raises(ScrubError, match="does not match its hash"):
        scrub_events(Q(seq=3), cause="test")
