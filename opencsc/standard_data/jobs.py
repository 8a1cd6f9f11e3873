"""The nightly health-needs picture, as a scheduled job (see `opencsc/ops/jobs.py`)."""

from __future__ import annotations

import datetime as dt

from opencsc.ops.jobs import Job, _command, register


def register_job() -> None:
    register(
        Job(
            name="compute_health_needs",
            description="Count the health-needs picture for the analysts' page",
            run=_command("compute_health_needs", "--no-progress"),
            on_calendar="*-*-* 02:15:00",
            cron="15 2 * * *",
            timeout=dt.timedelta(minutes=30),
            stale_after=dt.timedelta(days=2),
        )
    )
