"""The audit trail is append-only and any rewrite of history is detected."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from opencsc.audit import chain
from opencsc.audit.guard import append_only_guard_lifted
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, anchor_now, record_event

pytestmark = pytest.mark.django_db

ACTOR = Actor(id=1, name="sw", role="social_worker")


@pytest.fixture
def trail(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    settings.OPENCSC_AUDIT_ANCHOR_EVERY = 5
    events = []
    for n in range(1, 13):
        with django_capture_on_commit_callbacks(execute=True):
            events.append(record_event(actor=ACTOR, action="person.view", subject_person_id=n, detail={"n": n}))
    return events


def _verify() -> chain.Break | None:
    return chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), chain.read_anchors())


def _raw(sql: str, params: list) -> None:
    with append_only_guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_untouched_trail_verifies(trail):
    assert _verify() is None
    assert sorted(chain.read_anchors()) == [5, 10]


def test_rows_are_chained_in_order(trail):
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, 13))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))


def _head_reads(queries) -> int:
    return sum('FROM "audit_auditevent"' in q["sql"] and "ORDER BY" in q["sql"] for q in queries.captured_queries)


def test_events_of_one_transaction_read_the_head_once_and_chain_in_order():
    """Several events in one transaction (an API call and what it records) lock the chain and read
    its head once; each later event chains on the one before it, as one by one."""
    from django.test.utils import CaptureQueriesContext

    before = record_event(actor=ACTOR, action="person.view", subject_person_id=1)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        events = [record_event(actor=ACTOR, action="person.view", subject_person_id=n) for n in (2, 3, 4)]
    assert [e.seq for e in events] == [before.seq + 1, before.seq + 2, before.seq + 3]
    assert [e.prev_hash for e in events] == [before.hash, events[0].hash, events[1].hash]
    assert _head_reads(queries) <= 1  # none inside the test's own transaction, once in a request's
    assert _verify() is None


def test_an_event_rolled_back_with_its_savepoint_is_not_chained_on():
    """The head a transaction remembers goes with a savepoint rolled back: the next event chains on
    the last event still there, not on the one that was undone."""
    kept = record_event(actor=ACTOR, action="person.view", subject_person_id=1)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            record_event(actor=ACTOR, action="person.view", subject_person_id=2)
            raise RuntimeError("the change failed")
        after = record_event(actor=ACTOR, action="person.view", subject_person_id=3)
    assert after.seq == kept.seq + 1 and after.prev_hash == kept.hash
    assert list(AuditEvent.objects.order_by("seq").values_list("subject_person_id", flat=True)) == [1, 3]
    assert _verify() is None


def test_update_and_delete_are_refused_by_the_database(trail):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=3).update(actor_repr="someone-else")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=3).delete()


def test_edited_row_is_detected(trail):
    _raw("UPDATE audit_auditevent SET actor_repr = %s WHERE seq = 4", ["alibi"])
    assert _verify() == chain.Break(4, "hash does not match the row's contents (the row was edited or forged)")


def test_edited_row_with_recomputed_unkeyed_hash_is_detected(trail):
    import hashlib

    _raw(
        "UPDATE audit_auditevent SET subject_person_id = 99, hash = %s WHERE seq = 6",
        [hashlib.sha256(b"forged").hexdigest()],
    )
    broken = _verify()
    assert broken is not None and broken.seq == 6


def test_deleted_row_is_detected(trail):
    _raw("DELETE FROM audit_auditevent WHERE seq = 7", [])
    broken = _verify()
    assert broken is not None and broken.seq == 7


def test_inserted_row_is_detected(trail):
    _raw("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq > 8", [])
    row = AuditEvent.objects.get(seq=8)
    _raw(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_id, actor_repr, actor_role, action, kind, outcome, "
        "subject_person_id, object_type, object_id, object_repr, reason, detail, request_id, prev_hash, hash) "
        "VALUES (9, %s, 1, 'sw', '', 'person.view', 'consultation', 'allowed', 1, '', '', '', '', '{}', '', %s, %s)",
        [row.occurred_at, row.hash, "f" * 64],
    )
    broken = _verify()
    assert broken is not None and broken.seq == 9


def test_reordered_rows_are_detected(trail):
    _raw("UPDATE audit_auditevent SET seq = -1 WHERE seq = 2", [])
    _raw("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3", [])
    _raw("UPDATE audit_auditevent SET seq = 3 WHERE seq = -1", [])
    broken = _verify()
    assert broken is not None and broken.seq == 2


def test_truncation_past_an_anchor_is_detected(trail):
    _raw("DELETE FROM audit_auditevent WHERE seq > 8", [])
    assert _verify() == chain.Break(9, "the log ends before anchored seq 10 (rows were truncated)")


def test_whole_chain_rewritten_with_the_key_is_caught_by_anchors(trail):
    """Someone with the HMAC key who rewrites history still cannot change the published anchors."""
    rows = list(chain.iter_rows(AuditEvent.objects.all()))
    rows[1]["actor_repr"] = "alibi"
    prev = chain.GENESIS
    for row in rows:
        row["prev_hash"], row["hash"] = prev, chain.row_hash(prev, row)
        prev = row["hash"]
    broken = chain.verify_rows(iter(rows), chain.read_anchors())
    assert broken is not None and broken.seq == 5


def test_verify_command_reports_first_broken_link(trail):
    call_command("verify_audit")
    _raw("UPDATE audit_auditevent SET reason = %s WHERE seq = 5", ["changed"])
    with pytest.raises(CommandError, match="BROKEN at seq 5"):
        call_command("verify_audit")


def test_anchor_command_publishes_the_head(trail):
    seq, head = anchor_now()
    assert chain.read_anchors()[seq] == head == AuditEvent.objects.get(seq=12).hash


def test_unregistered_event_name_is_refused(db):
    with pytest.raises(ValueError, match="Unregistered audit event"):
        record_event(actor=ACTOR, action="person.peek")


def test_audit_rows_survive_the_person(child):
    record_event(actor=ACTOR, action="person.view", subject_person_id=child.pk)
    pk = child.pk
    child.delete()
    assert AuditEvent.objects.filter(subject_person_id=pk).count() == 1


def test_event_rolls_back_with_the_change(child):
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(actor=ACTOR, action="person.update", subject_person_id=child.pk)
        raise IntegrityError("the change failed")
    assert AuditEvent.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers itself")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_appends_from_many_connections_at_once_keep_one_unbroken_chain(settings, tmp_path):
    """Each append takes the chain's lock and reads the head in one round trip (`services`): the head
    must be read after the lock is held, or two writers would chain to the same row."""
    import threading

    from django.db import connections

    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def append(writer: int) -> None:
        try:
            start.wait()
            for n in range(15):
                record_event(actor=ACTOR, action="person.view", subject_person_id=writer * 100 + n)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 61))
    assert _verify() is None
