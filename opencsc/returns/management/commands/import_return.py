"""manage.py import_return cin FILE.xml | import_return 903 DIR --year 2025-26 [--partial]

Loads a legacy return into the record through the people and casework services, as the system actor
``import_return``, in one transaction: a file that cannot be read changes nothing; a refused row is
explained (rule, table, row, child, reason) and, unless --partial, rolls the whole import back. The
same file twice changes nothing. Exit status 1 when anything was refused or rolled back.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.core.uploads import FileRefused
from opencsc.returns.build.importer import import_903, import_cin


class Command(BaseCommand):
    help = "Import a legacy CIN census (XML) or SSDA903 return (directory of CSV files) into the record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=("cin", "903"))
        parser.add_argument("path", help="CIN: the XML file; 903: the directory of CSV files")
        parser.add_argument("--year", default=None, help="Collection year, like 2025-26 (CIN: read from the header)")
        parser.add_argument(
            "--partial", action="store_true", help="Keep the children that imported cleanly when others are refused"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=0, unit="child", desc=f"Importing {options['kind']}", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            if options["kind"] == "cin":
                report = import_cin(
                    options["path"], year=options["year"], partial=options["partial"], progress=progress
                )
            else:
                if not options["year"]:
                    raise CommandError("Give the collection year of the 903 return: --year 2025-26")
                report = import_903(
                    options["path"], year=options["year"], partial=options["partial"], progress=progress
                )
        except FileRefused as exc:
            raise CommandError(f"Refused, nothing was changed: {exc}") from exc
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected or not report.committed:
            sys.exit(1)
