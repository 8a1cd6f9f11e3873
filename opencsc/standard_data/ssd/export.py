"""Writing the SSD: one file per table, named after it (`ssd_person.csv`, ...), CSV or Parquet.

Files are written under a staging directory beside the target and moved into place only when every
table is written, so an interrupted export leaves no partial dataset where the sector's tools would
pick it up. Parquet is written by Polars (already the returns' engine: no new dependency), each column
with its SSD type (`schema.SSD_TYPES`: datetime as a date, int and float as numbers, the rest strings).
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from opencsc.standard_data.ssd import build, pseudonymise, tables
from opencsc.standard_data.ssd.schema import TABLES, Kind, columns, ssd_type

FORMATS = ("csv", "parquet")


@dataclass
class Written:
    directory: Path
    pseudonymised: bool
    file_format: str
    rows: dict[str, int] = field(default_factory=dict)
    person_ids: list[int] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.directory / f"{t}.{self.file_format}" for t in self.rows]


def _rows(
    table: str, rows: Iterable[build.Row], secret: bytes | None, hasher: pseudonymise.Hasher | None
) -> list[list[str]]:
    cols = columns(table)
    apply = pseudonymise.transformer(table, secret, hasher) if secret is not None else None
    out = []
    for row in rows:
        if apply is not None:
            row = apply(row)
        out.append(["" if row.get(c) is None else str(row.get(c)) for c in cols])
    return out


PARQUET_TYPES: dict[str, pl.DataType] = {"datetime": pl.Date(), "int": pl.Int64(), "float": pl.Float64()}


def _parquet_schema(table: str, pseudonymised: bool) -> dict[str, pl.DataType]:
    """Each column's Parquet type from its SSD type; a pseudonymised birth column (year and month)
    is not a date, so it stays a string."""
    schema: dict[str, pl.DataType] = {}
    for col in TABLES[table]:
        kept_as_text = pseudonymised and col.kind is Kind.BIRTH
        schema[col.name] = pl.String() if kept_as_text else PARQUET_TYPES.get(ssd_type(col.name), pl.String())
    return schema


def _typed(column: pl.Expr, kind: pl.DataType) -> pl.Expr:
    return column.str.to_date("%Y-%m-%d") if kind == pl.Date() else column.cast(kind)


def _write(path: Path, table: str, rows: list[list[str]], file_format: str, pseudonymised: bool = False) -> None:
    cols = columns(table)
    if file_format == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(cols)
            writer.writerows(rows)
    else:
        text = pl.DataFrame(rows, schema=dict.fromkeys(cols, pl.String), orient="row")
        typed = text.with_columns(
            _typed(pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)), kind).alias(name)
            for name, kind in _parquet_schema(table, pseudonymised).items()
            if kind != pl.String()
        )
        typed.write_parquet(path)


def write_ssd(out: Path, *, pseudonymised: bool, file_format: str = "csv", secret: bytes | None = None) -> Written:
    """Build and write every table. `secret`: the pseudonym key (default: from settings) when
    pseudonymised; raises NoPseudonymKey when there is none."""
    if file_format not in FORMATS:
        raise ValueError(f"Format must be one of {', '.join(FORMATS)}")
    key = (secret or pseudonymise.secret_from_settings()) if pseudonymised else None
    out.mkdir(parents=True, exist_ok=True)
    ids = build.children_in_scope()
    hasher = pseudonymise.Hasher(key) if key is not None else None
    written = Written(directory=out, pseudonymised=pseudonymised, file_format=file_format, person_ids=ids)
    staging = Path(tempfile.mkdtemp(prefix=".ssd-staging-", dir=out))
    try:
        for table, source in tables.all_tables():
            rows = _rows(table, source, key, hasher)
            _write(staging / f"{table}.{file_format}", table, rows, file_format, pseudonymised)
            written.rows[table] = len(rows)
        for table in TABLES:
            name = f"{table}.{file_format}"
            (staging / name).replace(out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
