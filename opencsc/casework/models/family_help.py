"""Help below the statutory threshold: early help / Family Help episodes, the whole-family assessment,
the family's plan with its goals and reviews, the Team Around the Family, and family network meetings
(family group decision making).

A help episode is the council's non-statutory help to a family, led by a lead practitioner who may
work for a partner agency (a school's pastoral lead, a health visitor). Whether the council calls it
"early help" (the tiered model) or "Family Help" (the Families First model) is a setting
(`OPENCSC_HELP_MODEL`, see `casework.help_model`): the rows are the same either way. Statutory help
(child in need, child protection, looked after, care leaver) stays in its own models, which the CIN
census and SSDA903 read; `casework.help_model.episodes_of_help` puts the two side by side as one
history. See docs/adr/0028-episodes-of-help-and-family-help.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord
from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class HelpEndReason(models.TextChoices):
    """Why a help episode ended (the SSD `earl_episode_end_reason`)."""

    GOALS_MET = "goals_met", "The family's goals were met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    OTHER_SERVICE = "other_service", "Referred on to another service"
    CONSENT_WITHDRAWN = "consent_withdrawn", "The family withdrew their consent"
    MOVED_AWAY = "moved_away", "The family moved away"
    OTHER = "other", "Other reason"


@personal_data(
    **BASE_TAGS,
    contact=NP,
    start_date=C.REFERRAL,
    reason=C.REFERRAL,
    organisation=C.REFERRAL,
    lead_practitioner=NP,
    consent_given=C.REFERRAL,
    stepped_down_from=NP,
    stepped_up_to=NP,
    end_date=C.REFERRAL,
    end_reason=C.REFERRAL,
    outcome=C.REFERRAL,
)
class HelpEpisode(CaseworkRecord):
    """One episode of early help / Family Help for a child, from the decision to help to closure.

    At most one open per child. It may start from a front-door contact (`contact`), or as a step-down
    when a social care episode closed with RC9 (`stepped_down_from`); a step-up records the referral
    episode it led to (`stepped_up_to`). The lead practitioner is a user (council or partner agency);
    their access to the family comes from a lead-practitioner allocation, not from this column."""

    contact = models.OneToOneField(
        "casework.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="help_episode"
    )
    start_date = models.DateField()
    reason = models.TextField("Reason for help", help_text="What the family needs help with")
    organisation = models.CharField(
        max_length=200, help_text="The organisation leading the help (the council's service, a school, health)"
    )
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_given = models.BooleanField(default=True, help_text="The family agreed to the help")
    stepped_down_from = models.ForeignKey(
        "casework.ReferralEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="steps_down"
    )
    stepped_up_to = models.OneToOneField(
        "casework.ReferralEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="stepped_up_from"
    )
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=HelpEndReason.choices, blank=True)
    outcome = models.TextField("Outcome", blank=True, help_text="What changed for the family")

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_help_episode_per_child"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_reason="") | (Q(end_date__isnull=False) & ~Q(end_reason="")),
                name="help_episode_end_date_and_reason_together",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="help_episode_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Help episode {self.pk} from {self.start_date:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None


@personal_data(
    **BASE_TAGS,
    episode=NP,
    start_date=C.REFERRAL,
    due_date=NP,
    completed_date=C.REFERRAL,
    organisation=C.REFERRAL,
    strengths=C.REFERRAL,
    needs=C.REFERRAL,
    family_words=C.REFERRAL,
    consent_given=C.REFERRAL,
)
class FamilyHelpAssessment(CaseworkRecord):
    """The whole-family assessment of a help episode (Annex A list 2: start, completion, organisation):
    strengths, needs, and the family's own words, with their consent to it."""

    episode = models.ForeignKey(HelpEpisode, on_delete=models.PROTECT, related_name="assessments")
    start_date = models.DateField()
    due_date = models.DateField()
    completed_date = models.DateField(null=True, blank=True)
    organisation = models.CharField(max_length=200, help_text="The organisation completing the assessment")
    strengths = models.TextField(blank=True)
    needs = models.TextField(blank=True)
    family_words = models.TextField("In the family's own words", blank=True)
    consent_given = models.BooleanField(default=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(completed_date__isnull=True), name="one_open_help_assessment"
            ),
            models.CheckConstraint(
                condition=Q(completed_date__isnull=True) | Q(completed_date__gte=F("start_date")),
                name="help_assessment_completed_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Family assessment {self.pk} from {self.start_date:%d %b %Y}"


@personal_data(**BASE_TAGS, episode=NP, start_date=C.REFERRAL, next_review_due=NP, end_date=C.REFERRAL)
class FamilyHelpPlan(CaseworkRecord):
    """The family's plan: goals, with who does what by when, reviewed on a cycle
    (`OPENCSC_FAMILY_HELP_REVIEW_WEEKS`). One open plan per episode."""

    episode = models.ForeignKey(HelpEpisode, on_delete=models.PROTECT, related_name="plans")
    start_date = models.DateField()
    next_review_due = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(end_date__isnull=True), name="one_open_family_help_plan"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="family_help_plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Family plan {self.pk} from {self.start_date:%d %b %Y}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


@personal_data(
    **BASE_TAGS, plan=NP, goal=C.REFERRAL, action=C.REFERRAL, who=C.REFERRAL, by_when=C.REFERRAL, status=C.REFERRAL
)
class FamilyHelpGoal(CaseworkRecord):
    """One goal of the family's plan: what should change, what will be done, by whom, by when."""

    plan = models.ForeignKey(FamilyHelpPlan, on_delete=models.CASCADE, related_name="goals")
    goal = models.CharField(max_length=300, help_text="What the family wants to change")
    action = models.TextField("What will be done")
    who = models.CharField("Who will do it", max_length=200)
    by_when = models.DateField("By when")
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)

    class Meta:
        ordering = ["by_when", "pk"]

    def __str__(self) -> str:
        return f"Goal {self.pk}"


