"""Deprivation of liberty order (DoLo) rules, collected from 2026-27."""

from __future__ import annotations

import polars as pl

from ..context import Ctx
from .base import Hits, bad_date, blank, c, isin, mask_rule, notin, only, present, rows, rule, true

D, E = "DoLo", "Episodes"
DOLO_PLACEMENTS = ("K2", "Z12", "Z13")
NO_DOLO_PLACEMENTS = ("K1", "P1", "R5", "K3")

mask_rule(
    "700",
    "The DoLO start date is missing or not a valid date (DD/MM/YYYY).",
    D,
    "DOLO_START",
    lambda ctx: blank("DOLO_START_dt"),
)
mask_rule(
    "701",
    "The DoLO end date is not a valid date (DD/MM/YYYY).",
    D,
    "DOLO_END",
    lambda ctx: bad_date("DOLO_END"),
)
mask_rule(
    "702",
    "The DoLO ends on or before the day it started.",
    D,
    "DOLO_END",
    lambda ctx: c("DOLO_END_dt") <= c("DOLO_START_dt"),
)
mask_rule(
    "703",
    "The DoLO starts after the end of the collection year.",
    D,
    "DOLO_START",
    lambda ctx: c("DOLO_START_dt") > ctx.end,
)
mask_rule(
    "704",
    "The DoLO ends outside the collection year.",
    D,
    "DOLO_END",
    lambda ctx: (c("DOLO_END_dt") > ctx.end) | (c("DOLO_END_dt") < ctx.start),
)
mask_rule(
    "708",
    "The DoLO starts on or before the child's date of birth.",
    D,
    "DOLO_START",
    lambda ctx: c("DOLO_START_dt") <= c("DOB_dt"),
)


@rule(
    "705",
    "A DoLO starts before the previous one ended (or while it is still open).",
    needs=(D,),
    fields={D: "DOLO_START"},
)
def r705(ctx: Ctx) -> Hits:
    dolo = (
        ctx.t(D)
        .with_columns(_fill=c("DOLO_END_dt").fill_null(c("DOLO_START_dt")))
        .sort(["CHILD", "_fill", "DOLO_START_dt"], nulls_last=True, maintain_order=True)
    )
    same = c("CHILD") == c("CHILD").shift(1)
    prev_end = c("DOLO_END_dt").shift(1)
    return only(D, dolo, same & (prev_end.is_null() | true(c("DOLO_START_dt") < prev_end)))


@rule(
    "706",
    "A DoLO was open at the end of last year but no DoLO with the same start date is recorded this year.",
    needs=(D, "DoLo_last", "Header"),
    fields={D: "DOLO_START", "Header": "CHILD"},
)
def r706(ctx: Ctx) -> Hits:
    open_last = ctx.t("DoLo_last").filter(blank("DOLO_END")).select("CHILD", "DOLO_START")
    now = ctx.t(D).select("CHILD", "DOLO_START", _m=pl.lit(True))
    lost = open_last.join(now, on=["CHILD", "DOLO_START"], how="left").filter(blank("_m"))["CHILD"].implode()
    return {
        D: rows(ctx.t(D), c("CHILD").is_in(lost)),
        "Header": rows(ctx.t("Header"), c("CHILD").is_in(lost)),
    }


@rule(
    "707",
    "The child left care but a DoLO has no end date (or ends outside the period of care).",
    needs=(D, E),
    fields={D: "DOLO_END"},
)
def r707(ctx: Ctx) -> Hits:
    pocs = ctx.periods.unique("_period").select("CHILD", "poc_DECOM", "poc_DEC")
    merged = ctx.t(D).filter(present("DOLO_START_dt")).join(pocs, on="CHILD", how="inner")
    outside = (
        (blank("DOLO_END_dt") & present("poc_DEC"))
        | (blank("DOLO_END_dt") & (c("DOLO_START_dt") < c("poc_DECOM")))
        | (c("DOLO_END_dt") > c("poc_DEC"))
        | (c("DOLO_END_dt") < c("poc_DECOM"))
    )
    verdict = merged.group_by("_row").agg(_all=true(outside).all())
    return only(D, verdict, c("_all"))


def _overlaps(ctx: Ctx) -> pl.DataFrame:
    dolo = (
        ctx.t(D)
        .filter(present("DOLO_START") & present("DOLO_END"))
        .select("CHILD", "DOLO_START_dt", "DOLO_END_dt", _d="_row")
    )
    merged = ctx.t(E).join(dolo, on="CHILD", how="inner")
    return merged.filter(
        true(((c("DOLO_START_dt") <= c("DEC_dt")) | blank("DEC_dt")) & (c("DOLO_END_dt") >= c("DECOM_dt")))
    )


@rule(
    "709",
    "A child with a DoLO is in an unexpected placement type (expected K2, Z12 or Z13).",
    needs=(D, E),
    fields={D: "DOLO_START", E: "PLACE"},
)
def r709(ctx: Ctx) -> Hits:
    hit = _overlaps(ctx).filter(notin("PLACE", DOLO_PLACEMENTS))
    return {D: rows(hit, None, "_d"), E: rows(hit)}


@rule(
    "710",
    "A child with a DoLO cannot be in a secure children's home, with parents, in a young offender "
    "institution or in supported accommodation (K1, P1, R5, K3).",
    needs=(D, E),
    fields={D: "DOLO_START", E: "PLACE"},
)
def r710(ctx: Ctx) -> Hits:
    hit = _overlaps(ctx).filter(isin("PLACE", NO_DOLO_PLACEMENTS))
    return {D: rows(hit, None, "_d"), E: rows(hit)}
