"""manage.py compute_indicators [--months 24] [--as-of DATE] [--only KEY ...] [--no-progress]

Computes every performance indicator for each month of the last 24 (see `insight/definitions.py`)
and stores the figures as a new run the dashboard reads. Progress on stderr, one indicator at a time.
Scheduled nightly as the `compute_indicators` job (`manage.py run_job compute_indicators`)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.insight import definitions, services


class Command(BaseCommand):
    help = "Compute the performance indicators from the record and store them for the dashboard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=24, help="How many months back (default 24)")
        parser.add_argument("--as-of", default=None, help="The last day counted, YYYY-MM-DD (default today)")
        parser.add_argument("--only", nargs="*", default=None, help="Only these indicator keys")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for scheduled runs)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, like 2026-03-31") from exc
        if not 1 <= options["months"] <= 120:
            raise CommandError("--months must be between 1 and 120")
        chosen = definitions.INDICATORS
        if options["only"]:
            unknown = [k for k in options["only"] if definitions.get(k) is None]
            if unknown:
                raise CommandError(f"no such indicator: {', '.join(unknown)}")
            chosen = tuple(i for i in chosen if i.key in options["only"])
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=len(chosen), unit="indicator", desc="Indicators", file=sys.stderr, leave=True)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.n = done
                bar.refresh()

        run = services.indicators_compute(
            actor=Actor.system("compute_indicators"),
            as_of=as_of,
            months=options["months"],
            indicators=chosen,
            progress=progress,
        )
        if bar is not None:
            bar.close()
        figures = run.snapshots.count()
        self.stdout.write(
            f"{len(chosen)} indicators for {run.months} months to {run.as_of:%d %b %Y}: "
            f"{figures} figures in {run.seconds:.1f} s"
        )
