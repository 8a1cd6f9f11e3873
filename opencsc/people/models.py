"""The person record: every category of personal data the privacy notice lists.

Each model is registered in the field registry (`core.personal_data`) with the category of each
field; special-category and criminal-offence fields are `EncryptedTextField`s. Writes go through
`people.services` (audited); reads of personal data through `people.selectors` (access-checked).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core import codelists
from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known or not recorded (also unborn)"


class PersonQuerySet(models.QuerySet["Person"]):
    def children(self) -> PersonQuerySet:
        return self.filter(is_child=True)


@personal_data(
    id=NP,
    created_at=NP,
    updated_at=NP,
    is_child=NP,
    is_restricted=NP,
    version=NP,
    first_name=C.NAME,
    last_name=C.NAME,
    preferred_name=C.NAME,
    sex=C.NAME,
    la_child_id=C.NAME,
    date_of_birth=C.DATE_OF_BIRTH,
    expected_date_of_birth=C.DATE_OF_BIRTH,
    date_of_death=C.DATE_OF_BIRTH,
    ethnicity=C.ETHNICITY,
    nhs_number=C.NHS_NUMBER,
    nhs_number_index=C.NHS_NUMBER,
    nhs_number_verified=C.NHS_NUMBER,
    upn=C.UPN,
    former_upn=C.UPN,
    upn_unknown_reason=C.UPN,
)
class Person(TimeStamped):
    """A child, an unborn child, or an adult in a child's life (parent, carer, relative)."""

    is_child = models.BooleanField(default=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True, help_text="For an unborn child")
    date_of_death = models.DateField(null=True, blank=True)
    ethnicity = EncryptedTextField(blank=True, choices=codelists.choices("ethnicity"))
    nhs_number = EncryptedTextField(blank=True)
    nhs_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    nhs_number_verified = models.BooleanField(default=False, help_text="Traced and confirmed on the NHS Spine")
    la_child_id = models.CharField("LA child id", max_length=20, unique=True, null=True, blank=True)
    upn = models.CharField("Unique pupil number", max_length=13, blank=True, db_index=True)
    former_upn = models.CharField("Former UPN", max_length=13, blank=True)
    upn_unknown_reason = models.CharField(max_length=3, blank=True, choices=codelists.choices("cin_upn_unknown"))
    is_restricted = models.BooleanField(
        default=False, help_text="Only the named users on the restricted list may see this record"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonQuerySet.as_manager()

    # Not stored: set by the selectors that read one record for a user (people and casework
    # `get_..._for_user`), so the page knows what else that user may do without asking again.
    access: Any = None  # accounts.access.PersonAccess (accounts imports this module)
    viewed_under_break_glass: bool = False
    audited_person_ids: frozenset[int] = frozenset()  # others named in this request's view event
    # The data categories the reader's pages may show (`accounts.access.record_categories`); None: all.
    categories: Any = None

    class Meta:
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["date_of_birth"]),
            # Search by date of birth also matches an unborn child's expected date (an OR of the two).
            models.Index(
                fields=["expected_date_of_birth"],
                name="person_expected_birth",
                condition=Q(expected_date_of_birth__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(date_of_birth__isnull=False) & Q(expected_date_of_birth__isnull=False))
                | Q(is_child=True),
                name="expected_birth_only_for_children",
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
                name="death_not_before_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or "(no name)"

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PersonPart(TimeStamped):
    """Base of the rows that hang off a person: they share the person key and timestamps."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Used in audit rows' object_repr and logs, so it never carries the personal data itself.
        return f"{self._meta.verbose_name} {self.pk}"


_PART = {"id": NP, "person": NP, "created_at": NP, "updated_at": NP}


class NameKind(models.TextChoices):
    ALIAS = "alias", "Also known as"
    PREVIOUS = "previous", "Previous name"
    BIRTH = "birth", "Name at birth"


@personal_data(**_PART, kind=NP, first_name=C.NAME, last_name=C.NAME)
class PersonName(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=16, choices=NameKind.choices, default=NameKind.ALIAS)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)


@personal_data(
    **_PART,
    line1=C.ADDRESS,
    line2=C.ADDRESS,
    town=C.ADDRESS,
    postcode=C.ADDRESS,
    start_date=C.ADDRESS,
    end_date=C.ADDRESS,
)
class Address(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("Address line 1", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField(max_length=10)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="address_ends_after_start",
            )
        ]


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"


@personal_data(**_PART, kind=C.PHONE, number=C.PHONE, note=C.PHONE)
class TelephoneNumber(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="telephone_numbers")
    kind = models.CharField(max_length=16, choices=PhoneKind.choices)
    number = models.CharField(max_length=30)
    note = models.CharField(max_length=200, blank=True, help_text="For example, best times to call")


class ContactKind(models.TextChoices):
    EMAIL = "email", "Email"
    POSTAL = "postal", "Correspondence address"
    PREFERRED = "preferred", "Preferred way to be contacted"
    OTHER = "other", "Other"


@personal_data(**_PART, kind=C.CONTACT_DETAILS, value=C.CONTACT_DETAILS)
class ContactDetail(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_details")
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    value = models.CharField(max_length=300)


@personal_data(
    **_PART,
    school_name=C.SCHOOL,
    school_urn=C.SCHOOL,
    start_date=C.SCHOOL,
    end_date=C.SCHOOL,
)
class SchoolEnrolment(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="schools")
    school_name = models.CharField(max_length=200)
    school_urn = models.CharField("School URN", max_length=8, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]


@personal_data(**_PART, code=C.HEALTH)
class Disability(PersonPart):
    """A DfE disability code (CIN census). NONE cannot sit beside another code."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disabilities")
    code = EncryptedTextField(choices=codelists.choices("disability"))


