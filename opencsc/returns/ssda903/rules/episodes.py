"""Episodes rules: the child's periods of care, legal statuses and placements."""

from __future__ import annotations

import datetime as dt

import polars as pl

from opencsc.core.codelists import codes

from ..context import Ctx
from ._lists import (
    ADOPTED,
    ADOPTION_PLACEMENTS,
    FOSTER_PLACEMENTS,
    OUT_OF_ENGLAND,
    SHORT_BREAKS,
    TEMPORARY,
    category_of_need,
    no_provider_placements,
    placement_types,
    urn_exempt_placements,
)
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
    plus_days,
    plus_years,
    present,
    rows,
    rule,
    true,
)

E = "Episodes"

# ---- codes and dates of a single episode --------------------------------------------------------

mask_rule(
    "141",
    "The episode start date (DECOM) is not a valid date: enter it as DD/MM/YYYY.",
    E,
    "DECOM",
    lambda ctx: bad_date("DECOM"),
)
mask_rule(
    "147",
    "The episode end date (DEC) is not a valid date: enter it as DD/MM/YYYY.",
    E,
    "DEC",
    lambda ctx: bad_date("DEC"),
)
mask_rule(
    "143",
    "The reason for new episode is not a valid code (S, L, P, T, U or B).",
    E,
    "RNE",
    lambda ctx: present("RNE") & notin("RNE", codes("903_reason_new_episode", ctx.year)),
)
mask_rule(
    "144",
    "The legal status is not a valid code.",
    E,
    "LS",
    lambda ctx: present("LS") & notin("LS", codes("903_legal_status", ctx.year)),
)
mask_rule(
    "145",
    "The category of need is not a valid code (N1 to N8).",
    E,
    "CIN",
    lambda ctx: present("CIN") & notin("CIN", category_of_need()),
)
mask_rule(
    "146",
    "The placement type is not a valid code for this collection year.",
    E,
    "PLACE",
    lambda ctx: present("PLACE") & notin("PLACE", placement_types(ctx)),
)
mask_rule(
    "148",
    "The episode end date and the reason the episode ended must both be recorded, or both left blank.",
    E,
    "DEC",
    lambda ctx: blank("DEC") ^ blank("REC"),
)
mask_rule(
    "149",
    "The reason the episode ended is not a valid code.",
    E,
    "REC",
    lambda ctx: present("REC") & notin("REC", codes("903_reason_episode_ceased", ctx.year)),
)
mask_rule(
    "1009",
    "The reason for placement change is not a valid code.",
    E,
    "REASON_PLACE_CHANGE",
    lambda ctx: (
        present("REASON_PLACE_CHANGE") & notin("REASON_PLACE_CHANGE", codes("903_reason_placement_change", ctx.year))
    ),
)
mask_rule(
    "178",
    "The placement provider is not a valid code, or is recorded for a temporary or 'other' placement that takes none.",
    E,
    "PLACE_PROVIDER",
    lambda ctx: (
        present("PLACE_PROVIDER")
        & (
            notin("PLACE_PROVIDER", codes("903_placement_provider", ctx.year))
            | isin("PLACE", no_provider_placements(ctx))
        )
    ),
)
mask_rule(
    "213",
    "A placement provider is not needed for a temporary placement (or, from 2025-26, an 'other' "
    "placement): leave it blank.",
    E,
    "PLACE_PROVIDER",
    lambda ctx: (
        isin("PLACE", TEMPORARY if ctx.end_year <= 2025 else no_provider_placements(ctx)) & present("PLACE_PROVIDER")
    ),
)
mask_rule(
    "214",
    "Placement postcode and URN are not recorded for short breaks (legal status V3/V4): leave them blank.",
    E,
    "PL_POST",
    lambda ctx: isin("LS", SHORT_BREAKS) & (present("PL_POST") | present("URN")),
)
mask_rule(
    "217",
    "A child placed for adoption with their current foster carers (A3/A5) must have a reason for "
    "new episode of S, T or U.",
    E,
    "RNE",
    lambda ctx: (
        isin("PLACE", ("A3", "A5")) & true(c("DECOM_dt") >= dt.date(2015, 4, 1)) & notin("RNE", ("S", "T", "U"))
    ),
)
mask_rule(
    "218",
    "This placement needs its Ofsted unique reference number (URN); use XXXXXXX if it is not Ofsted-registered.",
    E,
    "URN",
    lambda ctx: (
        (true(c("DEC_dt") >= ctx.start) | blank("DEC"))
        & blank("URN")
        & notin("PLACE", urn_exempt_placements(ctx))
        & notin("PL_LA", OUT_OF_ENGLAND)
    ),
)
mask_rule(
    "222",
    "An Ofsted URN should not be recorded for this placement type: leave it blank.",
    E,
    "URN",
    lambda ctx: isin("PLACE", urn_exempt_placements(ctx)) & present("URN") & (c("URN") != "XXXXXXX"),
)
mask_rule(
    "233",
    "A reason for placement change is only recorded when the episode has ended: leave it blank on an open episode.",
    E,
    "REASON_PLACE_CHANGE",
    lambda ctx: blank("DEC") & present("REASON_PLACE_CHANGE"),
)
mask_rule(
    "242",
    "URN XXXXXXX can only be used for placements through a regional adoption agency (adoption or foster placements).",
    E,
    "URN",
    lambda ctx: true(c("URN") == "XXXXXXX") & notin("PLACE", ADOPTION_PLACEMENTS + FOSTER_PLACEMENTS),
)
mask_rule(
    "243",
    "Only placements with Ofsted-registered providers have a URN: this placement is outside "
    "England, so leave the URN blank.",
    E,
    "URN",
    lambda ctx: isin("PL_LA", OUT_OF_ENGLAND) & present("URN"),
)
mask_rule(
    "353",
    "No episode can start before 14 October 1991: check the start date.",
    E,
    "DECOM",
    lambda ctx: c("DECOM_dt") < dt.date(1991, 10, 14),
)
mask_rule(
    "354",
    "The episode starts after the end of the collection year: check the start date.",
    E,
    "DECOM",
    lambda ctx: c("DECOM_dt") > ctx.end,
)
mask_rule(
    "355",
    "The episode starts and ends on the same day: an episode must last at least 24 hours.",
    E,
    "DECOM",
    lambda ctx: c("DECOM").eq_missing(c("DEC")),
)
mask_rule(
    "356",
    "The episode ends before it starts: check both dates.",
    E,
    "DEC",
    lambda ctx: present("DEC_dt") & (c("DEC_dt") < c("DECOM_dt")),
)
mask_rule(
    "365",
    "A single short break (V3) cannot last more than 17 days.",
    E,
    "LS",
    lambda ctx: (c("LS") == "V3") & (c("DEC_dt").fill_null(ctx.end) > plus_days("DECOM_dt", 17)),
)
mask_rule(
    "366",
    "A child cannot change placement during a single short break (V3): the reason for new episode must be S.",
    E,
    "RNE",
    lambda ctx: (c("LS") == "V3") & differs("RNE", pl.lit("S")),
)
mask_rule(
    "378",
    "A child placed with parents (P1) cannot be accommodated under a single period of section 20 accommodation (V2).",
    E,
    "PLACE",
    lambda ctx: (c("PLACE") == "P1") & (c("LS") == "V2"),
)
mask_rule(
    "380",
    "A period of care cannot start with a temporary placement (T0-T4): the reason for new episode must be P or B.",
    E,
    "PLACE",
    lambda ctx: isin("PLACE", TEMPORARY) & notin("RNE", ("P", "B")),
)
mask_rule(
    "381",
    "A period of care cannot end with a temporary placement (T0-T4).",
    E,
    "REC",
    lambda ctx: isin("PLACE", TEMPORARY) & present("REC") & (c("REC") != "X1"),
)
mask_rule(
    "382",
    "A child on a short break (V3/V4) cannot be in a temporary placement.",
    E,
    "PLACE",
    lambda ctx: isin("LS", SHORT_BREAKS) & isin("PLACE", TEMPORARY),
)
mask_rule(
    "384",
    "A child on short breaks (V3/V4) cannot be in a long-term foster placement (U1/U4).",
    E,
    "PLACE",
    lambda ctx: isin("LS", SHORT_BREAKS) & isin("PLACE", ("U1", "U4")),
)
mask_rule(
    "385",
    "The episode end date is after the end of the collection year.",
    E,
    "DEC",
    lambda ctx: c("DEC_dt") > ctx.end,
)
mask_rule(
    "390",
    "The child is recorded as adopted but was not placed for adoption (A3-A6) in this episode.",
    E,
    "REC",
    lambda ctx: isin("REC", ADOPTED) & notin("PLACE", ADOPTION_PLACEMENTS),
)
mask_rule(
    "392d",
    "Home and placement postcodes are the same, which is only expected for placements with parents (P1).",
    E,
    "PL_POST",
    lambda ctx: differs("PLACE", pl.lit("P1")) & (c("HOME_POST") == c("PL_POST")),
)
mask_rule(
    "398",
    "Home and placement postcodes are not recorded for short breaks (V3/V4): leave them blank.",
    E,
    "HOME_POST",
    lambda ctx: isin("LS", SHORT_BREAKS) & (present("HOME_POST") | present("PL_POST")),
)
mask_rule(
    "408",
    "The child is placed for adoption with a placement order (A5/A6) but the legal status is not placement order (E1).",
    E,
    "LS",
    lambda ctx: isin("PLACE", ("A5", "A6")) & differs("LS", pl.lit("E1")),
)
mask_rule(
    "420",
    "Placement LA is derived only for legal statuses other than V3/V4: leave the placement postcode "
    "blank for short breaks.",
    E,
    "PL_POST",
    lambda ctx: isin("LS", SHORT_BREAKS) & present("PL_LA"),
)
mask_rule(
    "446",
    "Legal status E1 (placement order) did not exist before December 2005: check the legal status or start date.",
    E,
    "LS",
    lambda ctx: (c("LS") == "E1") & (c("DECOM_dt") < dt.date(2005, 12, 1)),
)
mask_rule(
    "516",
    "The child left care on an SGO to former foster carers (E45/E46) but this episode is not a "
    "foster placement (U1-U6).",
    E,
    "PLACE",
    lambda ctx: isin("REC", ("E45", "E46")) & notin("PLACE", FOSTER_PLACEMENTS),
)
mask_rule(
    "526",
    "A placement provider must be recorded for this placement.",
    E,
    "PLACE_PROVIDER",
    lambda ctx: notin("PLACE", no_provider_placements(ctx)) & blank("PLACE_PROVIDER"),
)
mask_rule(
    "527",
    "Own-LA provision (PR1) cannot be used for placements with parents, NHS settings or custody (P1, R2, R5).",
    E,
    "PLACE_PROVIDER",
    lambda ctx: isin("PLACE", ("P1", "R2", "R5")) & (c("PLACE_PROVIDER") == "PR1"),
)
mask_rule(
    "528",
    "Other-LA provision (PR2) cannot be used for placements with parents, NHS settings or custody (P1, R2, R5).",
    E,
    "PLACE_PROVIDER",
    lambda ctx: isin("PLACE", ("P1", "R2", "R5")) & (c("PLACE_PROVIDER") == "PR2"),
)
mask_rule(
    "529",
    "Other public provision (PR3) cannot provide placements with parents, adoption, children's "
    "homes or foster placements.",
    E,
    "PLACE_PROVIDER",
    lambda ctx: (
        isin("PLACE", ("A3", "A4", "A5", "A6", "K1", "K2", "P1", *FOSTER_PLACEMENTS)) & (c("PLACE_PROVIDER") == "PR3")
    ),
)
mask_rule(
    "530",
    "Private provision (PR4) cannot be used for a placement with parents (P1).",
    E,
    "PLACE_PROVIDER",
    lambda ctx: (c("PLACE") == "P1") & (c("PLACE_PROVIDER") == "PR4"),
)
mask_rule(
    "531",
    "Voluntary provision (PR5) cannot be used for a placement with parents (P1).",
    E,
    "PLACE_PROVIDER",
    lambda ctx: (c("PLACE") == "P1") & (c("PLACE_PROVIDER") == "PR5"),
)
mask_rule(
    "550",
    "Provider PR0 (parents) can only be used with placement type P1.",
    E,
    "PLACE_PROVIDER",
    lambda ctx: differs("PLACE", pl.lit("P1")) & (c("PLACE_PROVIDER") == "PR0"),
)
mask_rule(
    "454",
    "The placement is more than 350 miles from home: check both postcodes.",
    E,
    "PL_POST",
    lambda ctx: (c("PL_DISTANCE") > 350) & (c("PL_DISTANCE") != 999.9),
)


