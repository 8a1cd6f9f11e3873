"""manage.py compute_health_needs [--as-of DATE] [--no-progress]

Counts the health-needs picture (`standard_data/health_needs.py`) and stores its suppressed tables for
the analysts' page, which reads the stored picture instead of recounting the borough on each request.
Progress on stderr. Scheduled nightly as the `compute_health_needs` job."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.standard_data import services


class Command(BaseCommand):
    help = "Count the health-needs picture and store it for the analysts' page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", default=None, help="The day counted, YYYY-MM-DD (default today)")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for scheduled runs)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, like 2026-03-31") from exc
        bar = None if options["no_progress"] else tqdm(unit="step", desc="Health-needs picture", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total, bar.n = total, done
                bar.refresh()

        picture = services.health_needs_compute(
            actor=Actor.system("compute_health_needs"), as_of=as_of, progress=progress
        )
        if bar is not None:
            bar.close()
        self.stdout.write(
            f"Health-needs picture on {picture.as_of.isoformat()}: {picture.children} children, "
            f"{len(picture.tables)} tables, {picture.seconds:.1f} s"
        )
