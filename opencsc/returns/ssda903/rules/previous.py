"""Rules comparing this year's return with last year's (the DfE tool's "previous year" upload)."""

from __future__ import annotations

from typing import Literal

import polars as pl

from ..context import Ctx
from ._lists import UN_CODES
from .base import Hits, blank, c, differs, isin, only, plus_years, present, rows, rule, true

H, E, HL, EL = "Header", "Episodes", "Header_last", "Episodes_last"


def _with_last(ctx: Ctx, table: str, columns: list[str], how: Literal["inner", "left"] = "inner") -> pl.DataFrame:
    """This year's `table` joined to last year's (first row per child), last year's columns suffixed _L."""
    last = ctx.t(table + "_last").select("CHILD", *columns).unique("CHILD", keep="first", maintain_order=True)
    last = last.rename({col: f"{col}_L" for col in columns})
    return ctx.t(table).join(last, on="CHILD", how=how, maintain_order="left")


def _header_changed(code: str, field: str, message: str, column: str | None = None) -> None:
    col = column or field

    @rule(code, message, needs=(H, HL), fields={H: field})
    def check(ctx: Ctx) -> Hits:
        merged = _with_last(ctx, H, [col])
        return only(H, merged, differs(col, f"{col}_L"))


_header_changed("202", "SEX", "The child's sex differs from last year's return: check which is right.")
_header_changed("203", "DOB", "The date of birth differs from last year's return: check which is right.", "DOB_dt")
_header_changed("204", "ETHNIC", "The ethnicity differs from last year's return: check which is right.")


@rule(
    "624",
    "The date of birth of the mother's child differs from last year's return.",
    needs=(H, HL),
    fields={H: "MC_DOB"},
)
def r624(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, H, ["MC_DOB"])
    return only(H, merged, present("MC_DOB_L") & differs("MC_DOB", "MC_DOB_L"))


@rule(
    "207",
    "Last year the child was recorded as a mother; this year's mother field disagrees.",
    needs=(H, HL, E),
    fields={H: "MOTHER"},
)
def r207(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, H, ["MOTHER"])
    in_care = ctx.t(E)["CHILD"].unique().implode()
    mask = c("CHILD").is_in(in_care) & differs("MOTHER", "MOTHER_L") & (c("MOTHER_L") == "1")
    return only(H, merged, mask)


@rule(
    "208",
    "The UPN differs from last year's return (only an unknown UPN may change, to a known UPN or from UN1 to UN2-UN5).",
    needs=(H, HL),
    fields={H: "UPN"},
)
def r208(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, H, ["UPN"])
    now, before = blank("UPN"), blank("UPN_L")
    different = differs("UPN", "UPN_L")
    unknown_change = ((c("UPN_L") == "UN1").fill_null(False) | before) & isin("UPN", UN_CODES[1:])
    unknown_to_known = (isin("UPN_L", UN_CODES) | before) & ~(isin("UPN", UN_CODES) | now)
    return only(H, merged, different & ~unknown_change & ~unknown_to_known)


@rule(
    "626",
    "The child is now recorded as a mother with a first child born before this year, but last year "
    "she was recorded as not a mother.",
    needs=(H, HL),
    fields={H: "MOTHER"},
)
def r626(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, H, ["MOTHER"])
    mask = present("MC_DOB_dt") & (c("MOTHER") == "1") & (c("MOTHER_L") == "0") & (c("MC_DOB_dt") < ctx.start)
    return only(H, merged, mask)


# ---- UASC status across years (205A-D) ----------------------------------------------------------


def _uasc_years(ctx: Ctx) -> pl.DataFrame | None:
    if "UASC" not in ctx.t(H).columns or "UASC" not in ctx.t(HL).columns:
        return None
    now = (
        ctx.t("UASC")
        .select("CHILD", "DUC_dt", "_row")
        .join(ctx.t(H).select("CHILD", "UASC", _hrow="_row"), on="CHILD", how="left")
    )
    last = (
        ctx.t("UASC_last")
        .select("CHILD", DUC_L="DUC_dt", DOB18_L=plus_years("DOB_dt", 18))
        .join(ctx.t(HL).select("CHILD", UASC_L="UASC"), on="CHILD", how="left")
    )
    bounds = {
        "_start_L": pl.lit(ctx.start).dt.offset_by("-1y"),
        "_end_L": pl.lit(ctx.end).dt.offset_by("-1y"),
    }
    return now.join(last, on="CHILD", how="left").with_columns(**bounds)


