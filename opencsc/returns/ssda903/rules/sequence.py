"""Episodes rules about the order of a child's episodes (each compared with the one before or after)."""

from __future__ import annotations

import polars as pl

from ..context import Ctx
from ._lists import SHORT_BREAKS, TEMPORARY
from .base import Hits, blank, c, differs, isin, notin, only, present, rule, true

E = "Episodes"
CEASED = (
    "E2",
    "E3",
    "E4A",
    "E4B",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
)


def _seq(code: str, message: str, field: str, mask: pl.Expr) -> None:
    """A rule flagging episodes of `ctx.eps` (sorted, with p_/n_ neighbours) where `mask` holds."""
    rule(code, message, needs=(E,), fields={E: field})(lambda ctx: only(E, ctx.eps, mask))


_seq(
    "142",
    "A new episode has started but this earlier episode has no end date or reason ended.",
    "DEC",
    c("_has_next") & present("DECOM_dt") & (blank("DEC_dt") | blank("REC")),
)
_seq(
    "225",
    "The placement changed at the end of this episode, so a reason for placement change must be recorded.",
    "REASON_PLACE_CHANGE",
    c("_has_next")
    & (c("REC") == "X1")
    & blank("REASON_PLACE_CHANGE")
    & notin("PLACE", TEMPORARY)
    & isin("n_RNE", ("P", "B", "T", "U"))
    & notin("n_PLACE", TEMPORARY),
)
_seq(
    "226",
    "A reason for placement change is not recorded for a temporary placement (or the episode before "
    "it): leave it blank.",
    "REASON_PLACE_CHANGE",
    isin("PLACE", TEMPORARY) & (present("REASON_PLACE_CHANGE") | present("p_REASON_PLACE_CHANGE")),
)
_seq(
    "431",
    "The reason for new episode is 'started to be looked after' (S) but the previous episode ended on "
    "or after this start date.",
    "RNE",
    c("_has_prev") & (c("RNE") == "S") & (c("DECOM_dt") <= c("p_DEC_dt")),
)
_seq(
    "432",
    "The child left care at the end of the previous episode, so this episode's reason for new episode must be S.",
    "RNE",
    c("_has_prev") & isin("p_REC", CEASED) & differs("RNE", pl.lit("S")),
)
_seq(
    "433",
    "This episode continues the previous one (RNE P, L, T, U or B) but does not start on the day the "
    "previous episode ended.",
    "DECOM",
    c("_has_prev")
    & isin("RNE", ("P", "L", "T", "U", "B"))
    & (blank("p_DEC") | blank("DECOM") | differs("p_DEC", "DECOM")),
)
_PLACEMENT_ITEMS = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")
_seq(
    "434",
    "The reason for new episode is 'change of legal status only' (L) but the legal status is unchanged "
    "or the placement changed.",
    "RNE",
    c("_has_prev")
    & (c("RNE") == "L")
    & (true(c("LS") == c("p_LS")) | pl.any_horizontal([differs(col, f"p_{col}") for col in _PLACEMENT_ITEMS])),
)
_seq(
    "435",
    "The reason for new episode is 'change of placement only' (P/T) but the legal status changed or the "
    "placement did not.",
    "RNE",
    c("_has_prev")
    & isin("RNE", ("P", "T"))
    & (
        (c("LS") != c("p_LS")).fill_null(True)
        | pl.all_horizontal([true(c(col) == c(f"p_{col}")) for col in _PLACEMENT_ITEMS])
    ),
)
_seq(
    "436",
    "The reason for new episode is 'change of legal status and placement' (B/U) but one of them did not change.",
    "RNE",
    c("_has_prev")
    & isin("RNE", ("U", "B"))
    & (~differs("LS", "p_LS") | pl.all_horizontal([~differs(col, f"p_{col}") for col in _PLACEMENT_ITEMS])),
)
_seq(
    "437",
    "The child died or was found to be 18 or over (E2/E15), but there are later episodes.",
    "REC",
    present("DECOM_dt") & c("_has_next") & isin("REC", ("E2", "E15")),
)
_seq(
    "501",
    "This episode starts before the previous episode ended.",
    "DECOM",
    c("_has_prev") & (c("DECOM_dt") < c("p_DEC_dt")),
)
_seq(
    "504",
    "The category of need must stay the same throughout a period of care.",
    "CIN",
    c("_has_prev") & (c("p_REC") == "X1") & (c("p_DEC_dt") == c("DECOM_dt")) & differs("CIN", "p_CIN"),
)


@rule(
    "383",
    "After a temporary placement the child must return to their previous placement (reason for new "
    "episode P, same placement type and postcode).",
    needs=(E,),
    fields={E: "PLACE"},
)
def r383(ctx: Ctx) -> Hits:
    e = ctx.eps
    same = pl.col("CHILD") == pl.col("CHILD").shift(2)
    before_place = pl.when(same).then(pl.col("PLACE").shift(2))
    before_post = pl.when(same).then(pl.col("PL_POST").shift(2))
    changed = (c("RNE") != "P").fill_null(True) | (c("PLACE") != before_place).fill_null(True)
    if ctx.end_year >= 2026:
        changed = changed | (c("PL_POST") != before_post).fill_null(True)
    return only(E, e, true(same) & isin("p_PLACE", TEMPORARY) & changed)


