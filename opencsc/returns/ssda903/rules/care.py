"""OC2 (looked after 12 months: health, SDQ, offending) and OC3 (care leavers) rules."""

from __future__ import annotations

import polars as pl

from opencsc.core.codelists import codes

from ..context import Ctx
from ._lists import AD1_ITEMS, ADOPTED, OC2_FLAGS, OC3_ITEMS, SHORT_BREAKS, leaving_care_accommodation
from .base import Hits, blank, c, isin, mask_rule, notin, only, plus_years, present, rows, rule, true

O2, O3, E = "OC2", "OC3", "Episodes"
HEALTH_ITEMS = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")


def _any(columns: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal([present(col) for col in columns])


def _any_blank(columns: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal([blank(col) for col in columns])


def _cla(ctx: Ctx) -> pl.DataFrame:
    return ctx.with_cla(O2)


def _oc2_cla_rule(code: str, message: str, field: str, mask) -> None:  # type: ignore[no-untyped-def]
    mask_rule(code, message, O2, field, mask, also_needs=(E,), frame=_cla)


# ---- OC2 ----------------------------------------------------------------------------------------

mask_rule(
    "158",
    "An intervention for substance misuse was received, so 'intervention offered' should be left blank.",
    O2,
    "INTERVENTION_OFFERED",
    lambda ctx: (c("INTERVENTION_RECEIVED") == "1") & present("INTERVENTION_OFFERED"),
)
mask_rule(
    "159",
    "No intervention for substance misuse was received, so record whether one was offered.",
    O2,
    "INTERVENTION_OFFERED",
    lambda ctx: (c("SUBSTANCE_MISUSE") == "1") & (c("INTERVENTION_RECEIVED") == "0") & blank("INTERVENTION_OFFERED"),
)
mask_rule(
    "180",
    "The SDQ score is not valid: it is a whole number from 0 to 40.",
    O2,
    "SDQ_SCORE",
    lambda ctx: (
        present("SDQ_SCORE") & ~true(c("SDQ_SCORE").cast(pl.Float64, strict=False).is_in([float(n) for n in range(41)]))
    ),
)
mask_rule(
    "181",
    "Health and offending items for children looked after 12 months must be 0 or 1.",
    O2,
    "CONVICTED",
    lambda ctx: pl.any_horizontal([present(col) & notin(col, ("0", "1")) for col in OC2_FLAGS]),
)
mask_rule(
    "182",
    "Immunisations, teeth check, health assessment and substance misuse must all be completed, or "
    "every OC2 item left blank.",
    O2,
    "IMMUNISATIONS",
    lambda ctx: (
        _any_blank(HEALTH_ITEMS) & _any(("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"))
    ),
)
mask_rule(
    "188",
    "The child is under 4 at the end of the year, so no SDQ score or reason should be recorded.",
    O2,
    "SDQ_SCORE",
    lambda ctx: (plus_years("DOB_dt", 4) > ctx.end) & _any(("SDQ_SCORE", "SDQ_REASON")),
)
mask_rule(
    "189",
    "The young person was 17 or over at the start of the year, so no SDQ score or reason should be recorded.",
    O2,
    "SDQ_SCORE",
    lambda ctx: (plus_years("DOB_dt", 17) < ctx.start) & _any(("SDQ_SCORE", "SDQ_REASON")),
)
mask_rule(
    "192",
    "A substance misuse problem is recorded, so record whether an intervention was received.",
    O2,
    "INTERVENTION_RECEIVED",
    lambda ctx: (c("SUBSTANCE_MISUSE") == "1") & blank("INTERVENTION_RECEIVED"),
)
mask_rule(
    "193",
    "No substance misuse problem is recorded, so the intervention items should be left blank.",
    O2,
    "INTERVENTION_RECEIVED",
    lambda ctx: (
        (blank("SUBSTANCE_MISUSE") | (c("SUBSTANCE_MISUSE") == "0"))
        & _any(("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"))
    ),
)
mask_rule(
    "196",
    "The reason for no SDQ score is not a valid code (SDQ1 to SDQ5).",
    O2,
    "SDQ_REASON",
    lambda ctx: present("SDQ_REASON") & notin("SDQ_REASON", codes("903_sdq_reason", ctx.year)),
)
mask_rule(
    "197a",
    "An SDQ score is recorded, so the reason for no SDQ score should be blank.",
    O2,
    "SDQ_REASON",
    lambda ctx: present("SDQ_SCORE") & present("SDQ_REASON"),
)
mask_rule(
    "542",
    "A child under 10 at 31 March should not have conviction information.",
    O2,
    "CONVICTED",
    lambda ctx: (plus_years("DOB_dt", 10) > ctx.end) & present("CONVICTED"),
)
mask_rule(
    "544",
    "A conviction is recorded, so immunisations, teeth check, health assessment and substance "
    "misuse must be completed.",
    O2,
    "CONVICTED",
    lambda ctx: (c("CONVICTED") == "1") & _any_blank(HEALTH_ITEMS),
)
mask_rule(
    "547",
    "Health promotion information is recorded, so immunisations, teeth check, health assessment and "
    "substance misuse must be completed.",
    O2,
    "HEALTH_CHECK",
    lambda ctx: (c("HEALTH_CHECK") == "1") & _any_blank(HEALTH_ITEMS),
)

_oc2_cla_rule(
    "157",
    "The child is aged 4 to 16, so SDQ1 (under 4 or over 16) is not a valid reason for no SDQ score.",
    "SDQ_REASON",
    lambda ctx: (
        c("CLA")
        & (plus_years("DOB_dt", 4) <= ctx.start)
        & (plus_years("DOB_dt", 16) >= ctx.end)
        & blank("SDQ_SCORE")
        & (c("SDQ_REASON") == "SDQ1")
    ),
)
_oc2_cla_rule(
    "185",
    "The child has not been looked after continuously for 12 months at 31 March, so no SDQ score should be recorded.",
    "SDQ_SCORE",
    lambda ctx: present("SDQ_SCORE") & ~c("CLA"),
)
_oc2_cla_rule(
    "186",
    "The child has been looked after for 12 months and is aged 4 to 16, so record an SDQ score "
    "or the reason there is none.",
    "SDQ_SCORE",
    lambda ctx: (
        (plus_years("DOB_dt", 4) <= ctx.start)
        & (plus_years("DOB_dt", 17) > ctx.end)
        & c("CLA")
        & blank("SDQ_SCORE")
        & blank("SDQ_REASON")
    ),
)
_oc2_cla_rule(
    "190",
    "The child has not been looked after continuously for 12 months at 31 March, so the OC2 items should be blank.",
    "CONVICTED",
    lambda ctx: ~c("CLA") & _any(OC2_FLAGS),
)
_oc2_cla_rule(
    "197B",
    "The child turned 4 or 17 this year and has been looked after 12 months, so record an SDQ "
    "score or the reason there is none.",
    "SDQ_SCORE",
    lambda ctx: (
        (
            plus_years("DOB_dt", 4).is_between(ctx.start, ctx.end)
            | plus_years("DOB_dt", 17).is_between(ctx.start, ctx.end)
        )
        & c("CLA")
        & blank("SDQ_SCORE")
        & blank("SDQ_REASON")
    ),
)
_oc2_cla_rule(
    "198",
    "The child has not been looked after continuously for 12 months at 31 March, so no reason for "
    "a missing SDQ score should be recorded.",
    "SDQ_REASON",
    lambda ctx: present("SDQ_REASON") & ~c("CLA"),
)
_oc2_cla_rule(
    "543",
    "The child is 10 or over and has been looked after 12 months, so record whether they were convicted.",
    "CONVICTED",
    lambda ctx: (pl.lit(ctx.end) > plus_years("DOB_dt", 10)) & c("CLA") & blank("CONVICTED"),
)
_oc2_cla_rule(
    "545",
    "The child is under 5 and has been looked after 12 months, so record the health promotion "
    "(development assessment) item.",
    "HEALTH_CHECK",
    lambda ctx: (pl.lit(ctx.end) < plus_years("DOB_dt", 5)) & c("CLA") & blank("HEALTH_CHECK"),
)
_oc2_cla_rule(
    "546",
    "The child is 5 or over at 31 March, so the health promotion item should be blank.",
    "HEALTH_CHECK",
    lambda ctx: (pl.lit(ctx.end) >= plus_years("DOB_dt", 5)) & c("CLA") & present("HEALTH_CHECK"),
)


@rule(
    "191",
    "The child has been looked after continuously for 12 months, so immunisations, teeth check, health "
    "assessment and substance misuse must be recorded (add an OC2 row if there is none).",
    needs=(O2, E),
    fields={O2: "IMMUNISATIONS", E: "CHILD"},
)
def r191(ctx: Ctx) -> Hits:
    oc2 = _cla(ctx)
    first = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="first", maintain_order=True)
    first = first.join(ctx.cla, on="CHILD", how="left")
    missing = first.filter(true(c("CLA")) & ~c("CHILD").is_in(ctx.t(O2)["CHILD"].implode()))
    return {O2: rows(oc2, c("CLA") & _any_blank(HEALTH_ITEMS)), E: rows(missing)}


@rule(
    "187",
    "A child looked after continuously for 12 months cannot also have adoption (AD1) or care leaver (OC3) information.",
    needs=(O3, "AD1", E),
    fields={O3: "IN_TOUCH", "AD1": "DATE_INT"},
)
def r187(ctx: Ctx) -> Hits:
    return {
        O3: rows(ctx.with_cla(O3), c("CLA") & _any(OC3_ITEMS)),
        "AD1": rows(ctx.with_cla("AD1"), c("CLA") & _any(AD1_ITEMS)),
    }


@rule(
    "215",
    "The young person has care leaver information, so the OC2 items (for children looked after 12 "
    "months) should be blank.",
    needs=(O3, O2),
    fields={O3: "IN_TOUCH", O2: "CONVICTED"},
)
def r215(ctx: Ctx) -> Hits:
    oc2 = ctx.t(O2).filter(_any(OC2_FLAGS)).select("CHILD", _o2="_row")
    merged = ctx.t(O3).filter(_any(OC3_ITEMS)).join(oc2, on="CHILD", how="inner")
    return {O3: rows(merged), O2: rows(merged, None, "_o2")}


# ---- OC3 ----------------------------------------------------------------------------------------

mask_rule(
    "131",
    "Whether the care leaver is in touch is missing or not a valid code.",
    O3,
    "IN_TOUCH",
    lambda ctx: notin("IN_TOUCH", codes("903_care_leaver_in_touch", ctx.year)),
)
mask_rule(
    "132",
    "The care leaver's main activity is missing or not a valid code.",
    O3,
    "ACTIV",
    lambda ctx: notin("ACTIV", codes("903_care_leaver_activity", ctx.year)),
)
mask_rule(
    "133",
    "The care leaver's accommodation is missing or not a valid code (type letter plus 1 suitable / "
    "2 unsuitable, or 0).",
    O3,
    "ACCOM",
    lambda ctx: notin("ACCOM", leaving_care_accommodation(ctx)),
)
mask_rule(
    "153",
    "In touch, activity and accommodation must all be completed, or all left blank.",
    O3,
    "IN_TOUCH",
    lambda ctx: _any(OC3_ITEMS) & _any_blank(OC3_ITEMS),
)
mask_rule(
    "344",
    "The young person has died or returned home for 6 months or more, so activity and accommodation should be 0.",
    O3,
    "ACTIV",
    lambda ctx: (
        isin("IN_TOUCH", ("DIED", "RHOM")) & ((c("ACTIV") != "0").fill_null(True) | (c("ACCOM") != "0").fill_null(True))
    ),
)
mask_rule(
    "345",
    "The council is in touch with the young person, so activity and accommodation cannot be 0.",
    O3,
    "ACTIV",
    lambda ctx: (c("IN_TOUCH") == "YES") & ((c("ACTIV") == "0") | (c("ACCOM") == "0")),
)
mask_rule(
    "347",
    "A care leaver under 18 cannot be accommodated in a foyer (T).",
    O3,
    "ACCOM",
    lambda ctx: c("ACCOM").str.starts_with("T") & (plus_years("DOB_dt", 18) > ctx.start),
)
mask_rule(
    "391",
    "The young person was not 17 to 21 during the year, so care leaver information is not collected.",
    O3,
    "IN_TOUCH",
    lambda ctx: (plus_years("DOB_dt", 17) > ctx.end) & _any(OC3_ITEMS),
)


@rule(
    "3001",
    "Around their 17th birthday a care leaver cannot be living with former foster carers (staying "
    "put, Z): check the accommodation code.",
    needs=("Header", O3),
    fields={O3: "ACCOM"},
)
def r3001(ctx: Ctx) -> Hits:
    merged = ctx.with_dob(ctx.t(O3))
    birthday = plus_years("H_DOB", 17)
    return only(O3, merged, isin("ACCOM", ("Z1", "Z2")) & (birthday <= ctx.end) & (birthday >= ctx.start))


@rule(
    "1000",
    "The child died in care, so care leaver information should not be recorded.",
    needs=(E, O3),
    fields={O3: "IN_TOUCH"},
)
def r1000(ctx: Ctx) -> Hits:
    died = [ctx.t(name).filter(c("REC") == "E2")["CHILD"] for name in (E, "Episodes_last") if ctx.has(name)]
    return only(O3, ctx.t(O3), c("CHILD").is_in(pl.concat(died).unique().implode()))


@rule(
    "1011",
    "The child's care was transferred to another local authority at the end of their last episode, so "
    "that authority records the care leaver information.",
    needs=(E, O3),
    fields={O3: "IN_TOUCH"},
)
def r1011(ctx: Ctx) -> Hits:
    last = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="last", maintain_order=True)
    moved = last.filter(c("REC") == "E3")["CHILD"].implode()
    return only(O3, ctx.t(O3), c("CHILD").is_in(moved) & _any(OC3_ITEMS))


