"""The SSDA903 return as a set of tables, in the exact shape the DfE and its validators expect.

Each table is recognised by its exact set of columns (as `csc-validator-be-903` does); the column order
here is the order the DfE publishes and the order openCSC writes. Tables are held as polars DataFrames
whose columns are all strings (`pl.String`), blanks as null, values upper-cased: the same values a
council's CSV files carry. Validation parses dates itself, so a table can carry an unparseable date
and the rule that checks it can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    # Deprivation of liberty orders: collected from 2026-27 (rules 700-710). Optional before then.
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}

TABLE_NAMES: tuple[str, ...] = tuple(COLUMNS)
# The tables every return has; DoLo is written only when a collection year asks for it.
CORE_TABLES: tuple[str, ...] = tuple(name for name in TABLE_NAMES if name != "DoLo")

# Full dates, DD/MM/YYYY. DATE_PERM is not here: it may be partial (zz/MM/YYYY, zz/zz/YYYY, zz/zz/zzzz).
DATE_COLUMNS: frozenset[str] = frozenset(
    {
        "DOB",
        "MC_DOB",
        "DECOM",
        "DEC",
        "REVIEW",
        "DUC",
        "DATE_INT",
        "DATE_MATCH",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "MIS_START",
        "MIS_END",
        "SW_DECOM",
        "SW_DEC",
        "DOLO_START",
        "DOLO_END",
    }
)
DATE_FORMAT = "%d/%m/%Y"

Tables = Mapping[str, pl.DataFrame]


def identify_table(columns: Iterable[str]) -> str | None:
    """The table whose column set equals `columns` exactly, or None."""
    wanted = set(columns)
    for name, expected in COLUMNS.items():
        if wanted == set(expected):
            return name
    return None


def closest_table(columns: Iterable[str]) -> tuple[str, set[str], set[str]]:
    """(table, missing columns, extra columns) for the table that `columns` most nearly matches."""
    got = set(columns)

    def distance(name: str) -> int:
        expected = set(COLUMNS[name])
        return len(expected ^ got) - 2 * len(expected & got)

    best = min(TABLE_NAMES, key=distance)
    expected = set(COLUMNS[best])
    return best, expected - got, got - expected


def empty_table(name: str) -> pl.DataFrame:
    """A table with the right columns and no rows."""
    return pl.DataFrame(schema={column: pl.String for column in COLUMNS[name]})


def table_from_rows(name: str, rows: Iterable[Mapping[str, str | None]]) -> pl.DataFrame:
    """A string table built from dicts (missing keys become null), columns in DfE order."""
    columns = COLUMNS[name]
    data = {column: [] for column in columns}  # type: dict[str, list[str | None]]
    for row in rows:
        for column in columns:
            value = row.get(column)
            data[column].append(None if value is None or value == "" else str(value))
    return pl.DataFrame(data, schema={column: pl.String for column in columns})


def complete(tables: Tables, names: Iterable[str] = CORE_TABLES) -> dict[str, pl.DataFrame]:
    """The tables with every table in `names` present (absent ones empty), in DfE column order."""
    out: dict[str, pl.DataFrame] = {}
    for name in names:
        frame = tables.get(name)
        out[name] = empty_table(name) if frame is None else frame.select(COLUMNS[name])
    for name, frame in tables.items():
        out.setdefault(name, frame.select(COLUMNS[name]))
    return out