def _la_differs(ctx: Ctx) -> pl.Expr:
    """The placement LA is not the council's own (unknown counts only when the lookup is complete)."""
    known = c("_place_known") | pl.lit(ctx.postcodes.complete)
    return differs("PL_LA", pl.lit(ctx.la_code)) & known


mask_rule(
    "241",
    "Supported accommodation (K3) with a URN must be in the council's own area: check the placement postcode and URN.",
    E,
    "URN",
    lambda ctx: present("URN") & (c("URN") != "XXXXXXX") & (c("PLACE") == "K3") & _la_differs(ctx),
)
mask_rule(
    "411",
    "Placement location is 'in area' but the placement LA is another council.",
    E,
    "PL_POST",
    lambda ctx: (c("PL_LOCATION") == "IN") & _la_differs(ctx),
)


@rule(
    "1015",
    "Own provision (PR1) is recorded but the placement is outside the council's area: check the provider or postcode.",
    needs=(E,),
    fields={E: "PLACE_PROVIDER"},
)
def r1015(ctx: Ctx) -> Hits:
    fostering = ADOPTION_PLACEMENTS + FOSTER_PLACEMENTS + (("K3",) if ctx.end_year >= 2026 else ())
    mask = (
        notin("PLACE", fostering)
        & notin("LS", SHORT_BREAKS)
        & (c("PLACE_PROVIDER") == "PR1")
        & present("LS")
        & present("PLACE")
        & _la_differs(ctx)
    )
    return only(E, ctx.t(E), mask)


