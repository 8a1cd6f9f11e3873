"""manage.py rebuild_match_index [--check | --frequencies]: rebuild the matching index from the record
(after a bulk load or a restore), or with --check only compare it (exit 1 when it differs), or with
--frequencies only recount the name frequencies from the stored profiles (a database indexed before
first name + surname pair frequencies existed: ADR 0036; seconds, where a rebuild takes minutes)."""

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
        parser.add_argument("--frequencies", action="store_true", help="only recount the name frequencies")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            wrong = index.discrepancies()
            self.stdout.write(f"{len(wrong)} people whose index entries differ from their record")
            if wrong:
                sys.exit(1)
            return
        if options["frequencies"]:
            tokens = index.rebuild_frequencies()
            self.stdout.write(f"{tokens} names and name pairs counted")
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
