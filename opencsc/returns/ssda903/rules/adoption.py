"""AD1 (adoptions in the year) and PlacedAdoption (decisions that a child should be placed) rules."""

from __future__ import annotations

import polars as pl

from opencsc.core.codelists import codes

from ..context import Ctx
from ._lists import AD1_ITEMS, ADOPTED, ADOPTION_PLACEMENTS, FOSTER_PLACEMENTS, OC3_ITEMS, SHORT_BREAKS
from .base import Hits, bad_date, blank, c, isin, mask_rule, notin, only, present, rows, rule, true

A, PA, E = "AD1", "PlacedAdoption", "Episodes"


def _any(columns: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal([present(col) for col in columns])


def _pair(frame: pl.DataFrame, mask: pl.Expr, left: str, right: str, right_row: str) -> Hits:
    hit = frame.filter(true(mask))
    return {left: rows(hit), right: rows(hit, None, right_row)}


mask_rule(
    "112",
    "The date the child should be placed for adoption is not a valid date (DD/MM/YYYY).",
    A,
    "DATE_INT",
    lambda ctx: bad_date("DATE_INT"),
)
mask_rule(
    "113",
    "The date the child was matched with adopters is not a valid date (DD/MM/YYYY).",
    A,
    "DATE_MATCH",
    lambda ctx: bad_date("DATE_MATCH"),
)
mask_rule(
    "114",
    "Whether the child was adopted by their foster carers must be 0 or 1.",
    A,
    "FOSTER_CARE",
    lambda ctx: present("FOSTER_CARE") & notin("FOSTER_CARE", ("0", "1")),
)
mask_rule(
    "151",
    "All the adoption items must be completed, or all left blank.",
    A,
    "DATE_INT",
    lambda ctx: _any(AD1_ITEMS) & pl.any_horizontal([blank(col) for col in AD1_ITEMS]),
)
mask_rule(
    "175",
    "The number of adopters must be 1 or 2.",
    A,
    "NB_ADOPTR",
    lambda ctx: present("NB_ADOPTR") & notin("NB_ADOPTR", ("1", "2")),
)
mask_rule(
    "176",
    "The sex of the adopter(s) is not a valid code.",
    A,
    "SEX_ADOPTR",
    lambda ctx: present("SEX_ADOPTR") & notin("SEX_ADOPTR", codes("903_adopter_sex", ctx.year)),
)
mask_rule(
    "177",
    "The legal status of the adopter(s) is not a valid code.",
    A,
    "LS_ADOPTR",
    lambda ctx: present("LS_ADOPTR") & notin("LS_ADOPTR", codes("903_adopter_legal_status", ctx.year)),
)
mask_rule(
    "333",
    "The date the child should be placed for adoption must be on or before the date of matching.",
    A,
    "DATE_INT",
    lambda ctx: present("DATE_MATCH_dt") & (blank("DATE_INT_dt") | true(c("DATE_INT_dt") > c("DATE_MATCH_dt"))),
)
mask_rule(
    "511",
    "Two adopters are recorded, so the adopters' sex must be MM, FF or MF.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("NB_ADOPTR") == "2") & isin("SEX_ADOPTR", ("M1", "F1")),
)
mask_rule(
    "514",
    "A single adopter (L0) is recorded, so the adopter's sex must be M1 or F1.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L0") & notin("SEX_ADOPTR", ("M1", "F1")),
)
mask_rule(
    "517",
    "Adopters recorded as a different-gender unmarried couple (L3) must have sex code MF.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L3") & notin("SEX_ADOPTR", ("MF",)),
)
mask_rule(
    "518",
    "Adopters recorded as a same-gender couple (L4) must have sex code MM or FF.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L4") & notin("SEX_ADOPTR", ("MM", "FF")),
)
mask_rule(
    "519",
    "Adopters in a civil partnership (L2) must have a couple's sex code (MM, FF or MF).",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L2") & notin("SEX_ADOPTR", ("MM", "FF", "MF")),
)
mask_rule(
    "520",
    "Adopters recorded as a different-gender married couple (L11) must have sex code MF.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L11") & notin("SEX_ADOPTR", ("MF",)),
)
mask_rule(
    "524",
    "Adopters recorded as a same-gender married couple (L12) must have sex code MM or FF.",
    A,
    "SEX_ADOPTR",
    lambda ctx: (c("LS_ADOPTR") == "L12") & notin("SEX_ADOPTR", ("MM", "FF")),
)

