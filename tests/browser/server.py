"""The application under test, run the way it runs in production: a WSGI server in its own process.

Why not pytest-django's `live_server`: it runs in the test process against the test database and
flushes tables between tests, and the audit table refuses DELETE by design. Here the server gets its
own throwaway SQLite file, migrated and seeded once, with DEBUG off, MFA on and the test keys, and is
served by waitress (a pure-Python production WSGI server) rather than Django's development server.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.browser.server_settings"
# Variables that would point the server at another database, switch on the demo shortcuts or bring in
# keys from the surrounding shell: the server must get exactly the test configuration.
_DROPPED = (
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "OPENCSC_DEMO_MODE",
    "OPENCSC_DEMO_SKIP_MFA",
    "SECRET_KEY",
    "OPENCSC_FIELD_KEYS",
    "OPENCSC_BLIND_INDEX_KEY",
    "OPENCSC_AUDIT_HMAC_KEY",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "ALLOWED_HOSTS",
)


@dataclass
class AppServer:
    """A running application: its address, its seeded facts and where its log is."""

    url: str
    facts: dict[str, Any]
    workdir: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    # Each user's authenticator key as the set-up page showed it, and the last time step whose code
    # was used: the server refuses a replayed code, so the journeys must know both.
    totp_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    last_totp_step: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def server_environment(workdir: Path) -> dict[str, str]:
    """The environment of the server and of `prepare`: production-like settings on a throwaway file."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _DROPPED and not any(name == f"{d}_FILE" for d in _DROPPED)
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "False",
            "OPENCSC_ENVIRONMENT": "test",
            "SQLITE_PATH": str(workdir / "db.sqlite3"),
            "OPENCSC_AUDIT_ANCHOR_FILE": str(workdir / "audit-anchors.log"),
            "ALLOWED_HOSTS": "127.0.0.1",
            # No TLS in front of the test server; cookies stay Secure and __Host- prefixed, which
            # browsers accept from http://127.0.0.1 because loopback is a secure context.
            "SECURE_SSL_REDIRECT": "False",
            # Production logging (JSON lines, one per request): test_logs.py scans it for personal data.
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def ensure_assets() -> None:
    """Build the CSS and JavaScript with `make assets` when they are missing or older than their sources.

    A lock keeps two pytest-xdist workers from building into build/static at the same time."""
    (REPO / "build").mkdir(exist_ok=True)
    with (REPO / "build" / ".assets.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        make = shutil.which("make") or "make"
        up_to_date = subprocess.run([make, "-q", "assets"], cwd=REPO, capture_output=True, check=False)
        if up_to_date.returncode != 0 or not (REPO / "build" / "static" / "css" / "opencsc.css").exists():
            subprocess.run([make, "assets"], cwd=REPO, check=True, capture_output=True)


def prepare_database(workdir: Path) -> dict[str, Any]:
    """Migrate and seed the server's own database; return the facts the journeys use."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.prepare"],
        cwd=REPO,
        env=server_environment(workdir),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"preparing the browser-test database failed:\n{done.stderr[-3000:]}")
    facts: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return facts


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,  # noqa: S310 (our own loopback URL)
        ):
            if response.status == 200:
                return True
        time.sleep(0.1)
    return False


def _start(workdir: Path, facts: dict[str, Any]) -> AppServer:
    # The port is found free and then handed to the server, so another process could take it in
    # between: rare, and answered by trying again on a new port.
    for _attempt in range(3):
        port = _free_port()
        log = (workdir / "server.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "waitress",
                f"--listen=127.0.0.1:{port}",
                "--threads=4",
                "opencsc.config.wsgi:application",
            ],
            cwd=REPO,
            env=server_environment(workdir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        server = AppServer(url=f"http://127.0.0.1:{port}", facts=facts, workdir=workdir, process=process)
        if _wait_until_up(server.url, process, timeout=30):
            return server
        stop(server)
    raise RuntimeError(f"the application server did not start; its log ends:\n{server.log_tail()}")


def stop(server: AppServer) -> None:
    """Stop the server process we started (and only it)."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@contextlib.contextmanager
def running_server(workdir: Path) -> Iterator[AppServer]:
    """Build assets if needed, prepare a fresh database in `workdir`, serve it, and stop it afterwards."""
    ensure_assets()
    facts = prepare_database(workdir)
    server = _start(workdir, facts)
    try:
        yield server
    finally:
        stop(server)