def _uasc_rule(code: str, message: str, mask: pl.Expr) -> None:
    @rule(code, message, needs=("UASC", "UASC_last", H, HL), fields={"UASC": "DUC", H: "CHILD"})
    def check(ctx: Ctx) -> Hits:
        merged = _uasc_years(ctx)
        if merged is None:
            return {}
        hit = merged.filter(true(mask))
        return {"UASC": rows(hit), H: rows(hit, None, "_hrow")}


_uasc_rule(
    "205A",
    "The child was UASC last year and is not this year, but the dates UASC status ceased do not support this.",
    differs("UASC", pl.lit("1"))
    & (c("UASC_L") == "1")
    & (present("DUC_dt") | ~true(c("DUC_L").is_between(c("_start_L"), c("_end_L")))),
)
_uasc_rule(
    "205C",
    "The child is not UASC this year or last, but a date UASC status ceased is recorded.",
    (c("UASC").is_in(["0"]).fill_null(True) | blank("UASC"))
    & (c("UASC_L").is_in(["0"]).fill_null(True))
    & (present("DUC_dt") | present("DUC_L")),
)


@rule(
    "205B",
    "The child was UASC last year and still is, but the dates UASC status ceased do not agree (last "
    "year's should be the 18th birthday; this year's within the year or the same).",
    needs=("UASC", "UASC_last", H, HL),
    fields={"UASC": "DUC", H: "CHILD"},
)
def r205b(ctx: Ctx) -> Hits:
    merged = _uasc_years(ctx)
    if merged is None:
        return {}
    in_year = true((c("DUC_dt") >= ctx.start) & (c("DUC_dt") <= ctx.end))
    same = true(c("DUC_dt") == c("DUC_L"))
    last_is_18th = true(c("DUC_L") == c("DOB18_L"))
    mask = (c("UASC") == "1") & (c("UASC_L") == "1") & ((~in_year & ~same) | ~last_is_18th)
    hit = merged.filter(true(mask))
    return {"UASC": rows(hit), H: rows(hit, None, "_hrow")}


@rule(
    "205D",
    "The child is UASC this year but was in last year's return without UASC status.",
    needs=(H, HL),
    fields={H: "CHILD"},
)
def r205d(ctx: Ctx) -> Hits:
    if "UASC" not in ctx.t(H).columns or "UASC" not in ctx.t(HL).columns:
        return {}
    merged = _with_last(ctx, H, ["UASC"])
    return only(H, merged, (c("UASC") == "1") & differs("UASC_L", pl.lit("1")))


# ---- Episodes across the year boundary -----------------------------------------------------------


def _first_and_last(ctx: Ctx) -> pl.DataFrame:
    """This year's first episode per child joined to last year's latest episode (columns suffixed _L)."""
    return ctx.shared("first_and_last", _build_first_and_last)


def _build_first_and_last(ctx: Ctx) -> pl.DataFrame:
    first = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="first", maintain_order=True)
    last = (
        ctx.t(EL)
        .filter(present("DECOM_dt"))
        .sort(["CHILD", "DECOM_dt"], maintain_order=True)
        .unique("CHILD", keep="last", maintain_order=True)
    )
    keep = [
        "CHILD",
        "DECOM_dt",
        "DEC",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "URN",
        "PL_LA",
        "PL_LOCATION",
        "PL_DISTANCE",
    ]
    last = last.select(keep).rename({col: f"{col}_L" for col in keep if col != "CHILD"})
    return first.join(last, on="CHILD", how="inner")


def _carried_over(code: str, field: str, what: str) -> None:
    @rule(
        code,
        f"The {what} in the first episode does not match the episode open at the end of last year.",
        needs=(E, EL),
        fields={E: field},
    )
    def check(ctx: Ctx) -> Hits:
        merged = _first_and_last(ctx)
        mask = differs(field, f"{field}_L") & blank("DEC_L")
        if field == "PLACE" and ctx.end_year == 2025:
            mask = mask & ~((c("PLACE") == "K3") & (c("PLACE_L") == "H5")).fill_null(False)
        if field == "PLACE" and ctx.end_year == 2026:
            mask = mask & ~(isin("PLACE", ("Z11", "Z12", "Z13", "Z14")) & (c("PLACE_L") == "Z1"))
        return only(E, merged, mask)


