"""Read and write an SSDA903 return as a directory of CSV files.

Reading recognises each table by its exact set of columns (never by its file name), upper-cases every
value and trims surrounding spaces as the DfE does, keeps blanks as null and keeps dates as the text
written (DD/MM/YYYY; DATE_PERM may be partial), so the rules can report a bad date rather than the
reader hiding it. Reading refuses a file larger than `max_bytes` before opening it.

Writing produces one file per table (`<Table>.csv`), columns in DfE order, dates DD/MM/YYYY, and
neutralises spreadsheet formula injection: a cell starting with = + - @ tab, carriage return or NUL
gets a leading apostrophe, unless the cell is a plain number (so "-1" or "+0.5" stay numbers and no
DfE code is ever changed, since none starts with those characters).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import polars as pl

from opencsc.core.uploads import FileRefused, check_bytes, check_path

from .tables import COLUMNS, DATE_FORMAT, TABLE_NAMES, Tables, closest_table, identify_table

DEFAULT_MAX_BYTES = 256 * 1024 * 1024  # a national-scale Episodes file is well under this
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_FORMULA_START_PATTERN = r"^[=+\-@\t\r\x00]"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class ReturnFileError(FileRefused):
    """A 903 file cannot be read as a table; the message says which file and how to fix it."""


def read_903_dir(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, pl.DataFrame]:
    """Every `*.csv` directly inside `path`, keyed by the table its columns identify.

    Raises `FileTooLarge` (core.uploads) for a file that is too large; ReturnFileError for one that
    cannot be decoded, matches no table (naming
    the missing and extra columns) or repeats a table already read.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ReturnFileError(f"{folder} is not a directory of SSDA903 CSV files")
    tables: dict[str, pl.DataFrame] = {}
    sources: dict[str, Path] = {}
    for file in sorted(folder.glob("*.csv")):
        name, frame = read_903_file(file, max_bytes=max_bytes)
        if name in tables:
            raise ReturnFileError(f"{file.name} and {sources[name].name} both hold the {name} table")
        tables[name], sources[name] = frame, file
    if not tables:
        raise ReturnFileError(f"{folder} holds no SSDA903 CSV files")
    return tables


def read_903_file(file: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, pl.DataFrame]:
    """(table name, table) for one CSV file, values upper-cased and trimmed, blanks null."""
    file = Path(file)
    check_path(file, limit=max_bytes, what="one SSDA903 CSV file")
    return _read_table(file.name, file)


def read_903_bytes(files: dict[str, bytes], *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, pl.DataFrame]:
    """As `read_903_dir`, for files given as {name: bytes} (an upload), never written to disk."""
    tables: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    for file_name, data in sorted(files.items()):
        check_bytes(data, limit=max_bytes, name=file_name, what="one SSDA903 CSV file")
        if b"\0" in data[:65536]:
            raise ReturnFileError(f"{file_name} holds binary data, so it is not a CSV file")
        name, frame = _read_table(file_name, io.BytesIO(data))
        if name in tables:
            raise ReturnFileError(f"{file_name} and {sources[name]} both hold the {name} table")
        tables[name], sources[name] = frame, file_name
    if not tables:
        raise ReturnFileError("No SSDA903 CSV files were given")
    return tables


def _read_table(file_name: str, source: Path | io.BytesIO) -> tuple[str, pl.DataFrame]:
    try:
        frame = pl.read_csv(source, infer_schema=False, encoding="utf8", raise_if_empty=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise ReturnFileError(f"{file_name} could not be read as UTF-8 CSV: save it as CSV UTF-8 ({exc})") from exc
    columns = [column.strip().upper() for column in frame.columns]
    name = identify_table(columns)
    if name is None:
        raise ReturnFileError(_column_message(file_name, columns))
    frame = frame.rename(dict(zip(frame.columns, columns, strict=True)))
    return name, _normalise(frame.select(COLUMNS[name]))


def _column_message(file_name: str, columns: list[str]) -> str:
    table, missing, extra = closest_table(columns)
    parts = [f"{file_name} does not match any SSDA903 table; nearest is {table}"]
    if missing:
        parts.append(f"missing column(s): {', '.join(sorted(missing))}")
    if extra:
        parts.append(f"unexpected column(s): {', '.join(sorted(extra))}")
    return "; ".join(parts)


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Upper-case and trim every value; empty strings become null."""
    exprs = [
        pl.col(c).cast(pl.String).str.strip_chars().str.to_uppercase().replace("", None).alias(c) for c in frame.columns
    ]
    return frame.select(exprs)


def write_903_dir(tables: Tables, path: str | Path) -> list[Path]:
    """Write each table to `<path>/<Table>.csv`; returns the files written, in DfE table order.

    Date-typed columns are written DD/MM/YYYY; every cell is neutralised against formula injection.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_NAMES:
        if name not in tables:
            continue
        target = folder / f"{name}.csv"
        _as_text(tables[name].select(COLUMNS[name])).write_csv(target, null_value="")
        written.append(target)
    return written


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for column, dtype in frame.schema.items():
        expr = pl.col(column)
        if dtype == pl.Date:
            expr = expr.dt.strftime(DATE_FORMAT)
        elif dtype == pl.Datetime:
            expr = expr.dt.date().dt.strftime(DATE_FORMAT)
        elif dtype != pl.String:
            expr = expr.cast(pl.String)
        exprs.append(_neutralised(expr).alias(column))
    return frame.select(exprs) if exprs else frame


def _neutralised(expr: pl.Expr) -> pl.Expr:
    """Vectorised `neutralise_cell` (the two are tested to agree)."""
    risky = expr.str.contains(_FORMULA_START_PATTERN) & ~expr.str.contains(_PLAIN_NUMBER.pattern)
    return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)


def neutralise_cell(value: str) -> str:
    """The cell as it is safe to open in a spreadsheet: a formula-like start gets a leading apostrophe.

    Plain numbers ("-3", "+0.5") are left alone, as is every value that does not start with
    = + - @ tab, carriage return or NUL.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def format_date(day: dt.date | None) -> str | None:
    """A date as the 903 writes it (DD/MM/YYYY), None for None."""
    return None if day is None else day.strftime(DATE_FORMAT)
