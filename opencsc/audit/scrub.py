"""Scrubbing audit events to ids only, for disposal (ADR 0030).

An event about a disposed person is kept (who did what, when, to which record id) but its free
content goes: `object_repr` and `reason` are emptied, and `detail` keeps only numbers, booleans and
nulls (ids and counts), with the names of the keys it dropped. Before a row is changed its hash is
checked against its original contents, so a tampered row is never laundered by a witness; then a
witness (`chain.witness`) is written and the row updated, which the database allows only for a
witnessed row (migration 0004). Called inside the disposal's transaction, so a killed disposal
scrubs nothing.
"""

from __future__ import annotations

import bisect
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent, ScrubbedEvent

SCRUBBED_FIELDS = ("object_repr", "reason", "detail")


class ScrubError(Exception):
    """An event could not be scrubbed (its hash did not match: the chain was tampered with)."""


def scrubbed_values(row: dict[str, Any]) -> dict[str, Any]:
    detail = row.get("detail") or {}
    kept: dict[str, Any] = {
        k: v for k, v in detail.items() if v is None or (isinstance(v, int | float | bool) and k != "scrubbed")
    }
    dropped = sorted(k for k in detail if k not in kept)
    if dropped:
        kept["scrubbed"] = dropped
    return {**row, "object_repr": "", "reason": "", "detail": kept}


def _segment_of(rotations: list[int], seq: int) -> int:
    """The key segment a row belongs to: how many key rotations came at or before it."""
    return bisect.bisect_right(rotations, seq)


def scrub_events(where: Q, *, cause: str, batch: int = 500) -> int:
    """Scrub every not yet scrubbed event matching `where`; return how many were scrubbed."""
    keys = chain.segment_keys()
    current = len(keys) - 1
    rotations = list(
        AuditEvent.objects.filter(action=chain.ROTATION_ACTION).order_by("seq").values_list("seq", flat=True)
    )
    fields = (*chain.CHAINED_FIELDS, "prev_hash", "hash")
    rows = (
        AuditEvent.objects.filter(where)
        .exclude(seq__in=ScrubbedEvent.objects.values("seq"))
        .order_by("seq")
        .values(*fields)
    )
    now, count = timezone.now(), 0
    with transaction.atomic():
        witnesses: list[ScrubbedEvent] = []
        changed: list[AuditEvent] = []
        for row in list(rows):  # read first: the loop writes to the same tables
            row["occurred_at"] = row["occurred_at"].isoformat()
            segment = _segment_of(rotations, row["seq"])
            if segment >= len(keys) or chain.row_hash(row["prev_hash"], row, keys[segment]) != row["hash"]:
                raise ScrubError(f"audit event {row['seq']} does not match its hash: run verify_audit")
            new = scrubbed_values(row)
            if new == row:
                continue
            mark = chain.witness(row["prev_hash"], row["hash"], new, keys[current])
            witnesses.append(
                ScrubbedEvent(seq=row["seq"], witness=mark, key_index=current, scrubbed_at=now, cause=cause[:64])
            )
            changed.append(AuditEvent(seq=row["seq"], **{f: new[f] for f in SCRUBBED_FIELDS}))
            if len(changed) >= batch:
                count += _write(witnesses, changed)
        count += _write(witnesses, changed)
    return count


def _write(witnesses: list[ScrubbedEvent], changed: list[AuditEvent]) -> int:
    """The witnesses first (the database allows the update only for a witnessed row), then the rows."""
    if not changed:
        return 0
    ScrubbedEvent.objects.bulk_create(witnesses)
    ids = dict(AuditEvent.objects.filter(seq__in=[e.seq for e in changed]).values_list("seq", "pk"))
    for event in changed:
        event.pk = ids[event.seq]
    AuditEvent.objects.bulk_update(changed, list(SCRUBBED_FIELDS))
    done = len(changed)
    witnesses.clear()
    changed.clear()
    return done
