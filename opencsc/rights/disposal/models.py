"""Disposal batches: what the retention rules say is due, prepared by one information governance
officer, approved by another, then carried out; each item is one person. Ids, rules and dates only
(no names, no content): the batch and its items are the disposal certificate, kept after the
people they describe are gone. Imported by `rights.models`, so they belong to the rights app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class BatchStatus(models.TextChoices):
    PREPARED = "prepared", "Waiting for approval"
    APPROVED = "approved", "Approved, not yet carried out"
    CARRIED_OUT = "carried_out", "Carried out"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", "Not yet carried out"
    DISPOSED = "disposed", "Disposed of"
    REFUSED = "refused", "Kept (disposal refused)"


LINKED_ADULT = "linked-adult"
LINKED_ADULT_NAME = "Adult held only because of a child whose record is disposed of (follows the child's rule)"


@personal_data(
    id=NP,
    reference=NP,
    status=NP,
    due_as_of=NP,
    prepared_by=NP,
    prepared_at=NP,
    approved_by=NP,
    approved_at=NP,
    carried_out_by=NP,
    carried_out_at=NP,
)
class DisposalBatch(models.Model):
    """A set of records due for disposal. Four eyes: `approved_by` is never `prepared_by` (a
    database constraint as well as the service's rule)."""

    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default=BatchStatus.PREPARED)
    due_as_of = models.DateField(help_text="The day the retention rules were applied for")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(approved_by=models.F("prepared_by")), name="disposal_four_eyes")
        ]

    def __str__(self) -> str:
        return f"Disposal batch {self.reference}"


@personal_data(
    id=NP,
    batch=NP,
    person_id=NP,
    rule=NP,
    rule_name=NP,
    trigger_date=NP,
    due_on=NP,
    linked_to=NP,
    outcome=NP,
    refused_reason=NP,
    disposed_at=NP,
    categories=NP,
    rows_removed=NP,
    events_scrubbed=NP,
)
class DisposalItem(models.Model):
    """One person in a batch, with the rule that made their record due. After disposal: when, the
    data categories removed, how many rows per table, and how many audit events were scrubbed to
    ids only. `person_id` is a plain column: it outlives the record, as the audit log's does."""

    batch = models.ForeignKey(DisposalBatch, on_delete=models.PROTECT, related_name="items")
    person_id = models.BigIntegerField(db_index=True)
    rule = models.CharField(max_length=50, help_text="The register code of the rule that made it due")
    rule_name = models.CharField(max_length=200)
    trigger_date = models.DateField()
    due_on = models.DateField()
    linked_to = models.JSONField(default=list, blank=True, help_text="For a linked adult: the children's ids")
    outcome = models.CharField(max_length=16, choices=ItemOutcome.choices, default=ItemOutcome.PENDING)
    refused_reason = models.CharField(max_length=300, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    rows_removed = models.JSONField(default=dict, blank=True)
    events_scrubbed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["batch", "person_id"]
        constraints = [models.UniqueConstraint(fields=["batch", "person_id"], name="one_item_per_person_per_batch")]

    def __str__(self) -> str:
        return f"person {self.person_id} in {self.batch.reference}"
