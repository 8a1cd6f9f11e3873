"""manage.py import_postcodes FILE

Loads the ONS postcode directory (ONSPD or NSPL, the CSV from the ONS download's Data/ folder, in the
layout to 2024 or from 2025) so the SSDA903 location rules run against it (169, 179, 392a, 392c,
1015 and the others that need a placement's local authority or distance). One transaction: a refused
file changes nothing; the same file twice changes nothing. Audited (`reference.postcodes_import`).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.core.uploads import FileRefused
from opencsc.returns.postcode_directory import import_postcodes


class Command(BaseCommand):
    help = "Load the ONS postcode directory (ONSPD or NSPL CSV) for the SSDA903 location rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="ONSPD_<MMM>_<YYYY>_UK.csv or NSPL_<MMM>_<YYYY>_UK.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=0, unit="postcode", desc="Postcode directory", file=sys.stderr, leave=True)

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            report = import_postcodes(options["file"], actor=Actor.system("import_postcodes"), progress=progress)
        except FileRefused as exc:
            raise CommandError(f"Refused, nothing was changed: {exc}") from exc
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if report.seconds:
            self.stdout.write(f"Loaded in {report.seconds:.1f} s.")
