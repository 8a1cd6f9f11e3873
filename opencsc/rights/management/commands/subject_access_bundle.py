"""manage.py subject_access_bundle PERSON_ID --out bundle.pdf

Builds the subject access bundle of one person with every proposed redaction accepted: for very
large requests run overnight, and for checks. Audited as `rights.bundle_render`; it records no
disclosure (releasing a bundle to the requester is done from the request's page)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencsc.audit.services import Actor, record_event
from opencsc.people.models import Person
from opencsc.rights.bundle.build import build_all_accepted


class Command(BaseCommand):
    help = "Build a person's subject access bundle as PDF, with every proposed redaction accepted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF")
        parser.add_argument("--reference", default="", help="The request's reference, for the letter and footer")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        person = Person.objects.filter(pk=options["person_id"]).first()
        if person is None:
            raise CommandError(f"No person has id {options['person_id']}")
        reference = options["reference"] or f"SAR-{person.pk}"
        bar = None if options["no_progress"] else tqdm(total=3, unit="step", desc="subject access bundle")
        started = time.monotonic()

        def progress(stage: str, done: int, total: int) -> None:
            if bar is None:
                return
            if stage == "rendered":
                bar.set_postfix_str(f"rendering entries {done}/{total}")
                if done == total:
                    bar.update(1)
            else:
                bar.set_postfix_str(f"{stage} {done}")
                bar.update(1)

        built = build_all_accepted(person, reference=reference, progress=progress)
        if bar is not None:
            bar.close()
        out: Path = options["out"]
        out.write_bytes(built.pdf)
        record_event(
            actor=Actor.system("subject_access_bundle"),
            action="rights.bundle_render",
            subject_person_id=person.pk,
            detail={"entries": len(built.bundle.entries), "redactions": len(built.findings), "all_accepted": True},
        )
        self.stdout.write(
            f"Wrote {out} ({len(built.pdf):,} bytes): {len(built.bundle.entries)} entries, "
            f"{len(built.findings)} redactions, in {time.monotonic() - started:.1f} s"
        )
