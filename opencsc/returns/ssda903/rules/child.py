"""Header, Reviews, UASC and PrevPerm rules: who the child is, reviews, asylum status, earlier permanence."""

from __future__ import annotations

import datetime as dt

import polars as pl

from opencsc.core.codelists import codes
from opencsc.returns.findings import Severity

from ..context import Ctx
from ._lists import LA_PERM_CODES, SHORT_BREAKS, UN_CODES
from .base import (
    Hits,
    bad_date,
    blank,
    c,
    differs,
    isin,
    mask_rule,
    notin,
    only,
    plus_years,
    present,
    rows,
    rule,
    true,
)

H, E = "Header", "Episodes"
UPN_PATTERN = r"^([A-HJ-NP-RT-Z](\d{12}|\d{11}[A-Z])|UN[1-5])$"

mask_rule(
    "101",
    "The child's sex is not valid: use M, F or U.",
    H,
    "SEX",
    lambda ctx: notin("SEX", codes("cin_sex", ctx.year)),
)
mask_rule(
    "102",
    "The date of birth is missing or not a valid date (DD/MM/YYYY).",
    H,
    "DOB",
    lambda ctx: blank("DOB_dt"),
)
mask_rule(
    "103",
    "The ethnicity code is missing or not valid.",
    H,
    "ETHNIC",
    lambda ctx: notin("ETHNIC", codes("ethnicity", ctx.year)),
)
mask_rule(
    "168",
    "The UPN is not valid: it is a letter and 12 digits (or 11 digits and a letter); if it is not "
    "known use UN1 to UN5.",
    H,
    "UPN",
    lambda ctx: present("UPN") & ~c("UPN").str.contains(UPN_PATTERN),
)
mask_rule(
    "171",
    "The date of birth of the mother's child is not a valid date (DD/MM/YYYY).",
    H,
    "MC_DOB",
    lambda ctx: bad_date("MC_DOB"),
)
mask_rule(
    "174",
    "A date of birth of the mother's child is recorded but the child's sex is male.",
    H,
    "MC_DOB",
    lambda ctx: (c("SEX") == "M") & present("MC_DOB"),
)
mask_rule(
    "209",
    "The child is of school age, so the UPN should not be UN1 (child not of school age).",
    H,
    "UPN",
    lambda ctx: (c("UPN") == "UN1") & (plus_years("DOB_dt", 4) <= dt.date(ctx.start.year - 1, 8, 31)),
)
mask_rule(
    "232",
    "The child's sex is recorded as unknown (U): record it if it is now known.",
    H,
    "SEX",
    lambda ctx: c("SEX") == "U",
    severity=Severity.QUERY,
)
mask_rule(
    "301",
    "The date of birth is after the end of the collection year.",
    H,
    "DOB",
    lambda ctx: c("DOB_dt") > ctx.end,
)
mask_rule(
    "351",
    "The child was over 25 at the start of the collection year: check the date of birth.",
    H,
    "DOB",
    lambda ctx: plus_years("DOB_dt", 25) < ctx.start,
)
mask_rule(
    "611",
    "The child is recorded as a mother but the date of birth of her child is blank.",
    H,
    "MC_DOB",
    lambda ctx: (c("MOTHER") == "1") & blank("MC_DOB"),
)
mask_rule(
    "612",
    "A date of birth of the mother's child is recorded but the mother field does not say the child is a mother.",
    H,
    "MOTHER",
    lambda ctx: ((c("MOTHER") == "0") | blank("MOTHER")) & (c("SEX") == "F") & present("MC_DOB"),
)
mask_rule(
    "620",
    "The child is recorded as a mother but was under 11 at the start of the year: check the date of birth.",
    H,
    "MOTHER",
    lambda ctx: (c("MOTHER") == "1") & (plus_years("DOB_dt", 11) > ctx.start),
)
mask_rule(
    "621",
    "The date of birth of the mother's child is on or before the mother's own date of birth.",
    H,
    "MC_DOB",
    lambda ctx: present("MC_DOB_dt") & ~true(c("MC_DOB_dt") > c("DOB_dt")),
)


def _children(frame: pl.DataFrame) -> pl.Series:
    return frame.get_column("CHILD").drop_nulls().unique().implode()


def _in_care_children(ctx: Ctx) -> pl.Series:
    """Children with at least one episode that is not a short break."""
    return _children(ctx.t(E).filter(notin("LS", SHORT_BREAKS)))


