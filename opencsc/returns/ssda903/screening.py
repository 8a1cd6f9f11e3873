"""Cells an SSDA903 file from outside must never bring into the record (issue 10, defect 4).

The import used to store `=1+1`, `+1+2` or `@SUM(1)` in HOME_POST and SW_ID: a value that a
spreadsheet later runs as a formula when anyone exports the record (CSV injection). No DfE code, date,
identifier or postcode starts with = + - @ or a control character, so such a cell is refused wherever
it is, unless it is a plain number (`-1`, `+0.5` stay numbers, as the writer treats them). HOME_POST
and PL_POST must also be UK postcodes in form (the postcode directory, when loaded, then says whether
the postcode exists: rules 392c and 169).

`screen_903(tables)` returns every refused cell with its table, 0-based row (as the importer counts
rows; the file's line is the row + 2, after the header line), child and reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from .postcodes import POSTCODE_FORMAT

FORMULA_START = re.compile(r"^[=+\-@\t\r\n\x00-\x1f]")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
POSTCODE_COLUMNS = ("HOME_POST", "PL_POST")


@dataclass(frozen=True)
class RefusedCell:
    table: str
    row: int
    child: str | None
    column: str
    reason: str


def is_formula(value: str) -> bool:
    """A cell a spreadsheet would run as a formula (or a control character), and not a plain number."""
    return bool(FORMULA_START.match(value)) and not PLAIN_NUMBER.match(value.strip())


def _shown(value: str) -> str:
    text = value.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def screen_903(tables: Mapping[str, pl.DataFrame]) -> list[RefusedCell]:
    """Every formula-like cell, and every HOME_POST / PL_POST that is not a UK postcode in form."""
    refused: list[RefusedCell] = []
    for name, frame in tables.items():
        text_columns = [col for col, dtype in frame.schema.items() if dtype == pl.String]
        if not text_columns:
            continue
        suspect = [pl.col(col).str.contains(FORMULA_START.pattern).fill_null(False) for col in text_columns]
        suspect += [
            pl.col(col).is_not_null() & ~pl.col(col).str.contains(POSTCODE_FORMAT.pattern).fill_null(True)
            for col in POSTCODE_COLUMNS
            if col in text_columns
        ]
        flagged = frame.with_row_index("_r").filter(pl.any_horizontal(suspect))
        for row in flagged.iter_rows(named=True):
            refused.extend(_row_cells(name, row, text_columns))
    return refused


def _row_cells(table: str, row: dict, columns: list[str]) -> list[RefusedCell]:
    out = []
    number, child = int(row["_r"]), row.get("CHILD")
    line = f"line {number + 2} of the {table} file"
    for column in columns:
        value = row.get(column)
        if value is None:
            continue
        if is_formula(value):
            out.append(
                RefusedCell(
                    table,
                    number,
                    child,
                    column,
                    f"{column} {_shown(value)!r} ({line}) starts with {_shown(value[0])!r}, which a spreadsheet "
                    "would run as a formula; no DfE value starts so: correct the cell in the source system",
                )
            )
        elif column in POSTCODE_COLUMNS and not POSTCODE_FORMAT.match(value):
            out.append(
                RefusedCell(
                    table,
                    number,
                    child,
                    column,
                    f"{column} {_shown(value)!r} ({line}) is not a UK postcode: write it like SE6 1AA, or blank",
                )
            )
    return out