def _birthday_this_year(dob: pl.Expr, ctx: Ctx) -> pl.Expr:
    """The most recent birthday on or before 31 March (29 February becomes 28 February)."""
    age = pl.lit(ctx.end_year) - dob.dt.year()
    this_year = dob.dt.offset_by(age.cast(pl.String) + "y")
    return pl.when(this_year > ctx.end).then(this_year.dt.offset_by("-1y")).otherwise(this_year)


@rule(
    "1007",
    "Care leaver information is not needed for a 17- or 18-year-old who was still looked after on their birthday.",
    needs=(E, O3),
    fields={O3: "IN_TOUCH"},
)
def r1007(ctx: Ctx) -> Hits:
    oc3 = ctx.t(O3).filter(_any(OC3_ITEMS)).with_columns(_bday=_birthday_this_year(c("DOB_dt"), ctx))
    aged = (plus_years("DOB_dt", 17) <= ctx.end) & (plus_years("DOB_dt", 19) > ctx.end)
    eps = ctx.t(E).select("CHILD", "DECOM_dt", "DEC_dt")
    merged = oc3.filter(true(aged)).join(eps, on="CHILD", how="inner")
    in_care = (c("DECOM_dt") <= c("_bday")) & (c("DEC_dt").is_null() | (c("DEC_dt") > c("_bday")))
    return only(O3, merged, in_care)


