"""manage.py match_people QUERIES.csv --top 5 --out RESULTS.csv: answer a file of queries (a school
roll, a CP-IS reconciliation) with the matcher.

QUERIES.csv has the import_people columns; RESULTS.csv has one row per candidate: query_id (the
query row's external_id), rank (1 = best), person_id, external_id (the candidate's, where it has
one), score (0-1), band (certain / probable / possible) and reasons. Audited once for the file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.people.matching.onboarding import match_people


class Command(BaseCommand):
    help = "Match a CSV file of people against the record; write the candidates to --out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--top", type=int, default=5, help="Candidates per query (default 5)")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["path"].is_file():
            raise CommandError(f"No such file: {options['path']}")
        if not 1 <= options["top"] <= 50:
            raise CommandError("--top must be between 1 and 50")
        bar = tqdm(total=0, unit="query", desc="Matching", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            queries, written, errors = match_people(
                options["path"],
                options["out"],
                top=options["top"],
                actor=Actor.system("match_people"),
                progress=progress,
            )
        finally:
            bar.close()
        for line in errors:
            self.stdout.write(line)
        self.stdout.write(f"{queries} queries answered, {written} candidates written to {options['out']}")
        if errors:
            self.stdout.write(f"{len(errors)} rows refused (listed above) and left out")
            sys.exit(1)