# ---- postcode and distance ----------------------------------------------------------------------


def _location_known(ctx: Ctx, column: str) -> pl.Expr:
    """`column` (derived from postcodes) is blank and that is a real gap, not a lookup limitation."""
    gap = blank("PL_POST") | pl.lit(ctx.postcodes.complete)
    return blank(column) & gap


def _uasc_children(ctx: Ctx) -> pl.Series | None:
    """Children identified as UASC this year or last (None when neither year says who is UASC)."""
    found = [
        ctx.t(name).filter(c("UASC") == "1")["CHILD"]
        for name in ("Header", "Header_last")
        if ctx.has(name) and "UASC" in ctx.t(name).columns
    ]
    if not found:
        return None
    return pl.concat(found).unique()


@rule("164", "The placement distance is not valid: check both postcodes.", needs=(E,), fields={E: "PL_POST"})
def r164(ctx: Ctx) -> Hits:
    uasc = _uasc_children(ctx)
    if uasc is None:
        return {}
    bad = (c("PL_DISTANCE") < 0) | (c("PL_DISTANCE") > 999.9)
    return only(E, ctx.t(E), ~c("CHILD").is_in(uasc.implode()) & bad)


@rule(
    "392a",
    "The child is looked after but no placement distance can be worked out: record valid home and placement postcodes.",
    needs=(E,),
    fields={E: "PL_POST"},
)
def r392a(ctx: Ctx) -> Hits:
    uasc = _uasc_children(ctx)
    if uasc is None:
        return {}
    missing = _location_known(ctx, "PL_DISTANCE") | (blank("PL_DISTANCE") & blank("HOME_POST"))
    return only(E, ctx.t(E), ~c("CHILD").is_in(uasc.implode()) & notin("LS", SHORT_BREAKS) & missing)


