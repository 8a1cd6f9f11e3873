"""Looked-after children: periods of care made of episodes (the SSDA903 `Episodes` table), reviews,
missing episodes, health checks (OC2), adoption (AD1, PlacedAdoption), care leavers (OC3),
social-worker episodes (SWEpisodes), UASC status, previous permanence (PrevPerm) and deprivation of
liberty orders (DoLo)."""

from __future__ import annotations

import calendar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord, ReasonNewEpisode
from opencsc.core import codelists
from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


@personal_data(
    **BASE_TAGS, start_date=C.REFERRAL, end_date=C.REFERRAL, reason_ceased=C.REFERRAL, primary_need=C.REFERRAL
)
class PeriodOfCare(CaseworkRecord):
    """A continuous period of being looked after: from the first episode's start (RNE S) to the last
    episode's end (its REC). One open period per child."""

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_ceased = models.CharField(max_length=3, choices=codelists.choices("903_reason_episode_ceased"), blank=True)
    primary_need = models.CharField("Category of need", max_length=2, choices=codelists.choices("cin_primary_need"))

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_period_of_care_per_child"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="period_of_care_ends_after_start_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Period of care from {self.start_date:%d %b %Y}"


@personal_data(
    **BASE_TAGS,
    period=NP,
    start_date=C.REFERRAL,
    end_date=C.REFERRAL,
    reason_new_episode=C.REFERRAL,
    legal_status=C.REFERRAL,
    primary_need=C.REFERRAL,
    placement_type=C.REFERRAL,
    placement_provider=C.REFERRAL,
    reason_ceased=C.REFERRAL,
    reason_place_change=C.REFERRAL,
    home_postcode=C.ADDRESS,
    placement_postcode=C.ADDRESS,
    urn=C.REFERRAL,
    carer=C.REFERRAL,
)
class CareEpisode(CaseworkRecord):
    """One SSDA903 episode: a new row on any change of legal status, placement or carer. Episodes of
    a period are contiguous (each starts the day the previous ended) and never start and end on the
    same day."""

    period = models.ForeignKey(PeriodOfCare, on_delete=models.CASCADE, related_name="episodes")
    start_date = models.DateField("Date episode began (DECOM)")
    end_date = models.DateField("Date episode ceased (DEC)", null=True, blank=True)
    reason_new_episode = models.CharField(max_length=1, choices=ReasonNewEpisode.choices)
    legal_status = models.CharField(max_length=2, choices=codelists.choices("903_legal_status"))
    primary_need = models.CharField(max_length=2, choices=codelists.choices("cin_primary_need"))
    placement_type = models.CharField(max_length=3, choices=codelists.choices("903_placement_type"))
    placement_provider = models.CharField(max_length=3, blank=True, choices=codelists.choices("903_placement_provider"))
    reason_ceased = models.CharField(max_length=3, blank=True, choices=codelists.choices("903_reason_episode_ceased"))
    reason_place_change = models.CharField(
        max_length=6, blank=True, choices=codelists.choices("903_reason_placement_change")
    )
    home_postcode = models.CharField(max_length=8, blank=True)
    placement_postcode = models.CharField(max_length=8, blank=True)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    carer = models.CharField(max_length=100, blank=True, help_text="Carer or provider reference (not a name)")

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(end_date__isnull=True), name="one_open_episode_per_period"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="care_episode_not_same_day",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, reason_ceased="")
                | (Q(end_date__isnull=False) & ~Q(reason_ceased="")),
                name="care_episode_end_and_reason_together",
            ),
        ]

    def __str__(self) -> str:
        return f"Care episode from {self.start_date:%d %b %Y} ({self.legal_status}/{self.placement_type})"


