"""manage.py build_cpis_upload --out FILE: build the next CP-IS upload (system actor "cpis")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor
from opencsc.cpis import services


class Command(BaseCommand):
    help = "Build the next CP-IS upload (REPC_MT000002GB01), record it and its disclosures, and write it to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Where to write the XML file")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists() and out.is_dir():
            raise CommandError(f"{out} is a directory: give a file name")
        if not out.parent.exists():
            raise CommandError(f"The folder {out.parent} does not exist")
        bar: tqdm | None = None

        def on_total(total: int) -> None:
            nonlocal bar
            if not options["no_progress"]:
                bar = tqdm(total=total, unit="record", desc="CP-IS upload", file=self.stderr._out)

        def progress(step: int) -> None:
            if bar is not None:
                bar.update(step)

        try:
            built = services.upload_build(
                actor_user=None, actor=Actor.system("cpis"), progress=progress, on_total=on_total
            )
        except services.UploadRefused as exc:
            raise CommandError("; ".join(exc.reasons)) from exc
        finally:
            if bar is not None:
                bar.close()
        out.write_bytes(built.content)
        upload = built.upload
        counts = ", ".join(f"{k} {v}" for k, v in upload.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Upload {upload.sequence}: {upload.record_count} records ({counts}; {upload.delete_count} deletes), "
                f"{upload.disclosures} disclosures recorded, written to {out} (sha256 {upload.content_sha256})"
            )
        )
