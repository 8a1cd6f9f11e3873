"""manage.py rotate_audit_key: start a new segment of the audit chain under a new HMAC key.

Before: put the new key in OPENCSC_AUDIT_HMAC_KEY and the old one (after any earlier ones) in
OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS, with the service stopped so nothing is appended meanwhile. The
command checks the whole chain with the keys it has, writes the `audit.key_rotated` event (the first
row under the new key) and publishes an anchor. Then start the service: new events use the new key,
and `verify_audit` switches key at the rotation row. Keep the old keys for verification only."""

from __future__ import annotations

import hmac
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, anchor_now, record_event


class Command(BaseCommand):
    help = "Start a new audit chain segment under the key now in OPENCSC_AUDIT_HMAC_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        keys = chain.segment_keys()
        fields = (*chain.CHAINED_FIELDS, "prev_hash", "hash")
        head = AuditEvent.objects.order_by("-seq").values(*fields).first()
        if head is None:
            raise CommandError("The audit trail is empty: there is nothing to rotate away from.")
        row = dict(head)
        row["occurred_at"] = row["occurred_at"].isoformat()
        if len(keys) < 2 or not hmac.compare_digest(chain.row_hash(row["prev_hash"], row, keys[-2]), row["hash"]):
            raise CommandError(
                "The newest event is not under the last of OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS: put the old key "
                "there and the new one in OPENCSC_AUDIT_HMAC_KEY (or the key was already rotated)."
            )
        broken = chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), chain.read_anchors())
        if broken is not None:
            raise CommandError(f"Audit chain BROKEN at {broken}: investigate before rotating the key.")
        event = record_event(
            actor=Actor.system("rotate_audit_key"),
            action=chain.ROTATION_ACTION,
            detail={"segment": len(keys) - 1, "previous_head_seq": row["seq"]},
        )
        anchor_now()
        self.stdout.write(f"New audit chain segment {len(keys) - 1} starts at seq {event.seq}; anchored.")
