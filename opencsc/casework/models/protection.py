"""Child protection: strategy discussions, section 47 enquiries, conferences, plans, core groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord, CategoryOfAbuse
from opencsc.casework.models.episodes import ReferralEpisode
from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


@personal_data(
    **BASE_TAGS,
    episode=NP,
    discussion_date=C.REFERRAL,
    police_present=C.REFERRAL,
    health_present=C.REFERRAL,
    education_present=C.REFERRAL,
    others_present=C.REFERRAL,
    start_section47=C.REFERRAL,
    summary=C.REFERRAL,
)
class StrategyDiscussion(CaseworkRecord):
    """A strategy discussion: decides whether to start a section 47 enquiry."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="strategy_discussions")
    discussion_date = models.DateField()
    police_present = models.BooleanField(default=True)
    health_present = models.BooleanField(default=False)
    education_present = models.BooleanField(default=False)
    others_present = models.CharField(max_length=300, blank=True)
    start_section47 = models.BooleanField("Start section 47 enquiries", default=True)
    summary = models.TextField(blank=True, help_text="Decisions and immediate protective actions")

    class Meta:
        ordering = ["-discussion_date", "-pk"]

    def __str__(self) -> str:
        return f"Strategy discussion on {self.discussion_date:%d %b %Y}"


class Section47Outcome(models.TextChoices):
    """Outcomes as the SSD lists them (s47e_s47_outcome_json)."""

    NFA = "nfa", "No further action"
    LEGAL_ACTION = "legal_action", "Legal action"
    SERVICES = "services", "Provision of services"
    SHORT_BREAKS = "short_breaks", "Short-break care"
    CONFERENCE = "conference", "Initial child protection conference"
    CONTINUE_ASSESSMENT = "continue_assessment", "No further action, continue assessment"
    MONITOR = "monitor", "Monitor"
    OTHER = "other", "Other"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    strategy_discussion=NP,
    start_date=C.REFERRAL,
    icpc_target=NP,
    completed_date=C.REFERRAL,
    outcome=C.REFERRAL,
    icpc_not_required=C.REFERRAL,
    summary=C.REFERRAL,
    lead_practitioner=NP,
)
class Section47(CaseworkRecord):
    """A section 47 enquiry. Starts on the date of the strategy discussion that began it; ends at an
    initial conference or with "conference not required" (CIN 8868)."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="section47s")
    strategy_discussion = models.OneToOneField(StrategyDiscussion, on_delete=models.PROTECT, related_name="section47")
    start_date = models.DateField()
    icpc_target = models.DateField(help_text="15 working days after the strategy discussion")
    completed_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Section47Outcome.choices, blank=True)
    icpc_not_required = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    # The lead child protection practitioner (Families First: a social worker of the multi-agency
    # child protection team). Workforce data, not about the child.
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_date__isnull=True) | Q(completed_date__gte=F("start_date")),
                name="s47_completes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry from {self.start_date:%d %b %Y}"


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Review child protection conference"
    PRE_BIRTH = "pre_birth", "Pre-birth child protection conference"
    TRANSFER_IN = "transfer_in", "Transfer-in conference"


class ConferenceOutcome(models.TextChoices):
    PLAN = "plan", "Child protection plan (start or continue)"
    END_PLAN = "end_plan", "End the child protection plan"
    NO_PLAN = "no_plan", "No child protection plan: child in need services"
    NFA = "nfa", "No further action"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    kind=C.REFERRAL,
    section47=NP,
    plan=NP,
    conference_date=C.REFERRAL,
    target_date=NP,
    chair=NP,
    quorate=C.REFERRAL,
    outcome=C.REFERRAL,
    category=C.REFERRAL,
    summary=C.REFERRAL,
)
class Conference(CaseworkRecord):
    """A child protection conference: initial (target 15 working days after the strategy discussion),
    review (first within 3 months, then 6-monthly), pre-birth, or transfer-in."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField(max_length=16, choices=ConferenceKind.choices)
    section47 = models.ForeignKey(
        Section47, null=True, blank=True, on_delete=models.PROTECT, related_name="conferences"
    )
    plan = models.ForeignKey(
        "casework.ChildProtectionPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_conferences",
    )
    conference_date = models.DateField()
    target_date = models.DateField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quorate = models.BooleanField(default=True)
    outcome = models.CharField(max_length=16, choices=ConferenceOutcome.choices)
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-conference_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.conference_date:%d %b %Y}"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    conference=NP,
    start_date=C.REFERRAL,
    end_date=C.REFERRAL,
    initial_category=C.REFERRAL,
    latest_category=C.REFERRAL,
    number_of_previous_plans=C.REFERRAL,
    is_pre_birth=C.REFERRAL,
    lead_practitioner=NP,
)
class ChildProtectionPlan(CaseworkRecord):
    """A child protection plan (CIN census `ChildProtectionPlans`). One open plan per child; plans
    never overlap; a plan cannot start and end on the same day (8840)."""

    episode = models.ForeignKey(ReferralEpisode, on_delete=models.PROTECT, related_name="cp_plans")
    conference = models.OneToOneField(
        Conference, null=True, blank=True, on_delete=models.PROTECT, related_name="started_plan"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    latest_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    number_of_previous_plans = models.PositiveSmallIntegerField(default=0)
    is_pre_birth = models.BooleanField(default=False, help_text="Started while the child was unborn")
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_cp_plan_per_child"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="cp_plan_ends_after_start_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection plan from {self.start_date:%d %b %Y}"


@personal_data(**BASE_TAGS, plan=NP, meeting_date=C.REFERRAL, summary=C.REFERRAL)
class CoreGroupMeeting(CaseworkRecord):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="core_groups")
    meeting_date = models.DateField()
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting_date", "pk"]

    def __str__(self) -> str:
        return f"Core group on {self.meeting_date:%d %b %Y}"
