from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opencsc.ops import jobs


@pytest.fixture(autouse=True)
def _ops_paths(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.OPENCSC_JOB_LOCK_DIR = str(tmp_path / "locks")  # type: ignore[attr-defined]
    settings.OPENCSC_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")  # type: ignore[attr-defined]
    settings.OPENCSC_CPIS_OUTBOX = str(tmp_path / "outbox")  # type: ignore[attr-defined]


@pytest.fixture
def test_job() -> Iterator[jobs.Job]:
    """Registers `test_job` for the test; `behaviour` holds what its run does."""
    state: dict[str, object] = {"calls": 0, "action": None}

    def run() -> str:
        state["calls"] = int(state["calls"]) + 1  # type: ignore[call-overload]
        action = state["action"]
        if callable(action):
            return str(action() or "done")
        return "done"

    job = jobs.register(
        jobs.Job(name="test_job", description="a test", run=run, on_calendar="hourly", cron="0 * * * *")
    )
    object.__setattr__(job, "state", state)  # the tests steer what a run does
    yield job
    jobs.unregister("test_job")
