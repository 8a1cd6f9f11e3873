"""Code groups the 903 rules share, by collection year (from the shared code lists where they exist)."""

from __future__ import annotations

from opencsc.core.codelists import codes

from ..context import Ctx

TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")
SHORT_BREAKS = ("V3", "V4")
ADOPTED = ("E11", "E12")
OUT_OF_ENGLAND = ("CON", "NIR", "SCO", "WAL", "NUK")
UN_CODES = ("UN1", "UN2", "UN3", "UN4", "UN5")
REVIEW_UNDER_4 = "PN0"
OC2_FLAGS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")
AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
# Local authority codes (old-style three-digit DfE numbers) accepted for LA_PERM, plus the UK nations:
# the same list the casework pages check previous permanence against.
LA_PERM_CODES = codes("903_la_perm")


def other_placements(ctx: Ctx) -> tuple[str, ...]:
    """The "other placement" codes of the year: Z1 to 2024-25, Z11-Z14 from 2025-26."""
    return ("Z1",) if ctx.end_year <= 2025 else ("Z11", "Z12", "Z13", "Z14")


def no_provider_placements(ctx: Ctx) -> tuple[str, ...]:
    """Placements that take no placement provider: temporary and other placements."""
    return TEMPORARY + other_placements(ctx)


def urn_exempt_placements(ctx: Ctx) -> tuple[str, ...]:
    """Placements with no Ofsted URN: parents, employment, health, custody, temporary, other."""
    return ("P1", "P3", "R1", "R2", "R5", *TEMPORARY, *other_placements(ctx))


def placement_types(ctx: Ctx) -> frozenset[str]:
    return codes("903_placement_type", ctx.year)


def leaving_care_accommodation(ctx: Ctx) -> frozenset[str]:
    """ACCOM codes: a type letter plus 1 (suitable) or 2 (unsuitable); no fixed abode and custody are
    never suitable; 0 for not applicable."""
    letters = codes("903_care_leaver_accommodation", ctx.year)
    return frozenset({f"{letter}{digit}" for letter in letters for digit in "12"} - {"S1", "X1"} | {"0"})


def category_of_need() -> frozenset[str]:
    """903 category of need: N1-N8 (the CIN primary needs without N0/N9)."""
    return frozenset(codes("cin_primary_need")) - {"N0", "N9"}
