"""The partner portal's records (issue 16, ADR 0029): which organisation a partner-agency practitioner
works for, the MASH checks sent to an organisation through the portal, and disclosures delivered as
views that expire.

They live in `sharing` because each is a disclosure or the answer to one: a check request discloses
the child's identifying details under a sharing agreement (a `Disclosure` row), and a shared view is
a `Disclosure` delivered through the portal rather than as a file. The `partners` app is the
interface (pages and API) over them; every write is in `sharing.portal_services`, every read of
personal data in `sharing.portal_selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data
from opencsc.people.models import Person


class PartnerMembership(models.Model):
    """A partner-agency practitioner's account bound to exactly one organisation of the agency
    register. Without a membership a partner account reaches nothing; with one it reaches only that
    organisation's checks and views. `is_org_admin` marks the organisation's administrator, who may
    add and disable the organisation's other users."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="members")
    is_org_admin = models.BooleanField("Organisation administrator", default=False)
    added_at = models.DateTimeField(default=timezone.now)
    added_by_repr = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.user} at {self.agency}"


class CheckUrgency(models.TextChoices):
    """How soon the partner must answer, by the MASH's RAG rating (hours and days are settings)."""

    RED = "red", "Red: answer within 4 hours"
    AMBER = "amber", "Amber: answer within 24 hours"
    GREEN = "green", "Green: answer within 3 working days"


class CheckStatus(models.TextChoices):
    SENT = "sent", "Waiting for the partner's answer"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn by the front door"