@rule(
    "231",
    "The child is recorded as an unaccompanied asylum-seeking child but is under 11: check the date "
    "of birth (if it is right, explain it in a bypass request).",
    needs=(H, "UASC"),
    fields={H: "DOB"},
    severity=Severity.QUERY,
)
def r231(ctx: Ctx) -> Hits:
    return only(H, ctx.t(H), (c("UASC") == "1") & (c("DOB_dt") > plus_years(pl.lit(ctx.end), -11)))


@rule(
    "393",
    "The child is looked after but the mother field is blank: record 1 if she is a mother, otherwise 0.",
    needs=(H, E),
    fields={H: "MOTHER"},
)
def r393(ctx: Ctx) -> Hits:
    mask = (c("SEX") == "F") & c("CHILD").is_in(_in_care_children(ctx)) & blank("MOTHER")
    return only(H, ctx.t(H), mask)


@rule("442", "The UPN is blank: record it, or a UN code if it is not known.", needs=(H, E), fields={H: "UPN"})
def r442(ctx: Ctx) -> Hits:
    return only(H, ctx.t(H), c("CHILD").is_in(_in_care_children(ctx)) & blank("UPN"))


@rule("444", "The same UPN is recorded for more than one child.", needs=(H,), fields={H: "UPN"}, scope="return")
def r444(ctx: Ctx) -> Hits:
    known = notin("UPN", UN_CODES) & present("UPN")
    return only(H, ctx.t(H), known & (pl.len().over("UPN") > 1))


@rule(
    "210",
    "The child has been looked after for more than a week at 31 March, so the UPN should not be UN4 "
    "(UPN not yet obtained).",
    needs=(H, E),
    fields={H: "UPN", E: "DECOM"},
)
def r210(ctx: Ctx) -> Hits:
    eps = ctx.t(E).join(ctx.t(H).select("CHILD", "UPN", _hrow="_row"), on="CHILD", how="left", maintain_order="left")
    hit = eps.filter(true((c("UPN") == "UN4") & (c("DECOM_dt") >= dt.date(ctx.end_year, 3, 24))))
    return {E: rows(hit), H: rows(hit, None, "_hrow")}


@rule(
    "607",
    "The child left care this year but the mother field is blank: record 1 if she is a mother, otherwise 0.",
    needs=(H, E),
    fields={H: "MOTHER", E: "REC"},
)
def r607(ctx: Ctx) -> Hits:
    header = ctx.t(H).select("CHILD", "SEX", "MOTHER", _hrow="_row")
    eps = ctx.t(E).join(header, on="CHILD", how="left", maintain_order="left")
    ceased = present("DEC_dt") & (c("REC") != "X1") & present("REC")
    in_year = (c("DEC_dt") >= ctx.start) & (c("DEC_dt") <= ctx.end)
    hit = eps.filter(true(ceased & notin("LS", SHORT_BREAKS) & in_year & (c("SEX") == "F") & blank("MOTHER")))
    return {E: rows(hit), H: rows(hit, None, "_hrow")}


@rule(
    "625",
    "The date of birth of the mother's child is after the end of the year or after she left care.",
    needs=(H, E),
    fields={H: "MC_DOB", E: "DEC"},
)
def r625(ctx: Ctx) -> Hits:
    # Compared with leaving care (an episode ended with a reason other than X1), not with any change of
    # placement: the published tool's "latest episode" also catches births after a placement change.
    left = ctx.t(E).filter(present("DEC_dt") & present("REC") & (c("REC") != "X1"))
    latest = left.sort("DEC_dt", descending=True, maintain_order=True).unique("CHILD", keep="first")
    header = ctx.t(H).filter(present("MC_DOB_dt")).select("CHILD", "MC_DOB_dt", _hrow="_row")
    merged = header.join(latest.select("CHILD", "DEC_dt", "_row"), on="CHILD", how="left")
    hit = merged.filter(true((c("MC_DOB_dt") > ctx.end) | (c("MC_DOB_dt") > c("DEC_dt"))))
    return {H: rows(hit, None, "_hrow"), E: rows(hit)}


@rule(
    "628",
    "Motherhood details are not needed for a care leaver who was not looked after this year: leave "
    "the mother field blank.",
    needs=(H, E, "OC3"),
    fields={H: "MOTHER"},
)
def r628(ctx: Ctx) -> Hits:
    oc3 = _children(ctx.t("OC3").filter(pl.any_horizontal(present("IN_TOUCH"), present("ACTIV"), present("ACCOM"))))
    mask = ~c("CHILD").is_in(_children(ctx.t(E))) & c("CHILD").is_in(oc3) & present("MOTHER")
    return only(H, ctx.t(H), mask)


