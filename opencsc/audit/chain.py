"""The HMAC chain: how a row's hash is computed, and how the whole trail is checked.

hash(n) = HMAC-SHA256(key, hash(n-1) || canonical JSON of row n). Without the key (settings, never the
database) nobody can recompute a consistent chain after editing, deleting, inserting or re-ordering
rows. Anchors — (seq, hash) pairs appended to a file the application only ever appends to, and which
production ships off-host — also catch a rewrite of the whole chain and truncation back past an anchor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_repr",
    "actor_role",
    "action",
    "kind",
    "outcome",
    "subject_person_id",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "detail",
    "request_id",
    "ip_address",
)


# The first row of a new chain segment: written under the new key by `manage.py rotate_audit_key`.
ROTATION_ACTION = "audit.key_rotated"


def _key() -> bytes:
    return base64.b64decode(str(settings.OPENCSC_AUDIT_HMAC_KEY))


def segment_keys() -> list[bytes]:
    """The keys of the chain's segments, oldest first: OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS (kept for
    verification only), then the current key, which hashes every new row."""
    previous = getattr(settings, "OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS", None) or []
    return [*(base64.b64decode(key) for key in previous), _key()]


def canonical(values: dict[str, Any]) -> bytes:
    payload = {name: values.get(name) for name in CHAINED_FIELDS}
    occurred = payload["occurred_at"]
    if occurred is not None and not isinstance(occurred, str):
        payload["occurred_at"] = occurred.isoformat()
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_hash(prev_hash: str, values: dict[str, Any], key: bytes | None = None) -> str:
    return hmac.new(key or _key(), prev_hash.encode() + canonical(values), hashlib.sha256).hexdigest()


def witness(prev_hash: str, this_hash: str, values: dict[str, Any], key: bytes) -> str:
    """The witness of a scrubbed row (ADR 0030, `audit.ScrubbedEvent`): binds the row's new
    contents to its place in the chain (its prev_hash and its unchanged hash), under the chain key."""
    message = b"scrubbed" + prev_hash.encode() + this_hash.encode() + canonical(values)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def load_witnesses() -> dict[int, tuple[str, int]]:
    """seq -> (witness, key index) of every scrubbed audit event."""
    from opencsc.audit.models import ScrubbedEvent

    return {seq: (w, k) for seq, w, k in ScrubbedEvent.objects.values_list("seq", "witness", "key_index")}


def _content_ok(row: dict[str, Any], prev: str, key: bytes, keys: list[bytes], seen: tuple[str, int] | None) -> bool:
    if seen is None:
        return hmac.compare_digest(row["hash"], row_hash(prev, row, key))
    mark, index = seen
    if index >= len(keys):
        return False
    return hmac.compare_digest(mark, witness(prev, row["hash"], row, keys[index]))


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.problem}"


def verify_rows(
    rows: Iterable[dict[str, Any]],
    anchors: dict[int, str] | None = None,
    witnesses: dict[int, tuple[str, int]] | None = None,
) -> Break | None:
    """Walk rows in seq order; return the first broken link, or None when the chain is intact.

    The chain may be in segments, one per HMAC key: each `audit.key_rotated` row starts the next
    segment and is itself hashed with the next key (`segment_keys()`), so rewriting an older segment,
    even with its old key, breaks the link into the next one, whose key it does not have.

    A row scrubbed at disposal (ADR 0030) is checked against its witness instead of its hash
    (`witnesses`, read from `audit.ScrubbedEvent` when not given); its hash still links the chain."""
    anchors = anchors or {}
    witnesses = load_witnesses() if witnesses is None else witnesses
    keys = segment_keys()
    segment = 0
    expected_seq, prev = 1, GENESIS
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return Break(
                expected_seq, f"expected seq {expected_seq} but found {seq} (rows deleted, inserted or re-ordered)"
            )
        if row["prev_hash"] != prev:
            return Break(seq, "prev_hash does not match the previous row's hash (rows deleted or re-ordered)")
        if row.get("action") == ROTATION_ACTION:
            segment += 1
            if segment >= len(keys):
                return Break(seq, "a new key segment starts here, but this installation does not have its key")
        if not _content_ok(row, prev, keys[segment], keys, witnesses.get(seq)):
            if seq in witnesses:
                return Break(seq, "the scrubbed row does not match its witness (edited after scrubbing, or forged)")
            return Break(seq, "hash does not match the row's contents (the row was edited or forged)")
        if seq in anchors and not hmac.compare_digest(anchors[seq], row["hash"]):
            return Break(seq, "hash differs from the anchor published for this seq (the chain was rewritten)")
        prev, expected_seq = row["hash"], seq + 1
    last_anchor = max(anchors, default=0)
    if last_anchor >= expected_seq:
        return Break(expected_seq, f"the log ends before anchored seq {last_anchor} (rows were truncated)")
    return None


def database_identity() -> Any:
    """This database's identity (`audit.DatabaseIdentity`), made on first use if the migration's row
    is missing (a test database flushed between tests)."""
    import uuid

    from django.utils import timezone

    from opencsc.audit.models import AuditEvent, DatabaseIdentity

    identity = DatabaseIdentity.objects.order_by("pk").first()
    if identity is None:
        head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        identity = DatabaseIdentity.objects.create(uuid=uuid.uuid4(), created_at=timezone.now(), first_seq=head)
    return identity


def legacy_anchor_path() -> Path:
    """The one-per-checkout file anchors went to before they were kept per database."""
    return Path(str(settings.OPENCSC_AUDIT_ANCHOR_FILE))


def anchor_path() -> Path:
    """This database's anchors file: OPENCSC_AUDIT_ANCHOR_FILE with the database's identity in its
    name (`var/audit-anchors.log` -> `var/audit-anchors.<uuid>.log`), so every database a checkout
    points at has its own, and a fresh database is never checked against another's anchors."""
    return _path_for(database_identity())


def _path_for(identity: Any) -> Path:
    base = legacy_anchor_path()
    return base.with_name(f"{base.stem}.{identity.uuid}{base.suffix or '.log'}")


def write_anchor(seq: int, head: str, at: str) -> None:
    identity = database_identity()
    path = _path_for(identity)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:  # the identity on each line too: files can be merged
        fh.write(f"{seq} {head} {at} {identity.uuid}\n")


def read_anchors(path: Path | None = None) -> dict[int, str]:
    """Anchors from this database's file (or `path`). A line naming another database is skipped:
    a file copied or concatenated by hand still checks this database only against its own."""
    path = path or anchor_path()
    if not path.exists():
        return {}
    own = str(database_identity().uuid) if path == anchor_path() else None
    anchors: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            if own is not None and len(parts) >= 4 and parts[3] != own:
                continue
            anchors[int(parts[0])] = parts[1]
    return anchors


def iter_rows(queryset: Any, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Rows as dicts in seq order, fetched in keyset-paginated batches (bounded memory)."""
    last = 0
    fields = (*CHAINED_FIELDS, "prev_hash", "hash")
    while True:
        chunk = list(queryset.filter(seq__gt=last).order_by("seq").values(*fields)[:batch])
        if not chunk:
            return
        for row in chunk:
            occurred = row["occurred_at"]
            row["occurred_at"] = occurred.isoformat() if occurred is not None else None
            yield row
        last = chunk[-1]["seq"]
