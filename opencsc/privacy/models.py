"""The processing register: what the service holds, why, on what basis, who receives it, for how long.

The public privacy notice and the Article 30 record of processing are rendered from these rows, and
sharing agreements refer to them, so the promise and the code cannot drift apart. The rows are loaded
by a data migration with the council's register and edited by information-governance officers
through `privacy.services` (audited). None of these tables holds personal data about a person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from opencsc.core.categories import CRIMINAL_OFFENCE, SPECIAL_CATEGORY, DataCategory


class RegisterEntry(models.Model):
    """Base of the register's rows: a stable code, a public name and when it last changed."""

    code = models.SlugField(max_length=60, unique=True, help_text="Stable key used by code and agreements")
    name = models.CharField(max_length=200)
    public_description = models.TextField(
        blank=True, help_text="Plain English for the public privacy notice (write for a parent or a child)"
    )
    display_order = models.PositiveSmallIntegerField(default=100)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class Category(RegisterEntry):
    """One of the 17 data categories of `core.categories.DataCategory` (the code is its value).

    The special-category and criminal-offence flags must agree with `core.categories`: those are what
    decides encryption at rest, so the register may describe them but not contradict them."""

    code = models.SlugField(max_length=60, unique=True, choices=DataCategory.choices)
    is_special_category = models.BooleanField("Special category data (Article 9)", default=False)
    is_criminal_offence = models.BooleanField("Criminal offence data (Article 10)", default=False)
    sources = models.TextField(blank=True, help_text="Where the information comes from, for the notice")

    class Meta(RegisterEntry.Meta):
        verbose_name_plural = "categories"

    def clean(self) -> None:
        try:
            category = DataCategory(self.code)
        except ValueError as exc:
            raise ValidationError({"code": "Choose one of the service's data categories"}) from exc
        if self.is_special_category != (category in SPECIAL_CATEGORY):
            raise ValidationError(
                {
                    "is_special_category": f"{category.label} is {'' if category in SPECIAL_CATEGORY else 'not '}"
                    "special category data in the service's code; change both together"
                }
            )
        if self.is_criminal_offence != (category in CRIMINAL_OFFENCE):
            raise ValidationError(
                {
                    "is_criminal_offence": f"{category.label} is {'' if category in CRIMINAL_OFFENCE else 'not '}"
                    "criminal offence data in the service's code; change both together"
                }
            )

    @property
    def data_category(self) -> DataCategory:
        return DataCategory(self.code)

    @property
    def needs_condition(self) -> bool:
        return self.is_special_category or self.is_criminal_offence


class BasisKind(models.TextChoices):
    ARTICLE_6 = "art6", "Lawful basis (UK GDPR Article 6)"
    ARTICLE_9 = "art9", "Condition for special category data (Article 9 and DPA 2018 Schedule 1)"
    ARTICLE_10 = "art10", "Condition for criminal offence data (Article 10 and DPA 2018 Schedule 1)"
    SCHEDULE_2 = "sch2", "Exemption (DPA 2018 Schedule 2)"


class LawfulBasis(RegisterEntry):
    """An Article 6 basis, an Article 9 or 10 condition (with its DPA 2018 Schedule 1 paragraph), or a
    Schedule 2 exemption relied on for third-party requests."""

    kind = models.CharField(max_length=8, choices=BasisKind.choices)
    reference = models.CharField(max_length=200, help_text="For example 'UK GDPR Article 6(1)(e)'")
    dpa_reference = models.CharField(
        "DPA 2018 reference", max_length=200, blank=True, help_text="For example 'Schedule 1 Part 2 paragraph 18'"
    )
    needs_policy_document = models.BooleanField(
        "Needs an appropriate policy document", default=False, help_text="DPA 2018 Schedule 1 Part 4"
    )

    class Meta(RegisterEntry.Meta):
        verbose_name_plural = "lawful bases"

    @property
    def citation(self) -> str:
        return f"{self.reference}, {self.dpa_reference}" if self.dpa_reference else self.reference


class RecipientType(RegisterEntry):
    """A kind of organisation the service shares with (police, schools, NHS England for CP-IS, DfE...).
    The agency register's organisations each belong to one."""

    is_outside_uk = models.BooleanField("Outside the UK", default=False)


class RetentionTrigger(models.TextChoices):
    DATE_OF_BIRTH = "date_of_birth", "the child's date of birth"
    DATE_OF_DEATH = "date_of_death", "the date of death"
    CLOSURE = "closure", "the date the case closed (last contact)"
    ADOPTION_ORDER = "adoption_order", "the date of the adoption order"
    END_OF_APPROVAL = "end_of_approval", "the end of the carer's approval"
    LAST_ACTIVITY = "last_activity", "the last activity on the record"
    CREATION = "creation", "the date the record was made"


