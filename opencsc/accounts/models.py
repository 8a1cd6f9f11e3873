"""Staff users, teams and roles; allocations, restricted-record lists and break-glass grants.

These rows are the *inputs* to access decisions. The decisions themselves are made in one place,
`opencsc.accounts.access`, and nowhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core.personal_data import NOT_PERSONAL, personal_data


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    MASH_PRACTITIONER = "mash_practitioner", "MASH practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair or reviewing officer"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    IG_OFFICER = "ig_officer", "Information governance officer"
    PARTNER = "partner", "Partner-agency practitioner"
    SYSTEM_ADMIN = "system_admin", "System administrator"


class TeamKind(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door and MASH"
    ASSESSMENT = "assessment", "Assessment"
    FAMILY_SUPPORT = "family_support", "Family support and child protection"
    FAMILY_HELP = "family_help", "Early help and Family Help"
    MULTI_AGENCY_CP = "multi_agency_cp", "Multi-agency child protection team"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    LEAVING_CARE = "leaving_care", "Leaving care"
    REVIEWING = "reviewing", "Independent reviewing and conference chairs"
    PERFORMANCE = "performance", "Performance and insight"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"
    PARTNER = "partner", "Partner agency"
    PROCESSOR = "processor", "Processor acting for the council (Art 28)"
    SYSTEMS = "systems", "Systems"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=32, choices=TeamKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff or a partner-agency practitioner. Accounts are personal: no shared logins."""

    role = models.CharField(max_length=32, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    managed_teams = models.ManyToManyField(Team, blank=True, related_name="managers")
    job_title = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=200, blank=True, help_text="For partner-agency users")

    REQUIRED_FIELDS = ["email", "role"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


class AllocationKind(models.TextChoices):
    ALLOCATED_WORKER = "worker", "Allocated social worker"
    REVIEWING_OFFICER = "reviewing_officer", "Independent reviewing officer"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    FRONT_DOOR = "front_door", "Front door (MASH) triage"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner (early help or Family Help)"
    CONTRACTED = "contracted", "Contracted to a processor (Art 28)"


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def current(self, on: object = None) -> AllocationQuerySet:
        today = on or timezone.localdate()
        # end_date is the day the allocation ended: from that day on it no longer gives access.
        return self.filter(Q(start_date__lte=today), Q(end_date__isnull=True) | Q(end_date__gt=today))


class Allocation(models.Model):
    """A person on a team's caseload, optionally with a named worker. Opening and ending
    allocations is done by `opencsc.accounts.services`, which audits each change."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    kind = models.CharField(max_length=32, choices=AllocationKind.choices, default=AllocationKind.ALLOCATED_WORKER)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["worker", "end_date"]),
            models.Index(fields=["team", "end_date"]),
            models.Index(fields=["person", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="allocation_ends_after_start",
            )
        ]


class RestrictedAccess(models.Model):
    """A named user allowed to see a restricted record (a staff member's relative, an adoption)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="restricted_access")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="restricted_access")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="one_restricted_grant_per_user")]


class BreakGlassReason(models.TextChoices):
    SAFEGUARDING_EMERGENCY = "safeguarding_emergency", "Safeguarding emergency"
    VITAL_INTERESTS = "vital_interests", "Vital interests or public interest"
    LEGAL_REQUIREMENT = "legal_requirement", "Legal requirement"
    CONSENT = "consent", "Consent of the person"


class BreakGlassGrantQuerySet(models.QuerySet["BreakGlassGrant"]):
    def active(self) -> BreakGlassGrantQuerySet:
        return self.filter(expires_at__gt=timezone.now(), revoked_at__isnull=True)


class BreakGlassGrant(models.Model):
    """Emergency, time-limited access to one person's record outside the user's caseload."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason_category = models.CharField(max_length=32, choices=BreakGlassReason.choices)
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "person", "expires_at"])]


class GovernanceAlert(models.Model):
    """An item in the information-governance queue (break-glass use, refused access attempts).
    It names the user and the person's id only, never case content."""

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", "Break-glass access"
        ACCESS_DENIED = "access_denied", "Repeated refused access"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    subject_person_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    break_glass = models.OneToOneField(BreakGlassGrant, null=True, blank=True, on_delete=models.PROTECT)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class CaseloadReach(models.Model):
    """Derived, never written by the application: one row for each allocation and each person it
    brings into scope (the allocated person, anyone related to them either way round, and everyone
    in a family group with them), with the allocation's team, worker and dates copied alongside.

    The access scope (`opencsc.accounts.access`) asks this table one question per person ("is a
    current allocation of mine or my team's reaching this person?") instead of walking
    relationships and family groups for every record it checks. Database triggers on allocations,
    relationships, family memberships and people keep it exact in the same transaction as the
    change, whatever wrote that change (services, imports, the demo seed, a bulk update); see
    `opencsc.accounts.reach` and ADR 0002. It holds ids and dates only; `manage.py
    check_access_scope` compares it with a fresh computation.
    """

    person_id = models.BigIntegerField()
    allocation_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    worker_id = models.BigIntegerField(null=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True)

    class Meta:
        indexes = [
            # The probe: a person's reaching allocations, answered from the index alone.
            models.Index(fields=["person_id", "team_id", "worker_id", "start_date", "end_date"], name="reach_probe"),
            models.Index(fields=["allocation_id"], name="reach_allocation"),
        ]


class EnrolmentCode(models.Model):
    """A single-use, expiring code a system administrator issues so that one named user can set up
    their authenticator app. Without one, a password reaches nothing but a page saying how to get
    one: the second factor cannot be enrolled by whoever holds the password alone. Only a keyed
    hash of the code is stored (`opencsc.accounts.mfa`); the code itself is shown once to the
    administrator who issued it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_by_process = models.CharField(max_length=64, blank=True, help_text="system:<command> when not a person")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at", "expires_at"])]

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class DeviceResetRequest(models.Model):
    """Four eyes on removing someone's authenticator app: one administrator asks (with a reason),
    a different administrator approves or declines. Only an approval removes the devices."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second administrator"
        APPROVED = "approved", "Approved: the app was removed"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_reset_requests")
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_device_reset_per_user"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="device_reset_needs_a_second_admin",
            ),
        ]


