"""The front door: contacts, MASH triage, checks with other agencies, and the decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord
from opencsc.core import codelists
from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class ContactStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_TRIAGE = "in_triage", "In MASH triage"
    DECIDED = "decided", "Decided"


class ContactDecision(models.TextChoices):
    NFA = "nfa", "No further action"
    ADVICE = "advice", "Information and advice given"
    EARLY_HELP = "early_help", "Step to early help (Family Help)"
    REFERRAL = "referral", "Referral to children's social care"
    PASS_TO_WORKER = "pass_to_worker", "Pass to the allocated worker (the child's case is already open)"


# The outcome told to the referrer when the decision form leaves it empty, by decision.
REFERRER_OUTCOME: dict[str, str] = {
    ContactDecision.NFA: "Considered by the front door: no further action by children's social care",
    ContactDecision.ADVICE: "Advice given",
    ContactDecision.EARLY_HELP: "Referred to early help (Family Help)",
    ContactDecision.REFERRAL: "Passed to children's social care for an assessment",
    ContactDecision.PASS_TO_WORKER: "Passed to the child's allocated social worker",
}


class Rag(models.TextChoices):
    RED = "red", "Red: immediate risk of significant harm"
    AMBER = "amber", "Amber: risk of harm, needs a response within one working day"
    GREEN = "green", "Green: no immediate risk"


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"


@personal_data(
    **BASE_TAGS,
    contact_date=C.REFERRAL,
    source=C.REFERRAL,
    referrer=C.REFERRAL,
    reason=C.REFERRAL,
    consent_given=C.REFERRAL,
    no_consent_reason=C.REFERRAL,
    family_told=C.REFERRAL,
    taken_by=NP,
    taken_at=NP,
    status=NP,
    decision=C.REFERRAL,
    decision_date=C.REFERRAL,
    decision_due=NP,
    decided_by=NP,
    decision_rationale=C.REFERRAL,
    referrer_outcome=C.REFERRAL,
)
class Contact(CaseworkRecord):
    """Any approach about a child. Consent is either given, or the reason for acting without it is
    recorded. A decision (NFA, advice, early help or referral) is due within one working day."""

    contact_date = models.DateField()
    source = models.CharField(max_length=3, choices=codelists.choices("cin_referral_source"))
    referrer = models.CharField(max_length=200, blank=True, help_text="Who made contact (role and organisation)")
    reason = models.TextField(help_text="What the concern or request is")
    consent_given = models.BooleanField(help_text="The family agreed to the contact being shared and acted on")
    no_consent_reason = models.TextField(blank=True)
    family_told = models.TextField(
        "What the family was told",
        blank=True,
        help_text="What the family was told about the contact and what happens next",
    )
    # The MASH practitioner who took the contact from the queue (workforce data, not about the child).
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ContactStatus.choices, default=ContactStatus.RECEIVED)
    decision = models.CharField(max_length=16, choices=ContactDecision.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision_due = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_rationale = models.TextField(blank=True)
    # What may be told to whoever made contact (the partner portal shows it to the referring
    # organisation): plain words about what happens next, never the record or the reasons.
    referrer_outcome = models.CharField(
        "What the referrer may be told", max_length=300, blank=True, help_text="Plain words, no details of the record"
    )

    class Meta:
        ordering = ["-contact_date", "-pk"]
        indexes = [models.Index(fields=["status", "-contact_date"], name="contact_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=True) | ~Q(no_consent_reason=""), name="contact_consent_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision_date__isnull=False), name="contact_decision_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk} on {self.contact_date:%d %b %Y}"


@personal_data(**BASE_TAGS, contact=NP, rag=C.REFERRAL, rationale=C.REFERRAL, triaged_on=C.REFERRAL)
class MashTriage(CaseworkRecord):
    """The MASH risk assessment of a contact, RAG rated."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="triage")
    rag = models.CharField("RAG rating", max_length=8, choices=Rag.choices)
    rationale = models.TextField(help_text="Why this rating")
    triaged_on = models.DateField()

    def __str__(self) -> str:
        return f"MASH triage {self.pk} ({self.rag})"


@personal_data(
    **BASE_TAGS,
    triage=NP,
    agency=C.OTHER_AGENCIES,
    requested_on=C.OTHER_AGENCIES,
    replied_on=C.OTHER_AGENCIES,
    reply_object_type=NP,
    reply_object_id=NP,
)
class MashCheck(CaseworkRecord):
    """A check asked of another agency. The reply itself is stored on the person's record as
    information from other agencies (`people.AgencyInformation`) or, from the police, as police
    information (`people.PoliceInformation`, encrypted); this row points at it."""

    triage = models.ForeignKey(MashTriage, on_delete=models.CASCADE, related_name="checks")
    agency = models.CharField(max_length=16, choices=Agency.choices)
    requested_on = models.DateField()
    replied_on = models.DateField(null=True, blank=True)
    reply_object_type = models.CharField(max_length=64, blank=True)
    reply_object_id = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["triage", "agency"], name="one_check_per_agency")]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} check"
