"""Social worker episode rules (SWEpisodes, collected from 2023-24)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from opencsc.core.codelists import codes

from ..context import Ctx, neighbours
from ._lists import SHORT_BREAKS
from .base import Hits, bad_date, blank, c, mask_rule, notin, only, plus_days, present, rule, true

S, E = "SWEpisodes", "Episodes"
FROM_2023 = dt.date(2023, 4, 1)

mask_rule(
    "SW01aSTG1",
    "A social worker episode before April 2023 needs its social worker ID, and every episode needs a valid start date.",
    S,
    "SW_ID",
    lambda ctx: ((c("SW_DECOM_dt") < FROM_2023) & blank("SW_ID")) | blank("SW_DECOM_dt"),
)
mask_rule(
    "SW01bSTG1",
    "A social worker episode from April 2023 needs the social worker ID and the reason for the "
    "change, and every episode needs a valid start date.",
    S,
    "SW_REASON",
    lambda ctx: ((c("SW_DECOM_dt") >= FROM_2023) & (blank("SW_ID") | blank("SW_REASON"))) | blank("SW_DECOM_dt"),
)
mask_rule(
    "SW02STG1",
    "The social worker ID must start with SW (or XX when not known).",
    S,
    "SW_ID",
    lambda ctx: (
        ~true(c("SW_ID").str.slice(0, 2).is_in(["SW", "XX"]))
        | (true(c("SW_ID").str.len_chars() < 4) if ctx.end_year >= 2026 else pl.lit(False))
    ),
)
mask_rule(
    "SW04STG1",
    "The social worker episode start date is not a valid date (DD/MM/YYYY).",
    S,
    "SW_DECOM",
    lambda ctx: bad_date("SW_DECOM"),
)
mask_rule(
    "SW05STG1",
    "The social worker episode end date is not a valid date (DD/MM/YYYY).",
    S,
    "SW_DEC",
    lambda ctx: bad_date("SW_DEC"),
)
mask_rule(
    "SW06STG2",
    "The social worker episode starts after the end of the collection year.",
    S,
    "SW_DECOM",
    lambda ctx: c("SW_DECOM_dt") > ctx.end,
)
mask_rule(
    "SW07STG2",
    "The social worker episode ends outside the reporting period (from a year before the collection year to 31 March).",
    S,
    "SW_DEC",
    lambda ctx: (c("SW_DEC_dt") < pl.lit(ctx.start).dt.offset_by("-1y")) | (c("SW_DEC_dt") > ctx.end),
)
mask_rule(
    "SW13STG1",
    "The reason for the change of social worker is not a valid code (it is required from April 2023).",
    S,
    "SW_REASON",
    lambda ctx: (
        (present("SW_REASON") & notin("SW_REASON", codes("903_sw_change_reason", ctx.year)))
        | (blank("SW_REASON") & true(c("SW_DECOM_dt") >= FROM_2023))
    ),
)
mask_rule(
    "SW18STG2",
    "The social worker episode ends on or before the day it started.",
    S,
    "SW_DEC",
    lambda ctx: present("SW_DEC_dt") & present("SW_DECOM_dt") & ~(c("SW_DEC_dt") > c("SW_DECOM_dt")),
)


def _short_episode(ctx: Ctx) -> pl.Expr:
    if ctx.end_year <= 2025:
        return c("SW_DEC") == c("SW_DECOM")
    length = (c("SW_DEC_dt") - c("SW_DECOM_dt")).dt.total_days()
    return (present("SW_DEC") | present("SW_DECOM")) & (length < 3)


mask_rule(
    "SW09STG2",
    "The social worker episode lasted less than the minimum (24 hours to 2024-25, 3 days from "
    "2025-26): check the dates.",
    S,
    "SW_DEC",
    _short_episode,
)


def _sw(ctx: Ctx) -> pl.DataFrame:
    return ctx.shared("sw_neighbours", _sw_neighbours)


def _sw_neighbours(ctx: Ctx) -> pl.DataFrame:
    return neighbours(ctx.t(S), ("SW_DECOM_dt", "SW_DEC_dt", "_row"), ("SW_DECOM_dt", "SW_DEC_dt", "SW_DEC"))


def _gap(days: int = 7) -> pl.Expr:
    """This episode does not start within `days` of the previous one's end (or that end is unknown)."""
    near = (c("SW_DECOM_dt") >= plus_days("p_SW_DEC_dt", -days)) & (c("SW_DECOM_dt") <= plus_days("p_SW_DEC_dt", days))
    return ~true(near)


