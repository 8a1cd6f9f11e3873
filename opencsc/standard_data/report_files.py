"""The health-needs picture as a file: an .xlsx workbook (a notes sheet, then one sheet per table)
or a long .csv (table, row, cohort, count). A suppressed count is written as "[c]", never as a number.
No sheet or row names or identifies a child: the file holds the report's suppressed tables only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import xlsxwriter

from opencsc.standard_data.health_needs import COHORTS, SUPPRESSED, Report

NOTES = [
    "Children's health needs: children in need, on child protection plans and looked after.",
    "Cohorts on the day counted: looked after, else on a child protection plan, else a child in need.",
    "Health needs are those the record holds for the year before the day counted.",
    "[c]: a count below the threshold, or a count hidden so that one cannot be worked out from the totals.",
    "OFFICIAL-SENSITIVE. Aggregate counts only: no row is about one child.",
]


def _cell(value: int | None) -> str | int:
    return SUPPRESSED if value is None else value


def render_xlsx(report: Report) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    notes = book.add_worksheet("Notes")
    notes.write(0, 0, "Health-needs picture", bold)
    notes.write(1, 0, f"Counted on {report.as_of:%d %B %Y}; counts below {report.threshold} suppressed.")
    for k, line in enumerate(NOTES, start=3):
        notes.write(k, 0, line)
    for n, table in enumerate(report.tables, start=1):
        sheet = book.add_worksheet(f"T{n:02d} {table.key}"[:31])
        sheet.write(0, 0, table.title, bold)
        header = [table.title, *(label for _, label in COHORTS), "Total"]
        for j, text in enumerate(header):
            sheet.write(2, j, text, bold)
        for i, row in enumerate(table.shown_rows(), start=3):
            sheet.write(i, 0, row["label"])
            for j, value in enumerate([*row["counts"], row["total"]], start=1):
                sheet.write(i, j, _cell(value))
        totals = table.shown_totals()
        last = 3 + len(table.rows)
        sheet.write(last, 0, "All children", bold)
        for j, value in enumerate([*totals["counts"], totals["total"]], start=1):
            sheet.write(last, j, _cell(value), bold)
        sheet.set_column(0, 0, 45)
    book.close()
    return out.getvalue()


def render_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["as_of", "table", "breakdown", "cohort", "count"])
    cohorts = [label for _, label in COHORTS] + ["Total"]
    for table in report.tables:
        totals = table.shown_totals()
        lines = [*table.shown_rows(), {"label": "All children", **totals}]
        for row in lines:
            for cohort, value in zip(cohorts, [*row["counts"], row["total"]], strict=True):
                writer.writerow([report.as_of.isoformat(), table.title, row["label"], cohort, _cell(value)])
    return out.getvalue().encode("utf-8")


def render(report: Report, name: str) -> bytes:
    """The file for a name ending .xlsx (default) or .csv."""
    return render_csv(report) if Path(name).suffix.lower() == ".csv" else render_xlsx(report)
