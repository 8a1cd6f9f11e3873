"""Production settings are secure by default, and demo conveniences cannot reach production."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCSC_", "DEBUG", "SECRET_KEY", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="opencsc.config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        OPENCSC_FIELD_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
        OPENCSC_BLIND_INDEX_KEY=base64.b64encode(os.urandom(32)).decode(),
        OPENCSC_AUDIT_HMAC_KEY=base64.b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS="csc.exampleton.example",
        DATABASE_URL="sqlite:///:memory:",
    )
    env.update(extra)
    return env


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "OPENCSC_FIELD_KEYS", "OPENCSC_AUDIT_HMAC_KEY"])
def test_production_refuses_to_start_without_its_keys(missing):
    result = _manage("check", **{missing: ""})
    assert result.returncode != 0 and missing in result.stderr


def test_demo_mode_refuses_to_start_with_debug_off():
    result = _manage("check", OPENCSC_DEMO_MODE="True")
    assert result.returncode != 0 and "OPENCSC_DEMO_MODE is for a local demo only" in result.stderr


def test_seed_demo_does_not_exist_in_production():
    result = _manage("seed_demo", "--children", "1")
    assert result.returncode != 0 and "Unknown command: 'seed_demo'" in result.stderr


def test_mfa_is_on_unless_the_demo_asks(settings):
    assert settings.OPENCSC_REQUIRE_MFA is True
