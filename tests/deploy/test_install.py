"""deploy/install.sh, exercised as far as this machine allows: --dry-run renders every file into a
prefix and checks them (nginx -t, systemd-analyze verify, manage.py check --deploy with the rendered
environment and secret files); --smoke also serves the rendered stack on loopback through TLS."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"


def _install(prefix: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENCSC_", "DATABASE_URL"))}
    env.pop("SECRET_KEY", None)
    env.pop("DEBUG", None)
    bash = shutil.which("bash") or "/bin/bash"
    return subprocess.run(
        [bash, str(INSTALL), "--dry-run", "--prefix", str(prefix), "--server-name", "csc.example.test", *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_dry_run_renders_a_checked_installation(tmp_path: Path) -> None:
    done = _install(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    etc = tmp_path / "etc" / "opencsc"
    env_file = (etc / "opencsc.env").read_text()
    # Secrets: one file each, not world-readable, named by *_FILE, never written into the environment.
    for name in ("secret_key", "field_keys", "blind_index_key", "audit_hmac_key"):
        secret = etc / "secrets" / name
        assert stat.S_IMODE(secret.stat().st_mode) == 0o640, name
        assert f"{secret}" in env_file
        assert secret.read_text().strip() not in env_file
    assert stat.S_IMODE((etc / "secrets").stat().st_mode) == 0o750
    assert "OPENCSC_ENVIRONMENT=production" in env_file and "LOG_FORMAT=json" in env_file
    units = tmp_path / "etc" / "systemd" / "system"
    service = (units / "opencsc.service").read_text()
    assert "User=opencsc" in service and "gunicorn" in service and "ProtectSystem=strict" in service
    assert (units / "opencsc-job-anchor_audit.timer").exists() and (units / "opencsc-basebackup.timer").exists()
    assert "run_job verify_audit" in (etc / "cron.example").read_text()
    site = (tmp_path / "etc" / "nginx" / "sites-available" / "opencsc").read_text()
    assert "ssl_protocols TLSv1.2 TLSv1.3" in site and "$opencsc_logged_uri" in site
    backups = tmp_path / "var" / "backups" / "opencsc"
    assert not any(str(backups) in line for line in env_file.splitlines()), "the app is never told where backups are"
    if shutil.which("nginx"):
        assert "nginx -t: the site configuration is valid" in done.stdout
    if shutil.which("systemd-analyze"):
        assert "units valid" in done.stdout
    assert "System check identified no issues" in done.stdout + done.stderr


def test_the_rendered_stack_serves_on_loopback(tmp_path: Path) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the loopback smoke test runs once, in the PostgreSQL suite (make test-postgres)")
    if not shutil.which("nginx") or os.geteuid() != 0:
        pytest.skip("nginx (Debian package) and root are needed to serve the rendered stack on loopback")
    done = _install(tmp_path, "--smoke")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "/healthz 200, /readyz 200" in done.stdout and "opencsc.css 200" in done.stdout
    access_log = (tmp_path / "var" / "log" / "nginx" / "opencsc.access.log").read_text()
    assert '"GET /readyz" 200' in access_log
