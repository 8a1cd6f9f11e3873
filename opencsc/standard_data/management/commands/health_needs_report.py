"""manage.py health_needs_report --out FILE.xlsx|FILE.csv [--as-of DATE] [--to "NHS body"]

Writes the health-needs picture (suppressed counts only) to FILE. With --to, the file is a release
to that NHS body under its sharing agreement, recorded as such (`health_needs.release`, and a row on
the health-needs page's releases); without it the file is a draft for checking, audited as a view.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor
from opencsc.sharing.models import Agency
from opencsc.standard_data import services


class Command(BaseCommand):
    help = "Write the health-needs picture for NHS commissioners (suppressed counts, no person)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="FILE.xlsx (a workbook) or FILE.csv (one long table)")
        parser.add_argument("--as-of", default=None, help="Count the children on this date (YYYY-MM-DD; default today)")
        parser.add_argument("--to", default=None, help="Release to this NHS body (its name in the agency register)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, like 2026-03-31") from exc
        out = Path(options["out"])
        actor = Actor.system("health_needs_report")
        if options["to"]:
            agency = Agency.objects.filter(name=options["to"]).first()
            if agency is None:
                raise CommandError(f"No agency called {options['to']!r} in the agency register")
            try:
                released = services.health_needs_release(
                    actor=actor, actor_user=None, agency=agency, as_of=as_of, file_name=out.name
                )
            except services.ReleaseRefused as exc:
                raise CommandError(str(exc)) from exc
            content, report = released.content, released.report
            release = released.release
            note = f"Released to {agency} as {release.reference} (agreement {release.agreement.reference})."
        else:
            content, report = services.health_needs_draft(actor=actor, as_of=as_of, file_name=out.name)
            note = "Draft: released to no one (use --to to release it to an NHS body)."
        out.write_bytes(content)
        self.stdout.write(
            f"Health-needs picture on {report.as_of}: {report.children} children, {len(report.tables)} tables, "
            f"counts below {report.threshold} suppressed; wrote {out}. {note}"
        )
