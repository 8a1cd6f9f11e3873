"""manage.py jobs_status [--check]: each scheduled job, its schedule, its last run and how it ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opencsc.ops import jobs


def _when(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else "-"


class Command(BaseCommand):
    help = "List the scheduled jobs with their last run and result; --check exits 1 if any is not in order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="exit 1 if any job failed, hung or is overdue")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [("Job", "Schedule (systemd)", "Last run started", "Result", "Seconds", "Last success", "Problem")]
        standings = jobs.standings()
        for s in standings:
            last = s.last
            rows.append(
                (
                    s.job.name,
                    s.job.on_calendar,
                    _when(last.started_at if last else None),
                    last.status if last else "never run",
                    f"{last.seconds:.1f}" if last and last.seconds is not None else "-",
                    _when(s.last_success.started_at if s.last_success else None),
                    s.problem or "-",
                )
            )
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
        for s in standings:
            if s.last and s.last.status == "failed" and s.last.message:
                self.stdout.write(f"{s.job.name} last failure: {s.last.message}")
        if options["check"] and any(not s.healthy for s in standings):
            raise CommandError("Some scheduled jobs are not in order (see the Problem column).")
