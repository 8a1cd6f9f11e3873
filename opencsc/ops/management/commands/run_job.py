"""manage.py run_job NAME [--wait SECONDS]: one run of a scheduled job, under its lock.

Exit status: 0 when the job succeeded, or when another run holds the lock (it says so and does not
run; with --wait it first waits that long for the lock); 1 when the job failed (systemd marks the
unit failed, and /readyz reports the job until a run succeeds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.ops import jobs


class Command(BaseCommand):
    help = "Run one scheduled job under its lock, recording the run (see jobs_status)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the job's name (manage.py jobs_status lists them)")
        parser.add_argument(
            "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for a running run to end"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = jobs.run(options["name"], wait_seconds=options["wait"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
        except jobs.JobFailed as exc:
            raise CommandError(f"{exc.outcome.job} failed (run {exc.outcome.run_id}): {exc.outcome.message}") from exc
        if outcome.status == "skipped":
            self.stdout.write(f"{outcome.job}: not run, another run holds its lock.")
        else:
            self.stdout.write(f"{outcome.job}: succeeded (run {outcome.run_id}). {outcome.message}")
