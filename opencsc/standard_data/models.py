"""What the standard-data app keeps: a row for every release of the health-needs picture.

The released tables are counts after suppression (no person-level row, no count a child could be
picked out from), so they are kept here whole: an auditor can see exactly what the NHS body was sent
and check the file against `digest`. Nothing here points at a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class HealthNeedsRelease(models.Model):
    """One release of the health-needs picture to a named NHS body under its sharing agreement.

    Written only by `standard_data.services.health_needs_release`, with its `health_needs.release`
    audit event, and never changed afterwards."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="health_needs_releases")
    agreement = models.ForeignKey(
        "sharing.SharingAgreement", on_delete=models.PROTECT, related_name="health_needs_releases"
    )
    as_of = models.DateField(help_text="The day the cohorts were counted on")
    threshold = models.PositiveSmallIntegerField(help_text="Counts below this were suppressed")
    children = models.PositiveIntegerField(help_text="Children counted (before suppression)")
    tables = models.JSONField(help_text="The tables as released: shown counts, with null for a suppressed one")
    file_name = models.CharField(max_length=200)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file released")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=150)
    released_at = models.DateTimeField(default=timezone.now)
    audit_seq = models.BigIntegerField(null=True, blank=True)
    compared_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        help_text="Earlier releases in the differencing window this one was checked against",
    )
    differencing_hidden = models.PositiveIntegerField(
        default=0, help_text="Counts hidden because of the earlier releases (on top of those hidden on their own)"
    )

    class Meta:
        ordering = ["-released_at", "-pk"]

    def __str__(self) -> str:
        return f"Health-needs picture {self.reference} to {self.agency}"

    @property
    def reference(self) -> str:
        return f"HN-{self.pk:05d}" if self.pk else ""
