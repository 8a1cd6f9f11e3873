"""manage.py export_ssd --out DIR [--pseudonymised] [--format csv|parquet]

Writes the Standard Safeguarding Dataset from the live record, one file per SSD table named after it
(`ssd_person.csv`, ...). Identifiable (names, NHS numbers, full dates of birth) for the council's own
analysts, or --pseudonymised for pooling with other councils: keyed-hash ids with the council's
secret (OPENCSC_SSD_PSEUDONYM_KEY), dates of birth to the month, postcodes to the district, names,
identifiers and free text left empty. Audited as an export (docs/standard-dataset.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor
from opencsc.standard_data import services
from opencsc.standard_data.ssd.export import FORMATS
from opencsc.standard_data.ssd.pseudonymise import NoPseudonymKey


class Command(BaseCommand):
    help = "Export the Standard Safeguarding Dataset (identifiable or pseudonymised), one file per table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The directory to write the files into")
        parser.add_argument("--pseudonymised", action="store_true", help="Pseudonymise for pooling with other councils")
        parser.add_argument("--format", default="csv", choices=FORMATS)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            written = services.ssd_export(
                actor=Actor.system("export_ssd"),
                out=Path(options["out"]),
                pseudonymised=options["pseudonymised"],
                file_format=options["format"],
            )
        except NoPseudonymKey as exc:
            raise CommandError(str(exc)) from exc
        mode = "pseudonymised" if written.pseudonymised else "identifiable (council use only)"
        self.stdout.write(
            f"Standard Safeguarding Dataset, {mode}: {len(written.person_ids)} children, "
            f"{sum(written.rows.values())} rows in {len(written.rows)} files, "
            f"{time.perf_counter() - started:.1f} s; wrote {written.directory}"
        )
        for table, count in written.rows.items():
            self.stdout.write(f"  {table}.{written.file_format}: {count} rows")
