"""The backup and point-in-time restore drill (deploy/restore_drill.py), run for real on the small demo.

It creates its own PostgreSQL clusters on 127.0.0.1 (three free ports in 5440-5449), seeds them,
backs up, restores to a point in time and after a crash, and checks records, the audit chain with its
anchors, and the encrypted fields with the keys kept apart. Without the PostgreSQL server programs it
is skipped with a message, except under CI=true, where that is a failure. It runs in the PostgreSQL
suite only (DATABASE_URL=postgres://...), so CI runs it once, not twice."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))

import restore_drill  # noqa: E402


def _free_ports() -> int | None:
    """The first of three consecutive free loopback ports in 5440-5449."""
    for first in range(5440, 5448):
        ok = True
        for port in range(first, first + 3):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
        if ok:
            return first
    return None


def _skip_or_fail(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_anchor_lines_are_kept_up_to_the_restore_point() -> None:
    text = "100 aaa 2026-12-04T10:00:00+00:00\n200 bbb 2026-12-04T10:05:00.5+00:00\n300 ccc 2026-12-04T11:00:00+00:00\n"
    import datetime as dt

    until = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.UTC).timestamp()
    assert (
        restore_drill.filter_anchors(text, until)
        == text.splitlines(keepends=True)[0] + text.splitlines(keepends=True)[1]
    )


def test_backup_restore_drill_on_the_small_demo(tmp_path: Path) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the restore drill runs in the PostgreSQL suite (make test-postgres)")
    if restore_drill.find_pg_bindir() is None:
        _skip_or_fail("PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are not installed")
    port = _free_ports()
    if port is None:
        _skip_or_fail("no three free loopback ports in 5440-5449 for the drill's clusters")
    summary_path = tmp_path / "drill.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "deploy" / "restore_drill.py"),
            "--children",
            "40",
            "--port",
            str(port),
            "--archive-timeout",
            "4",
            "--trickle",
            "12",
            "--json",
            str(summary_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert summary_path.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(summary_path.read_text())
    assert done.returncode == 0 and summary["passed"], json.dumps(summary, indent=2) + done.stdout[-3000:]
    checks = summary["checks"]
    assert checks["records A present, B absent, encrypted fields decrypt"]
    assert checks["verify_audit passes with the anchors up to the restore point"]
    assert checks["verify_audit fails with the anchors published after it"]
    assert checks["no key in the base backup or the WAL archive"]
    assert summary["rto_seconds"] > 0
    # Losing the primary loses at most what was written since the archiver last shipped a segment.
    loss = summary["loss"]
    assert loss["records_recovered"] > 0, loss
    assert loss["rpo_seconds"] <= loss["archive_timeout_seconds"] + 10, loss
