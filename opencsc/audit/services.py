"""Writing audit events. `record_event` is the only way a row reaches the audit table.

Call it inside the transaction of the change it records, so the change and its trail commit or roll
back together. For reads (which have no transaction of their own) it opens one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from opencsc.audit import chain, events
from opencsc.audit.models import AuditEvent, SubjectVersion
from opencsc.core import request_context, server_timing
from opencsc.core.bulk import insert_values

# Any 64-bit constant: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x0A0D17C5A1


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in user, or a named system process (`Actor.system("seed_demo")`)."""

    id: int | None
    name: str
    role: str = ""
    request_id: str = ""
    ip_address: str | None = None

    @classmethod
    def system(cls, process: str) -> Actor:
        # A scheduled job's run id (or the request id, if a view starts a system process), so its
        # audit events share the id of its log lines (core/request_context.py).
        return cls(id=None, name=f"system:{process}", role="system", request_id=request_context.current())

    @classmethod
    def from_user(cls, user: Any, request: HttpRequest | None = None) -> Actor:
        return cls(
            id=user.pk,
            name=user.get_username(),
            role=getattr(user, "role", ""),
            request_id=getattr(request, "request_id", "") if request is not None else "",
            ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
        )

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        return cls.from_user(request.user, request)


def record_event(
    *,
    actor: Actor,
    action: str,
    subject_person_id: int | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    reason: str = "",
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain and return it. `obj` fills object type/id/repr from a model."""
    kind = events.kind_of(action)
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    values: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor.id,
        "actor_repr": actor.name,
        "actor_role": actor.role,
        "action": action,
        "kind": kind.value,
        "outcome": outcome,
        "subject_person_id": subject_person_id,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:200],
        "reason": reason,
        "detail": detail or {},
        "request_id": actor.request_id,
        "ip_address": actor.ip_address,
    }
    # The time spent here (waiting for the chain lock included) is reported per request in the
    # Server-Timing header as "audit" (core.middleware.ServerTimingMiddleware).
    # Inside the caller's transaction, no savepoint of its own: an event that cannot be written
    # fails the change it records (a savepoint would let a caller carry on without its trail).
    with server_timing.span("audit"), transaction.atomic(savepoint=False):
        seq, prev = _chain_head()
        seq += 1
        values["seq"] = seq
        event = AuditEvent.objects.create(**values, prev_hash=prev, hash=chain.row_hash(prev, values))
        _remember_head(seq, event.hash)
        if subject_person_id and kind in CHANGING_KINDS:
            bump_subject_versions([subject_person_id])
        if seq % settings.OPENCSC_AUDIT_ANCHOR_EVERY == 0:
            transaction.on_commit(lambda: chain.write_anchor(seq, event.hash, values["occurred_at"].isoformat()))
    return event


BULK_COLUMNS = (
    "seq", "occurred_at", "actor_id", "actor_repr", "actor_role", "action", "kind", "outcome", "subject_person_id",
    "object_type", "object_id", "object_repr", "reason", "detail", "request_id", "ip_address",
)  # fmt: skip


def record_events_bulk(*, actor: Actor, action: str, rows: list[dict[str, Any]]) -> int:
    """Append many events for one system process (an import, the demo seed) in one transaction,
    chained exactly as `record_event` would chain them one by one. Each row gives the optional
    keys of `record_event` (subject_person_id, object_type, object_id, object_repr, detail)."""
    kind = events.kind_of(action)
    with transaction.atomic():
        seq, prev = _chain_head()
        batch: list[tuple[Any, ...]] = []
        now = timezone.now()
        for row in rows:
            seq += 1
            values: dict[str, Any] = {
                "seq": seq,
                "occurred_at": now,
                "actor_id": actor.id,
                "actor_repr": actor.name,
                "actor_role": actor.role,
                "action": action,
                "kind": kind.value,
                "outcome": "allowed",
                "subject_person_id": row.get("subject_person_id"),
                "object_type": row.get("object_type", ""),
                "object_id": row.get("object_id", ""),
                "object_repr": row.get("object_repr", "")[:200],
                "reason": "",
                "detail": row.get("detail", {}),
                "request_id": actor.request_id,
                "ip_address": actor.ip_address,
            }
            this_hash = chain.row_hash(prev, values)
            batch.append((*(values[c] for c in BULK_COLUMNS), prev, this_hash))
            prev = this_hash
        if batch:
            # COPY on PostgreSQL, without a model instance an event (an import writes a million)
            insert_values(AuditEvent, [*BULK_COLUMNS, "prev_hash", "hash"], batch)
            _remember_head(seq, prev)
        if kind in CHANGING_KINDS:
            bump_subject_versions({int(pk) for row in rows if (pk := row.get("subject_person_id"))})
    return len(batch)


# The kinds of event that say a person's record changed (or who may see it): each bumps the person's
# SubjectVersion in the event's own transaction, so stored digests keyed by it go stale with the record.
CHANGING_KINDS = frozenset(
    {events.Kind.COLLECTION, events.Kind.ALTERATION, events.Kind.COMBINATION, events.Kind.ERASURE, events.Kind.SECURITY}
)


def bump_subject_versions(person_ids: Iterable[int]) -> None:
    """Add one to each person's change counter (creating it at 1), in the caller's transaction."""
    ids = sorted({int(pk) for pk in person_ids})  # a fixed order: concurrent bumps cannot deadlock
    if not ids:
        return
    table = connection.ops.quote_name(SubjectVersion._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter: no statement of 5,000 placeholders
            cursor.execute(
                f"INSERT INTO {table} (person_id, version) SELECT unnest(%s::bigint[]), 1"
                f" ON CONFLICT (person_id) DO UPDATE SET version = {table}.version + 1",
                [ids],
            )
            return
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            # Only placeholders and our own table name are formatted in; the ids are parameters.
            values = ", ".join(["(%s, 1)"] * len(chunk))
            sql = f"INSERT INTO {table} (person_id, version) VALUES {values} "  # noqa: S608
            cursor.execute(sql + f"ON CONFLICT (person_id) DO UPDATE SET version = {table}.version + 1", chunk)


def subject_version(person_id: int) -> int:
    """The person's change counter (0 if nothing was ever written about them)."""
    return SubjectVersion.objects.filter(person_id=person_id).values_list("version", flat=True).first() or 0


def _chain_head() -> tuple[int, str]:
    """The newest event's seq and hash (0 and the genesis hash for an empty trail), with the chain
    locked until the end of the transaction. A transaction that has already appended knows the head
    (it holds the lock, so nobody else can have appended since) and asks the database nothing more:
    three events in one transaction are one lock and one read of the head, not three."""
    known = getattr(connection, _HEAD, None)
    if known is not None and connection.in_atomic_block and _pending(known[0]):
        return known[1], known[2]
    head = _lock_chain_and_read_head()
    return head if head else (0, chain.GENESIS)


# The connection's attribute for (marker, seq, hash) of the last event its open transaction appended.
_HEAD = "_opencsc_audit_head"


class _Marker:
    """A no-op on-commit callback that says the transaction which appended an event is still open.
    Django drops on-commit callbacks when the transaction ends (run at commit, discarded at rollback)
    and when a savepoint they were registered in is rolled back, so while the marker is pending, the
    event it marks is in the database and the chain lock is held."""

    def __call__(self) -> None:
        return None


def _pending(marker: _Marker) -> bool:
    # From the end: the newest marker is at or near it.
    return any(entry[1] is marker for entry in reversed(connection.run_on_commit))


def _remember_head(seq: int, hash_: str) -> None:
    """Mark the head this transaction has just written, if the transaction goes on after this append
    (inside the caller's `atomic`). Only the newest marker is consulted; older ones stay in the list
    (each a no-op at commit) rather than edit Django's list of callbacks under it."""
    if len(connection.atomic_blocks) < 2:  # our own transaction, ending now
        setattr(connection, _HEAD, None)
        return
    marker = _Marker()
    transaction.on_commit(marker)
    setattr(connection, _HEAD, (marker, seq, hash_))


def _lock_chain_and_read_head() -> tuple[int, str] | None:
    """Take the chain's lock for this transaction, then read the head (seq, hash) it appends to.

    On PostgreSQL both go in one round trip: two statements in one simple query, which PostgreSQL
    runs one after the other, each with a snapshot of its own taken when it starts. The head is
    therefore read only once the lock is held, and sees every event committed by the transaction
    that held it before (a single statement would not: its snapshot would predate the wait).
    `test_chain.py` appends from several connections at once to check it. SQLite runs IMMEDIATE
    transactions (settings), which already serialise writers."""
    if connection.vendor != "postgresql":
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        return (head[0], head[1]) if head else None
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        # No parameters (the lock id is our constant), so psycopg sends both statements as one query.
        cursor.execute(
            f"SELECT pg_advisory_xact_lock({int(_CHAIN_LOCK)}); "  # noqa: S608 (constants only)
            f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"
        )
        cursor.nextset()
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def anchor_now() -> tuple[int, str] | None:
    """Publish the current head as an anchor (run by `manage.py anchor_audit` on a schedule)."""
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    if head is None:
        return None
    chain.write_anchor(head["seq"], head["hash"], timezone.now().isoformat())
    return head["seq"], head["hash"]
