"""CSV that a spreadsheet cannot turn into a formula (ASVS 5.0 1.2.10, CWE-1236)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is read by spreadsheets as a formula (or, for tab and CR, can
# smuggle one past a naive check).
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(DANGEROUS_FIRST) else text


def to_csv(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
