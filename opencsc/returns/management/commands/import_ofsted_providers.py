"""manage.py import_ofsted_providers FILE [FILE ...] [--partial]

Loads Ofsted's children's homes list and social care providers list (or the combined list), as
published (XLSX or CSV), into the provider register the SSDA903 URN rules read (1008, 219, 221, 224,
227, 228, 229). Each file is one transaction: a file that cannot be read changes nothing; a row that
cannot be used is explained (sheet, row, URN, reason) and, unless --partial, rolls that file back. The
same file twice changes nothing. Exit status 1 when anything was refused or rolled back.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opencsc.core.uploads import FileRefused
from opencsc.returns.providers import import_providers


class Command(BaseCommand):
    help = "Load Ofsted's provider lists (children's homes, social care providers) for the 903 URN checks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="Ofsted's list(s), .xlsx or .csv")
        parser.add_argument("--partial", action="store_true", help="Keep the usable rows when some are refused")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for path in options["files"]:
            try:
                report = import_providers(path, partial=options["partial"])
            except FileRefused as exc:
                self.stderr.write(f"REFUSED {path}: {exc}")
                failed = True
                continue
            for line in report.lines():
                self.stdout.write(line)
            failed = failed or not report.committed or bool(report.rejected)
        if failed:
            sys.exit(1)