for _code, _field, _what in (
    ("503A", "RNE", "reason for new episode"),
    ("503B", "LS", "legal status"),
    ("503C", "CIN", "category of need"),
    ("503D", "PLACE", "placement type"),
    ("503E", "PLACE_PROVIDER", "placement provider"),
    ("503F", "URN", "Ofsted URN"),
    ("503H", "PL_LA", "placement LA"),
    ("503J", "PL_LOCATION", "placement location"),
):
    _carried_over(_code, _field, _what)


def _distance_changed() -> pl.Expr:
    return true((c("PL_DISTANCE") - c("PL_DISTANCE_L")).abs() >= 0.2) | (
        blank("PL_DISTANCE_L") & present("PL_DISTANCE")
    )


@rule(
    "503G",
    "The placement distance in the first episode does not match the episode open at the end of last year.",
    needs=(E, EL),
    fields={E: "PL_POST"},
)
def r503g(ctx: Ctx) -> Hits:
    return only(E, _first_and_last(ctx), _distance_changed() & blank("DEC_L"))


@rule(
    "453",
    "The placement distance in the first episode differs from last year's last episode.",
    needs=(E, EL),
    fields={E: "PL_POST"},
)
def r453(ctx: Ctx) -> Hits:
    return only(E, _first_and_last(ctx), _distance_changed() & blank("DEC_L") & true(c("RNE") == c("RNE_L")))


@rule(
    "452",
    "The placement LA in the first episode differs from last year's last episode.",
    needs=(E, EL),
    fields={E: "PL_POST"},
)
def r452(ctx: Ctx) -> Hits:
    merged = _first_and_last(ctx)
    return only(E, merged, true(c("RNE") == c("RNE_L")) & blank("DEC_L") & differs("PL_LA", "PL_LA_L"))


@rule(
    "502",
    "Last year's return ended with an open episode whose start date does not match this year's first episode.",
    needs=(E, EL),
    fields={E: "DECOM"},
)
def r502(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="first", maintain_order=True)
    open_last = ctx.t(EL).filter(blank("DEC")).select("CHILD", _start_L="DECOM_dt")
    merged = first.join(open_last, on="CHILD", how="inner")
    return only(E, merged, differs("DECOM_dt", "_start_L"))


@rule(
    "562",
    "This episode started before the collection year but does not continue an episode in last year's return.",
    needs=(E, EL),
    fields={E: "DECOM"},
)
def r562(ctx: Ctx) -> Hits:
    before = ctx.eps.filter(true(c("DECOM_dt") < ctx.start)).unique("CHILD", keep="first", maintain_order=True)
    last = (
        ctx.t(EL)
        .filter(present("DECOM_dt"))
        .sort(["CHILD", "DECOM_dt"], maintain_order=True)
        .unique("CHILD", keep="last")
        .select("CHILD", "DECOM_dt", _m=pl.lit(True))
    )
    merged = before.join(last, on=["CHILD", "DECOM_dt"], how="left", maintain_order="left")
    return only(E, merged, blank("_m"))


@rule(
    "NoE",
    "The child started to be looked after before this year but has no episodes in last year's return.",
    needs=(E, EL),
    fields={E: "DECOM"},
)
def r_noe(ctx: Ctx) -> Hits:
    known = ctx.t(EL)["CHILD"].unique().implode()
    return only(E, ctx.t(E), true(c("DECOM_dt") < ctx.start) & ~c("CHILD").is_in(known))


# ---- placed for adoption across years -------------------------------------------------------------

PA, PAL = "PlacedAdoption", "PlacedAdoption_last"


@rule(
    "559",
    "The decision to place for adoption was before this year but was not in last year's return.",
    needs=(PA, PAL),
    fields={PA: "DATE_PLACED"},
)
def r559(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, PA, ["DATE_PLACED_dt"], how="left")
    return only(PA, merged, (c("DATE_PLACED_dt") < ctx.start) & blank("DATE_PLACED_dt_L"))