@personal_data(**BASE_TAGS, plan=NP, review_date=C.REFERRAL, progress=C.REFERRAL, family_view=C.REFERRAL)
class FamilyHelpReview(CaseworkRecord):
    """A review of the family's plan: progress against the goals, and what the family says."""

    plan = models.ForeignKey(FamilyHelpPlan, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField()
    progress = models.TextField("Progress against the goals")
    family_view = models.TextField("What the family says", blank=True)

    class Meta:
        ordering = ["review_date", "pk"]

    def __str__(self) -> str:
        return f"Family plan review on {self.review_date:%d %b %Y}"


class GoalRater(models.TextChoices):
    """Whose rating (the same codes as `insight.Rater`, which reads these rows)."""

    WORKER = "worker", "The worker"
    CHILD = "child", "The child or young person"
    PARENT = "parent", "A parent or carer"


@personal_data(**BASE_TAGS, goal=NP, review=NP, rater=C.REFERRAL, score=C.REFERRAL)
class FamilyHelpGoalRating(CaseworkRecord):
    """A goal of the family's plan rated at a plan review, 0 (not at all) to 10 (fully achieved), by
    the worker, the child or a parent. Recorded once, on the review form; the outcome measures
    (`insight.outcomes`) read these rows, so nobody enters a family help goal or rating twice."""

    goal = models.ForeignKey(FamilyHelpGoal, on_delete=models.CASCADE, related_name="ratings")
    review = models.ForeignKey(FamilyHelpReview, on_delete=models.CASCADE, related_name="ratings")
    rater = models.CharField("Whose rating", max_length=8, choices=GoalRater.choices)
    score = models.PositiveSmallIntegerField(help_text="0 (not at all) to 10 (fully achieved)")

    class Meta:
        ordering = ["review__review_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="family_goal_rating_0_to_10"),
            models.UniqueConstraint(fields=["review", "goal", "rater"], name="one_rating_per_rater_per_review"),
        ]

    def __str__(self) -> str:
        return f"Rating {self.score}/10"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    name=C.OTHER_AGENCIES,
    agency=C.OTHER_AGENCIES,
    organisation=NP,
    role=C.OTHER_AGENCIES,
    user=NP,
    joined_on=C.OTHER_AGENCIES,
    left_on=C.OTHER_AGENCIES,
)
class TeamAroundFamilyMember(CaseworkRecord):
    """A practitioner in the Team Around the Family: who they are, their agency and role. `user` is
    set when they have an account (then they can be made lead practitioner).

    A partner agency is chosen from the sharing agency register (`organisation`); `agency` keeps its
    name as it was when they joined (and the free text typed before the register was used, still
    shown). The key is by model label: casework never imports the sharing app (ADR 0033)."""

    episode = models.ForeignKey(HelpEpisode, on_delete=models.CASCADE, related_name="team_members")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "sharing.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["joined_on", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class MeetingKind(models.TextChoices):
    NETWORK = "network", "Family network meeting"
    FGC = "fgc", "Family group conference"


