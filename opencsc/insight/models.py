"""Stored indicator figures: one `ComputeRun` per run of `compute_indicators`, holding a
`Snapshot` per indicator, month and level (the borough, each team, each worker). Pages read the
latest finished run, so they never recompute and never show a half-written run.

Runs and snapshots hold no row about a child: figures are counts; team and worker are workforce
data. The outcome models (`PlanGoal`, `GoalRating`) are about a child and are personal data, written
only by `insight.services` with the access check and audit event of any casework write."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord
from opencsc.core.categories import DataCategory as C
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


# --- outcomes: goals agreed in plans, and scaled ratings of them over time -----------------------------


class PlanType(models.TextChoices):
    FAMILY_HELP = "family_help", "Family help or early help plan"
    CIN = "cin", "Child in need plan"
    CP = "cp", "Child protection plan"
    CARE = "care", "Care plan (looked after)"
    PATHWAY = "pathway", "Pathway plan (care leaver)"


class Rater(models.TextChoices):
    WORKER = "worker", "The worker"
    CHILD = "child", "The child or young person"
    PARENT = "parent", "A parent or carer"


class Occasion(models.TextChoices):
    VISIT = "visit", "A visit"
    REVIEW = "review", "A review or conference"
    OTHER = "other", "Another meeting"


@personal_data(**BASE_TAGS, plan_type=C.REFERRAL, agreed_on=C.REFERRAL, goal=C.REFERRAL, ended_on=C.REFERRAL)
class PlanGoal(CaseworkRecord):
    """A goal agreed with the child and family in a plan, in the words agreed ("Jo gets to school
    every day"). Rated over time by `GoalRating`s."""

    plan_type = models.CharField(max_length=16, choices=PlanType.choices)
    agreed_on = models.DateField("Date the goal was agreed")
    goal = models.CharField(max_length=300, help_text="The goal, in the words agreed with the family")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agreed_on", "pk"]

    def __str__(self) -> str:
        return f"Goal {self.pk} agreed {self.agreed_on:%d %b %Y}"


@personal_data(
    **BASE_TAGS, goal=NP, rated_on=C.REFERRAL, occasion=C.REFERRAL, rater=C.REFERRAL, score=C.REFERRAL, words=C.REFERRAL
)
class GoalRating(CaseworkRecord):
    """A scaled rating of a goal, 0 (not at all) to 10 (fully achieved), by the worker, the child or
    a parent, at a visit or review. The child's and parent's ratings and words are their own: recorded
    as they gave them, never averaged with the worker's."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField()
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    rater = models.CharField("Whose rating", max_length=8, choices=Rater.choices)
    score = models.PositiveSmallIntegerField(help_text="0 (not at all) to 10 (fully achieved)")
    words = models.TextField("In their words", blank=True)

    class Meta:
        ordering = ["rated_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=10), name="goal_rating_0_to_10")]

    def __str__(self) -> str:
        return f"Rating {self.score}/10 on {self.rated_on:%d %b %Y}"
