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


class PictureStatus(models.TextChoices):
    RUNNING = "running", "Computing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class HealthNeedsPicture(models.Model):
    """A stored computation of the health-needs picture on a day, so the analysts' page does not
    recount the borough on every request: the suppressed tables exactly as the page shows them (the
    same as a release would hold before the differencing guard), never an unsuppressed count.

    Written by `standard_data.services.health_needs_compute` (the nightly `compute_health_needs` job,
    the command, or the page's "Recompute now"), which records its progress here as it goes."""

    as_of = models.DateField()
    status = models.CharField(max_length=8, choices=PictureStatus.choices, default=PictureStatus.RUNNING)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    children = models.PositiveIntegerField(null=True, blank=True)
    tables = models.JSONField(default=list, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    actor_repr = models.CharField(max_length=150)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["as_of", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"Health-needs picture on {self.as_of:%d %b %Y} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
