"""Scheduled jobs: a run is recorded and logged, a failure exits non-zero and shows on /readyz, and two
runs of one job never overlap."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event
from opencsc.ops import jobs
from opencsc.ops.models import JobRun, RunStatus

BUILTIN = {
    "anchor_audit",
    "verify_audit",
    "cpis_upload",
    "returns_housekeeping",
    "check_access_scope",
    "clear_sessions",
    "compute_indicators",
    "compute_health_needs",
}


def test_every_scheduled_command_is_registered() -> None:
    assert set(jobs.registry()) >= BUILTIN
    for job in jobs.registry().values():
        assert job.on_calendar and len(job.cron.split()) == 5, job.name


def test_a_daily_job_writes_its_systemd_calendar_and_crontab_from_one_time() -> None:
    job = jobs.daily("nightly_thing", "A nightly thing", lambda: "done", at="01:05")
    assert job.on_calendar == "*-*-* 01:05:00" and job.cron == "5 1 * * *"
    assert {jobs.registry()[name].cron for name in ("compute_indicators", "verify_audit")} == {
        "30 1 * * *",
        "30 2 * * *",
    }
    with pytest.raises(ValueError, match="HH:MM"):
        jobs.daily("bad", "Bad", lambda: "", at="25:00")


@pytest.mark.django_db
def test_a_run_is_recorded_logged_and_its_audit_events_carry_the_run_id(
    test_job: jobs.Job, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> str:
        record_event(actor=Actor.system("test_job"), action="audit.verify", detail={"events": 0})
        return "checked"

    test_job.state["action"] = work  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO, logger="opencsc.jobs"):
        call_command("run_job", "test_job", stdout=io.StringIO())

    run = JobRun.objects.get(job="test_job")
    assert run.status == RunStatus.SUCCEEDED and run.message == "checked" and run.finished_at is not None
    lines = [r for r in caplog.records if r.name == "opencsc.jobs"]
    assert [r.getMessage() for r in lines] == ["job started", "job finished"]
    assert {getattr(r, "request_id", None) for r in lines} == {run.run_id}
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.actor_repr == "system:test_job" and event.request_id == run.run_id


@pytest.mark.django_db
def test_a_failed_run_exits_non_zero_and_is_recorded(test_job: jobs.Job, caplog: pytest.LogCaptureFixture) -> None:
    def fail() -> str:
        raise RuntimeError("outbox is full")

    test_job.state["action"] = fail  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="test_job failed"), caplog.at_level(logging.INFO, logger="opencsc.jobs"):
        call_command("run_job", "test_job", stdout=io.StringIO())
    run = JobRun.objects.get(job="test_job")
    assert run.status == RunStatus.FAILED and "outbox is full" in run.message
    assert [r.getMessage() for r in caplog.records if r.name == "opencsc.jobs"] == ["job started", "job failed"]

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("jobs_status", "--check", stdout=out)
    assert "test_job" in out.getvalue() and "last run failed" in out.getvalue()


@pytest.mark.django_db
def test_an_unknown_job_is_refused() -> None:
    with pytest.raises(CommandError, match="no scheduled job called 'nope'"):
        call_command("run_job", "nope")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_never_overlap(test_job: jobs.Job) -> None:
    """The first run holds the lock while it works; a second started meanwhile exits without running,
    and one told to --wait runs only after the first has ended."""
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def slow() -> str:
        order.append("first started")
        inside.set()
        assert release.wait(20)
        order.append("first ended")
        return "slow"

    def in_thread(work: Callable[[], object]) -> Callable[[], None]:
        def target() -> None:
            try:
                work()
            finally:
                connections.close_all()  # this thread's own connections

        return target

    test_job.state["action"] = slow  # type: ignore[attr-defined]
    first = threading.Thread(target=in_thread(lambda: jobs.run("test_job")))
    first.start()
    try:
        assert inside.wait(20)
        test_job.state["action"] = lambda: order.append("second ran") or "quick"  # type: ignore[attr-defined]
        out = io.StringIO()
        call_command("run_job", "test_job", stdout=out)  # exits at once, exit status 0
        assert "another run holds its lock" in out.getvalue()
        assert order == ["first started"]

        waited: list[jobs.Outcome] = []
        waiter = threading.Thread(target=in_thread(lambda: waited.append(jobs.run("test_job", wait_seconds=20))))
        waiter.start()
        release.set()
        waiter.join(30)
    finally:
        release.set()
        first.join(30)
    assert order == ["first started", "first ended", "second ran"]
    assert waited and waited[0].status == "succeeded"
    assert list(JobRun.objects.filter(job="test_job").values_list("status", flat=True)) == ["succeeded", "succeeded"]


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_process_is_marked_failed(test_job: jobs.Job) -> None:
    from django.utils import timezone

    JobRun.objects.create(job="test_job", run_id="dead", started_at=timezone.now(), status=RunStatus.RUNNING)
    jobs.run("test_job")
    dead = JobRun.objects.get(run_id="dead")
    assert dead.status == RunStatus.FAILED and "did not finish" in dead.message


@pytest.mark.django_db
def test_jobs_status_lists_each_job_with_its_last_run(test_job: jobs.Job) -> None:
    jobs.run("anchor_audit")
    out = io.StringIO()
    call_command("jobs_status", stdout=out)
    text = out.getvalue()
    for name in BUILTIN:
        assert name in text
    anchor_line = next(line for line in text.splitlines() if line.startswith("anchor_audit"))
    assert "succeeded" in anchor_line
    assert "never run" in next(line for line in text.splitlines() if line.startswith("verify_audit"))
    call_command("jobs_status", "--check", stdout=io.StringIO())  # all in order: exit 0


def test_the_systemd_units_and_the_crontab_cover_every_job(tmp_path: Path) -> None:
    call_command("jobs_schedule", "--systemd", str(tmp_path), stdout=io.StringIO())
    for name in jobs.registry():
        service = (tmp_path / f"opencsc-job-{name}.service").read_text()
        timer = (tmp_path / f"opencsc-job-{name}.timer").read_text()
        assert f"manage.py run_job {name}" in service and "User=opencsc" in service
        assert f"OnCalendar={jobs.get(name).on_calendar}" in timer
    assert "opencsc-job-anchor_audit.timer" in (tmp_path / "opencsc-jobs.target").read_text()
    out = io.StringIO()
    call_command("jobs_schedule", "--cron", stdout=out)
    cron_lines = [line for line in out.getvalue().splitlines() if line and not line.startswith(("#", "SHELL"))]
    assert len(cron_lines) == len(jobs.registry())
    assert all(" opencsc " in line and "run_job" in line for line in cron_lines)


def test_systemd_accepts_the_generated_timers(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    call_command("jobs_schedule", "--systemd", str(tmp_path), stdout=io.StringIO())
    for job in jobs.registry().values():
        done = subprocess.run([analyze, "calendar", job.on_calendar], capture_output=True, text=True, check=False)
        assert done.returncode == 0, (job.name, done.stderr)
