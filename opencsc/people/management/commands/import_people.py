"""manage.py import_people FILE.csv: load people from a legacy system (see people.matching.onboarding).

Columns: external_id, first_name, surname, other_names, sex (M, F, U or blank), date_of_birth
(YYYY-MM-DD), postcode, nhs_number, upn, la_child_id. All or nothing; idempotent by external_id;
every refused row printed with its row number and column. Exit status 1 when anything was refused.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.people.matching.onboarding import import_people


class Command(BaseCommand):
    help = "Import people from a legacy system's CSV file (all or nothing, idempotent by external_id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        bar = tqdm(total=0, unit="person", desc="Importing people", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            report = import_people(path, actor=Actor.system("import_people"), progress=progress)
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if not report.committed:
            sys.exit(1)