@rule(
    "560",
    "The date of the decision to place for adoption differs from last year's, although that decision was not reversed.",
    needs=(PA, PAL),
    fields={PA: "DATE_PLACED"},
)
def r560(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, PA, ["DATE_PLACED", "DATE_PLACED_CEASED"])
    mask = present("DATE_PLACED_L") & blank("DATE_PLACED_CEASED_L") & differs("DATE_PLACED", "DATE_PLACED_L")
    return only(PA, merged, mask)


@rule(
    "561",
    "The decision to place for adoption has the same date as last year's, but last year's decision was reversed.",
    needs=(PA, PAL),
    fields={PA: "DATE_PLACED"},
)
def r561(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, PA, ["DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"])
    mask = true(c("DATE_PLACED") == c("DATE_PLACED_L")) & (
        present("REASON_PLACED_CEASED_L") | present("DATE_PLACED_CEASED_L")
    )
    return only(PA, merged, mask)


@rule(
    "584",
    "Last year's decision to place for adoption was reversed, so this year's decision must be a new, later one.",
    needs=(PA, PAL),
    fields={PA: "DATE_PLACED"},
)
def r584(ctx: Ctx) -> Hits:
    ceased = ctx.t(PAL).filter(present("DATE_PLACED_CEASED") | present("REASON_PLACED_CEASED"))
    merged = ctx.t(PA).join(ceased.select("CHILD", _last="DATE_PLACED_dt"), on="CHILD", how="inner")
    return only(PA, merged, true(c("DATE_PLACED_dt") <= c("_last")) | blank("DATE_PLACED"))


# ---- care leavers and missing across years -------------------------------------------------------


@rule(
    "348",
    "The care leaver was reported last year as having died.",
    needs=("OC3", "OC3_last"),
    fields={"OC3": "IN_TOUCH"},
)
def r348(ctx: Ctx) -> Hits:
    merged = _with_last(ctx, "OC3", ["IN_TOUCH"], how="left")
    return only("OC3", merged, (c("IN_TOUCH_L") == "DIED") & differs("IN_TOUCH", pl.lit("DIED")))


@rule(
    "1002",
    "The young person has no episodes of care this year or last, so care leaver information should "
    "not be recorded (unless they were looked after earlier: check).",
    needs=("OC3", E, EL),
    fields={"OC3": "IN_TOUCH"},
)
def r1002(ctx: Ctx) -> Hits:
    known = pl.concat([ctx.t(E)["CHILD"], ctx.t(EL)["CHILD"]]).unique().implode()
    return only("OC3", ctx.t("OC3"), ~c("CHILD").is_in(known))


@rule(
    "1010",
    "The young person had an open episode at the end of last year but has no episodes this year, and "
    "care leaver information is recorded.",
    needs=("OC3", E, EL),
    fields={"OC3": "IN_TOUCH"},
)
def r1010(ctx: Ctx) -> Hits:
    last = (
        ctx.t(EL)
        .filter(present("DECOM_dt"))
        .sort(["CHILD", "DECOM_dt"], maintain_order=True)
        .unique("CHILD", keep="last")
        .filter(blank("DEC"))
    )
    open_last = last["CHILD"].implode()
    now = ctx.t(E)["CHILD"].unique().implode()
    return only("OC3", ctx.t("OC3"), ~c("CHILD").is_in(now) & c("CHILD").is_in(open_last))


@rule(
    "576",
    "A missing or away period was open at the end of last year but this year's first period does not "
    "continue it (same start date).",
    needs=("Missing", "Missing_last"),
    fields={"Missing": "MIS_START"},
)
def r576(ctx: Ctx) -> Hits:
    first = (
        ctx.t("Missing")
        .with_columns(_s=c("MIS_START_dt").fill_null(pl.date(2099, 1, 1)))
        .sort(["CHILD", "_s"], maintain_order=True)
        .unique("CHILD", keep="first", maintain_order=True)
    )
    open_last = ctx.t("Missing_last").filter(blank("MIS_END")).select("CHILD", _sl="MIS_START_dt")
    merged = first.join(open_last, on="CHILD", how="inner")
    return only("Missing", merged, present("_sl") & differs("_s", "_sl"))
