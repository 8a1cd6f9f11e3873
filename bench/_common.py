"""What the benchmarks share: the bench-only environment, creating a PostgreSQL bench database, a
free loopback port and the percentile they all report. Keys here are bench-only values, used only
with synthetic data."""

from __future__ import annotations

import math
import socket
from pathlib import Path

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
