"""manage.py import_cpis FILE [FILE ...]: import acknowledgements and notifications from NHS England."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor
from opencsc.core.uploads import FileRefused, check_path
from opencsc.cpis import parsing, services


class Command(BaseCommand):
    help = "Import CP-IS acknowledgement (REPC_MT000003GB01) and notification (REPC_MT000004GB01/5GB01) files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="XML files received from NHS England through MESH")

    def handle(self, *args: Any, **options: Any) -> None:
        refused = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path} is not a file")
            try:
                check_path(path, limit=parsing.max_bytes(), what="a CP-IS message")
                result = services.message_import(
                    actor_user=None, actor=Actor.system("cpis"), data=path.read_bytes(), file_name=path.name
                )
            except FileRefused as exc:
                self.stderr.write(f"{path}: refused, nothing changed: {exc}")
                refused += 1
                continue
            if result.duplicate:
                self.stdout.write(f"{path}: already imported; nothing changed")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path}: {result.message.get_message_type_display()} imported "
                        f"({result.tasks} tasks, {result.chronology_entries} chronology entries)"
                    )
                )
        if refused:
            raise CommandError(f"{refused} file(s) refused")