@rule(
    "357",
    "This is the child's first episode, so the reason for new episode must be S (started to be looked "
    "after); check for a missing earlier episode.",
    needs=(E,),
    fields={E: "RNE"},
)
def r357(ctx: Ctx) -> Hits:
    first = ctx.eps.filter(present("DECOM_dt")).unique("CHILD", keep="first", maintain_order=True)
    return only(E, first, (c("DECOM_dt") >= ctx.start) & differs("RNE", pl.lit("S")))


@rule(
    "388",
    "The reason episode ceased is 'new episode begins' (X1) but no episode starts that day, or another "
    "reason is given although the next episode starts that day.",
    needs=(E,),
    fields={E: "REC"},
)
def r388(ctx: Ctx) -> Hits:
    e = ctx.eps
    nxt = present("n_DECOM_dt")
    case1 = c("_has_next") & (c("REC") == "X1") & present("DEC_dt") & nxt & (c("DEC_dt") != c("n_DECOM_dt"))
    case2 = c("_has_next") & (c("REC") != "X1") & present("DEC_dt") & nxt & (c("DEC_dt") == c("n_DECOM_dt"))
    case3 = ~c("_has_next") & present("DEC_dt") & (c("REC") == "X1")
    return only(E, e, true(case1) | true(case2) | true(case3))


def _runs(ctx: Ctx, status: str) -> pl.DataFrame:
    """Episodes of legal status `status`, numbered into runs of back-to-back episodes (`_run`). An open
    episode runs to the day the tables stand at (`ctx.as_of`: 31 March, or today during the year)."""
    e = ctx.eps.filter(c("LS") == status)
    joined = (c("CHILD") == c("CHILD").shift(1)) & (c("DECOM_dt") == c("DEC_dt").fill_null(ctx.as_of).shift(1))
    return e.with_columns(_run=(~true(joined)).cast(pl.Int64).cum_sum(), _dec=c("DEC_dt").fill_null(ctx.as_of))


def _span_rule(code: str, status: str, days: int, message: str) -> None:
    def check(ctx: Ctx) -> Hits:
        runs = _runs(ctx, status)
        span = (c("_dec").max() - c("DECOM_dt").min()).dt.total_days().over("_run")
        return only(E, runs, span > days)

    rule(code, message, needs=(E,), fields={E: "LS"})(check)


def _total_rule(code: str, status: str, days: int, message: str) -> None:
    def check(ctx: Ctx) -> Hits:
        runs = _runs(ctx, status).filter(present("DECOM_dt"))
        total = (c("_dec") - c("DECOM_dt")).dt.total_days().sum().over("_run")
        return only(E, runs, total > days)

    rule(code, message, needs=(E,), fields={E: "LS"})(check)


_span_rule("361", "L1", 3, "Police protection (L1) lasted longer than the 72 hours the Children Act allows.")
_span_rule("362", "L2", 21, "An emergency protection order (L2) lasted longer than 21 days.")
_total_rule("363", "L3", 7, "A child assessment order (L3) lasted longer than the 7 days the Children Act allows.")
_total_rule("364", "J2", 21, "Detention under PACE (J2) lasted longer than PACE allows (21 days).")


@rule(
    "367",
    "Short breaks (V3) add up to more than 75 days in the year, the most allowed in 12 months.",
    needs=(E,),
    fields={E: "LS"},
)
def r367(ctx: Ctx) -> Hits:
    e = ctx.t(E).filter((c("LS") == "V3") & present("DECOM"))
    start = pl.max_horizontal(c("DECOM_dt"), pl.lit(ctx.start))
    end = pl.min_horizontal(c("DEC_dt").fill_null(ctx.end), pl.lit(ctx.end))
    e = e.with_columns(_days=(end - start).dt.total_days()).filter(c("_days") > 0)
    return only(E, e, c("_days").sum().over("CHILD") > 75)


@rule(
    "377",
    "More than two temporary placements for foster carers' holidays (T3) are recorded; only two are "
    "allowed in 12 months.",
    needs=(E,),
    fields={E: "PLACE"},
)
def r377(ctx: Ctx) -> Hits:
    t3 = ctx.t(E).filter(c("PLACE") == "T3")
    return only(E, t3, pl.len().over("CHILD") > 2)


@rule(
    "426",
    "A child on short breaks cannot have both V3 and V4 legal statuses in the same year.",
    needs=(E,),
    fields={E: "LS"},
)
def r426(ctx: Ctx) -> Hits:
    breaks = ctx.t(E).filter(isin("LS", SHORT_BREAKS))
    return only(E, breaks, c("LS").n_unique().over("CHILD") > 1)


@rule(
    "199",
    "The child was adopted from care earlier (this year or last), so a new period of care needs a new "
    "child ID: an adopted child who returns to care gets a new, unlinked record.",
    needs=(E,),
    fields={E: "CHILD"},
)
def r199(ctx: Ctx) -> Hits:
    cols = ("CHILD", "DECOM_dt", "REC", "_row")
    now = ctx.t(E).select(cols).with_columns(_now=pl.lit(True))
    frames = [now]
    if ctx.has("Episodes_last"):
        frames.append(ctx.t("Episodes_last").select(cols).with_columns(_now=pl.lit(False)))
    both = pl.concat(frames).filter(present("DECOM_dt")).sort(["CHILD", "DECOM_dt"], maintain_order=True)
    adopted = isin("REC", ("E11", "E12")).cast(pl.Int64)
    both = both.with_columns(_n=adopted.cum_sum().over("CHILD"), _ad=adopted)
    return only(E, both.filter(c("_now")), (c("_n") > 0) & (c("_n") != c("_ad")))
