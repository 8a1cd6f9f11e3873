"""manage.py apply_retention --dry-run

Lists every child record due for disposal under the processing register's retention rules, with
the rule that made it due (the latest applicable date wins), and any legal hold that stops it.
Only the dry run exists: disposal batches (with their four-eyes approval) are not built yet, so the
command refuses to run without --dry-run rather than pretend."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor, record_event
from opencsc.rights.retention import evaluate


class Command(BaseCommand):
    help = "List the records due for disposal under the retention rules (--dry-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is due; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["dry_run"]:
            raise CommandError("Only --dry-run is available: disposal batches are not built yet")
        due = list(evaluate())
        self.stdout.write("person_id\tla_child_id\trule\ttrigger_date\tdue_on\tlegal_hold")
        for d in due:
            self.stdout.write(
                f"{d.person_id}\t{d.la_child_id}\t{d.rule} ({d.rule_name})\t{d.trigger_date}\t{d.due_on}\t{d.held_by}"
            )
        held = sum(1 for d in due if d.held_by)
        record_event(
            actor=Actor.system("apply_retention"),
            action="rights.retention_review",
            detail={"due": len(due), "held": held, "dry_run": True},
        )
        self.stdout.write(f"{len(due)} records due for disposal, {held} of them under a legal hold")
