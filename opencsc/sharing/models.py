"""The agency register, sharing agreements, disclosures and third-party requests.

Nothing about a person leaves the service except as a `Disclosure` row, written by `sharing.services`
in the same transaction as its audit event (Kind.DISCLOSURE). A share needs a current agreement that
covers the recipient, the purpose and every category shared; a reply to a third-party request needs an
information-governance decision by someone other than the person who logged the request; statutory
transfers (DfE returns, CP-IS) need the statutory agreement with that body. See docs/adr/0006.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data
from opencsc.people.models import Person
from opencsc.privacy.models import Category, LawfulBasis, Purpose, RecipientType


class Channel(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    PORTAL = "portal", "Secure portal"
    MESH = "mesh", "NHS MESH"
    POST = "post", "Recorded post"
    PHONE = "phone", "Telephone"


class Agency(models.Model):
    """An organisation the service may share with. `code` names the national bodies code refers to
    ("dfe", "nhs_cpis"); local agencies leave it empty."""

    code = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200, unique=True)
    recipient_type = models.ForeignKey(RecipientType, on_delete=models.PROTECT, related_name="agencies")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SECURE_EMAIL)
    channel_address = models.CharField(
        max_length=200, blank=True, help_text="Secure mailbox, portal address or MESH mailbox id"
    )
    address = models.TextField(blank=True)
    country = models.CharField(max_length=100, default="United Kingdom")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["recipient_type__display_order", "name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyContact(models.Model):
    """A named contact at an agency (professional contact details, not data about a child)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgreementQuerySet(models.QuerySet["SharingAgreement"]):
    def current(self, on: dt.date | None = None) -> AgreementQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)

    def for_agency(self, agency: Agency) -> AgreementQuerySet:
        return self.filter(Q(agency=agency) | Q(recipient_type_id=agency.recipient_type_id))


class SharingAgreement(models.Model):
    """What one agency (or every agency of one type) may receive: which categories, for which
    purposes, on which Article 6 basis and Article 9/10 condition, between which dates."""

    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements")
    recipient_type = models.ForeignKey(
        RecipientType, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    categories = models.ManyToManyField(Category, related_name="agreements")
    purposes = models.ManyToManyField(Purpose, related_name="agreements")
    lawful_basis = models.ForeignKey(
        LawfulBasis, on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "art6"}
    )
    special_condition = models.ForeignKey(
        LawfulBasis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "art9"},
        help_text="Needed when the agreement covers special category data",
    )
    criminal_condition = models.ForeignKey(
        LawfulBasis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "art10"},
        help_text="Needed when the agreement covers criminal offence data",
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    dpia_reference = models.CharField("DPIA reference", max_length=40, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(recipient_type__isnull=True))
                | (Q(agency__isnull=True) & Q(recipient_type__isnull=False)),
                name="agreement_for_agency_or_type",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    @property
    def party(self) -> str:
        return str(self.agency) if self.agency_id else f"any {self.recipient_type}"


class DisclosureKind(models.TextChoices):
    SHARE = "share", "Shared under an agreement"
    REQUEST_REPLY = "request_reply", "Reply to a third-party request"
    TRANSFER = "transfer", "Statutory transfer"
    SUBJECT_ACCESS = "subject_access", "Given to the person themselves (subject access)"


class Consent(models.TextChoices):
    GIVEN = "given", "The child or a person with parental responsibility agreed"
    SAFEGUARDING = "safeguarding", "Shared without consent: to protect a child from harm"
    CRIME = "crime", "Shared without consent: to prevent or detect crime"
    LEGAL = "legal", "Shared without consent: required by law or a court order"
    EMERGENCY = "emergency", "Shared without consent: to protect someone's life in an emergency"
    NOT_APPLICABLE = "not_applicable", "Consent does not apply (statutory transfer)"


