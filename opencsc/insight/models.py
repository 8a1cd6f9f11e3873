"""Stored indicator figures: one `ComputeRun` per run of `compute_indicators`, holding a
`Snapshot` per indicator, month and level (the borough, each team, each worker). Pages read the
latest finished run, so they never recompute and never show a half-written run.

No row here is about a child: figures are counts; team and worker are workforce data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


@personal_data(
    id=NP,
    started_at=NP,
    finished_at=NP,
    as_of=NP,
    months=NP,
    status=NP,
    actor_repr=NP,
    seconds=NP,
    message=NP,
)
class ComputeRun(models.Model):
    """One computation of every indicator for `months` months up to `as_of`."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    months = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    actor_repr = models.CharField(max_length=150)
    seconds = models.FloatField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Indicators to {self.as_of:%d %b %Y} ({self.get_status_display()})"


class Level(models.TextChoices):
    BOROUGH = "borough", "The borough"
    TEAM = "team", "Team"
    WORKER = "worker", "Worker"


@personal_data(
    id=NP,
    run=NP,
    indicator=NP,
    month=NP,
    level=NP,
    team=NP,
    worker=NP,
    numerator=NP,
    denominator=NP,
)
class Snapshot(models.Model):
    """One figure: an indicator for a month at one level. A team row with no team holds the cases of
    children no team held; a worker row with no worker, those held by a team with no named worker."""

    run = models.ForeignKey(ComputeRun, on_delete=models.CASCADE, related_name="snapshots")
    indicator = models.CharField(max_length=64)
    month = models.DateField(help_text="The first day of the month")
    level = models.CharField(max_length=8, choices=Level.choices)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()

    class Meta:
        ordering = ["indicator", "month", "level", "pk"]
        indexes = [models.Index(fields=["run", "indicator", "level", "month"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%b %Y} {self.level}: {self.numerator}/{self.denominator}"