@rule(
    "1016",
    "Care leaver information is not needed for a 17- or 18-year-old who left care after their birthday.",
    needs=(E, O3),
    fields={O3: "IN_TOUCH"},
)
def r1016(ctx: Ctx) -> Hits:
    merged = ctx.t(O3).filter(_any(OC3_ITEMS)).join(ctx.t(E).select("CHILD", "DEC_dt"), on="CHILD", how="inner")
    age17 = (plus_years("DOB_dt", 17) <= ctx.end) & (plus_years("DOB_dt", 18) > ctx.end)
    age18 = (plus_years("DOB_dt", 18) <= ctx.end) & (plus_years("DOB_dt", 19) > ctx.end)
    mask = (age17 & (c("DEC_dt") >= plus_years("DOB_dt", 17))) | (age18 & (c("DEC_dt") >= plus_years("DOB_dt", 18)))
    return only(O3, merged, mask)


@rule(
    "1014",
    "UASC information is not needed for a care leaver who was not looked after this year.",
    needs=("UASC", E, O3),
    fields={"UASC": "DUC", O3: "IN_TOUCH"},
)
def r1014(ctx: Ctx) -> Hits:
    overlap = (c("DECOM_dt") <= ctx.end) & (c("DEC_dt").is_null() | (c("DEC_dt") >= ctx.start))
    counts = ctx.t(E).group_by("CHILD").agg(_n=true(overlap).sum())
    idle = counts.filter(c("_n") == 0)["CHILD"].implode()
    leavers = ctx.t(O3).filter(_any(OC3_ITEMS) & c("CHILD").is_in(idle))
    uasc = ctx.t("UASC").filter(c("CHILD").is_in(leavers["CHILD"].implode()))
    return {"UASC": rows(uasc), O3: rows(leavers.filter(c("CHILD").is_in(uasc["CHILD"].implode())))}