@personal_data(**_PART, kind=C.HEALTH, summary=C.HEALTH, recorded_on=C.HEALTH, source=C.HEALTH)
class HealthInformation(PersonPart):
    class Kind(models.TextChoices):
        CONDITION = "condition", "Health condition"
        MENTAL_HEALTH = "mental_health", "Mental health"
        SUBSTANCE = "substance", "Substance use"
        ASSESSMENT = "assessment", "Health assessment"
        DENTAL = "dental", "Dental check"
        IMMUNISATION = "immunisation", "Immunisations"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="health_information")
    kind = EncryptedTextField(choices=Kind.choices)
    summary = EncryptedTextField()
    recorded_on = models.DateField()
    source = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-recorded_on"]


class RelationshipKind(models.TextChoices):
    """How `person` relates to `relative`: "A is the PARENT of B"."""

    PARENT = "parent", "Parent of"
    STEP_PARENT = "step_parent", "Step-parent of"
    SIBLING = "sibling", "Sibling of"
    HALF_SIBLING = "half_sibling", "Half-sibling of"
    GRANDPARENT = "grandparent", "Grandparent of"
    CARER = "carer", "Carer of"
    FOSTER_CARER = "foster_carer", "Foster carer of"
    PARTNER = "partner", "Partner of"
    FORMER_PARTNER = "former_partner", "Former partner of"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle of"
    COUSIN = "cousin", "Cousin of"
    OTHER = "other", "Other relationship to"


SYMMETRIC_RELATIONSHIPS = frozenset(
    {
        RelationshipKind.SIBLING,
        RelationshipKind.HALF_SIBLING,
        RelationshipKind.PARTNER,
        RelationshipKind.FORMER_PARTNER,
        RelationshipKind.COUSIN,
    }
)


@personal_data(
    **_PART,
    relative=C.RELATIONSHIPS,
    kind=C.RELATIONSHIPS,
    has_parental_responsibility=C.RELATIONSHIPS,
    lives_with=C.RELATIONSHIPS,
    start_date=C.RELATIONSHIPS,
    end_date=C.RELATIONSHIPS,
    note=C.RELATIONSHIPS,
)
class Relationship(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(person=models.F("relative")), name="no_relationship_to_self"),
            models.UniqueConstraint(fields=["person", "relative", "kind"], name="one_relationship_of_a_kind"),
        ]


@personal_data(id=NP, created_at=NP, updated_at=NP, name=C.RELATIONSHIPS)
class FamilyGroup(TimeStamped):
    """A household or wider family drawn together as one genogram."""

    name = models.CharField(max_length=200)
    members: models.ManyToManyField[Person, FamilyMembership] = models.ManyToManyField(
        Person, through="FamilyMembership", related_name="family_groups"
    )

    def __str__(self) -> str:
        return self.name


@personal_data(**_PART, family=NP, role=C.RELATIONSHIPS)
class FamilyMembership(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_memberships")
    family = models.ForeignKey(FamilyGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=100, blank=True, help_text="For example, 'mother', 'child'")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "family"], name="one_membership_per_family")]


@personal_data(**_PART, summary=C.FINANCIAL, recorded_on=C.FINANCIAL)
class FinancialInformation(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="financial_information")
    summary = models.TextField(help_text="Income, debts, rent arrears or other money matters that affect the family")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["-recorded_on"]


