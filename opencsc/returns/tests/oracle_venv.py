"""Throwaway virtual environments for the published validators, created once and shared.

Both oracle harnesses (`tests.oracle`, `tests.oracle_903`) call `ensure_venv`. pytest-xdist workers,
and engineers running tests side by side, may ask for the same environment at the same moment; one
creating it with `clear=True` while another is still installing leaves a venv without the validator.
So creation holds an exclusive file lock, and an environment counts as ready only once its marker
file is written, after pip has finished.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import venv
from pathlib import Path


class OracleUnavailable(RuntimeError):
    """The oracle's environment could not be created (for example, no network)."""


def oracle_home() -> Path:
    return Path(os.environ.get("OPENCSC_ORACLE_HOME") or Path.home() / ".cache" / "opencsc-oracle")


def ensure_venv(name: str, packages: tuple[str, ...]) -> Path:
    """The python of the environment `name` holding `packages`; raises `OracleUnavailable`."""
    home = oracle_home() / name
    python = home / "bin" / "python"
    marker = home / ".installed"
    if marker.exists() and python.exists():
        return python
    home.parent.mkdir(parents=True, exist_ok=True)
    with (home.parent / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if marker.exists() and python.exists():
            return python  # another process finished installing it while this one waited
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(home)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            raise OracleUnavailable(f"could not install {' '.join(packages)} into {home}: {detail[-500:]}") from exc
        marker.write_text(" ".join(packages), encoding="utf-8")
    return python