@personal_data(
    id=NP,
    mash_check=NP,
    person=NP,
    agency=NP,
    agreement=NP,
    purpose=NP,
    disclosure=NP,
    question=C.REFERRAL,
    urgency=C.REFERRAL,
    due_at=NP,
    status=NP,
    sent_by=NP,
    sent_at=NP,
    answered_by=NP,
    answered_at=NP,
    answered_via=NP,
    answer_category=NP,
)
class CheckRequest(models.Model):
    """A MASH check asked of one partner organisation through the portal. Sending it discloses the
    child's identifying details (only the categories the agreement allows) as `disclosure`; the
    partner's answer is stored on the child's record as information from another agency (police
    answers as encrypted police information) through `casework.services`, and `mash_check` points at it.
    `answer_category` is the data category the answer was filed under."""

    mash_check = models.OneToOneField("casework.MashCheck", on_delete=models.PROTECT, related_name="portal_request")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="portal_checks")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="check_requests")
    agreement = models.ForeignKey("sharing.SharingAgreement", on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey("privacy.Purpose", on_delete=models.PROTECT, related_name="+")
    disclosure = models.OneToOneField("sharing.Disclosure", on_delete=models.PROTECT, related_name="check_request")
    question = models.TextField(help_text="What the front door asks the partner, in the MASH's words")
    urgency = models.CharField(max_length=8, choices=CheckUrgency.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(
        max_length=150, blank=True, help_text="The organisation's API credential, when answered through the API"
    )
    answer_category = models.CharField(max_length=32, choices=C.choices, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["agency", "status", "due_at"], name="portal_check_tray")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False), name="answered_check_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"Check {self.reference}"

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk) if self.pk else ""

    @staticmethod
    def reference_of(pk: int) -> str:
        return f"C-{pk:06d}"

    def is_overdue(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.status == CheckStatus.SENT and self.due_at < moment  # type: ignore[operator]


class SharedViewQuerySet(models.QuerySet["SharedView"]):
    def live(self) -> SharedViewQuerySet:
        """Views a partner may open now: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


@personal_data(
    id=NP,
    disclosure=NP,
    person=NP,
    agency=NP,
    expires_at=NP,
    created_by=NP,
    created_at=NP,
    revoked_by=NP,
    revoked_at=NP,
    revoke_reason=C.REFERRAL,
)
class SharedView(models.Model):
    """A disclosure delivered as a view in the partner portal instead of a file: the partner's users
    see exactly the items disclosed (and only in categories the agreement still allows) until
    `expires_at`, unless the council revokes it first. Every opening, and every refused attempt, is
    a `SharedViewOpening` row and an audit event."""

    disclosure = models.OneToOneField("sharing.Disclosure", on_delete=models.PROTECT, related_name="shared_view")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="shared_views")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="shared_views")
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    objects = SharedViewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agency", "expires_at"], name="shared_view_by_agency")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="shared_view_expires_after_creation"
            )
        ]

    def __str__(self) -> str:
        return f"Shared view {self.reference}"

    @property
    def reference(self) -> str:
        return f"V-{self.pk:06d}" if self.pk else ""

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.expires_at <= timezone.now() else "Open to the partner"


class OpeningOutcome(models.TextChoices):
    OPENED = "opened", "Opened"
    EXPIRED = "expired", "Refused: the view had expired"
    REVOKED = "revoked", "Refused: the view had been revoked"
    CHANGED = "changed", "Refused: the record has changed since it was shared"


class SharedViewOpening(models.Model):
    """One attempt by a partner's user (or the organisation's API credential, `via`) to open a shared
    view, shown in the child's disclosure log. Holds ids and times only; the audit event of the same
    request has the rest."""

    view = models.ForeignKey(SharedView, on_delete=models.PROTECT, related_name="openings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=150, blank=True, help_text="The organisation's API credential, through the API")
    opened_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=OpeningOutcome.choices)
    audit_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.view} at {self.opened_at:%Y-%m-%d %H:%M}"


class ReferralMatch(models.TextChoices):
    """What the person matcher found when the request arrived (for the front door only: the partner
    is never told whether the child is known)."""

    KNOWN = "known", "Known: the matcher found the child's record (a certain match)"
    POSSIBLE = "possible", "Possibly known: a similar record exists, check before deciding"
    NEW = "new", "Not known: a new record was started from the partner's details"


@personal_data(
    id=NP,
    agency=NP,
    contact=NP,
    submitted_by=NP,
    submitted_via=NP,
    received_at=NP,
    match=NP,
    match_person=NP,
    child_first_name=C.NAME,
    child_last_name=C.NAME,
    child_other_names=C.NAME,
    child_date_of_birth=C.DATE_OF_BIRTH,
    child_expected_date=C.DATE_OF_BIRTH,
    address_line1=C.ADDRESS,
    address_town=C.ADDRESS,
    address_postcode=C.ADDRESS,
    school=C.SCHOOL,
    household=C.RELATIONSHIPS,
    concern=C.REFERRAL,
    why_now=C.REFERRAL,
    consent_given=C.REFERRAL,
    no_consent_reason=C.REFERRAL,
    family_told=C.REFERRAL,
    referrer_name=C.REFERRAL,
    referrer_role=C.REFERRAL,
    referrer_phone=C.REFERRAL,
    referrer_email=C.REFERRAL,
)
class PartnerReferral(models.Model):
    """A partner practitioner's request for support (the multi-agency referral form), kept as the
    partner wrote it. It lands in the MASH queue as `contact` (a `casework.Contact` naming the
    organisation as referrer), about the child the person matcher found or a new record started from
    these details; `match` says which, for the front door. The partner's organisation sees this row
    and the contact's `referrer_outcome` once decided, never the child's record.

    Made through `sharing.portal_services.partner_referral_submit` only (the pages and the API).
    Later additions (attachments) hang off this row."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="referrals")
    # CASCADE: the partner's copy is part of the child's contact and goes when the record is disposed of.
    contact = models.OneToOneField("casework.Contact", on_delete=models.CASCADE, related_name="partner_referral")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_via = models.CharField(
        max_length=150, blank=True, help_text="The organisation's API credential, when sent through the API"
    )
    received_at = models.DateTimeField(default=timezone.now)
    match = models.CharField(max_length=10, choices=ReferralMatch.choices)
    match_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The similar record"
    )
    child_first_name = models.CharField("Child's first name", max_length=100, blank=True)
    child_last_name = models.CharField("Child's last name", max_length=100)
    child_other_names = models.CharField("Other names the child is known by", max_length=200, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_expected_date = models.DateField("Expected date of birth", null=True, blank=True)
    address_line1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_town = models.CharField("Town or city", max_length=100, blank=True)
    address_postcode = models.CharField("Postcode", max_length=10, blank=True)
    school = models.CharField("School, nursery or college", max_length=200, blank=True)
    household = models.TextField("Who the child lives with", blank=True)
    concern = models.TextField("What is the concern?")
    why_now = models.TextField("Why are you referring now?")
    consent_given = models.BooleanField()
    no_consent_reason = models.TextField(blank=True)
    family_told = models.TextField("What the family has been told", blank=True)
    referrer_name = models.CharField("Your name", max_length=150)
    referrer_role = models.CharField("Your role", max_length=150)
    referrer_phone = models.CharField("Your telephone number", max_length=30)
    referrer_email = models.EmailField("Your work email address", max_length=254)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["agency", "-received_at"], name="partner_referral_by_agency")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=True) | ~Q(no_consent_reason=""), name="partner_referral_consent_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(child_date_of_birth__isnull=True) | Q(child_expected_date__isnull=True),
                name="partner_referral_born_or_expected",
            ),
        ]

    def __str__(self) -> str:
        return f"Request for support {self.reference}"

    @property
    def reference(self) -> str:
        return f"S-{self.pk:06d}" if self.pk else ""

    @property
    def match_words(self) -> str:
        """For the front door's queue only."""
        return {"known": "known", "possible": "possibly known", "new": "new record"}.get(self.match, "")

    @property
    def child_name(self) -> str:
        return " ".join(p for p in (self.child_first_name, self.child_last_name) if p)
