"""A lock per scheduled job, so two runs of the same job never overlap (a timer firing while a manual
run is going, two app servers with the same timers, a cron line that outlasts its interval).

On PostgreSQL: a session advisory lock taken on a connection of its own, so it covers every server
that uses the database, and PostgreSQL drops it if the process dies. On SQLite (one machine by
definition): an exclusive `flock` on a file in OPENCSC_JOB_LOCK_DIR, which the kernel drops if the
process dies."""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"opencsc.job:{name}".encode()).digest()[:8], "big", signed=True)


def lock_dir() -> Path:
    path = Path(str(getattr(settings, "OPENCSC_JOB_LOCK_DIR", "") or Path(settings.BASE_DIR) / "var" / "locks"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def job_lock(name: str, *, wait_seconds: float = 0.0, poll: float = 0.5) -> Iterator[bool]:
    """Hold the job's lock for the `with` block and yield True; yield False if another run holds it
    and it did not come free within `wait_seconds` (0: do not wait)."""
    deadline = time.monotonic() + wait_seconds
    if connections["default"].vendor == "postgresql":
        conn = connections.create_connection("default")
        try:
            with conn.cursor() as cursor:
                while True:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
                    row = cursor.fetchone()
                    got = bool(row and row[0])
                    if got or time.monotonic() >= deadline:
                        break
                    time.sleep(poll)
            yield got
        finally:
            conn.close()  # ending the session releases the advisory lock
        return
    with (lock_dir() / f"{name}.lock").open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
            except BlockingIOError:
                got = False
            if got or time.monotonic() >= deadline:
                break
            time.sleep(poll)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(handle, fcntl.LOCK_UN)
