"""manage.py build_return cin|903|annex-a --out PATH [--year 2025-26] [--as-of DATE] [--no-transfer] [--check]

Builds a statutory return from the record with a progress bar on stderr, writes it with the engines'
writers (CIN: one XML file; 903: a directory of CSV files; Annex A: one .xlsx workbook), audits the
build (`return.build`) and, unless --no-transfer (a file built only to be checked), records the
transfer: one disclosure per child to the DfE (or Ofsted) through the sharing app. The file is staged
under a temporary name and renamed into place only after the disclosures are committed
(`build.publish`), so a killed build never leaves a return on disk that the disclosure log does not know.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.returns.build import services
from opencsc.returns.build.common import current_year
from opencsc.returns.build.publish import publish_return
from opencsc.returns.build.services import not_checked_lines


class Command(BaseCommand):
    help = "Build the CIN census, the SSDA903 return or Ofsted Annex A from the record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=services.KINDS)
        parser.add_argument("--out", required=True, help="CIN: FILE.xml; 903: a directory; Annex A: FILE.xlsx")
        parser.add_argument("--year", default=None, help="Collection year, like 2025-26 (default: the current one)")
        parser.add_argument("--as-of", default=None, help="Annex A: the date the lists run to (YYYY-MM-DD)")
        parser.add_argument("--check", action="store_true", help="Also validate the return and print the findings")
        parser.add_argument(
            "--no-transfer", action="store_true", help="The file is for checking only: record no disclosure"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, like 2026-03-31") from exc
        year = options["year"] or current_year()
        actor = Actor.system("build_return")
        bar = tqdm(total=0, unit="child", desc=f"{services.LABELS[kind]}", file=sys.stderr, leave=True)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            built = services.build_return(kind, actor=actor, year=year, as_of=as_of, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        published = publish_return(built, options["out"], actor=actor, transfer=not options["no_transfer"])
        self.stdout.write(
            f"{built.label} {year if kind != 'annex-a' else built.as_of}: {built.children} children, "
            f"built in {built.seconds:.1f} s; wrote {', '.join(str(p) for p in published.files)}"
        )
        if published.removed_stale:
            self.stdout.write(f"Removed {len(published.removed_stale)} file(s) an interrupted build left staged.")
        if options["check"]:
            findings = services.check_return(built, actor=actor)
            errors = sum(1 for f in findings if f.severity == "error")
            self.stdout.write(f"Validation: {errors} errors, {len(findings) - errors} queries")
            for f in findings[:200]:
                self.stdout.write(f"  {f.rule} {f.child_id or '-'} {f.table}.{f.field}: {f.message}")
            for line in not_checked_lines(getattr(findings, "not_checked", {})):
                self.stdout.write(line)
        if not options["no_transfer"]:
            self.stdout.write(f"Recorded {published.disclosures} disclosures ({published.how}).")