@rule(
    "392b",
    "The child is looked after but the home or placement postcode is missing.",
    needs=(E,),
    fields={E: "HOME_POST"},
)
def r392b(ctx: Ctx) -> Hits:
    uasc = _uasc_children(ctx)
    mask = notin("LS", SHORT_BREAKS) & (blank("HOME_POST") | blank("PL_POST"))
    if uasc is not None:
        mask = mask & ~c("CHILD").is_in(uasc.implode())
    return only(E, ctx.t(E), mask)


@rule("392c", "The home or placement postcode is not a valid postcode.", needs=(E,), fields={E: "HOME_POST"})
def r392c(ctx: Ctx) -> Hits:
    if ctx.postcodes.complete:
        bad = (present("HOME_POST") & ~c("_home_known")) | (present("PL_POST") & ~c("_place_known"))
    else:
        pattern = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
        bad = (present("HOME_POST") & ~c("HOME_POST").str.contains(pattern)) | (
            present("PL_POST") & ~c("PL_POST").str.contains(pattern)
        )
    return only(E, ctx.t(E), bad)


@rule(
    "406",
    "The child is or was an unaccompanied asylum-seeking child, so no placement distance is reported: "
    "leave the home postcode blank.",
    needs=(E,),
    fields={E: "HOME_POST"},
)
def r406(ctx: Ctx) -> Hits:
    uasc = _uasc_children(ctx)
    if uasc is None:
        return {}
    return only(E, ctx.t(E), c("CHILD").is_in(uasc.implode()) & present("PL_DISTANCE"))