mask_rule(
    "115",
    "The date of the decision that the child should be placed for adoption is not a valid date.",
    PA,
    "DATE_PLACED",
    lambda ctx: bad_date("DATE_PLACED"),
)
mask_rule(
    "116",
    "The date of the decision that the child should no longer be placed for adoption is not a valid date.",
    PA,
    "DATE_PLACED_CEASED",
    lambda ctx: bad_date("DATE_PLACED_CEASED"),
)
mask_rule(
    "119",
    "The date and the reason the child should no longer be placed for adoption must both be "
    "recorded, or both left blank.",
    PA,
    "DATE_PLACED_CEASED",
    lambda ctx: blank("DATE_PLACED_CEASED") ^ blank("REASON_PLACED_CEASED"),
)
mask_rule(
    "120",
    "The reason the child should no longer be placed for adoption is not a valid code (RD1 to RD4).",
    PA,
    "REASON_PLACED_CEASED",
    lambda ctx: (
        present("REASON_PLACED_CEASED")
        & notin("REASON_PLACED_CEASED", codes("903_reason_no_longer_placed_for_adoption", ctx.year))
    ),
)
mask_rule(
    "522",
    "The decision to place for adoption must be on or before the decision that the child should no longer be placed.",
    PA,
    "DATE_PLACED_CEASED",
    lambda ctx: c("DATE_PLACED_CEASED_dt") < c("DATE_PLACED_dt"),
)
mask_rule(
    "563",
    "The child should no longer be placed for adoption, but the date of the original decision is blank.",
    PA,
    "DATE_PLACED",
    lambda ctx: present("REASON_PLACED_CEASED") & present("DATE_PLACED_CEASED") & blank("DATE_PLACED"),
)


@rule(
    "184",
    "The decision that the child should be placed for adoption is before the child's date of birth.",
    needs=("Header", PA),
    fields={PA: "DATE_PLACED"},
)
def r184(ctx: Ctx) -> Hits:
    merged = ctx.with_dob(ctx.t(PA))
    return only(PA, merged, present("DATE_PLACED_dt") & ~true(c("DATE_PLACED_dt") >= c("H_DOB")))


def _decisions(ctx: Ctx) -> pl.DataFrame:
    return ctx.t(PA).select(
        "CHILD",
        "DATE_PLACED_dt",
        "DATE_PLACED_CEASED_dt",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
        "DATE_PLACED",
        _pa="_row",
    )


@rule(
    "117",
    "A decision about placing for adoption is dated after the end of the year or after the child left care.",
    needs=(E, PA),
    fields={PA: "DATE_PLACED", E: "DEC"},
)
def r117(ctx: Ctx) -> Hits:
    latest = ctx.eps.filter(present("DECOM_dt") & (c("REC") != "X1").fill_null(True)).unique(
        "CHILD", keep="last", maintain_order=True
    )
    merged = latest.join(_decisions(ctx), on="CHILD", how="inner")
    mask = (
        (c("DATE_PLACED_dt") > ctx.end)
        | (c("DATE_PLACED_dt") > c("DEC_dt"))
        | (c("DATE_PLACED_CEASED_dt") > ctx.end)
        | (c("DATE_PLACED_CEASED_dt") > c("DEC_dt"))
    )
    return _pair(merged, mask, E, PA, "_pa")