@personal_data(**BASE_TAGS, period=NP, review_date=C.REFERRAL, due_date=NP, participation=C.REFERRAL)
class LookedAfterReview(CaseworkRecord):
    """A looked-after review: within 20 working days, then 3 months, then 6-monthly."""

    period = models.ForeignKey(PeriodOfCare, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    participation = models.CharField(max_length=3, choices=codelists.choices("903_review_participation"))

    class Meta:
        ordering = ["review_date", "pk"]

    def __str__(self) -> str:
        return f"Looked-after review on {self.review_date:%d %b %Y}"


@personal_data(
    **BASE_TAGS,
    period=NP,
    kind=C.REFERRAL,
    start_date=C.REFERRAL,
    end_date=C.REFERRAL,
    return_interview_offered=C.REFERRAL,
    return_interview_accepted=C.REFERRAL,
)
class MissingEpisode(CaseworkRecord):
    """SSDA903 Missing: M (whereabouts unknown) or A (away without authorisation)."""

    period = models.ForeignKey(PeriodOfCare, null=True, blank=True, on_delete=models.CASCADE, related_name="missing")
    kind = models.CharField(max_length=1, choices=codelists.choices("903_missing_type"))
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    return_interview_offered = models.BooleanField(default=False)
    return_interview_accepted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="missing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Missing/away from {self.start_date:%d %b %Y}"


class HealthCheckKind(models.TextChoices):
    """The OC2 health items (special-category data: stored encrypted)."""

    HEALTH_ASSESSMENT = "health_assessment", "Health assessment"
    TEETH_CHECK = "teeth_check", "Dental check"
    IMMUNISATIONS = "immunisations", "Immunisations up to date"
    HEALTH_CHECK = "health_check", "Development assessment (under 5)"
    SDQ = "sdq", "Strengths and difficulties questionnaire"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse problem identified"
    INTERVENTION_RECEIVED = "intervention_received", "Substance misuse intervention received"
    INTERVENTION_OFFERED = "intervention_offered", "Substance misuse intervention offered and refused"


@personal_data(**BASE_TAGS, kind=C.HEALTH, check_date=C.HEALTH, sdq_score=C.HEALTH, sdq_reason=C.HEALTH, note=C.HEALTH)
class HealthCheck(CaseworkRecord):
    """A health, dental, immunisation, SDQ or substance-misuse item for a looked-after child (OC2).
    Special-category data: the text fields are encrypted at rest."""

    kind = EncryptedTextField(choices=HealthCheckKind.choices)
    check_date = models.DateField()
    sdq_score = EncryptedTextField(blank=True, help_text="0 to 40")
    sdq_reason = EncryptedTextField(blank=True, choices=codelists.choices("903_sdq_reason"))
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-check_date", "-pk"]

    def __str__(self) -> str:
        return f"Health item on {self.check_date:%d %b %Y}"


@personal_data(**BASE_TAGS, convicted_on=C.CRIMINAL, summary=C.CRIMINAL)
class YouthConviction(CaseworkRecord):
    """A conviction or final warning of a looked-after child (OC2 CONVICTED). Criminal-offence data."""

    convicted_on = models.DateField()
    summary = EncryptedTextField()

    def __str__(self) -> str:
        return f"Conviction recorded {self.convicted_on:%d %b %Y}"


@personal_data(
    **BASE_TAGS,
    period=NP,
    decision_date=C.REFERRAL,
    match_date=C.REFERRAL,
    placed_date=C.REFERRAL,
    adoption_order_date=C.REFERRAL,
    placed_ceased_date=C.REFERRAL,
    reason_placed_ceased=C.REFERRAL,
    foster_carer_adoption=C.REFERRAL,
    number_of_adopters=C.REFERRAL,
    adopter_sex=C.REFERRAL,
    adopter_legal_status=C.REFERRAL,
)
class AdoptionRecord(CaseworkRecord):
    """Adoption milestones (SSDA903 PlacedAdoption and AD1)."""

    period = models.ForeignKey(PeriodOfCare, on_delete=models.CASCADE, related_name="adoption")
    decision_date = models.DateField("Decision that the child should be placed for adoption")
    match_date = models.DateField(null=True, blank=True)
    placed_date = models.DateField(null=True, blank=True)
    adoption_order_date = models.DateField(null=True, blank=True)
    placed_ceased_date = models.DateField("Date no longer to be placed for adoption", null=True, blank=True)
    reason_placed_ceased = models.CharField(
        max_length=3, blank=True, choices=codelists.choices("903_reason_no_longer_placed_for_adoption")
    )
    foster_carer_adoption = models.BooleanField(default=False)
    number_of_adopters = models.PositiveSmallIntegerField(null=True, blank=True)
    adopter_sex = models.CharField(max_length=2, blank=True, choices=codelists.choices("903_adopter_sex"))
    adopter_legal_status = models.CharField(
        max_length=3, blank=True, choices=codelists.choices("903_adopter_legal_status")
    )

    def __str__(self) -> str:
        return f"Adoption decision {self.decision_date:%d %b %Y}"


@personal_data(
    **BASE_TAGS,
    contact_date=C.REFERRAL,
    in_touch=C.REFERRAL,
    activity=C.REFERRAL,
    accommodation=C.REFERRAL,
    accommodation_suitable=C.REFERRAL,
)
class CareLeaverContact(CaseworkRecord):
    """Contact with a care leaver around a birthday from the 17th to the 21st (SSDA903 OC3)."""

    contact_date = models.DateField()
    in_touch = models.CharField(max_length=4, choices=codelists.choices("903_care_leaver_in_touch"))
    activity = models.CharField(max_length=2, blank=True, choices=codelists.choices("903_care_leaver_activity"))
    accommodation = models.CharField(
        max_length=1, blank=True, choices=codelists.choices("903_care_leaver_accommodation")
    )
    accommodation_suitable = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-contact_date", "-pk"]

    def __str__(self) -> str:
        return f"Care leaver contact {self.contact_date:%d %b %Y}"

    @property
    def accommodation_code(self) -> str:
        """OC3 ACCOM: the letter plus 1 (suitable) or 2 (unsuitable)."""
        if not self.accommodation:
            return ""
        return f"{self.accommodation}{1 if self.accommodation_suitable else 2}"


@personal_data(**BASE_TAGS, worker=C.REFERRAL, start_date=C.REFERRAL, end_date=C.REFERRAL, reason=C.REFERRAL)
class SocialWorkerEpisode(CaseworkRecord):
    """Who was the child's social worker, and when (SSDA903 SWEpisodes; SW_ID is the worker's id)."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # Blank only for an episode that began before 1 April 2023, when the DfE did not collect the reason
    # (SSDA903 SW01bSTG1/SW13STG1); the service refuses a blank reason from then on.
    reason = models.CharField(max_length=6, choices=codelists.choices("903_sw_change_reason"), blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="one_open_sw_episode_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"Social worker from {self.start_date:%d %b %Y}"


@personal_data(**BASE_TAGS, start_date=C.REFERRAL, ceased_date=C.REFERRAL)
class UascStatus(CaseworkRecord):
    """Unaccompanied asylum-seeking child status (SSDA903 UASC; DUC = the date it ceased)."""

    start_date = models.DateField()
    ceased_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"UASC from {self.start_date:%d %b %Y}"


# Placements a child may be in while deprived of their liberty (SSDA903 rule 709, 2026-27).
DOLO_PLACEMENTS = frozenset({"K2", "Z12", "Z13"})


def date_perm(option: str, day: int | None, month: int | None, year: int | None) -> str:
    """SSDA903 DATE_PERM: blank when there was no previous permanence (Z1), else DD/MM/YYYY with ZZ
    (ZZZZ for the year) for each part not known."""
    if option == "Z1":
        return ""
    dd = f"{day:02d}" if day else "ZZ"
    mm = f"{month:02d}" if month else "ZZ"
    yyyy = f"{year:04d}" if year else "ZZZZ"
    return f"{dd}/{mm}/{yyyy}"


@personal_data(
    **BASE_TAGS,
    period=NP,
    option=C.REFERRAL,
    la_code=C.REFERRAL,
    order_day=C.REFERRAL,
    order_month=C.REFERRAL,
    order_year=C.REFERRAL,
)
class PreviousPermanence(CaseworkRecord):
    """The child's permanence option before this period of care (SSDA903 PrevPerm): adoption, a
    special guardianship order, a residence or child arrangements order, unknown, or none (Z1); the
    authority that arranged it (LA_PERM) and the date of the order, which may be known only in part
    (DATE_PERM: ZZ/MM/YYYY, ZZ/ZZ/YYYY or ZZ/ZZ/ZZZZ). One per period of care."""

    period = models.OneToOneField(PeriodOfCare, on_delete=models.CASCADE, related_name="previous_permanence")
    option = models.CharField("Previous permanence option", max_length=2, choices=codelists.choices("903_prev_perm"))
    la_code = models.CharField("Local authority that arranged it", max_length=3, blank=True)
    order_day = models.PositiveSmallIntegerField(null=True, blank=True)
    order_month = models.PositiveSmallIntegerField(null=True, blank=True)
    order_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(order_day__isnull=True) | Q(order_month__isnull=False),
                name="previous_permanence_day_needs_month",
            ),
            models.CheckConstraint(
                condition=Q(order_month__isnull=True) | Q(order_year__isnull=False),
                name="previous_permanence_month_needs_year",
            ),
            models.CheckConstraint(
                condition=~Q(option="Z1") | (Q(la_code="") & Q(order_year__isnull=True)),
                name="previous_permanence_none_has_no_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Previous permanence {self.option}"

    @property
    def date_perm(self) -> str:
        """DATE_PERM as the DfE writes it: blank for Z1, ZZ for each part not known."""
        return date_perm(self.option, self.order_day, self.order_month, self.order_year)

    @property
    def date_display(self) -> str:
        """The date of the order for a page: as much of it as is known."""
        if self.option == "Z1":
            return ""
        if not self.order_year:
            return "Not known"
        if not self.order_month:
            return str(self.order_year)
        month = calendar.month_name[self.order_month]
        return f"{self.order_day} {month} {self.order_year}" if self.order_day else f"{month} {self.order_year}"


@personal_data(**BASE_TAGS, period=NP, start_date=C.REFERRAL, end_date=C.REFERRAL)
class DeprivationOfLibertyOrder(CaseworkRecord):
    """A court order authorising the deprivation of a looked-after child's liberty (SSDA903 DoLo,
    collected from 2026-27): when it started and ended, inside a period of care. Orders of a child
    never overlap, and while one lasts the child is placed in K2, Z12 or Z13 (rules 705, 707, 709)."""

    period = models.ForeignKey(PeriodOfCare, on_delete=models.CASCADE, related_name="dolos")
    start_date = models.DateField("Date the order started")
    end_date = models.DateField("Date the order ended", null=True, blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="dolo_ends_after_start_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Deprivation of liberty order from {self.start_date:%d %b %Y}"
