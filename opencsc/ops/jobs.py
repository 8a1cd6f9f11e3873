"""The registry of scheduled jobs, and how one run of a job goes.

Every command that must run on a schedule is a `Job` here, with its systemd calendar, its cron
equivalent, how long a run may take and how long the job may go without a good run. From this one
list come the systemd timers and the cron file (`manage.py jobs_schedule`), the runs
(`manage.py run_job NAME`), `manage.py jobs_status` and the scheduled-jobs check of `/readyz`.

A later job (retention, indicators, duplicate detection) joins by calling `register(Job(...))` from its
app's `AppConfig.ready()`; nothing else changes.

A run: takes the job's lock (`locks.job_lock`; if another run holds it, this one waits up to
`wait_seconds`, then exits without running), records a `JobRun`, logs a start and an end line carrying
the run's id (the same id is on the audit events the job writes), runs the job, and records how it
ended. A failure is recorded, logged and re-raised, so `run_job` exits non-zero and systemd marks the
unit failed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from opencsc.core import request_context
from opencsc.ops import locks
from opencsc.ops.models import JobRun, RunStatus

log = logging.getLogger("opencsc.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[], str]  # does the work; returns a one-line summary (no personal data)
    on_calendar: str  # systemd OnCalendar=
    cron: str  # the same schedule as a crontab's first five fields
    timeout: dt.timedelta = dt.timedelta(hours=1)  # a run taking longer is stopped (systemd) / reported
    stale_after: dt.timedelta = dt.timedelta(days=2)  # no good run for this long: not ready


def daily(
    name: str,
    description: str,
    run: Callable[[], str],
    *,
    at: str,
    timeout: dt.timedelta = dt.timedelta(hours=1),
    stale_after: dt.timedelta = dt.timedelta(days=2),
) -> Job:
    """A job run once a day at `at` ("HH:MM", server time): its systemd calendar and its crontab line
    are written from that one time, so the two schedules cannot disagree."""
    hour, minute = (int(part) for part in at.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"a daily job runs at HH:MM: {at!r}")
    return Job(
        name=name,
        description=description,
        run=run,
        on_calendar=f"*-*-* {hour:02d}:{minute:02d}:00",
        cron=f"{minute} {hour} * * *",
        timeout=timeout,
        stale_after=stale_after,
    )


_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    if not job.name.replace("_", "").isalnum():
        raise ValueError(f"job names are letters, digits and underscores: {job.name!r}")
    _REGISTRY[job.name] = job
    return job


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registry() -> dict[str, Job]:
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Job:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no scheduled job called {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


# --- how a run goes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str  # succeeded, failed, skipped (another run holds the lock)
    run_id: str = ""
    message: str = ""


class JobFailed(RuntimeError):
    def __init__(self, outcome: Outcome):
        super().__init__(f"job {outcome.job} failed: {outcome.message}")
        self.outcome = outcome


def run(name: str, *, wait_seconds: float = 0.0) -> Outcome:
    job = get(name)
    run_id = uuid.uuid4().hex
    with request_context.bound(run_id), locks.job_lock(name, wait_seconds=wait_seconds) as got:
        if not got:
            log.warning("job skipped: another run holds its lock", extra={"job": name, "event": "job.skipped"})
            return Outcome(job=name, status="skipped", run_id=run_id, message="another run holds the lock")
        # Holding the lock, no other run of this job is alive: a row still "running" is one whose
        # process died (killed, machine restarted). Say so rather than leave it running forever.
        JobRun.objects.filter(job=name, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), message="did not finish (its process ended)"
        )
        record = JobRun.objects.create(
            job=name,
            run_id=run_id,
            started_at=timezone.now(),
            host=socket.gethostname()[:120],
            pid=os.getpid(),
        )
        log.info("job started", extra={"job": name, "event": "job.started"})
        started = time.perf_counter()
        try:
            summary = job.run() or ""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}"[:500]
            _finish(record, RunStatus.FAILED, message)
            log.error(
                "job failed",
                extra={"job": name, "event": "job.failed", "seconds": _since(started), "error": message},
                exc_info=not isinstance(exc, KeyboardInterrupt | SystemExit),
            )
            raise JobFailed(Outcome(job=name, status="failed", run_id=run_id, message=message)) from exc
        _finish(record, RunStatus.SUCCEEDED, summary[:500])
        log.info(
            "job finished", extra={"job": name, "event": "job.finished", "seconds": _since(started), "result": summary}
        )
        return Outcome(job=name, status="succeeded", run_id=run_id, message=summary)


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _finish(record: JobRun, status: str, message: str) -> None:
    record.status = status
    record.message = message
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "message", "finished_at"])


# --- where each job stands (jobs_status, /readyz) ------------------------------------------------


@dataclass(frozen=True)
class Standing:
    job: Job
    last: JobRun | None
    last_success: JobRun | None
    problem: str  # "" when healthy

    @property
    def healthy(self) -> bool:
        return not self.problem


def standing(job: Job, now: dt.datetime | None = None) -> Standing:
    now = now or timezone.now()
    runs = JobRun.objects.filter(job=job.name).order_by("-started_at")
    last = runs.first()
    last_success = runs.filter(status=RunStatus.SUCCEEDED).first()
    problem = ""
    if last is None:
        problem = ""  # never run (timers not installed yet, or a fresh installation): nothing to report
    elif last.status == RunStatus.FAILED:
        problem = f"last run failed at {timezone.localtime(last.finished_at or last.started_at):%Y-%m-%d %H:%M}"
    elif last.status == RunStatus.RUNNING and now - last.started_at > job.timeout:
        since = timezone.localtime(last.started_at)
        problem = f"running for longer than its limit ({job.timeout}) since {since:%Y-%m-%d %H:%M}"
    elif last_success is not None and now - last_success.started_at > job.stale_after:
        problem = f"no successful run for more than {job.stale_after}"
    return Standing(job=job, last=last, last_success=last_success, problem=problem)


def standings(now: dt.datetime | None = None) -> list[Standing]:
    return [standing(job, now) for job in registry().values()]


# --- the jobs openCSC itself schedules -------------------------------------------------------------


def command(name: str, *args: str) -> Callable[[], str]:
    """A job that runs a management command; its summary is the last line the command printed."""

    def call() -> str:
        out = io.StringIO()
        call_command(name, *args, stdout=out, stderr=io.StringIO())
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    return call


def _anchor_audit() -> str:
    from opencsc.audit.services import anchor_now

    head = anchor_now()
    return "no events yet" if head is None else f"anchored seq {head[0]}"


def _cpis_upload() -> str:
    outbox = Path(str(getattr(settings, "OPENCSC_CPIS_OUTBOX", "") or Path(settings.BASE_DIR) / "var" / "cpis-outbox"))
    outbox.mkdir(parents=True, exist_ok=True)
    target = outbox / f"cpis-upload-{timezone.now():%Y%m%dT%H%M%S}.xml"
    return command("build_cpis_upload", "--out", str(target), "--no-progress")()


def _returns_housekeeping() -> str:
    from opencsc.returns.build import jobs as return_jobs

    removed = return_jobs.purge()
    return f"{removed} return builds older than {getattr(settings, 'OPENCSC_RETURNS_KEEP_DAYS', 7)} days deleted"


def register_builtin() -> None:
    minutes = dt.timedelta(minutes=1)
    register(
        Job(
            name="anchor_audit",
            description="Publish the audit chain's head to the anchor file",
            run=_anchor_audit,
            on_calendar="*:0/5",
            cron="*/5 * * * *",
            timeout=5 * minutes,
            stale_after=dt.timedelta(hours=1),
        )
    )
    register(
        daily(
            "verify_audit",
            "Check the whole audit chain against its anchors",
            command("verify_audit"),
            at="02:30",
            timeout=dt.timedelta(hours=3),
        )
    )
    register(
        daily(
            "cpis_upload",
            "Build the day's CP-IS upload into the MESH outbox",
            _cpis_upload,
            at="06:00",
        )
    )
    register(
        daily(
            "returns_housekeeping",
            "Delete return builds older than OPENCSC_RETURNS_KEEP_DAYS",
            _returns_housekeeping,
            at="03:15",
            timeout=15 * minutes,
        )
    )
    register(
        daily(
            "check_access_scope",
            "Compare the access scope's reach table with its inputs",
            command("check_access_scope"),
            at="04:00",
        )
    )
    register(
        daily(
            "clear_sessions",
            "Delete expired sessions",
            command("clearsessions"),
            at="03:45",
            timeout=15 * minutes,
        )
    )
