"""Rules that check an episode's Ofsted URN against Ofsted's provider lists (1008, 219, 221, 224, 227-229).

They need the provider register (`Ctx.providers`, from `manage.py import_ofsted_providers`); without
it the engine skips them and says so, as the DfE tool skips them when the lists are not uploaded.
Each reads the episodes that carry a URN other than XXXXXXX (the regional adoption agency code), joined
with the register on the URN. As in the DfE's own checks, an unknown URN (1008) also fails the checks
that compare the episode with the register's placement codes (219), provider codes (224), postcode
(221) and, for a PR1 provider, local authority (229): there is nothing in the register it matches.
The provider's local authority is inferred from its postcode by the postcode lookup; with an
incomplete lookup, 229 says nothing about a registered provider whose postcode it does not know.
"""

from __future__ import annotations

import polars as pl

from ..context import Ctx
from .base import c, isin, mask_rule, notin, present, true

E = "Episodes"
REGIONAL_ADOPTION_URN = "XXXXXXX"
PROVIDERS = ("providers",)
POSTCODE_CHECKED = ("K1", "K2", "K3", "R3", "S1")  # placements whose postcode is the provider's
SHORT_BREAKS = ("V3", "V4")
# From 2025-26, 229 leaves out placements whose provider's own area says nothing about PR1/PR2.
LA_NOT_CHECKED_FROM_2026 = (
    "K3",
    "P1",
    "P3",
    "R1",
    "R2",
    "R5",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "Z11",
    "Z12",
    "Z13",
    "Z14",
)


def with_provider(ctx: Ctx) -> pl.DataFrame:
    """Episodes with a URN (not XXXXXXX), each with its register entry: `OF_PLACE_CODES`,
    `OF_PROVIDER_CODES`, `OF_REG_END`, `OF_POSTCODE`, `OF_LA` (null when not registered) and `_known`."""
    return ctx.shared("episodes_with_provider", _join)


def _join(ctx: Ctx) -> pl.DataFrame:
    if ctx.providers is None:  # the engine runs these rules only with a register
        raise RuntimeError("The provider rules need the Ofsted provider register")
    register = ctx.providers.select(
        "URN",
        OF_PLACE_CODES="PLACE_CODES",
        OF_PROVIDER_CODES="PROVIDER_CODES",
        OF_REG_END="REG_END",
        OF_POSTCODE="POSTCODE",
        OF_LA="LA_CODE",
        _known=pl.lit(True),
    )
    episodes = ctx.t(E).filter(present("URN") & (c("URN") != REGIONAL_ADOPTION_URN))
    return episodes.join(register, on="URN", how="left", maintain_order="left").with_columns(
        c("_known").fill_null(False)
    )


def _listed(codes: str, value: str) -> pl.Expr:
    """The episode's `value` is one of the register's `codes` (a blank value or no entry is not)."""
    return true(c(codes).list.contains(c(value)) & present(value))


def _not_registered(ctx: Ctx) -> pl.Expr:
    return ~c("_known")


def _wrong_place(ctx: Ctx) -> pl.Expr:
    return ~_listed("OF_PLACE_CODES", "PLACE")


def _wrong_postcode(ctx: Ctx) -> pl.Expr:
    applies = notin("LS", SHORT_BREAKS) & isin("PLACE", POSTCODE_CHECKED) & present("PL_POST")
    return applies & c("PL_POST").str.replace_all(" ", "").ne_missing(c("OF_POSTCODE"))


def _wrong_provider(ctx: Ctx) -> pl.Expr:
    return ~_listed("OF_PROVIDER_CODES", "PLACE_PROVIDER")


def _closed_at_start(ctx: Ctx) -> pl.Expr:
    return true(c("DECOM_dt") >= c("OF_REG_END"))


def _closed_at_end(ctx: Ctx) -> pl.Expr:
    # An open episode (or an end date that cannot be read, as the DfE reads it) runs to 31 March.
    ended = pl.when(c("DEC_dt").is_null()).then(pl.lit(ctx.end)).otherwise(c("DEC_dt"))
    return true(ended > c("OF_REG_END"))


def _provider_area_mismatch(ctx: Ctx) -> pl.Expr:
    la = c("OF_LA")
    # No LA for the provider: not registered (nothing to match), or a postcode a complete lookup lacks.
    la_missing = la.is_null() & (~c("_known") | pl.lit(ctx.postcodes.complete))
    own = true(c("PLACE_PROVIDER") == "PR1") & (true(la != ctx.la_code) | la_missing)
    other = true(c("PLACE_PROVIDER") == "PR2") & true(la == ctx.la_code)
    applies = notin("PLACE", LA_NOT_CHECKED_FROM_2026) if ctx.end_year >= 2026 else pl.lit(True)
    return applies & (own | other)


mask_rule(
    "1008",
    "The Ofsted URN is not in Ofsted's children's homes or social care providers lists: check the URN "
    "(or load the latest lists).",
    E,
    "URN",
    _not_registered,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "219",
    "The placement type is not one Ofsted registers this provider (URN) for: check the placement type and the URN.",
    E,
    "PLACE",
    _wrong_place,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "221",
    "The placement postcode is not the postcode Ofsted holds for this provider (URN): check the postcode and the URN.",
    E,
    "PL_POST",
    _wrong_postcode,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "224",
    "The placement provider is not one Ofsted records for this URN: check the placement provider and the URN.",
    E,
    "PLACE_PROVIDER",
    _wrong_provider,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "227",
    "The provider (URN) was no longer registered with Ofsted when the episode started: check the URN "
    "and the start date.",
    E,
    "URN",
    _closed_at_start,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "228",
    "The provider (URN) stopped being registered with Ofsted before the episode ended (or, for an "
    "open episode, before 31 March): check the URN and the end date.",
    E,
    "URN",
    _closed_at_end,
    also_needs=PROVIDERS,
    frame=with_provider,
)
mask_rule(
    "229",
    "The placement provider does not fit where the provider is: PR1 (own provision) must be in the "
    "council's area and PR2 (another council's) outside it. The area is inferred from the provider's "
    "postcode.",
    E,
    "PLACE_PROVIDER",
    _provider_area_mismatch,
    also_needs=PROVIDERS,
    frame=with_provider,
)
