"""manage.py cpis_completeness: counts, match rate and the records to trace (LA child ids only)."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opencsc.cpis import selectors


class Command(BaseCommand):
    help = "Report CP-IS cohort members without a valid, verified NHS number, and the match rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", action="store_true", help="Write the records to trace as CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        report = selectors.completeness()
        if options["csv"]:
            writer = csv.writer(self.stdout)
            writer.writerow(["la_child_id", "cohort", "missing"])
            for row in report.rows:
                writer.writerow([" ".join(row.la_child_ids), row.plan_type, row.problem])
            return
        for plan_type, (matched, total) in report.by_type.items():
            self.stdout.write(f"{plan_type}: {matched} of {total} matched")
        verdict = "meets" if report.meets_go_live else "is below"
        self.stdout.write(
            f"Match rate {report.match_rate}% ({report.matched} of {report.total}); {verdict} the "
            f"{selectors.CPIS_GO_LIVE_MATCH_RATE}% CP-IS go-live threshold"
        )
        for row in report.rows:
            self.stdout.write(f"  {', '.join(row.la_child_ids)}  {row.plan_type}  {row.problem}")