@rule(
    "165",
    "The mother field is not valid: it is 0 or 1, blank for boys, and must be completed for a girl "
    "looked after this year.",
    needs=(H, E, "OC3"),
    fields={H: "MOTHER", "OC3": "IN_TOUCH"},
)
def r165(ctx: Ctx) -> Hits:
    eps = ctx.t(E).filter(notin("LS", SHORT_BREAKS))
    in_year = _children(eps.filter(true((c("DEC_dt").fill_null(ctx.end) >= ctx.start) & (c("DECOM_dt") <= ctx.end))))
    oc3 = _children(ctx.t("OC3").filter(pl.any_horizontal(present("IN_TOUCH"), present("ACTIV"), present("ACCOM"))))
    looked_after = c("CHILD").is_in(in_year)
    mask = (
        (present("MOTHER") & notin("MOTHER", ("0", "1")))
        | (present("MOTHER") & (c("SEX") == "M"))
        | (blank("MOTHER") & (c("SEX") == "F") & looked_after)
        | (
            present("MOTHER")
            & (c("SEX") == "F")
            & ~looked_after
            & c("CHILD").is_in(oc3)
            & c("CHILD").is_in(_children(ctx.t(E)))
        )
    )
    hit = ctx.t(H).filter(true(mask))
    oc3_rows = ctx.t("OC3").filter(c("CHILD").is_in(_children(hit)))
    return {H: rows(hit), "OC3": rows(oc3_rows)}


@rule(
    "399",
    "The child only has short breaks (V3/V4), so the mother, review and participation fields are not recorded.",
    needs=(H, E, "Reviews"),
    fields={E: "LS", H: "MOTHER", "Reviews": "REVIEW"},
)
def r399(ctx: Ctx) -> Hits:
    only_breaks = ctx.t(E).group_by("CHILD").agg(_all=isin("LS", SHORT_BREAKS).all()).filter(c("_all"))
    kids = _children(only_breaks)
    mothers = ctx.t(H).filter(c("CHILD").is_in(kids) & present("MOTHER"))
    reviews = ctx.t("Reviews").filter(c("CHILD").is_in(kids) & (present("REVIEW") | present("REVIEW_CODE")))
    bad = pl.concat([mothers["CHILD"], reviews["CHILD"]]).unique().implode()
    return {
        E: rows(ctx.t(E).filter(c("CHILD").is_in(bad))),
        H: rows(ctx.t(H).filter(c("CHILD").is_in(bad))),
        "Reviews": rows(ctx.t("Reviews").filter(c("CHILD").is_in(bad))),
    }


@rule(
    "EPI",
    "Episodes need to be recorded for this child (or care leaver information) before the return can "
    "be checked further.",
    needs=(H,),
    fields={H: "CHILD"},
    severity=Severity.QUERY,
)
def r_epi(ctx: Ctx) -> Hits:
    known = [ctx.t(name)["CHILD"] for name in (E, "OC3") if ctx.has(name)]
    seen = pl.concat(known).unique().implode() if known else pl.Series([], dtype=pl.String).implode()
    return only(H, ctx.t(H), ~c("CHILD").is_in(seen))


# ---- Reviews ------------------------------------------------------------------------------------

