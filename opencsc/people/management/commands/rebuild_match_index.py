"""manage.py rebuild_match_index [--check]: rebuild the matching index from the record (after a bulk
load or a restore), or with --check only compare it (exit 1 when it differs)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from opencsc.people.matching import index


class Command(BaseCommand):
    help = "Rebuild (or --check) the person matching index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            wrong = index.discrepancies()
            self.stdout.write(f"{len(wrong)} people whose index entries differ from their record")
            if wrong:
                sys.exit(1)
            return
        bar = tqdm(total=0, unit="person", desc="Indexing", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            count = index.rebuild(progress)
        finally:
            bar.close()
        self.stdout.write(f"{count} people indexed")
