from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opencsc.demo.borough import seed_borough
from opencsc.demo.showcase import seed_showcase
from opencsc.people.models import Person


class Command(BaseCommand):
    help = "Build the synthetic demo borough (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has people")
        parser.add_argument(
            "--no-digests",
            action="store_true",
            help="Do not compute the stored digests of the pages (run manage.py refresh_digests later)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OPENCSC_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run in production: demo data must never mix with real records")
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("The database already has people: not seeding.")
            return
        started = time.perf_counter()
        as_of = options["as_of"] or timezone.localdate()
        report = seed_borough(children=options["children"], seed=options["seed"], as_of=as_of)
        showcase = seed_showcase(as_of=as_of)
        for line in showcase.done:
            self.stdout.write(f"  showcase: {line}")
        for line in showcase.skipped:
            self.stdout.write(f"  showcase skipped ({line})")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.children} children and {report.adults} adults in {report.families} families, "
                f"{report.staff} staff in {report.teams} teams ({time.perf_counter() - started:.1f} s)."
            )
        )
        if not options["no_digests"]:
            # The pages' stored digests (issue 11), so the first reader of each record does not wait.
            call_command("refresh_digests", "--no-progress", stdout=self.stdout, stderr=self.stderr)