class RestrictionGround(models.TextChoices):
    """UK GDPR Article 18(1): why processing of a person's data is restricted."""

    ACCURACY = "accuracy", "The person contests its accuracy, while we check (Art 18(1)(a))"
    UNLAWFUL = "unlawful", "Processing is unlawful and the person asked for restriction, not erasure (Art 18(1)(b))"
    LEGAL_CLAIMS = "legal_claims", "We no longer need it, but the person needs it for legal claims (Art 18(1)(c))"
    OBJECTION = "objection", "The person objected, while we check our grounds (Art 18(1)(d))"


class ProcessingRestrictionQuerySet(models.QuerySet["ProcessingRestriction"]):
    def active(self) -> ProcessingRestrictionQuerySet:
        return self.filter(lifted_at__isnull=True)


@personal_data(
    id=NOT_PERSONAL,
    person=NOT_PERSONAL,
    ground=NOT_PERSONAL,
    request_reference=NOT_PERSONAL,
    set_by=NOT_PERSONAL,
    set_at=NOT_PERSONAL,
    lifted_by=NOT_PERSONAL,
    lifted_at=NOT_PERSONAL,
)
class ProcessingRestriction(models.Model):
    """A restriction of processing (Art 18) on a person's record while it stands: nobody but
    information governance may change the record (`access.person_access` gives no `change`), and
    the record page says so. Reading stays possible for the people who could read it, because a
    children's record must still protect the child (Art 18(2): protection of another person's
    rights); every read is audited as usual. Set and lifted by `rights.services`."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="processing_restrictions")
    ground = models.CharField(max_length=16, choices=RestrictionGround.choices)
    request_reference = models.CharField(max_length=16, blank=True)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = ProcessingRestrictionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(lifted_at__isnull=True), name="one_active_processing_restriction"
            )
        ]

    def __str__(self) -> str:
        return f"Processing restriction on person {self.person_id}"