@rule(
    "SW08STG2",
    "A new social worker episode has started but the previous one has no end date.",
    needs=(S,),
    fields={S: "SW_DEC"},
)
def r_sw08(ctx: Ctx) -> Hits:
    return only(S, _sw(ctx), c("_has_next") & blank("SW_DEC_dt") & present("SW_DECOM_dt"))


@rule(
    "SW10STG2",
    "A new social worker episode (other than first contact) does not start within 7 days of the end "
    "of the previous one.",
    needs=(S,),
    fields={S: "SW_DECOM"},
)
def r_sw10(ctx: Ctx) -> Hits:
    return only(S, _sw(ctx), c("_has_prev") & (c("SW_REASON") != "FCONTA").fill_null(True) & _gap())


@rule(
    "SW10aSTG2",
    "A new social worker episode (other than first contact) does not start within 7 days of the "
    "end of the previous one.",
    needs=(S,),
    fields={S: "SW_DECOM"},
)
def r_sw10a(ctx: Ctx) -> Hits:
    return only(S, _sw(ctx), c("_has_prev") & (c("SW_REASON") != "FCONTA").fill_null(True) & _gap())


@rule(
    "SW10bSTG2",
    "A social worker episode for a first contact starts before the previous episode ended.",
    needs=(S,),
    fields={S: "SW_DECOM"},
)
def r_sw10b(ctx: Ctx) -> Hits:
    return only(S, _sw(ctx), c("_has_prev") & (c("SW_REASON") == "FCONTA") & (c("SW_DECOM_dt") <= c("p_SW_DEC_dt")))


@rule(
    "SW11bSTG2",
    "The social worker episode ended in the last days before 31 March and no later episode is recorded.",
    needs=(S,),
    fields={S: "SW_DEC"},
)
def r_sw11b(ctx: Ctx) -> Hits:
    window = c("SW_DEC_dt").is_between(plus_days(pl.lit(ctx.end), -5), pl.lit(ctx.end))
    prev_window = c("p_SW_DEC_dt").is_between(plus_days(pl.lit(ctx.end), -5), pl.lit(ctx.end))
    sw = _sw(ctx)
    return only(S, sw, (~c("_has_next") & true(window)) | (c("_has_prev") & true(prev_window) & blank("SW_DECOM_dt")))


def _looked_after_at_end(ctx: Ctx) -> pl.Series:
    """Children with an open episode (not a short break) at 31 March."""
    return ctx.t(E).filter(blank("DEC") & notin("LS", SHORT_BREAKS))["CHILD"].unique().implode()


@rule(
    "SW17STG2",
    "The child is looked after on 31 March but no social worker episode is open then.",
    needs=(S, E),
    fields={S: "SW_DEC"},
)
def r_sw17(ctx: Ctx) -> Hits:
    latest = _sw(ctx).filter(~c("_has_next"))
    return only(S, latest, present("SW_DEC") & c("CHILD").is_in(_looked_after_at_end(ctx)))


@rule(
    "SW19STG2",
    "Two social worker episodes for the child start on the same date.",
    needs=(S,),
    fields={S: "SW_DECOM"},
)
def r_sw19(ctx: Ctx) -> Hits:
    return only(S, ctx.t(S), ~pl.struct("CHILD", "SW_DECOM").is_first_distinct())


@rule(
    "SW12STG2",
    "Social worker episodes must be reported for the whole time the child was looked after this "
    "year: none is recorded, or one falls outside the child's care.",
    needs=(S, E),
    fields={E: "CHILD"},
)
def r_sw12(ctx: Ctx) -> Hits:
    year_before = pl.lit(ctx.start).dt.offset_by("-1y")
    eps = ctx.t(E).filter(
        (true((c("DEC_dt") >= year_before) & (c("DEC_dt") <= ctx.end)) | blank("DEC_dt"))
        & notin("LS", SHORT_BREAKS)
        & ((c("RNE") == "S") | (c("REC") != "X1").fill_null(True))
    )
    merged = eps.join(ctx.t(S).select("CHILD", "SW_DECOM_dt"), on="CHILD", how="left")
    # An open episode (no end date) counts as running to 31 March; an unreadable end date does not.
    ends = pl.when(blank("DEC")).then(pl.lit(ctx.end)).otherwise(c("DEC_dt"))
    before_end = true(c("SW_DECOM_dt") <= ends) & (c("REC") != "X1").fill_null(True)
    after_start = true(c("SW_DECOM_dt") >= c("DECOM_dt")) & (c("RNE") == "S")
    return only(E, merged, ~before_end & ~true(after_start))