@personal_data(
    id=NP,
    person=NP,
    kind=NP,
    agency=NP,
    agreement=NP,
    request=NP,
    purpose=NP,
    lawful_basis=NP,
    condition=NP,
    criminal_condition=NP,
    exemption=NP,
    categories=NP,
    records=NP,
    consent=NP,
    consent_detail=C.REFERRAL,
    channel=NP,
    transfer_reference=NP,
    disclosed_by=NP,
    actor_repr=NP,
    disclosed_at=NP,
    pack_digest=NP,
    audit_seq=NP,
)
class Disclosure(models.Model):
    """One disclosure of one person's information: what categories and records, to whom, why, on what
    basis, by whom and when. Written only by `sharing.services`, with its audit event, and never
    changed afterwards. `records` holds references ({key, model, id, category, title}), not copies:
    the pack is re-rendered from the record and checked against `pack_digest`."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=16, choices=DisclosureKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(
        SharingAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    request = models.OneToOneField(
        "ThirdPartyRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="reply"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    lawful_basis = models.ForeignKey(LawfulBasis, on_delete=models.PROTECT, related_name="+")
    condition = models.ForeignKey(
        LawfulBasis, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Article 9"
    )
    criminal_condition = models.ForeignKey(
        LawfulBasis, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Article 10"
    )
    exemption = models.ForeignKey(LawfulBasis, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(default=list, help_text="DataCategory codes disclosed")
    records = models.JSONField(default=list, help_text="References to the records disclosed")
    consent = models.CharField(max_length=16, choices=Consent.choices)
    consent_detail = EncryptedTextField(blank=True, help_text="Who agreed, or why it was shared without consent")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    transfer_reference = models.CharField(max_length=200, blank=True, help_text="The return or file it went in")
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=150)
    disclosed_at = models.DateTimeField(default=timezone.now)
    pack_digest = models.CharField(max_length=64, blank=True)
    audit_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        indexes = [models.Index(fields=["person", "-disclosed_at"], name="disclosure_by_person")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="share") | Q(agreement__isnull=False), name="share_needs_agreement"
            ),
            models.CheckConstraint(
                condition=~Q(kind="request_reply") | Q(request__isnull=False), name="reply_needs_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk} to {self.agency}"

    @property
    def reference(self) -> str:
        return f"D-{self.pk:06d}" if self.pk else ""

    def category_labels(self) -> list[str]:
        return [C(code).label for code in self.categories if code in C.values]


class RequestKind(models.TextChoices):
    CRIME = "crime", "Police: prevention or detection of crime (Schedule 2 paragraph 2)"
    COURT_ORDER = "court_order", "Court order"
    LEGAL_OBLIGATION = "legal_obligation", "Other legal obligation"
    LEGAL_PROCEEDINGS = "legal_proceedings", "Legal proceedings or advice (Schedule 2 paragraph 5)"
    ELECTED_REPRESENTATIVE = "mp", "MP or councillor acting with the person's consent"


class RequestStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting", "Awaiting a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    REPLIED = "replied", "Replied"


@personal_data(
    id=NP,
    person=NP,
    agency=NP,
    kind=NP,
    requester_name=NP,
    requester_reference=NP,
    received_on=NP,
    details=C.OTHER_AGENCIES,
    purpose=NP,
    exemption=NP,
    lawful_basis=NP,
    special_condition=NP,
    criminal_condition=NP,
    consent_confirmed=NP,
    status=NP,
    logged_by=NP,
    logged_at=NP,
    decided_by=NP,
    decided_at=NP,
    decision_note=C.OTHER_AGENCIES,
)
class ThirdPartyRequest(models.Model):
    """A request for a person's information from outside (police, court, an MP acting with consent).

    Four-eyes: the decision is made by an information-governance officer or manager who did not log
    the request (`sharing.services.request_decide`). The reply is a `Disclosure` of kind
    REQUEST_REPLY limited to the approved categories."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="third_party_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    requester_name = models.CharField(max_length=200, help_text="Officer or person making the request, and rank")
    requester_reference = models.CharField(max_length=100, blank=True, help_text="Their reference, crime number")
    received_on = models.DateField()
    details = EncryptedTextField(help_text="What is asked for and why, as the requester put it")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    exemption = models.ForeignKey(
        LawfulBasis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The Schedule 2 exemption relied on, if any",
    )
    lawful_basis = models.ForeignKey(LawfulBasis, on_delete=models.PROTECT, related_name="+")
    special_condition = models.ForeignKey(
        LawfulBasis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Article 9 condition, set by the decision when special category data is released",
    )
    criminal_condition = models.ForeignKey(
        LawfulBasis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Article 10 condition, set by the decision when criminal offence data is released",
    )
    categories = models.ManyToManyField(Category, related_name="+")
    consent_confirmed = models.BooleanField(default=False, help_text="For an MP: the person's consent was seen")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.AWAITING_DECISION)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("logged_by")),
                name="request_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.reference} from {self.agency}"

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else ""


# The partner portal's tables (issue 16) belong to this app; imported here so Django loads them.
from opencsc.sharing.portal_models import (  # noqa: E402, F401
    CheckRequest,
    CheckStatus,
    CheckUrgency,
    OpeningOutcome,
    PartnerMembership,
    PartnerReferral,
    ReferralMatch,
    SharedView,
    SharedViewOpening,
)
