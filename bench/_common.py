"""What the benchmarks share: the bench-only environment, creating a PostgreSQL bench database, a
free loopback port, the percentile they all report, running a pool of client threads and writing
the result. Keys here are bench-only values, used only
with synthetic data."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def bench_env(db_name: str, *, anchor_file: str, settings: str = "bench.settings") -> dict[str, str]:
    """Production behaviour (DEBUG off, MFA on, every security middleware) with TLS off, on the
    PostgreSQL database `db_name`, with fixed bench-only keys."""
    return {
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "DEBUG": "False",
        "OPENCSC_ENVIRONMENT": "development",  # so that the demo seed may run
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_COOKIES": "False",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "bench-only-secret-key-not-for-any-real-installation-0123456789",
        "OPENCSC_FIELD_KEYS": "bench1:YmVuY2gtb25seS1maWVsZC1rZXktMDEyMzQ1Njc4OWE=",
        "OPENCSC_BLIND_INDEX_KEY": "YmVuY2gtb25seS1ibGluZC1pbmRleC1rZXktMDEyMzQ=",
        "OPENCSC_AUDIT_HMAC_KEY": "YmVuY2gtb25seS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ=",
        "OPENCSC_AUDIT_ANCHOR_FILE": str(OUT / anchor_file),
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(db_name: str, *, recreate: bool) -> bool:
    """Create the database if it does not exist (dropping it first with `recreate`); True if new."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{db_name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db_name}"')
    return not exists


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (the value at or below which q% of the values fall)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run_threads(count: int, target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run `count` threads of `target(*args)` (the clients of a load run) and wait for them all.
    Returns the seconds from the first start to the last join and the 1-minute load average before and
    after, as the benches report them."""
    before = os.getloadavg()[0]
    started = time.monotonic()
    threads = [threading.Thread(target=target, args=args) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "seconds": time.monotonic() - started,
        "load_average": {"before": round(before, 1), "after": round(os.getloadavg()[0], 1)},
    }


def write_result(name: str, result: dict[str, Any], raw: Iterable[Any]) -> Path:
    """Print `result` as JSON and keep it with the raw samples (dataclasses) in
    bench/out/<name>-<UTC time>.json; returns the file written."""
    print(json.dumps(result, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = OUT / f"{name}-{stamp}.json"
    path.write_text(json.dumps({**result, "raw": [asdict(sample) for sample in raw]}))
    return path
