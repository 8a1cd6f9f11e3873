"""The rights request register: every request a person makes under UK GDPR Chapter III (and plain
enquiries about their data), from the public "ask us" form or entered by staff, with its identity
check, its statutory clock and its answer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data
from opencsc.people.models import Person
from opencsc.rights import deadlines
from opencsc.rights.bundle.exemptions import Exemption


class RequestKind(models.TextChoices):
    SUBJECT_ACCESS = "subject_access", "See the information held (subject access, Article 15)"
    RECTIFICATION = "rectification", "Correct information that is wrong (rectification, Article 16)"
    ERASURE = "erasure", "Delete information (erasure, Article 17)"
    RESTRICTION = "restriction", "Stop using information for now (restriction, Article 18)"
    OBJECTION = "objection", "Object to how information is used (objection, Article 21)"
    ENQUIRY = "enquiry", "A general question about personal information"


class RequestSource(models.TextChoices):
    PUBLIC_FORM = "public_form", "The public 'ask us' form"
    STAFF = "staff", "Entered by staff (letter, email, phone or in person)"


class RequesterRelationship(models.TextChoices):
    SELF = "self", "The person the information is about"
    PARENT = "parent", "A parent or carer asking for a child"
    REPRESENTATIVE = "representative", "A solicitor, advocate or other representative"


class ReplyBy(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class RequestStatus(models.TextChoices):
    AWAITING_IDENTITY = "awaiting_identity", "Waiting for proof of identity"
    OPEN = "open", "Being worked on"
    ANSWERED = "answered", "Answered"
    REFUSED = "refused", "Refused (with the lawful reason given)"
    WITHDRAWN = "withdrawn", "Withdrawn by the requester"


CLOSED_STATUSES = frozenset({RequestStatus.ANSWERED, RequestStatus.REFUSED, RequestStatus.WITHDRAWN})


class RightsRequestQuerySet(models.QuerySet["RightsRequest"]):
    def open(self) -> RightsRequestQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)


@personal_data(
    id=NP,
    reference=NP,
    kind=NP,
    source=NP,
    status=NP,
    received_on=NP,
    requester_name=C.NAME,
    requester_relationship=NP,
    subject_name=C.NAME,
    subject_date_of_birth=C.DATE_OF_BIRTH,
    subject=NP,
    details=C.REFERRAL,
    reply_by=NP,
    reply_email=C.CONTACT_DETAILS,
    reply_address=C.ADDRESS,
    on_behalf_decision=C.REFERRAL,
    identity_evidence=C.NAME,
    identity_verified_on=NP,
    identity_verified_by=NP,
    clock_start=NP,
    extension_months=NP,
    extension_reason=NP,
    extension_letter=C.CONTACT_DETAILS,
    due_on=NP,
    closed_on=NP,
    closed_by=NP,
    outcome_reason=NP,
    response_letter=C.CONTACT_DETAILS,
    corrected_categories=NP,
    correction_summary=C.REFERRAL,
    entered_by=NP,
    created_at=NP,
    updated_at=NP,
)
class RightsRequest(models.Model):
    """One request. `due_on` is kept in step with `clock_start` and `extension_months` by the services
    (`deadlines.due_date`), so the queue can sort and filter on it in SQL. `subject` links the person's
    record once information governance has found it (and is cleared if the record is disposed of)."""

    reference = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    source = models.CharField(max_length=16, choices=RequestSource.choices)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    received_on = models.DateField()
    requester_name = models.CharField(max_length=200)
    requester_relationship = models.CharField(
        max_length=16, choices=RequesterRelationship.choices, default=RequesterRelationship.SELF
    )
    subject_name = models.CharField("Name of the person the request is about", max_length=200)
    subject_date_of_birth = models.DateField(null=True, blank=True)
    subject = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    details = models.TextField(max_length=5000)
    reply_by = models.CharField(max_length=8, choices=ReplyBy.choices)
    reply_email = models.EmailField(blank=True)
    reply_address = models.TextField(max_length=500, blank=True)
    on_behalf_decision = models.TextField(
        blank=True,
        help_text="For a request made for a child: whether the child is competent to decide, their consent or "
        "why the parent may act for them",
    )
    identity_evidence = models.TextField(blank=True, help_text="What was seen to confirm who the requester is")
    identity_verified_on = models.DateField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clock_start = models.DateField(help_text="The day the statutory month started")
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extension_letter = models.TextField(blank=True)
    due_on = models.DateField(db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_reason = models.TextField(blank=True, help_text="For a refusal: the lawful reason")
    response_letter = models.TextField(blank=True)
    corrected_categories = models.JSONField(
        default=list, blank=True, help_text="For a rectification: the DataCategory codes of what was corrected"
    )
    correction_summary = models.TextField(
        blank=True, help_text="For a rectification: what was corrected, through which record pages, and by whom"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(extension_months__lte=2), name="rights_extension_at_most_two"),
        ]

    def __str__(self) -> str:
        return f"Rights request {self.reference}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def recompute_due(self) -> None:
        self.due_on = deadlines.due_date(self.clock_start, extension_months=self.extension_months)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_closed and today > self.due_on

    @property
    def answered_on_time(self) -> bool | None:
        if self.closed_on is None or self.status == RequestStatus.WITHDRAWN:
            return None
        return self.closed_on <= self.due_on


class AskUsAttempt(models.Model):
    """One post of the public form, kept only to rate-limit by address. The address is stored as a
    keyed hash, never in clear, and rows older than a day are deleted as new ones arrive."""

    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "at"])]

    def __str__(self) -> str:
        return f"Ask-us post at {self.at:%Y-%m-%d %H:%M}"


class RedactionSource(models.TextChoices):
    PROPOSED = "proposed", "Found by openCSC"
    MANUAL = "manual", "Added by the reviewer"


class RedactionDecision(models.TextChoices):
    PENDING = "pending", "Not decided yet (removed until decided)"
    ACCEPTED = "accepted", "Removed"
    REJECTED = "rejected", "Left in"


@personal_data(
    id=NP,
    request=NP,
    line_key=NP,
    text=C.REFERRAL,
    kind=NP,
    source=NP,
    decision=NP,
    exemption=NP,
    reason=NP,
    professional_opinion=C.HEALTH,
    decided_by=NP,
    decided_at=NP,
    created_at=NP,
)
class BundleRedaction(models.Model):
    """One string to remove from one line of a subject access bundle (every occurrence of it in that
    line), with the reviewer's decision. Keyed by the line's stable key and the text, so decisions
    are re-applied when the bundle is compiled again. The text is another person's information (or
    a whole passage), so it is encrypted at rest; the serious-harm opinion may be about health."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="redactions")
    line_key = models.CharField(max_length=160)
    text = EncryptedTextField()
    kind = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=10, choices=RedactionSource.choices, default=RedactionSource.PROPOSED)
    decision = models.CharField(max_length=10, choices=RedactionDecision.choices, default=RedactionDecision.PENDING)
    exemption = models.CharField(max_length=2, choices=Exemption.choices, default=Exemption.TP)
    reason = models.CharField(max_length=500, blank=True)
    professional_opinion = EncryptedTextField(
        blank=True, help_text="For serious harm: the health or social work professional's opinion, and who gave it"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["request", "decision"])]

    def __str__(self) -> str:
        return f"Redaction {self.pk} ({self.exemption}, {self.decision})"

    @property
    def where(self) -> str:
        """The line in plain words: "Case note 12, body", "Who looked at the record, 2026-12-04"."""
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist

        label, _, rest = self.line_key.partition(":")
        if label == "audit":
            return f"Who looked at the record, {rest.split(':', 1)[0]}"
        pk, _, field = rest.partition(":")
        try:
            model = apps.get_model(label)
            name = str(model._meta.get_field(field).verbose_name)
        except (LookupError, ValueError, FieldDoesNotExist):
            return self.line_key
        return f"{str(model._meta.verbose_name).capitalize()} {pk}, {name}"


