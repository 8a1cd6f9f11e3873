"""Missing / away-from-placement rules."""

from __future__ import annotations

import polars as pl

from opencsc.core.codelists import codes

from ..context import Ctx
from .base import Hits, bad_date, blank, c, isin, mask_rule, notin, only, plus_years, present, rule, true

M, E = "Missing", "Episodes"

mask_rule(
    "1004",
    "The start date of the missing or away period is missing or not a valid date (DD/MM/YYYY).",
    M,
    "MIS_START",
    lambda ctx: blank("MIS_START_dt"),
)
mask_rule(
    "1005",
    "The end date of the missing or away period is not a valid date (DD/MM/YYYY).",
    M,
    "MIS_END",
    lambda ctx: bad_date("MIS_END"),
)
mask_rule(
    "1006",
    "The missing type is not valid: use M (missing) or A (away without authorisation).",
    M,
    "MISSING",
    lambda ctx: present("MISSING") & notin("MISSING", codes("903_missing_type", ctx.year)),
)
mask_rule(
    "564",
    "The child was missing or away, so the date it started must be recorded.",
    M,
    "MIS_START",
    lambda ctx: isin("MISSING", ("M", "A")) & blank("MIS_START"),
)
mask_rule(
    "565",
    "A start date is recorded, so say whether the child was missing (M) or away (A).",
    M,
    "MISSING",
    lambda ctx: present("MIS_START") & blank("MISSING"),
)
mask_rule(
    "566",
    "An end date is recorded, so say whether the child was missing (M) or away (A).",
    M,
    "MISSING",
    lambda ctx: blank("MISSING") & present("MIS_END"),
)
mask_rule(
    "567",
    "The missing or away period ends before it started: check both dates.",
    M,
    "MIS_END",
    lambda ctx: c("MIS_START_dt") > c("MIS_END_dt"),
)
mask_rule(
    "570",
    "The missing or away period starts after the end of the collection year.",
    M,
    "MIS_START",
    lambda ctx: c("MIS_START_dt") > ctx.end,
)
mask_rule(
    "571",
    "The missing or away period ends outside the collection year.",
    M,
    "MIS_END",
    lambda ctx: (c("MIS_END_dt") < ctx.start) | (c("MIS_END_dt") > ctx.end),
)
mask_rule(
    "586",
    "The missing or away period starts on or before the child's date of birth.",
    M,
    "MIS_START",
    lambda ctx: present("MIS_START_dt") & (c("MIS_START_dt") <= c("DOB_dt")),
)


@rule(
    "574",
    "A missing or away period starts before the previous one ended (or while it is still open).",
    needs=(M,),
    fields={M: "MIS_START"},
)
def r574(ctx: Ctx) -> Hits:
    mis = (
        ctx.t(M)
        .with_columns(_fill=c("MIS_END_dt").fill_null(c("MIS_START_dt")))
        .sort(["CHILD", "_fill", "MIS_START_dt"], nulls_last=True, maintain_order=True)
    )
    same = c("CHILD") == c("CHILD").shift(1)
    prev_end = c("MIS_END_dt").shift(1)
    return only(M, mis, same & (prev_end.is_null() | true(c("MIS_START_dt") < prev_end)))


@rule(
    "575",
    "The placement the child went missing from has ended, so the missing or away period needs an end date.",
    needs=(E, M),
    fields={M: "MIS_END"},
)
def r575(ctx: Ctx) -> Hits:
    eps = ctx.t(E).select("CHILD", "DECOM_dt", "DEC_dt")
    merged = ctx.t(M).join(eps, on="CHILD", how="inner")
    mask = (
        (c("MIS_START_dt") >= c("DECOM_dt")) & (c("MIS_START_dt") <= c("DEC_dt")) & blank("MIS_END") & present("DEC_dt")
    )
    return only(M, merged, mask)


def _against_periods(ctx: Ctx, outside: pl.Expr) -> Hits:
    """Missing rows for which `outside` holds against every period of care of the child."""
    pocs = ctx.periods.unique("_period").select("CHILD", "poc_DECOM", "poc_DEC")
    merged = ctx.t(M).filter(present("MIS_START_dt")).join(pocs, on="CHILD", how="inner")
    verdict = merged.group_by("_row").agg(_all=true(outside).all())
    return only(M, verdict, c("_all"))


@rule(
    "577",
    "The child left care but a missing or away period has no end date (or ends outside the period of care).",
    needs=(E, M),
    fields={M: "MIS_END"},
)
def r577(ctx: Ctx) -> Hits:
    outside = (
        (blank("MIS_END_dt") & present("poc_DEC"))
        | (blank("MIS_END_dt") & (c("MIS_START_dt") < c("poc_DECOM")))
        | (c("MIS_END_dt") > c("poc_DEC"))
        | (c("MIS_END_dt") < c("poc_DECOM"))
    )
    return _against_periods(ctx, outside)


@rule(
    "578",
    "The missing or away period starts outside any period of care (before the child was looked after "
    "or after they left).",
    needs=(E, M),
    fields={M: "MIS_START"},
)
def r578(ctx: Ctx) -> Hits:
    outside = (c("MIS_START_dt") < c("poc_DECOM")) | (true(c("MIS_START_dt") > c("poc_DEC")) & present("poc_DEC"))
    return _against_periods(ctx, outside)


@rule(
    "580",
    "The child was missing when they left care at 18, so the reason episode ceased must be E8.",
    needs=(E, M),
    fields={E: "REC"},
)
def r580(ctx: Ctx) -> Hits:
    mis = ctx.t(M).select("CHILD", "MIS_END_dt", _bd18=plus_years("DOB_dt", 18))
    merged = ctx.t(E).join(mis, on="CHILD", how="inner")
    mask = (c("_bd18") == c("MIS_END_dt")) & (c("MIS_END_dt") == c("DEC_dt")) & (c("REC") != "E8").fill_null(True)
    return only(E, merged, mask)


@rule(
    "581",
    "The missing or away period does not fall within any of the child's episodes of care.",
    needs=(E, M),
    fields={M: "MIS_START"},
)
def r581(ctx: Ctx) -> Hits:
    eps = ctx.t(E).select("CHILD", "DECOM_dt", "DEC_dt")
    merged = ctx.t(M).join(eps, on="CHILD", how="inner")
    inside = (c("MIS_START_dt") >= c("DECOM_dt")) & ((c("MIS_START_dt") <= c("DEC_dt")) | blank("DEC_dt"))
    verdict = merged.group_by("_row").agg(_in=true(inside).any())
    return only(M, verdict, ~c("_in"))
