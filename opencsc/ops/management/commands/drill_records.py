"""manage.py drill_records write|check: the records a restore drill writes and then looks for.

`write --label L --count N` records N synthetic children (through the people services, as an active
social worker, each with an encrypted health note), so the drill has records that exist only after a
known moment. `check --present L1 [--absent L2]` says whether a restored database has exactly the
records it should: every record labelled L1 there with its encrypted note decrypting to what was
written, none labelled L2, and every encrypted health note in the database decrypting with the keys
given to this process (kept apart from the database and its backups). Exit 1 on any difference.

Refused on a production installation: the drill runs on a seeded copy (deploy/restore_drill.py)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.accounts.models import Role, User
from opencsc.audit.services import Actor
from opencsc.people import services
from opencsc.people.models import HealthInformation, Person

PREFIX = "Drill"


def _last_name(label: str, n: int) -> str:
    return f"{PREFIX}-{label}-{n:04d}"


def _note(label: str, n: int) -> str:
    return f"Synthetic drill note {label} {n}: asthma, inhaler at school"


class Command(BaseCommand):
    help = "Write or check the synthetic records of a restore drill (not on production)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        write = sub.add_parser("write")
        write.add_argument("--label", required=True)
        write.add_argument("--count", type=int, default=5)
        write.add_argument("--every", type=float, default=0.0, help="seconds between records (a steady trickle)")
        check = sub.add_parser("check")
        check.add_argument("--present", required=True)
        check.add_argument("--absent", default="")
        check.add_argument("--count", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OPENCSC_ENVIRONMENT == "production":
            raise CommandError("drill_records writes synthetic children: run it on a drill copy, never production")
        labels = [options.get("label"), options.get("present"), options.get("absent")]
        if not all(label.isalnum() for label in labels if label):
            raise CommandError("labels are letters and digits")
        if options["action"] == "write":
            self._write(options["label"], options["count"], options["every"])
        else:
            self._check(options["present"], options["absent"], options["count"])

    def _write(self, label: str, count: int, every: float = 0.0) -> None:
        worker = User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True, team__isnull=False).order_by("pk").first()
        if worker is None:
            raise CommandError("no active social worker with a team to write as (seed the demo borough first)")
        actor = Actor.from_user(worker)
        for n in range(count):
            person = services.person_create(
                actor_user=worker,
                actor=actor,
                data={"first_name": "Robin", "last_name": _last_name(label, n), "date_of_birth": dt.date(2019, 5, 1)},
            )
            services.part_add(
                actor_user=worker,
                actor=actor,
                person=person,
                model=HealthInformation,
                data={"kind": "condition", "summary": _note(label, n), "recorded_on": dt.date(2026, 1, 5)},
            )
            if every and n < count - 1:
                time.sleep(every)
        self.stdout.write(f"Wrote {count} drill records labelled {label}.")

    def _check(self, present: str, absent: str, count: int) -> None:
        problems: list[str] = []
        found = {p.last_name: p for p in Person.objects.filter(last_name__startswith=f"{PREFIX}-{present}-")}
        for n in range(count):
            person = found.get(_last_name(present, n))
            if person is None:
                problems.append(f"{_last_name(present, n)} is missing")
                continue
            notes = [h.summary for h in person.health_information.all()]
            if notes != [_note(present, n)]:
                problems.append(f"{_last_name(present, n)}'s encrypted note did not decrypt to what was written")
        if absent and Person.objects.filter(last_name__startswith=f"{PREFIX}-{absent}-").exists():
            problems.append(f"records labelled {absent} are there, but were written after the restore point")
        # Every encrypted value of these two tables, decrypted (AES-GCM refuses a wrong key outright).
        decrypted = sum(1 for _ in HealthInformation.objects.values_list("summary", "source").iterator(2000))
        decrypted += sum(1 for _ in Person.objects.values_list("nhs_number", "ethnicity").iterator(2000))
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(
            f"Drill records {present}: all {count} there with their notes; {absent or 'none'} absent; "
            f"{decrypted} rows of encrypted fields decrypted."
        )