@personal_data(
    id=NP,
    request=NP,
    subject=NP,
    released_at=NP,
    released_by=NP,
    digest=NP,
    disclosure_id=NP,
    entries=NP,
    redactions=NP,
)
class BundleRelease(models.Model):
    """A bundle given to the requester: when, by whom, the SHA-256 of the exact PDF, and the
    disclosure it was recorded as (no content)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="releases")
    subject = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    disclosure_id = models.BigIntegerField(null=True, blank=True)
    entries = models.PositiveIntegerField(default=0)
    redactions = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Release of {self.request.reference} at {self.released_at:%Y-%m-%d %H:%M}"


@personal_data(
    id=NP,
    request=NP,
    person=NP,
    statement=C.REFERRAL,
    council_view=C.REFERRAL,
    recorded_by=NP,
    recorded_at=NP,
)
class DisputeNote(models.Model):
    """A note of dispute: where the council does not agree that its record is wrong, the requester's
    statement is kept beside the record and shown on it (with the council's view), so everyone who
    reads the record sees that it is contested."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="dispute_notes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    statement = models.TextField(help_text="The requester's statement, in their words")
    council_view = models.TextField(blank=True, help_text="Why the council keeps the record as it is")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Note of dispute on {self.request.reference}"


class NotifyMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    POST = "post", "Post"
    PHONE = "phone", "Telephone, confirmed in writing"
    PORTAL = "portal", "The agency's portal"


@personal_data(
    id=NP,
    request=NP,
    disclosure_id=NP,
    agency_name=NP,
    method=NP,
    notified_on=NP,
    notified_by=NP,
)
class RecipientNotification(models.Model):
    """Article 19: a recipient the corrected (or erased, or restricted) information had been
    disclosed to, told of the change."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="notifications")
    disclosure_id = models.BigIntegerField()
    agency_name = models.CharField(max_length=200)
    method = models.CharField(max_length=16, choices=NotifyMethod.choices)
    notified_on = models.DateField()
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "disclosure_id"], name="one_notification_per_disclosure")
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} told on {self.notified_on:%d %b %Y}"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)


@personal_data(
    id=NP,
    name=NP,
    person=NP,
    reason=NP,
    set_by=NP,
    set_at=NP,
    released_by=NP,
    released_at=NP,
)
class LegalHold(models.Model):
    """A legal hold stops disposal: of one person's record, or of every record (an inquiry such as
    IICSA, litigation), until released. It names who set it and when."""

    name = models.CharField(max_length=200, help_text="For example: Independent Inquiry into Child Sexual Abuse")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Empty: every record"
    )
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Legal hold: {self.name}"


# The disposal batches are the rights app's tables too (kept in their own module for size).
from opencsc.rights.disposal.models import DisposalBatch as DisposalBatch  # noqa: E402
from opencsc.rights.disposal.models import DisposalItem as DisposalItem  # noqa: E402