R = "Reviews"
mask_rule(
    "166",
    "The review date is missing or not a valid date (DD/MM/YYYY).",
    R,
    "REVIEW",
    lambda ctx: blank("REVIEW_dt"),
)
mask_rule(
    "167",
    "The way the child took part in the review is missing or not a valid code (PN0 to PN7).",
    R,
    "REVIEW_CODE",
    lambda ctx: (
        ~(
            (present("REVIEW") & isin("REVIEW_CODE", codes("903_review_participation", ctx.year)))
            | (blank("REVIEW") & blank("REVIEW_CODE"))
        )
    ),
)
mask_rule(
    "440",
    "Participation code PN0 (under 4) is recorded but the child was 4 or over at the review.",
    R,
    "REVIEW_CODE",
    lambda ctx: (c("REVIEW_CODE") == "PN0") & (c("REVIEW_dt") > plus_years("DOB_dt", 4)),
)
mask_rule(
    "441",
    "A participation code for children aged 4 or over is recorded but the child was under 4 at the review: use PN0.",
    R,
    "REVIEW_CODE",
    lambda ctx: (
        isin("REVIEW_CODE", ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"))
        & (c("REVIEW_dt") < plus_years("DOB_dt", 4))
    ),
)

# ---- UASC ---------------------------------------------------------------------------------------

U = "UASC"
mask_rule(
    "104",
    "The date UASC status ceased is not a valid date, or is before the start of the year.",
    U,
    "DUC",
    lambda ctx: bad_date("DUC") | (c("DUC_dt") < ctx.start),
)
mask_rule(
    "304",
    "The date UASC status ceased must be on or before the child's 18th birthday.",
    U,
    "DUC",
    lambda ctx: present("DUC_dt") & (c("DUC_dt") > plus_years("DOB_dt", 18)),
)


@rule(
    "303",
    "A date UASC status ceased is recorded, so the child must be recorded as UASC.",
    needs=(U, H),
    fields={U: "DUC", H: "CHILD"},
)
def r303(ctx: Ctx) -> Hits:
    header = ctx.t(H)
    if "UASC" not in header.columns:
        return {}
    merged = header.select("CHILD", "UASC", _hrow="_row").join(
        ctx.t(U).select("CHILD", "DUC", "_row"), on="CHILD", how="left"
    )
    hit = merged.filter(present("DUC") & differs("UASC", pl.lit("1")))
    return {U: rows(hit), H: rows(hit, None, "_hrow")}


# ---- PrevPerm -----------------------------------------------------------------------------------

P = "PrevPerm"
mask_rule(
    "631",
    "The previous permanence option is not a valid code (P1 to P4 or Z1).",
    P,
    "PREV_PERM",
    lambda ctx: present("PREV_PERM") & notin("PREV_PERM", codes("903_prev_perm", ctx.year)),
)
mask_rule(
    "633",
    "The local authority where the previous permanence was arranged is not a valid LA code.",
    P,
    "LA_PERM",
    lambda ctx: present("LA_PERM") & notin("LA_PERM", LA_PERM_CODES),
)
mask_rule(
    "635",
    "A date or LA of a previous permanence order is recorded but the previous permanence option is blank.",
    P,
    "PREV_PERM",
    lambda ctx: (present("LA_PERM") | present("DATE_PERM")) & blank("PREV_PERM"),
)


@rule(
    "630",
    "The child started to be looked after this year, so previous permanence information must be "
    "recorded (Z1 if none; otherwise the option, LA and date).",
    needs=(P, E),
    fields={E: "RNE"},
)
def r630(ctx: Ctx) -> Hits:
    starts = ctx.t(E).filter(true((c("RNE") == "S") & (c("DECOM_dt") >= ctx.start)))
    merged = starts.join(
        ctx.t(P).select("CHILD", "PREV_PERM", "LA_PERM", "DATE_PERM", _p="_row"),
        on="CHILD",
        how="left",
        maintain_order="left",
    )
    mask = (
        blank("_p")
        | (differs("PREV_PERM", pl.lit("Z1")) & (blank("LA_PERM") | blank("DATE_PERM")))
        | (present("_p") & blank("PREV_PERM"))
    )
    return only(E, merged, mask)


@rule(
    "632",
    "The date of the previous permanence order is not a valid date, or is not before the child "
    "started to be looked after.",
    needs=(P, E),
    fields={P: "DATE_PERM", E: "DECOM"},
)
def r632(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="first", maintain_order=True)
    merged = first.select("CHILD", "DECOM_dt", "_row").join(
        ctx.t(P).select("CHILD", "DATE_PERM", "DATE_PERM_dt", _p="_row"), on="CHILD", how="left"
    )
    hit = merged.filter(true((c("DATE_PERM_dt") >= c("DECOM_dt")) | (present("DATE_PERM") & blank("DATE_PERM_dt"))))
    return {E: rows(hit), P: rows(hit, None, "_p")}


@rule(
    "634",
    "Previous permanence information is recorded but the child has not started to be looked after "
    "this year: leave it blank.",
    needs=(P, E),
    fields={P: "PREV_PERM", E: "DECOM"},
)
def r634(ctx: Ctx) -> Hits:
    last = ctx.t(E).group_by("CHILD").agg(_last=c("DECOM_dt").max())
    prev = ctx.t(P).filter(present("PREV_PERM") | present("DATE_PERM") | present("LA_PERM"))
    hit = prev.join(last, on="CHILD", how="left").filter(true(c("_last") < ctx.start))
    return {P: rows(hit), E: rows(ctx.t(E).filter(c("CHILD").is_in(_children(hit))))}