class RetentionRule(RegisterEntry):
    """How long one kind of record is kept: `years` after `trigger`. The retention run computes each
    record's date from its events and the highest applicable rule (CP -> looked after -> adoption)."""

    years = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=20, choices=RetentionTrigger.choices)
    statutory = models.BooleanField(default=False, help_text="Fixed by law rather than by local policy")
    authority = models.CharField(max_length=300, blank=True, help_text="The regulation or policy that sets it")

    @property
    def period(self) -> str:
        return f"{self.years} years from {self.get_trigger_display()}"


class InternationalTransfer(RegisterEntry):
    """Where information may go outside the UK, and the safeguard relied on (UK GDPR Chapter V)."""

    destination = models.CharField(max_length=200)
    recipient_type = models.ForeignKey(RecipientType, on_delete=models.PROTECT, related_name="transfers")
    safeguard = models.TextField(help_text="Adequacy regulations, Article 49 derogation, or other safeguard")


class Purpose(RegisterEntry):
    """Why the service processes information. Each purpose is one row of the Article 30 record: who it
    is about, which categories, on what bases, who receives it, and how long it is kept."""

    data_subjects = models.TextField(help_text="Whose information, for example 'children, parents and carers'")
    categories = models.ManyToManyField(Category, related_name="purposes", blank=True)
    lawful_bases = models.ManyToManyField(LawfulBasis, related_name="purposes", blank=True)
    recipient_types = models.ManyToManyField(RecipientType, related_name="purposes", blank=True)
    retention_rules = models.ManyToManyField(RetentionRule, related_name="purposes", blank=True)


class EndOfContract(models.TextChoices):
    RETURN = "return", "Return everything to the council, then delete their copies"
    DELETE = "delete", "Delete everything and certify the deletion"


class Processor(RegisterEntry):
    """An organisation acting on the council's behalf under a contract (UK GDPR Article 28): an
    out-of-hours service, a commissioned family-support provider, a hosting or scanning supplier.
    Recorded apart from recipients (the agency register): a processor uses the information only on
    the council's instructions. Shown as a processor in the Article 30 record and the notice."""

    subject_matter = models.TextField(help_text="What they do for the council with the information (Art 28(3))")
    contract_reference = models.CharField(max_length=60, blank=True)
    contract_start = models.DateField()
    contract_end = models.DateField(null=True, blank=True, help_text="Leave empty for a rolling contract")
    categories = models.ManyToManyField(Category, related_name="processors", blank=True)
    purposes = models.ManyToManyField(Purpose, related_name="processors", blank=True)
    sub_processors = models.TextField(
        blank=True, help_text="Sub-processors the council has agreed to in writing, and what each does"
    )
    end_of_contract = models.CharField(
        "At the end of the contract", max_length=10, choices=EndOfContract.choices, default=EndOfContract.DELETE
    )
    is_outside_uk = models.BooleanField("Processes outside the UK", default=False)
    # The team its staff sign in under (kind "processor"): they see only the cases contracted to it.
    team = models.OneToOneField(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processor",
        help_text="The team the processor's staff sign in under, if they work in openCSC",
    )

    def clean(self) -> None:
        if self.contract_end and self.contract_start and self.contract_end < self.contract_start:
            raise ValidationError({"contract_end": "The contract must end after it starts"})

    def is_current(self, on: dt.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.contract_start <= today and (self.contract_end is None or self.contract_end >= today)

    @property
    def duration(self) -> str:
        start = f"{self.contract_start:%-d %B %Y}" if self.contract_start else ""
        return f"{start} to {self.contract_end:%-d %B %Y}" if self.contract_end else f"from {start}, rolling"


class Controller(models.Model):
    """The council as data controller: one row, shown at the top of the notice and the Article 30 record."""

    name = models.CharField(max_length=200)
    address = models.TextField()
    ico_registration = models.CharField("ICO registration number", max_length=20)
    dpo_name = models.CharField("Data protection officer", max_length=200)
    dpo_email = models.EmailField("Data protection officer's email")
    dpo_address = models.TextField("Data protection officer's postal address", blank=True)
    rights_email = models.EmailField("Email for information rights requests")
    rights_phone = models.CharField("Telephone for information rights requests", max_length=30)
    service_description = models.TextField(help_text="What the service does, for the notice")
    security_measures = models.TextField(help_text="Technical and organisational measures (Article 30(1)(g))")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