@rule(
    "1001",
    "The young person's episodes (this year and last) do not show them to be a relevant or former "
    "relevant child (13 weeks looked after since 14, including their 16th birthday), or they were adopted.",
    needs=(E, O3, "Header", "Episodes_last"),
    fields={O3: "IN_TOUCH"},
)
def r1001(ctx: Ctx) -> Hits:
    if any(ctx.t(name).height == 0 for name in (E, O3, "Header", "Episodes_last")):
        return {}
    cols = ("CHILD", "DECOM_dt", "DEC_dt", "LS", "REC")
    both = pl.concat([ctx.t(E).select(cols), ctx.t("Episodes_last").select(cols)])
    both = both.sort("DEC_dt", nulls_last=True).unique(["CHILD", "DECOM_dt"], keep="first")
    latest = both.sort(["CHILD", "DECOM_dt"]).unique("CHILD", keep="last")
    adopted = latest.filter(isin("REC", ADOPTED))["CHILD"].implode()
    both = both.with_columns(DEC_dt=c("DEC_dt").fill_null(ctx.end)).filter(notin("LS", SHORT_BREAKS))
    dob = ctx.dob.filter(present("DOB_dt"))
    spans = both.join(dob, on="CHILD", how="inner").with_columns(
        _d14=(c("DEC_dt") - pl.max_horizontal(c("DECOM_dt"), plus_years("DOB_dt", 14))).dt.total_days().clip(0),
        _d16=(c("DEC_dt") - pl.max_horizontal(c("DECOM_dt"), plus_years("DOB_dt", 16))).dt.total_days().clip(0),
    )
    totals = spans.group_by("CHILD").agg(_t14=c("_d14").sum(), _t16=c("_d16").sum())
    judged = dob.filter(plus_years("DOB_dt", 20) > ctx.end)["CHILD"].implode()  # older: history not loaded
    merged = ctx.t(O3).join(totals, on="CHILD", how="left", maintain_order="left")
    relevant = true((c("_t14") >= 91) & (c("_t16") >= 1))
    return only(O3, merged, c("CHILD").is_in(adopted) | (~relevant & c("CHILD").is_in(judged)))