mask_rule(
    "169",
    "The placement LA cannot be worked out: record a valid placement postcode.",
    E,
    "PL_POST",
    lambda ctx: notin("LS", SHORT_BREAKS) & _location_known(ctx, "PL_LA"),
)
mask_rule(
    "179",
    "The placement location (in or out of area) cannot be worked out: record a valid placement postcode.",
    E,
    "PL_POST",
    lambda ctx: notin("LS", SHORT_BREAKS) & _location_known(ctx, "PL_LOCATION"),
)


# ---- age at an episode --------------------------------------------------------------------------


def _episodes_with_dob(ctx: Ctx) -> pl.DataFrame:
    return ctx.eps_dob


_HEADER = ("Header",)


def _with_header(table_rows: pl.DataFrame, mask: pl.Expr) -> Hits:
    hit = table_rows.filter(true(mask))
    return {E: rows(hit), "Header": rows(hit, None, "_hrow")}


@rule(
    "234",
    "A child under 10 cannot change placement because of custody: check the reason for placement change.",
    needs=(E, "Header"),
    fields={E: "REASON_PLACE_CHANGE", "Header": "DOB"},
)
def r234(ctx: Ctx) -> Hits:
    return _with_header(
        _episodes_with_dob(ctx),
        (plus_years("H_DOB", 10) > c("DECOM_dt")) & (c("REASON_PLACE_CHANGE") == "CUSTOD"),
    )


