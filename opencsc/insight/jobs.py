"""The nightly indicator run, as a scheduled job (see `opencsc/ops/jobs.py`)."""

from __future__ import annotations

import datetime as dt

from opencsc.ops.jobs import Job, _command, register


def register_job() -> None:
    register(
        Job(
            name="compute_indicators",
            description="Compute the performance indicators for the last 24 months",
            run=_command("compute_indicators", "--no-progress"),
            on_calendar="*-*-* 01:30:00",
            cron="30 1 * * *",
            timeout=dt.timedelta(hours=1),
            stale_after=dt.timedelta(days=2),
        )
    )