class MeetingOutcome(models.TextChoices):
    PLAN_AGREED = "plan_agreed", "The family made a plan"
    NO_PLAN = "no_plan", "No plan was agreed"
    DECLINED = "declined", "The family declined the meeting"


@personal_data(
    **BASE_TAGS,
    help_episode=NP,
    referral_episode=NP,
    kind=C.REFERRAL,
    offered_on=C.REFERRAL,
    before_pre_proceedings=C.REFERRAL,
    meeting_date=C.REFERRAL,
    facilitator=NP,
    family_plan=C.RELATIONSHIPS,
    outcome=C.REFERRAL,
)
class FamilyNetworkMeeting(CaseworkRecord):
    """Family group decision making: the offer of a family network meeting or family group conference
    (recorded before pre-proceedings, as the guidance asks), the meeting, who came, and the plan the
    family made. Belongs to a help episode or a referral episode."""

    help_episode = models.ForeignKey(
        HelpEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="network_meetings"
    )
    referral_episode = models.ForeignKey(
        "casework.ReferralEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="network_meetings"
    )
    kind = models.CharField(max_length=16, choices=MeetingKind.choices, default=MeetingKind.NETWORK)
    offered_on = models.DateField("Date the meeting was offered")
    before_pre_proceedings = models.BooleanField("Offered before pre-proceedings", default=False)
    meeting_date = models.DateField(null=True, blank=True)
    facilitator = models.CharField(max_length=200, blank=True, help_text="The independent coordinator")
    family_plan = models.TextField("The family's plan", blank=True)
    outcome = models.CharField(max_length=16, choices=MeetingOutcome.choices, blank=True)

    class Meta:
        ordering = ["-offered_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_date__isnull=True) | Q(meeting_date__gte=F("offered_on")),
                name="network_meeting_after_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} offered {self.offered_on:%d %b %Y}"


@personal_data(
    **BASE_TAGS, meeting=NP, person=NP, name=C.RELATIONSHIPS, relationship=C.RELATIONSHIPS, attended=C.RELATIONSHIPS
)
class FamilyNetworkAttendee(CaseworkRecord):
    """Someone in the family network invited to a meeting: a relative or friend (linked to their person
    record when they have one, so they show in the genogram) and whether they came."""

    meeting = models.ForeignKey(FamilyNetworkMeeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, help_text="Their relationship to the child")
    attended = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Attendee {self.pk}"


class ServiceKind(models.TextChoices):
    FAMILY_CENTRE = "family_centre", "Family centre"
    PARENTING = "parenting", "Parenting programme"
    CONTACT_CENTRE = "contact_centre", "Contact centre"
    YOUTH = "youth", "Youth service"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
    OTHER = "other", "Other service"


@personal_data(
    id=NP,
    name=NP,
    kind=NP,
    commissioned=NP,
    provider=NP,
    provider_agency=NP,
    description=NP,
    active=NP,
    created_at=NP,
    updated_at=NP,
)
class Service(models.Model):
    """A service the council provides or commissions (the privacy notice's "services we provide"): a
    catalogue row, not about any person. Kept on /casework/services/ by team managers and system
    administrators. A commissioned service names its provider from the sharing agency register
    (`provider_agency`, by model label: casework never imports sharing); `provider` holds the name
    shown (the council's own service for in-house ones)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=24, choices=ServiceKind.choices)
    commissioned = models.BooleanField(default=False, help_text="Provided by another organisation under contract")
    provider = models.CharField(max_length=200, help_text="Who runs it")
    provider_agency = models.ForeignKey(
        "sharing.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True, help_text="What the service offers, in plain words (public)")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@personal_data(
    **BASE_TAGS,
    service=C.REFERRAL,
    help_episode=NP,
    referred_on=C.REFERRAL,
    start_date=C.REFERRAL,
    end_date=C.REFERRAL,
    sessions_offered=C.REFERRAL,
    sessions_attended=C.REFERRAL,
)
class ServiceReferral(CaseworkRecord):
    """A child's (or family's) referral to a service: when referred, started and ended, and attendance."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    help_episode = models.ForeignKey(
        HelpEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="service_referrals"
    )
    referred_on = models.DateField()
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    sessions_offered = models.PositiveSmallIntegerField(default=0)
    sessions_attended = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(start_date__gte=F("referred_on")),
                name="service_starts_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | (Q(start_date__isnull=False) & Q(end_date__gte=F("start_date"))),
                name="service_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(sessions_attended__lte=F("sessions_offered")), name="service_attended_at_most_offered"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to a service on {self.referred_on:%d %b %Y}"