@rule(
    "302",
    "The first episode starts before the child's date of birth.",
    needs=(E, "Header"),
    fields={E: "DECOM", "Header": "DOB"},
)
def r302(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(present("DECOM_dt") & ~c("_has_prev"))
    return _with_header(ctx.with_dob(first), c("H_DOB") > c("DECOM_dt"))


mask_rule(
    "352",
    "A child cannot start to be looked after (RNE S) aged 18 or over: check the date of birth and start date.",
    "Episodes",
    "DECOM",
    lambda ctx: (c("RNE") == "S") & (plus_years("H_DOB", 18) <= c("DECOM_dt")),
    also_needs=_HEADER,
    frame=_episodes_with_dob,
)


@rule(
    "358",
    "A child under 10 cannot have a youth justice legal status (J1-J3).",
    needs=(E, "Header"),
    fields={E: "LS", "Header": "DOB"},
)
def r358(ctx: Ctx) -> Hits:
    return _with_header(
        _episodes_with_dob(ctx), isin("LS", ("J1", "J2", "J3")) & (plus_years("H_DOB", 10) >= c("DECOM_dt"))
    )


@rule(
    "359",
    "A young person looked after past their 18th birthday must be accommodated under section 20 (V2) "
    "in a community home (K2).",
    needs=(E, "Header"),
    fields={E: "LS"},
)
def r359(ctx: Ctx) -> Hits:
    mask = (
        (plus_years("H_DOB", 18) < ctx.end)
        & blank("DEC")
        & ~((c("LS") == "V2") & (c("PLACE") == "K2")).fill_null(False)
    )
    return only(E, _episodes_with_dob(ctx), mask)


@rule(
    "407",
    "The child left care on a special guardianship order (E45-E48) after reaching 18.",
    needs=(E, "Header"),
    fields={E: "REC", "Header": "DOB"},
)
def r407(ctx: Ctx) -> Hits:
    return _with_header(
        _episodes_with_dob(ctx),
        isin("REC", ("E45", "E46", "E47", "E48")) & (plus_years("H_DOB", 18) < c("DEC_dt")),
    )


def _min_age_rule(code: str, place: str, years: int, what: str) -> None:
    mask_rule(
        code,
        f"{what} should be at least {years} at the start of the placement: check the date of birth or placement type.",
        E,
        "PLACE",
        lambda ctx: (c("PLACE") == place) & (c("DECOM_dt") < plus_years("H_DOB", years)),
        also_needs=_HEADER,
        frame=_episodes_with_dob,
    )


def _max_length_rule(code: str, place: str, days: int, what: str) -> None:
    mask_rule(
        code,
        f"{what} cannot last more than {days} days: end the temporary placement or record the right placement type.",
        E,
        "DEC",
        lambda ctx: (c("PLACE") == place) & present("H_DOB") & (c("DEC_dt") > plus_days("DECOM_dt", days)),
        also_needs=_HEADER,
        frame=_episodes_with_dob,
    )


_min_age_rule("371", "K3", 16, "A child in supported accommodation (K3)")
_min_age_rule("372", "R5", 10, "A child in youth custody (R5)")
_min_age_rule("373", "S1", 4, "A child placed in a residential school (S1)")
_min_age_rule("374", "P3", 14, "A child in residential employment (P3)")
_max_length_rule("375", "T1", 42, "A temporary hospital stay (T1)")
_max_length_rule("376", "T3", 21, "A temporary placement while foster carers are on holiday (T3)")
_max_length_rule("379", "T4", 7, "A temporary placement for another reason (T4)")


def _ended_at_age(code: str, recs: tuple[str, ...], years: int, message: str, *, need_dec: bool) -> None:
    def mask(ctx: Ctx) -> pl.Expr:
        old_enough = true(plus_years("H_DOB", years) <= c("DEC_dt"))
        base = isin("REC", recs) & ~old_enough
        return base & present("DEC_dt") if need_dec else base

    mask_rule(code, message, E, "REC", mask, also_needs=_HEADER, frame=_episodes_with_dob)


_ended_at_age(
    "387",
    ("E5", "E6"),
    14,
    "The child moved to independent living (E5/E6) but was under 14 when the episode ended.",
    need_dec=True,
)
_ended_at_age(
    "389",
    ("E7",),
    16,
    "The child transferred to adult social care (E7) but was under 16 when the episode ended.",
    need_dec=False,
)
mask_rule(
    "386",
    "The child is recorded as adopted (E11/E12) but had reached 18 when the episode ended.",
    E,
    "REC",
    lambda ctx: isin("REC", ADOPTED) & (plus_years("H_DOB", 18) <= c("DEC_dt")),
    also_needs=_HEADER,
    frame=_episodes_with_dob,
)
mask_rule(
    "460",
    "Staying with current carers at 18 (E17) is recorded but the young person was under 18 when the episode ended.",
    E,
    "REC",
    lambda ctx: (c("REC") == "E17") & (plus_years("H_DOB", 18) > c("DEC_dt")),
    also_needs=_HEADER,
    frame=_episodes_with_dob,
)
