"""The audit trail: one append-only table, hash-chained with a key that is not in the database.

Rows keep the subject person's id and the actor's id as plain columns (no foreign keys), so the trail
outlives the records and users it describes and nothing cascades it away. UPDATE and DELETE are refused
by database triggers (migration 0002); tampering that bypasses them is found by `verify_audit`.
"""

from __future__ import annotations

from django.db import models

from opencsc.audit.events import Kind


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1 with no gaps")
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_repr = models.CharField(max_length=150, help_text="Username, or system:<process> for non-human writes")
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    outcome = models.CharField(max_length=16, default="allowed")
    subject_person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True, help_text="Why, for sensitive access (break-glass, IG work)")
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["subject_person_id", "-seq"], name="audit_by_subject"),
            models.Index(fields=["actor_id", "-seq"], name="audit_by_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_repr} {self.action}"


class DatabaseIdentity(models.Model):
    """Which database this is, so the audit anchors published off-host belong to one database and
    `verify_audit` checks a database only against its own (issue 10: a fresh database in a used
    checkout failed against another database's anchors). One row, made by migration 0003 (or on first
    use); a database restored from a backup keeps it, as it keeps the chain the anchors describe.

    `first_seq` is the chain's head when the identity was made: anything above 0 means events existed
    before this database had an identity, and `verify_audit` says so (anchors for them are not linked)."""

    uuid = models.UUIDField(unique=True)
    created_at = models.DateTimeField()
    first_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.uuid)


class ScrubbedEvent(models.Model):
    """A witness that one audit event's content was scrubbed on purpose (a disposal, ADR 0030).

    Disposal keeps every event about a person but with ids only: `object_repr`, `reason` and the
    non-numeric values of `detail` are replaced. The event's `hash` (and so the chain and its
    anchors) is unchanged, but it can no longer be recomputed from the row. The witness takes its
    place: HMAC(key, "scrubbed" || prev_hash || hash || canonical JSON of the scrubbed row), made
    only after the original row was checked against its hash. Without the key nobody can write a
    witness, so `verify_audit` still finds any other edit. The database allows an UPDATE of an audit
    row only where a witness for its seq exists and seq, hashes and ids are unchanged (migration
    0004); this table itself is append-only."""

    seq = models.BigIntegerField(unique=True, help_text="The scrubbed event's position in the chain")
    witness = models.CharField(max_length=64)
    key_index = models.PositiveSmallIntegerField(help_text="Which chain key made the witness (0 = oldest)")
    scrubbed_at = models.DateTimeField()
    cause = models.CharField(max_length=64, help_text="What scrubbed it, for example a disposal certificate")

    def __str__(self) -> str:
        return f"scrubbed #{self.seq}"


class SubjectVersion(models.Model):
    """How many times the record of one person has changed: bumped in the same transaction as every
    audit event that writes about them (collection, alteration, combination, erasure, security), so a
    value stored beside it (a stored digest, `people.PersonDigest`) is stale exactly when the record
    changed. A plain id column like the trail's own `subject_person_id` (no foreign key)."""

    person_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"person {self.person_id} v{self.version}"
