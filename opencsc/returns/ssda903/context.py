"""What every 903 rule reads: the return's tables prepared once, immutably, for one collection year.

`prepare()` copies nothing it does not need and changes nothing it is given: each prepared table is a
new polars DataFrame (polars frames are immutable) holding the original string columns plus
`_row` (the 0-based row in the table as given), a parsed date `<COL>_dt` for each date column, and the
DfE's derived columns (Episodes: PL_LA, PL_LOCATION, PL_DISTANCE; Header: UASC when the UASC table is
present). So every rule sees the same unmodified inputs whatever ran before it, unlike the published
validator whose rule 365 writes into the shared Episodes table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cached_property

import polars as pl

from opencsc.core.codelists import year_end

from .postcodes import PostcodeLookup, add_location_columns
from .providers import PROVIDER_SCHEMA
from .tables import COLUMNS, DATE_COLUMNS, DATE_FORMAT

LAST = "_last"


def parse_dates(column: str) -> pl.Expr:
    """DD/MM/YYYY text to a date; anything else (including partial dates) to null."""
    text = pl.col(column)
    return text.str.strptime(pl.Date, DATE_FORMAT, strict=False).alias(f"{column}_dt")


def partial_date(column: str) -> pl.Expr:
    """DATE_PERM as the latest date it can mean: ZZ day -> month end, ZZ/ZZ -> 31 December, ZZZZ year -> 2000.

    Mirrors the DfE reading of partial dates so a partial date never looks later than it can be.
    """
    parts = pl.col(column).str.split("/")
    day, month, year = (
        parts.list.get(0, null_on_oob=True),
        parts.list.get(1, null_on_oob=True),
        parts.list.get(2, null_on_oob=True),
    )
    ok = parts.list.len() == 3
    year_txt = pl.when(year == "ZZZZ").then(pl.lit("2000")).otherwise(year)
    month_txt = pl.when(month == "ZZ").then(pl.lit("01")).otherwise(month)
    day_txt = pl.when(day == "ZZ").then(pl.lit("01")).otherwise(day)
    base = pl.concat_str([day_txt, month_txt, year_txt], separator="/").str.strptime(pl.Date, DATE_FORMAT, strict=False)
    # A ZZ month means "some time that year"; a ZZ day (with a known month) means "some time that month".
    shifted = (
        pl.when(month == "ZZ")
        .then(base.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(day == "ZZ")
        .then(base.dt.offset_by("1mo").dt.offset_by("-1d"))
        .otherwise(base)
    )
    return pl.when(ok).then(shifted).otherwise(None).alias(f"{column}_dt")


def _prepare_table(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.select(COLUMNS[name]).with_row_index("_row")
    exprs = [parse_dates(c) for c in COLUMNS[name] if c in DATE_COLUMNS]
    if name == "PrevPerm":
        exprs.append(partial_date("DATE_PERM"))
    return frame.with_columns(exprs) if exprs else frame


def _prepare_set(tables: Mapping[str, pl.DataFrame], lookup: PostcodeLookup, la_code: str) -> dict[str, pl.DataFrame]:
    out = {name: _prepare_table(name, frame) for name, frame in tables.items() if name in COLUMNS}
    if "Episodes" in out:
        out["Episodes"] = add_location_columns(out["Episodes"], lookup, la_code)
    if "Header" in out and "UASC" in out:
        uasc_children = out["UASC"]["CHILD"].drop_nulls().unique().implode()
        out["Header"] = out["Header"].with_columns(
            UASC=pl.when(pl.col("CHILD").is_in(uasc_children)).then(pl.lit("1")).otherwise(pl.lit("0"))
        )
    return out


def _prepare_providers(providers: pl.DataFrame, lookup: PostcodeLookup) -> pl.DataFrame:
    """The Ofsted register (`providers.providers_frame`) with `LA_CODE`, the upper-tier authority of the
    provider's postcode from the postcode lookup (null when the lookup does not know it), as the DfE
    infers it."""
    missing = [name for name in PROVIDER_SCHEMA if name not in providers.columns]
    if missing:
        raise ValueError(f"The provider register lacks column(s) {', '.join(missing)}")
    places = lookup.frame().select(POSTCODE="key", LA_CODE="la")
    frame = providers.select(list(PROVIDER_SCHEMA)).unique("URN", keep="last", maintain_order=True)
    return frame.join(places, on="POSTCODE", how="left", maintain_order="left")


class Ctx:
    """The prepared return seen by the rules (read-only: every accessor returns an immutable frame)."""

    def __init__(
        self,
        tables: Mapping[str, pl.DataFrame],
        year: str,
        *,
        la_code: str,
        previous: Mapping[str, pl.DataFrame] | None = None,
        postcodes: PostcodeLookup | None = None,
        providers: pl.DataFrame | None = None,
        as_of: dt.date | None = None,
    ) -> None:
        self.year = year
        self.end_year = year_end(year)
        self.start = dt.date(self.end_year - 1, 4, 1)
        self.end = dt.date(self.end_year, 3, 31)
        # The day the tables stand at: 31 March for the return, today for a check during the year (an
        # episode still open has lasted until then, not until a 31 March still to come).
        self.as_of = min(as_of, self.end) if as_of is not None else self.end
        self.la_code = la_code
        self.postcodes = postcodes or PostcodeLookup.builtin()
        self.providers = None if providers is None else _prepare_providers(providers, self.postcodes)
        self._tables = _prepare_set(tables, self.postcodes, la_code)
        self._shared: dict[str, pl.DataFrame] = {}
        if previous is not None:
            for name, frame in _prepare_set(previous, self.postcodes, la_code).items():
                self._tables[name + LAST] = frame

    def shared(self, key: str, build: Callable[[Ctx], pl.DataFrame]) -> pl.DataFrame:
        """A derived frame several rules read, built once per return (frames are immutable)."""
        if key not in self._shared:
            self._shared[key] = build(self)
        return self._shared[key]

    def has(self, *names: str) -> bool:
        return all(name in self._tables for name in names)

    def t(self, name: str) -> pl.DataFrame:
        return self._tables[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._tables)

    # ---- derived views shared by several rules (computed once, immutable) ----

    @cached_property
    def eps(self) -> pl.DataFrame:
        """Episodes sorted by CHILD then start date (unparseable starts last), with neighbours.

        `p_<COL>` is the previous episode's value and `n_<COL>` the next one's, within the child.
        """
        return neighbours(
            self.t("Episodes"),
            ("DECOM_dt", "_row"),
            (
                "DECOM",
                "DECOM_dt",
                "DEC",
                "DEC_dt",
                "REC",
                "RNE",
                "LS",
                "PLACE",
                "PL_POST",
                "URN",
                "PLACE_PROVIDER",
                "CIN",
                "REASON_PLACE_CHANGE",
                "_row",
            ),
        )

    @cached_property
    def dob(self) -> pl.DataFrame:
        """CHILD -> DOB_dt and the Header row `_hrow` (first Header row per child)."""
        header = self.t("Header").select("CHILD", "DOB_dt", _hrow="_row")
        return header.unique("CHILD", keep="first", maintain_order=True)

    @cached_property
    def eps_dob(self) -> pl.DataFrame:
        """Episodes with the child's Header DOB (`H_DOB`) and Header row (`_hrow`)."""
        return self.with_dob(self.t("Episodes"))

    def with_dob(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with the child's Header DOB_dt (as `H_DOB`) and Header row (`_hrow`); null if absent."""
        return frame.join(self.dob.rename({"DOB_dt": "H_DOB"}), on="CHILD", how="left", maintain_order="left")

    @cached_property
    def cla(self) -> pl.DataFrame:
        """CHILD -> CLA: looked after continuously for the whole collection year (the DfE's OC2 cohort).

        In care at some point in the year, and no episode that starts a period of care after 1 April,
        ends one before 31 March, or is a short break (V3/V4) during the year.
        """
        e = self.t("Episodes")
        during = (pl.col("DECOM_dt") <= self.end) & ((pl.col("DEC_dt") >= self.start) | pl.col("DEC_dt").is_null())
        enters = (pl.col("RNE") == "S") & (pl.col("DECOM_dt") > self.start) & (pl.col("DECOM_dt") <= self.end)
        leaves = (
            (pl.col("REC") != "X1").fill_null(True) & (pl.col("DEC_dt") >= self.start) & (pl.col("DEC_dt") < self.end)
        )
        short = pl.col("LS").is_in(["V3", "V4"]) & during
        return e.group_by("CHILD", maintain_order=True).agg(
            CLA=during.fill_null(False).any() & ~(enters | leaves | short).fill_null(False).any()
        )

    def with_cla(self, name: str) -> pl.DataFrame:
        """Table `name` with a boolean CLA column (False for children with no episodes)."""
        return (
            self.t(name)
            .join(self.cla, on="CHILD", how="left", maintain_order="left")
            .with_columns(pl.col("CLA").fill_null(False))
        )

    @cached_property
    def periods(self) -> pl.DataFrame:
        """Episodes with `_period` (a number per period of care: consecutive episodes of one child
        where each starts no later than the previous ended), and the period's first DECOM / last DEC."""
        e = self.eps.filter(pl.col("DECOM_dt").is_not_null())
        new = (pl.col("CHILD") != pl.col("CHILD").shift(1)).fill_null(True) | (
            pl.col("DECOM_dt") > pl.col("DEC_dt").shift(1)
        ).fill_null(False)
        e = e.with_columns(_period=new.cast(pl.Int64).cum_sum())
        return e.with_columns(
            poc_DECOM=pl.col("DECOM_dt").first().over("_period"),
            poc_DEC=pl.col("DEC_dt").last().over("_period"),
        )


def neighbours(frame: pl.DataFrame, order: tuple[str, ...], columns: tuple[str, ...]) -> pl.DataFrame:
    """`frame` sorted by CHILD then `order` (nulls last), with p_<col>/n_<col> within each child."""
    sorted_frame = frame.sort(["CHILD", *order], nulls_last=True, maintain_order=True)
    same_prev = pl.col("CHILD") == pl.col("CHILD").shift(1)
    same_next = pl.col("CHILD") == pl.col("CHILD").shift(-1)
    exprs = [pl.when(same_prev).then(pl.col(c).shift(1)).alias(f"p_{c}") for c in columns]
    exprs += [pl.when(same_next).then(pl.col(c).shift(-1)).alias(f"n_{c}") for c in columns]
    exprs += [same_prev.fill_null(False).alias("_has_prev"), same_next.fill_null(False).alias("_has_next")]
    return sorted_frame.with_columns(exprs)