@personal_data(**_PART, benefit=C.BENEFITS, reference=C.BENEFITS, start_date=C.BENEFITS, end_date=C.BENEFITS)
class StateBenefit(PersonPart):
    class Benefit(models.TextChoices):
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit"
        CHILD_BENEFIT = "child_benefit", "Child Benefit"
        PIP = "pip", "Personal Independence Payment"
        DLA = "dla", "Disability Living Allowance"
        CARERS = "carers_allowance", "Carer's Allowance"
        HOUSING = "housing_benefit", "Housing Benefit"
        ESA = "esa", "Employment and Support Allowance"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="benefits")
    benefit = models.CharField(max_length=32, choices=Benefit.choices)
    reference = models.CharField(max_length=50, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)


@personal_data(**_PART, kind=C.CRIMINAL, summary=C.CRIMINAL, source=C.CRIMINAL, recorded_on=C.CRIMINAL)
class PoliceInformation(PersonPart):
    """Convictions, cautions, bail conditions, police intelligence: Article 10 data, encrypted."""

    class Kind(models.TextChoices):
        CONVICTION = "conviction", "Conviction"
        CAUTION = "caution", "Caution"
        ARREST = "arrest", "Arrest or charge"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse incident"
        BAIL = "bail", "Bail conditions or order"
        INTELLIGENCE = "intelligence", "Police intelligence"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="police_information")
    kind = EncryptedTextField(choices=Kind.choices)
    summary = EncryptedTextField()
    source = EncryptedTextField(help_text="Force or unit that supplied it")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["-recorded_on"]


@personal_data(**_PART, platform=C.SOCIAL_MEDIA, summary=C.SOCIAL_MEDIA, source=C.SOCIAL_MEDIA, seen_on=C.SOCIAL_MEDIA)
class SocialMediaInformation(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="social_media_information")
    platform = models.CharField(max_length=100)
    summary = models.TextField()
    source = models.CharField(max_length=200, help_text="Who saw it, or how it came to the service")
    seen_on = models.DateField()

    class Meta:
        ordering = ["-seen_on"]


@personal_data(**_PART, agency=C.OTHER_AGENCIES, summary=C.OTHER_AGENCIES, received_on=C.OTHER_AGENCIES)
class AgencyInformation(PersonPart):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agency_information")
    agency = models.CharField(max_length=200)
    summary = models.TextField()
    received_on = models.DateField()

    class Meta:
        ordering = ["-received_on"]


class AlertKind(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    INTERPRETER = "interpreter", "Interpreter needed"
    COMMUNICATION = "communication", "Other communication need"


@personal_data(
    **_PART, kind=C.CONTACT_DETAILS, detail=C.CONTACT_DETAILS, start_date=C.CONTACT_DETAILS, end_date=C.CONTACT_DETAILS
)
class PersonAlert(PersonPart):
    """Something everyone visiting or calling must know first: a risk to staff, or an interpreter
    needed (with the language). Shown in the summary at the top of every page about the person
    while it is current (no end date, or an end date still ahead)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    detail = models.CharField(
        max_length=300, help_text="For example, the language and dialect, or what the risk is and how to visit safely"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]


@personal_data(id=NP, person=NP, kind=NP, version=NP, format=NP, as_of=NP, data=C.HEALTH)
class PersonDigest(models.Model):
    """A stored digest of one person's record (the summary's own rows, the DfE-rule findings) that a
    page reads instead of computing it again. It is current while `version` equals the person's
    change counter (`audit.SubjectVersion`, bumped with every audit event that writes about them) and
    `as_of` is today; otherwise the page computes it again and stores it (`people.digests`). It may
    hold health and care information, so it is encrypted at rest; it holds nothing about anyone else
    (the family and anything that depends on who is looking are read at view time)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digests")
    kind = models.CharField(max_length=20)
    version = models.BigIntegerField()
    # The kind's format when stored (`people.digests.FORMATS`): a row of an older format is computed
    # again. 0 in the database too, so a row a process of the previous release writes during a deploy
    # counts as old.
    format = models.PositiveSmallIntegerField(default=0, db_default=0)
    as_of = models.DateField()
    data = EncryptedTextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="person_digest_once")]

    def __str__(self) -> str:
        return f"{self.kind} digest of person {self.person_id} v{self.version}"


# The matching service's tables (issue 12) belong to this app; imported here so Django loads them.
from opencsc.people.matching.models import (  # noqa: E402, F401
    DuplicatePair,
    ExternalId,
    MatchKey,
    MatchProfile,
    NameFrequency,
    PersonMerge,
)
