"""The published 903 validator's own test data (its `tests/fake_data`, dates moved to 2025-26), and why
each (rule, child) one tool reports and the other does not is a difference we have decided.

Every explanation is a check on the child's own rows, so a difference of the same rule for another reason
stays unexplained and fails the oracle test. Who is right, and why, is in docs/returns-validation-903.md
("The published validator's own test data").
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

FAKE_DATA = Path(__file__).with_name("fake_data_2025_26")
YEAR = "2025-26"
YEAR_END = dt.date(2026, 3, 31)


def unpack(folder: Path) -> Path:
    """Write the data set's CSV files into `folder` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for packed in sorted(FAKE_DATA.glob("*.csv.gz")):
        (folder / packed.name.removesuffix(".gz")).write_bytes(gzip.decompress(packed.read_bytes()))
    return folder


Tables = dict[str, pl.DataFrame]


def _rows(tables: Tables, name: str, child: str) -> pl.DataFrame:
    frame = tables.get(name)
    if frame is None:
        return pl.DataFrame()
    return frame.filter(pl.col("CHILD") == child)


def _episodes(tables: Tables, child: str) -> pl.DataFrame:
    return _rows(tables, "Episodes", child).with_columns(
        _start=pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    )


def _open(tables: Tables, child: str) -> pl.DataFrame:
    return _episodes(tables, child).filter(pl.col("DEC").is_null())


def _open_with(column: str, values: tuple[str, ...]) -> Callable[[Tables, str], bool]:
    return lambda t, child: _open(t, child).filter(pl.col(column).is_in(values)).height > 0


def _open_t3_over_21_days(t: Tables, child: str) -> bool:
    late = YEAR_END - dt.timedelta(days=21)
    return _open(t, child).filter((pl.col("PLACE") == "T3") & (pl.col("_start") < late)).height > 0


def _open_and_care_leaver_data(t: Tables, child: str) -> bool:
    return _open(t, child).height > 0 and _rows(t, "OC3", child).height > 0


def _old_sex_code(t: Tables, child: str) -> bool:
    return _rows(t, "Header", child).filter(~pl.col("SEX").is_in(["M", "F"])).height > 0


def _t4_with_provider(t: Tables, child: str) -> bool:
    eps = _episodes(t, child)
    return eps.filter((pl.col("PLACE") == "T4") & pl.col("PLACE_PROVIDER").is_not_null()).height > 0


def _foyer_care_leaver(t: Tables, child: str) -> bool:
    return _rows(t, "OC3", child).filter(pl.col("ACCOM").is_in(["T1", "T2"])).height > 0


def _one_ended_decision_and_adopted(t: Tables, child: str) -> bool:
    ended = _rows(t, "PlacedAdoption", child).filter(pl.col("DATE_PLACED_CEASED").is_not_null()).height
    adopted = _episodes(t, child).filter(pl.col("REC").is_in(["E11", "E12"]) & pl.col("DEC").is_not_null())
    return ended == 1 and adopted.height > 0


def _open_adoption_reason_and_ad1(t: Tables, child: str) -> bool:
    return _open_with("REC", ("E11", "E12"))(t, child) and _rows(t, "AD1", child).height > 0


@dataclass(frozen=True)
class Explained:
    side: str  # "published": only the published validator reports it; "opencsc": only openCSC does
    why: str
    holds: Callable[[Tables, str], bool]


RULE_365 = "rule 365 writes 31/03 into DEC of open episodes in the table every later rule reads"

# rule -> why the (rule, child) pairs only one tool reports are not openCSC's error
EXPLAINED: dict[str, Explained] = {
    "388": Explained(
        "published",
        f"{RULE_365}, so an open last episode whose REC is X1 reads as 'left care with X1'; the open "
        "episode has not ceased (both tools report its REC-without-DEC as rule 148)",
        _open_with("REC", ("X1",)),
    ),
    "376": Explained(
        "published",
        f"{RULE_365}, so an open T3 placement reads as ended on 31 March; in the same run its 375 and 379 "
        "(the same helper) leave open T1/T4 placements alone, and run alone 376 does too",
        _open_t3_over_21_days,
    ),
    "387": Explained(
        "published",
        f"{RULE_365}, so an open episode whose REC is E5/E6 reads as 'ceased to live independently' on "
        "31 March; it has not ceased (rule 148 reports the REC without DEC)",
        _open_with("REC", ("E5", "E6")),
    ),
    "1016": Explained(
        "published",
        f"{RULE_365}, so a young person still looked after reads as having left care on 31 March, after "
        "their birthday; run alone it reports none of these",
        _open_and_care_leaver_data,
    ),
    "165": Explained(
        "published",
        "compares SEX with the pre-2024 codes 1/2; this file still uses them, which both tools report as "
        "rule 101, and openCSC's 165 reads the codes the return has had since 2024-25 (M/F)",
        _old_sex_code,
    ),
    "178": Explained(
        "opencsc",
        "the published 2025-26 rule lists T0-T3 and Z11-Z14 as taking no provider but drops T4 (its "
        "earlier years and its own 2025-26 rule 213 include T4)",
        _t4_with_provider,
    ),
    "372": Explained(
        "opencsc", "the published rule only checks episodes that have ended", _open_with("PLACE", ("R5",))
    ),
    "373": Explained(
        "opencsc", "the published rule only checks episodes that have ended", _open_with("PLACE", ("S1",))
    ),
    "374": Explained(
        "opencsc", "the published rule only checks episodes that have ended", _open_with("PLACE", ("P3",))
    ),
    "1007": Explained(
        "opencsc",
        "the published rule ignores open episodes: a young person still looked after on their birthday is in care then",
        _open_and_care_leaver_data,
    ),
    "347": Explained(
        "opencsc", "the published rule compares ACCOM with 'T', which no code equals (T1/T2)", _foyer_care_leaver
    ),
    "558": Explained(
        "opencsc",
        "the published rule fires only when a child has two or more ended decisions to place for adoption",
        _one_ended_decision_and_adopted,
    ),
    "602": Explained(
        "opencsc",
        f"{RULE_365}, so an open episode whose REC is E11/E12 reads as an adoption in the year; run alone "
        "the published rule reports it too",
        _open_adoption_reason_and_ad1,
    ),
}

# Rules the published validator crashes on for this data: every pair openCSC reports for them is ours alone.
CRASHES = {"231": "reads a UASC_STATUS column that does not exist", "233": "reads DATE_EPISODE_CEASED, not DEC"}


def unexplained(
    published: set[tuple[str, str]], ours: set[tuple[str, str]], tables: Tables, crashed: set[str], known: set[str]
) -> set[tuple[str, str, str]]:
    """(side, rule, child) of every difference not explained above (`known`: rules already documented as
    the published validator's defects, KNOWN_DEFECTS_903)."""
    out = set()
    for side, pairs in (("published", published - ours), ("opencsc", ours - published)):
        for rule, child in pairs:
            if side == "published" and rule in known:
                continue
            if side == "opencsc" and rule in crashed and rule in CRASHES:
                continue
            why = EXPLAINED.get(rule)
            if why is None or why.side != side or not why.holds(tables, child):
                out.add((side, rule, child))
    return out
