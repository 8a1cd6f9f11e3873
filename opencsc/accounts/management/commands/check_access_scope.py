"""Compare the access scope's `CaseloadReach` table with a fresh computation from allocations,
relationships and family groups; `--repair` rebuilds it. Database triggers keep the table exact,
so a difference means the triggers were dropped or bypassed (a restore without them, a manual
`ALTER TABLE ... DISABLE TRIGGER`): the command exits non-zero so monitoring notices."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from opencsc.accounts import reach
from opencsc.audit.services import Actor, record_event


class Command(BaseCommand):
    help = "Check the access scope's caseload-reach table against a fresh computation (--repair rebuilds it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="rebuild the table from its inputs")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("check_access_scope")
        if options["repair"]:
            # Triggers first, so no write between the rebuild and them is missed; one transaction
            # with its audit event.
            with transaction.atomic():
                reach.install_triggers()
                rows = reach.rebuild()
                record_event(actor=actor, action="access_scope.rebuild", detail={"rows": rows})
            self.stdout.write(f"Access scope rebuilt: {rows} rows; triggers in place.")
            return
        missing, extra = reach.discrepancies(limit=1000)
        record_event(actor=actor, action="access_scope.check", detail={"missing": len(missing), "extra": len(extra)})
        if missing or extra:
            raise CommandError(
                f"Access scope table differs from its inputs: {len(missing)} rows missing, {len(extra)} rows extra"
                " (first 1,000 of each counted). Run `manage.py check_access_scope --repair`."
            )
        self.stdout.write("Access scope table exact: it matches allocations, relationships and family groups.")
