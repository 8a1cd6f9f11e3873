"""The referral episode (the CIN census `CINdetails`), assessments and child in need plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord, ReasonForClosure
from opencsc.core import codelists
from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class EpisodeQuerySet(models.QuerySet["ReferralEpisode"]):
    def open(self) -> EpisodeQuerySet:
        return self.filter(closure_date__isnull=True)


@personal_data(
    **BASE_TAGS,
    contact=NP,
    referral_date=C.REFERRAL,
    source=C.REFERRAL,
    primary_need=C.REFERRAL,
    referral_nfa=C.REFERRAL,
    closure_date=C.REFERRAL,
    closure_reason=C.REFERRAL,
)
class ReferralEpisode(CaseworkRecord):
    """One episode of need, from referral to closure: the hub every later step hangs from.

    At most one open episode per child (CIN 8815, enforced by a partial unique constraint as well
    as at entry); closure date and reason come together (8805/8810)."""

    contact = models.OneToOneField(
        "casework.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )
    referral_date = models.DateField()
    source = models.CharField(max_length=3, choices=codelists.choices("cin_referral_source"))
    primary_need = models.CharField(max_length=2, choices=codelists.choices("cin_primary_need"), blank=True)
    referral_nfa = models.BooleanField("No further action at referral", default=False)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ReasonForClosure.choices, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-referral_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(closure_date__isnull=True), name="one_open_episode_per_child"
            ),
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True, closure_reason="")
                | (Q(closure_date__isnull=False) & ~Q(closure_reason="")),
                name="episode_closure_date_and_reason_together",
            ),
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True) | Q(closure_date__gte=F("referral_date")),
                name="episode_closes_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} on {self.referral_date:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Awaiting authorisation"
    AUTHORISED = "authorised", "Authorised"


class AssessmentOutcome(models.TextChoices):
    NFA = "nfa", "No further action"
    EARLY_HELP = "early_help", "Step down to early help"
    CIN_PLAN = "cin_plan", "Services under a child in need plan"
    STRATEGY = "strategy", "Strategy discussion (significant harm)"
    LOOKED_AFTER = "looked_after", "Child to become looked after"
    OTHER = "other", "Other"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    start_date=C.REFERRAL,
    due_date=NP,
    child_seen_on=C.REFERRAL,
    completed_date=C.REFERRAL,
    factors=C.REFERRAL,
    outcome=C.REFERRAL,
    summary=C.REFERRAL,
    delay_reason=C.REFERRAL,
    status=NP,
    authorised_date=C.REFERRAL,
    authorised_by=NP,
)
class Assessment(CaseworkRecord):
    """A child and family assessment. Due 45 working days after the referral; completed when a
    team manager authorises it (the census `AssessmentAuthorisationDate`)."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="assessments")
    start_date = models.DateField()
    due_date = models.DateField()
    child_seen_on = models.DateField(null=True, blank=True)
    completed_date = models.DateField(null=True, blank=True)
    factors = models.JSONField(default=list, blank=True, help_text="DfE assessment factor codes")
    outcome = models.CharField(max_length=16, choices=AssessmentOutcome.choices, blank=True)
    summary = models.TextField(blank=True)
    delay_reason = models.TextField(blank=True, help_text="Why the assessment took over 45 working days")
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS)
    authorised_date = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(authorised_date__isnull=True),
                name="one_open_assessment_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(authorised_date__isnull=True) | Q(authorised_date__gte=F("start_date")),
                name="assessment_authorised_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} from {self.start_date:%d %b %Y}"


@personal_data(**BASE_TAGS, episode=NP, start_date=C.REFERRAL, end_date=C.REFERRAL, summary=C.REFERRAL)
class ChildInNeedPlan(CaseworkRecord):
    """A child in need plan (CIN census `CINPlanDates`). One at a time, never alongside a CP plan."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="cin_plans")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="Who provides what, and the outcomes sought")

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_cin_plan_per_child"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="cin_plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Child in need plan {self.pk} from {self.start_date:%d %b %Y}"


@personal_data(**BASE_TAGS, plan=NP, review_date=C.REFERRAL, outcome=C.REFERRAL)
class ChildInNeedPlanReview(CaseworkRecord):
    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField()
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["review_date", "pk"]

    def __str__(self) -> str:
        return f"CIN plan review on {self.review_date:%d %b %Y}"
