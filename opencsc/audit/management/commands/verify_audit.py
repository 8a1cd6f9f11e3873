from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event


class Command(BaseCommand):
    help = (
        "Check the audit chain and this database's own anchors; report the first broken link. Exit 1 if "
        "broken. Anchors are kept per database (the file name carries the database's identity)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors-file",
            type=Path,
            help="Also check the anchors in this file (for example the one-per-checkout file written before "
            "anchors were kept per database, if it belonged to this database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        identity = chain.database_identity()
        anchors = chain.read_anchors()
        extra: Path | None = options.get("anchors_file")
        if extra is not None:
            if not extra.exists():
                raise CommandError(f"No anchors file {extra}")
            anchors = {**chain.read_anchors(extra), **anchors}
        count = AuditEvent.objects.count()
        broken = chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), anchors)
        if broken is not None:
            raise CommandError(f"Audit chain BROKEN at {broken} (database {identity.uuid})")
        self.stdout.write(
            f"Audit chain intact: {count} events, {len(anchors)} anchors checked "
            f"(database {identity.uuid}, anchors in {chain.anchor_path()})."
        )
        if identity.first_seq:
            self.stdout.write(
                f"Note: this database had {identity.first_seq} events before it had an identity; anchors "
                f"published for them are in {chain.legacy_anchor_path()} (check with --anchors-file)."
            )
        legacy = chain.legacy_anchor_path()
        if extra is None and legacy.exists():
            self.stdout.write(
                f"Not checked: {legacy}, written before anchors were kept per database; it may belong to "
                "another database. If it is this one's, run again with --anchors-file."
            )
        record_event(
            actor=Actor.system("verify_audit"),
            action="audit.verify",
            detail={"events": count, "anchors": len(anchors), "database": str(identity.uuid)},
        )