@rule(
    "118",
    "The decision that the child should no longer be placed for adoption is before the year started or "
    "before the child started to be looked after.",
    needs=(E, PA),
    fields={PA: "DATE_PLACED_CEASED", E: "DECOM"},
)
def r118(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(notin("LS", SHORT_BREAKS) & present("DECOM_dt")).unique("CHILD", keep="first")
    merged = first.join(_decisions(ctx), on="CHILD", how="inner").filter(present("DATE_PLACED_CEASED_dt"))
    mask = (c("DATE_PLACED_CEASED_dt") < c("DECOM_dt")) | (c("DATE_PLACED_CEASED_dt") < ctx.start)
    return _pair(merged, mask, E, PA, "_pa")


@rule(
    "1003",
    "The decision that the child should be placed for adoption is before the child started to be looked after.",
    needs=(E, PA),
    fields={PA: "DATE_PLACED", E: "DECOM"},
)
def r1003(ctx: Ctx) -> Hits:
    first = ctx.eps.filter((c("RNE") == "S") & present("DECOM_dt")).unique("CHILD", keep="first")
    merged = first.join(_decisions(ctx), on="CHILD", how="inner")
    return _pair(merged, c("DATE_PLACED_dt") < c("DECOM_dt"), E, PA, "_pa")


@rule(
    "134",
    "Adoption information should not be recorded for a young person with care leaver information.",
    needs=("OC3", A),
    fields={A: "DATE_INT"},
)
def r134(ctx: Ctx) -> Hits:
    leavers = ctx.t("OC3").filter(_any(OC3_ITEMS))["CHILD"].implode()
    return only(A, ctx.t(A), c("CHILD").is_in(leavers) & _any(AD1_ITEMS))


@rule(
    "331",
    "The date of matching with adopters must be on or before the date of the placement for adoption.",
    needs=(A, E),
    fields={A: "DATE_MATCH", E: "DECOM"},
)
def r331(ctx: Ctx) -> Hits:
    adopted = ctx.t(E).filter(isin("REC", ADOPTED))
    merged = adopted.join(ctx.t(A).select("CHILD", "DATE_MATCH_dt", _ad="_row"), on="CHILD", how="inner")
    return _pair(merged, c("DATE_MATCH_dt") > c("DECOM_dt"), E, A, "_ad")


@rule(
    "334",
    "The child must have started to be looked after (latest period of care) on or before the date they "
    "should be placed for adoption.",
    needs=(E, A),
    fields={A: "DATE_INT", E: "DECOM"},
)
def r334(ctx: Ctx) -> Hits:
    latest = ctx.eps.filter((c("RNE") == "S") & present("DECOM_dt")).unique("CHILD", keep="last")
    merged = latest.join(ctx.t(A).select("CHILD", "DATE_INT_dt", _ad="_row"), on="CHILD", how="inner")
    return _pair(merged, c("DATE_INT_dt") < c("DECOM_dt"), E, A, "_ad")


@rule(
    "335",
    "Adopted by foster carers (FOSTER_CARE) does not match the last placement: A3/A5 are with the "
    "current foster carers, A4/A6 are not.",
    needs=(E, A),
    fields={A: "FOSTER_CARE", E: "PLACE"},
)
def r335(ctx: Ctx) -> Hits:
    merged = ctx.t(E).join(ctx.t(A).select("CHILD", "FOSTER_CARE", _ad="_row"), on="CHILD", how="inner")
    mask = isin("REC", ("E1", "E11", "E12")) & (
        (isin("PLACE", ("A2", "A3", "A5")) & (c("FOSTER_CARE") == "0"))
        | (isin("PLACE", ("A1", "A4", "A6")) & (c("FOSTER_CARE") == "1"))
    )
    return _pair(merged, mask, E, A, "_ad")


@rule(
    "336",
    "A child placed for adoption with consent (A3/A4) must come from a foster or adoption placement.",
    needs=(E,),
    fields={E: "PLACE"},
)
def r336(ctx: Ctx) -> Hits:
    mask = c("_has_prev") & isin("PLACE", ("A3", "A4")) & notin("p_PLACE", ADOPTION_PLACEMENTS + FOSTER_PLACEMENTS)
    return only(E, ctx.eps, mask)


@rule(
    "521",
    "The date the child should be placed for adoption must be on or before the date they were placed for adoption.",
    needs=(E, A),
    fields={A: "DATE_INT", E: "DECOM"},
)
def r521(ctx: Ctx) -> Hits:
    merged = ctx.t(E).join(ctx.t(A).select("CHILD", "DATE_INT_dt", _ad="_row"), on="CHILD", how="inner")
    return _pair(merged, isin("PLACE", ADOPTION_PLACEMENTS) & (c("DATE_INT_dt") > c("DECOM_dt")), E, A, "_ad")


@rule(
    "523",
    "The date of the decision that the child should be placed for adoption must be the same in AD1 and PlacedAdoption.",
    needs=(A, PA),
    fields={PA: "DATE_PLACED", A: "DATE_INT"},
)
def r523(ctx: Ctx) -> Hits:
    merged = (
        ctx.t(PA)
        .filter(present("DATE_PLACED_dt"))
        .join(
            ctx.t(A).filter(present("DATE_INT_dt")).select("CHILD", "DATE_INT_dt", _ad="_row"),
            on="CHILD",
            how="inner",
        )
    )
    return _pair(merged, c("DATE_INT_dt") != c("DATE_PLACED_dt"), PA, A, "_ad")


@rule(
    "525",
    "The decision to place the child for adoption was reversed, so the child cannot have been adopted this year.",
    needs=(A, PA),
    fields={PA: "DATE_PLACED_CEASED", A: "DATE_INT"},
)
def r525(ctx: Ctx) -> Hits:
    ad1 = ctx.t(A).filter(_any(AD1_ITEMS)).select("CHILD", _ad="_row")
    merged = ctx.t(PA).filter(present("DATE_PLACED_CEASED")).join(ad1, on="CHILD", how="inner")
    return _pair(merged, pl.lit(True), PA, A, "_ad")


@rule(
    "551",
    "The child is placed for adoption, so the date of the decision that they should be placed must be recorded.",
    needs=(E, PA),
    fields={E: "PLACE"},
)
def r551(ctx: Ctx) -> Hits:
    decided = ctx.t(PA).filter(present("DATE_PLACED"))["CHILD"].implode()
    return only(E, ctx.t(E), isin("PLACE", ADOPTION_PLACEMENTS) & ~c("CHILD").is_in(decided))


@rule(
    "552",
    "The decision that the child should be placed for adoption must be on or before the date they were placed.",
    needs=(E, PA),
    fields={E: "DECOM", PA: "DATE_PLACED"},
)
def r552(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(isin("PLACE", ADOPTION_PLACEMENTS) & present("DECOM_dt")).unique("CHILD", keep="first")
    last = (
        ctx.t(PA)
        .filter(present("DATE_PLACED_dt"))
        .sort(["CHILD", "DATE_PLACED_dt"])
        .unique("CHILD", keep="last")
        .select("CHILD", "DATE_PLACED_dt", _pa="_row")
    )
    merged = first.join(last, on="CHILD", how="inner")
    return _pair(merged, c("DECOM_dt") < c("DATE_PLACED_dt"), E, PA, "_pa")


@rule(
    "553",
    "A placement order (E1) is recorded, so the decision that the child should be placed for adoption "
    "must be recorded (and not ended while the order continues).",
    needs=(E, PA),
    fields={E: "LS", PA: "DATE_PLACED_CEASED"},
)
def r553(ctx: Ctx) -> Hits:
    decided = ctx.t(PA)["CHILD"].implode()
    e1 = ctx.t(E).filter(c("LS") == "E1")
    open_e1 = e1.filter(blank("DEC"))["CHILD"].implode()
    ended = ctx.t(PA).filter(
        c("CHILD").is_in(open_e1) & (present("DATE_PLACED_CEASED") | present("REASON_PLACED_CEASED"))
    )
    return {E: rows(e1, ~c("CHILD").is_in(decided)), PA: rows(ended)}


@rule(
    "554",
    "The decision that the child should be placed for adoption must be on or before the placement order was granted.",
    needs=(E, PA),
    fields={E: "DECOM", PA: "DATE_PLACED"},
)
def r554(ctx: Ctx) -> Hits:
    first = ctx.eps.filter((c("LS") == "E1") & present("DECOM_dt")).unique("CHILD", keep="first")
    merged = first.join(_decisions(ctx), on="CHILD", how="inner")
    return _pair(merged, c("DATE_PLACED_dt") > c("DECOM_dt"), E, PA, "_pa")


@rule(
    "557",
    "The child had a placement order or adoption placement and left care without being adopted, so the "
    "date and reason they should no longer be placed for adoption must be recorded.",
    needs=(E, PA),
    fields={E: "REC", PA: "DATE_PLACED_CEASED"},
)
def r557(ctx: Ctx) -> Hits:
    left = ctx.t(E).filter(
        (isin("PLACE", ADOPTION_PLACEMENTS) | (c("LS") == "E1"))
        & notin("REC", ADOPTED)
        & present("REC")
        & (c("REC") != "X1")
    )
    merged = left.join(_decisions(ctx), on="CHILD", how="left", maintain_order="left")
    hit = merged.filter(blank("_pa") | blank("DATE_PLACED_CEASED") | blank("REASON_PLACED_CEASED"))
    return {E: rows(hit), PA: rows(hit, None, "_pa")}


@rule(
    "558",
    "The child was adopted, so the date they should no longer be placed for adoption must be blank.",
    needs=(E, PA),
    fields={E: "REC", PA: "DATE_PLACED_CEASED"},
)
def r558(ctx: Ctx) -> Hits:
    latest = (
        ctx.t(PA)
        .sort(["CHILD", "DATE_PLACED_dt"], nulls_last=False)
        .unique("CHILD", keep="last")
        .filter(present("DATE_PLACED_CEASED"))
    )
    # Adopted: an episode that ended (DEC) with E11/E12. A reason given on an open episode is rule 148's
    # finding, not an adoption (as rule 602 reads it: no adoption shows in the year's episodes).
    adopted = ctx.t(E).filter(isin("REC", ADOPTED) & present("DEC_dt") & c("CHILD").is_in(latest["CHILD"].implode()))
    return {E: rows(adopted), PA: rows(latest.filter(c("CHILD").is_in(adopted["CHILD"].implode())))}


@rule(
    "579",
    "A new decision to place for adoption starts before the previous decision ended (or while it is still open).",
    needs=(PA,),
    fields={PA: "DATE_PLACED"},
)
def r579(ctx: Ctx) -> Hits:
    pa = ctx.t(PA).sort(["CHILD", "DATE_PLACED_dt"], nulls_last=True, maintain_order=True)
    same = c("CHILD") == c("CHILD").shift(1)
    prev_end = c("DATE_PLACED_CEASED_dt").shift(1)
    return only(PA, pa, same & (prev_end.is_null() | true(c("DATE_PLACED_dt") < prev_end)))


@rule(
    "583",
    "More than one decision to place for adoption is recorded but an earlier one has no date it "
    "ended: record when the earlier decision was reversed.",
    needs=(PA,),
    fields={PA: "DATE_PLACED_CEASED"},
)
def r583(ctx: Ctx) -> Hits:
    pa = ctx.t(PA).sort(["CHILD", "DATE_PLACED_dt"], nulls_last=False, maintain_order=True)
    not_latest = c("CHILD") == c("CHILD").shift(-1)
    return only(PA, pa, not_latest & blank("DATE_PLACED_CEASED"))


@rule(
    "582",
    "The adoption date is the same as the date of matching with adopters; matching is normally "
    "earlier: check both dates.",
    needs=(E, A),
    fields={E: "DEC"},
)
def r582(ctx: Ctx) -> Hits:
    merged = ctx.t(E).filter(isin("REC", ADOPTED)).join(ctx.t(A).select("CHILD", "DATE_MATCH"), on="CHILD")
    return only(E, merged, c("DEC") == c("DATE_MATCH"))


def _adopted_in_year(ctx: Ctx) -> pl.DataFrame:
    return ctx.t(E).filter(true((c("DEC_dt") >= ctx.start) & (c("DEC_dt") <= ctx.end)) & isin("REC", ADOPTED))


@rule(
    "601",
    "The child was adopted this year, so every adoption (AD1) item must be completed.",
    needs=(E, A),
    fields={A: "DATE_INT", E: "REC"},
)
def r601(ctx: Ctx) -> Hits:
    merged = _adopted_in_year(ctx).join(ctx.t(A).select("CHILD", *AD1_ITEMS, _ad="_row"), on="CHILD", how="inner")
    return _pair(merged, pl.any_horizontal([blank(col) for col in AD1_ITEMS]), E, A, "_ad")


@rule(
    "602",
    "Adoption information is recorded but the episodes do not show the child was adopted this year.",
    needs=(E, A),
    fields={A: "CHILD"},
)
def r602(ctx: Ctx) -> Hits:
    adopted = _adopted_in_year(ctx)["CHILD"].implode()
    return only(A, ctx.t(A), _any(AD1_ITEMS) & ~c("CHILD").is_in(adopted))
