"""manage.py refresh_digests [--kind findings|summary] [--all] [--no-progress]: compute the stored digests
(the DfE-rule findings of each child, the summary's own rows of each person) that are missing, of an
earlier day or older than the record, so the first reader of each page today does not pay for them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from opencsc.people import digests
from opencsc.returns.build.digests import refresh


class Command(BaseCommand):
    help = "Compute the stored digests of the person record and casework pages that are not current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=digests.KINDS, action="append", help="Only this digest (repeatable)")
        parser.add_argument(
            "--all", action="store_true", help="Compute current digests too (after a data fix outside the services)"
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        bar: tqdm | None = None

        def on_total(total: int) -> None:
            nonlocal bar
            if not options["no_progress"]:
                bar = tqdm(total=total, unit="digest", desc="Digests", file=self.stderr._out)

        def progress(step: int) -> None:
            if bar is not None:
                bar.update(step)

        try:
            done = refresh(
                options["kind"] or digests.KINDS, everyone=options["all"], on_total=on_total, progress=progress
            )
        finally:
            if bar is not None:
                bar.close()
        counts = ", ".join(f"{kind} {count:,}" for kind, count in done.items()) or "none stale"
        self.stdout.write(self.style.SUCCESS(f"Stored digests: {counts} ({time.perf_counter() - started:.1f} s)."))
