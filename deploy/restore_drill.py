#!/usr/bin/env python3
"""Backup and point-in-time restore drill for openCSC on PostgreSQL, on loopback, in throwaway clusters.

What it does, timing each step (docs/operations.md, "Backups and restore"):

 1. a primary cluster (127.0.0.1:PORT) with WAL archiving on, exactly as the production recipe sets it
    (wal_level=replica, archive_mode=on, archive_command copying each segment to an archive directory);
 2. migrates and seeds the demo borough there (--children N), and anchors the audit chain with the
    scheduled job (`run_job anchor_audit`);
 3. takes a base backup with pg_basebackup (tar, compressed, WAL included), and checks that none of
    the keys (field encryption, blind index, audit HMAC, SECRET_KEY) is anywhere in it: they live in
    files beside the application, never in the database;
 4. writes records A (children with encrypted health notes) and anchors; notes the restore point;
    then writes records B (the "mistake" to undo) and anchors again; switches WAL so it is archived;
 5. RESTORE (timed: the recovery time): a second cluster (PORT+1) from the base backup plus the WAL
    archive, to the restore point; promoted; migrations checked;
 6. checks the restored database: records A there with their encrypted notes decrypting with the keys
    kept apart, records B absent, every encrypted health note and NHS number decrypting,
    `verify_audit` passing with the anchors published up to the restore point (and failing with the
    anchors published after it, which name events the restore rolled back), `check_access_scope`
    passing (the reach triggers came back with the restore);
 7. LOSS (the recovery point): writes records C on the primary in a steady trickle (one every half
    second, for longer than archive_timeout) and stops it dead (no clean shutdown, no WAL switch),
    restores the archive as far as it goes into a third cluster (PORT+2), and measures how many of C
    survived and how long before the crash the newest surviving write was: the data lost when the
    primary's disk is lost and only the archive remains (bounded by archive_timeout).

Every cluster is created here, listens on 127.0.0.1 only, and is stopped and deleted at the end
(--keep keeps the directory). The machine's own PostgreSQL is not touched. Run as root, the
PostgreSQL programs run as the `postgres` user (initdb refuses root).

    python deploy/restore_drill.py --children 40            # the small demo, about a minute
    python deploy/restore_drill.py --children 20000 --json drill.json

Exit 0 when every check passed; 1 otherwise. The last line printed is a JSON summary.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class DrillFailed(RuntimeError):
    pass


def find_pg_bindir() -> Path | None:
    """The directory with initdb, pg_ctl and pg_basebackup (Debian: /usr/lib/postgresql/NN/bin)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout
            candidates.append(Path(out.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for path in candidates:
        if all((path / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres")):
            return path
    return None


class Drill:
    def __init__(self, args: argparse.Namespace, bindir: Path):
        self.args = args
        self.bin = bindir
        self.work = Path(args.workdir or tempfile.mkdtemp(prefix="opencsc-drill-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.work.chmod(0o711)  # the PostgreSQL user passes through to its own directory, sees nothing else
        self.as_root = os.geteuid() == 0
        self.clusters: list[Path] = []
        self.timings: dict[str, float] = {}
        self.results: dict[str, Any] = {"children": args.children}
        # Directories PostgreSQL writes (clusters, archive, backup, sockets) belong to its user; the
        # application side (keys, anchors) belongs to whoever runs the drill and is kept apart.
        self.pg_dir = self.work / "postgres"
        self.archive = self.pg_dir / "wal-archive"
        self.backup = self.pg_dir / "base-backup"
        self.sock = self.pg_dir / "sockets"
        self.app_dir = self.work / "application"
        self.secrets_dir = self.app_dir / "secrets"
        self.anchors = self.app_dir / "audit-anchors.log"

    # --- helpers ---------------------------------------------------------------------------------

    def log(self, message: str) -> None:
        print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)

    def as_postgres(self, *command: str, check: bool = True, stdin: str | None = None) -> str:
        """Run a program as the PostgreSQL user (when the drill runs as root) or as ourselves."""
        argv = ["runuser", "-u", "postgres", "--", *command] if self.as_root else list(command)
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, cwd="/")
        if check and done.returncode != 0:
            raise DrillFailed(f"{' '.join(command)} failed:\n{(done.stderr or '')[-2000:]}")
        return done.stdout or ""

    def pg(self, tool: str, *args: str, check: bool = True) -> str:
        return self.as_postgres(str(self.bin / tool), *args, check=check)

    def sql(self, port: int, query: str, database: str = "opencsc") -> str:
        psql = shutil.which("psql") or str(self.bin / "psql")
        done = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-XtAc", query],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise DrillFailed(f"psql on {port}: {query}: {done.stderr[-1000:]}")
        return done.stdout.strip()

    def published(self) -> Path:
        """The anchors file the primary wrote: OPENCSC_AUDIT_ANCHOR_FILE with the database's identity in
        its name (audit-anchors.<uuid>.log), one file per database (ADR 0010)."""
        found = sorted(self.anchors.parent.glob(f"{self.anchors.stem}.*{self.anchors.suffix}"))
        return found[0] if found else self.anchors

    def _as_database_file(self, anchors: Path) -> None:
        """verify_audit reads <name>.<uuid>.log for OPENCSC_AUDIT_ANCHOR_FILE=<name>.log: put a chosen
        set of anchors where the restored database (same identity as the primary) looks for them."""
        parts = self.published().name.split(".")
        if len(parts) == 3:
            shutil.copyfile(anchors, anchors.with_name(f"{anchors.stem}.{parts[1]}{anchors.suffix}"))

    def manage(self, port: int, *args: str, anchors: Path | None = None, check: bool = True) -> str:
        if anchors is not None and anchors != self.anchors:
            self._as_database_file(anchors)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCSC_", "DJANGO_"))}
        env.update(
            {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/opencsc",
                "DEBUG": "False",
                "OPENCSC_ENVIRONMENT": "staging",
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECRET_KEY_FILE": str(self.secrets_dir / "secret_key"),
                "OPENCSC_FIELD_KEYS_FILE": str(self.secrets_dir / "field_keys"),
                "OPENCSC_BLIND_INDEX_KEY_FILE": str(self.secrets_dir / "blind_index_key"),
                "OPENCSC_AUDIT_HMAC_KEY_FILE": str(self.secrets_dir / "audit_hmac_key"),
                "OPENCSC_AUDIT_ANCHOR_FILE": str(anchors or self.anchors),
                "OPENCSC_JOB_LOCK_DIR": str(self.app_dir / "locks"),
                "OPENCSC_RETURNS_DIR": str(self.app_dir / "returns"),
                "OPENCSC_CPIS_OUTBOX": str(self.app_dir / "outbox"),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name in ("SECRET_KEY", "OPENCSC_FIELD_KEYS", "OPENCSC_BLIND_INDEX_KEY", "OPENCSC_AUDIT_HMAC_KEY"):
            env.pop(name, None)
        done = subprocess.run(
            [self.args.python, str(REPO / "manage.py"), *args], cwd=REPO, env=env, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise DrillFailed(f"manage.py {' '.join(args)} failed:\n{(done.stderr or done.stdout)[-3000:]}")
        return (done.stdout + done.stderr).strip()

    def timed(self, name: str, started: float) -> float:
        self.timings[name] = round(time.monotonic() - started, 2)
        self.log(f"{name}: {self.timings[name]} s")
        return self.timings[name]

    # --- clusters --------------------------------------------------------------------------------

    def _own(self, *paths: Path) -> None:
        if self.as_root:
            for path in paths:
                shutil.chown(path, "postgres", "postgres")

    def _settings(self, port: int, *, archive: bool) -> str:
        lines = [
            "",
            "# --- restore drill (deploy/restore_drill.py) ---",
            f"port = {port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.sock}'",
            "wal_level = replica",
            "max_wal_senders = 4",
        ]
        if archive:
            lines += [
                "archive_mode = on",
                f"archive_command = 'test ! -f {self.archive}/%f && cp %p {self.archive}/%f'",
                f"archive_timeout = '{self.args.archive_timeout}s'",
            ]
        else:
            lines += ["archive_mode = off"]  # a restored copy must never write into the primary's archive
        return "\n".join(lines) + "\n"

    def init_primary(self, port: int) -> Path:
        for path in (self.pg_dir, self.archive, self.sock):
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o700)
        self._own(self.pg_dir, self.archive, self.sock)
        data = self.pg_dir / "primary"
        self.pg("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions")
        self._append_conf(data, self._settings(port, archive=True))
        self.start(data)
        self.sql(port, "CREATE DATABASE opencsc", database="postgres")
        return data

    def _append_conf(self, data: Path, text: str) -> None:
        self.as_postgres("tee", "-a", str(data / "postgresql.conf"), stdin=text)

    def start(self, data: Path) -> None:
        self.clusters.append(data)
        self.pg("pg_ctl", "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-w", "-t", "600", "start")

    def stop(self, data: Path, mode: str = "fast") -> None:
        self.pg("pg_ctl", "-D", str(data), "-m", mode, "-w", "stop", check=False)

    def restore(self, name: str, port: int, target_time: str | None) -> Path:
        """A new cluster from the base backup and the WAL archive, to `target_time` or to the end."""
        data = self.pg_dir / name
        data.mkdir(mode=0o700)
        self._own(data)
        self.as_postgres("tar", "-xzf", str(self.backup / "base.tar.gz"), "-C", str(data))
        self.as_postgres("tar", "-xzf", str(self.backup / "pg_wal.tar.gz"), "-C", str(data / "pg_wal"))
        recovery = [
            f"restore_command = 'cp {self.archive}/%f %p'",
            "recovery_target_action = 'promote'",
        ]
        if target_time:
            recovery += [f"recovery_target_time = '{target_time}'", "recovery_target_inclusive = true"]
        else:
            recovery += ["recovery_target_timeline = 'latest'"]
        self._append_conf(data, self._settings(port, archive=False) + "\n".join(recovery) + "\n")
        self.as_postgres("touch", str(data / "recovery.signal"))
        self.start(data)
        deadline = time.monotonic() + 1800
        while self.sql(port, "SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise DrillFailed(f"{name} did not finish recovery")
            time.sleep(0.2)
        return data

    def cleanup(self) -> None:
        for data in reversed(self.clusters):
            if (data / "postmaster.pid").exists():
                self.stop(data, "immediate")
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            self.log(f"kept {self.work}")

    # --- the drill -------------------------------------------------------------------------------

    def write_keys(self) -> dict[str, str]:
        """Fresh keys for this drill, in files readable only by their owner, outside the clusters."""
        self.secrets_dir.mkdir(parents=True, exist_ok=True)
        self.secrets_dir.chmod(0o700)
        keys = {
            "secret_key": secrets.token_urlsafe(50),
            "field_keys": "drill1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "blind_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
            "audit_hmac_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        for name, value in keys.items():
            path = self.secrets_dir / name
            path.write_text(value + "\n")
            path.chmod(0o600)
        return keys

    def keys_absent_from_backup(self, keys: dict[str, str]) -> bool:
        """Stream every file of the base backup (and the WAL archive) and look for each key's bytes."""
        needles = {name: value.split(":")[-1].encode() for name, value in keys.items()}
        raw = {f"{name} (raw)": base64.b64decode(v.split(":")[-1]) for name, v in keys.items() if name != "secret_key"}
        needles |= raw
        found: set[str] = set()
        overlap = max(len(n) for n in needles.values())

        def scan(handle: Any, where: str) -> None:
            tail = b""
            while chunk := handle.read(8 << 20):
                blob = tail + chunk
                found.update(f"{name} in {where}" for name, needle in needles.items() if needle in blob)
                tail = blob[-overlap:]

        for archive in sorted(self.backup.glob("*.tar.gz")):
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    handle = tar.extractfile(member) if member.isfile() else None
                    if handle is not None:
                        scan(handle, f"{archive.name}:{member.name}")
        for segment in sorted(self.archive.iterdir()):
            with segment.open("rb") as handle:
                scan(handle, f"archive:{segment.name}")
        if found:
            self.log("KEYS FOUND IN THE BACKUP: " + "; ".join(sorted(found)[:5]))
        return not found

    def wait_archived(self, port: int, segment: str) -> None:
        deadline = time.monotonic() + 120
        while not (self.archive / segment).exists():
            if time.monotonic() > deadline:
                raise DrillFailed(f"WAL segment {segment} was not archived")
            time.sleep(0.1)

    def run(self) -> bool:
        args = self.args
        p_primary, p_pitr, p_loss = args.port, args.port + 1, args.port + 2
        keys = self.write_keys()
        self.anchors.parent.mkdir(parents=True, exist_ok=True)

        started = time.monotonic()
        primary = self.init_primary(p_primary)
        self.manage(p_primary, "migrate", "--noinput")
        self.timed("create and migrate the primary", started)

        started = time.monotonic()
        self.manage(p_primary, "seed_demo", "--children", str(args.children), "--seed", "2026")
        self.manage(p_primary, "run_job", "anchor_audit")
        self.timed(f"seed the demo borough ({args.children} children)", started)
        self.results["persons"] = int(self.sql(p_primary, "SELECT count(*) FROM people_person"))
        self.results["audit_events"] = int(self.sql(p_primary, "SELECT count(*) FROM audit_auditevent"))
        self.results["database_bytes"] = int(self.sql(p_primary, "SELECT pg_database_size('opencsc')"))

        started = time.monotonic()
        self.backup.mkdir()
        self._own(self.backup)
        self.pg(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(p_primary),
            "-U",
            "postgres",
            "-D",
            str(self.backup),
            "-Ft",
            "-z",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-password",
        )
        self.timed("base backup (pg_basebackup -Ft -z -X stream)", started)
        self.results["backup_bytes"] = sum(p.stat().st_size for p in self.backup.iterdir())

        # Records A: after the backup, before the restore point. Anchored, as the timer would.
        self.manage(p_primary, "drill_records", "write", "--label", "A", "--count", "5")
        self.manage(p_primary, "run_job", "anchor_audit")
        time.sleep(1.0)
        restore_point = self.sql(p_primary, "SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.USOF')")
        restore_point_epoch = float(self.sql(p_primary, "SELECT extract(epoch FROM clock_timestamp())"))
        anchors_at_restore_point = self.published().read_text()
        time.sleep(1.0)
        # Records B: the change to undo. Anchored too: that anchor names events the restore removes.
        self.manage(p_primary, "drill_records", "write", "--label", "B", "--count", "5")
        self.manage(p_primary, "run_job", "anchor_audit")
        segment = self.sql(p_primary, "SELECT pg_walfile_name(pg_switch_wal())")
        self.wait_archived(p_primary, segment)
        self.results["restore_point"] = restore_point

        # --- RESTORE to the point in time: the recovery time objective ---------------------------
        started = time.monotonic()
        self.restore("pitr", p_pitr, restore_point)
        self.manage(p_pitr, "migrate", "--check")
        rto = self.timed("RESTORE to the point in time (extract base backup, replay WAL, promote)", started)
        self.results["rto_seconds"] = rto

        # The anchors published after the restore point name events the restore rolled back: the
        # restored chain must fail against them (truncation detected) and pass against the rest.
        kept = self.app_dir / "anchors-restored.log"
        kept.write_text(filter_anchors(self.published().read_text(), restore_point_epoch))
        checks: dict[str, bool] = {}
        checks["anchors filtered by time equal the anchors held at the restore point"] = (
            kept.read_text() == anchors_at_restore_point
        )
        started = time.monotonic()
        checks["records A present, B absent, encrypted fields decrypt"] = self._ok(
            p_pitr, "drill_records", "check", "--present", "A", "--absent", "B", "--count", "5", anchors=kept
        )
        checks["verify_audit passes with the anchors up to the restore point"] = self._ok(
            p_pitr, "verify_audit", anchors=kept
        )
        everything = self.app_dir / "anchors-all.log"
        shutil.copyfile(self.published(), everything)
        checks["verify_audit fails with the anchors published after it"] = not self._ok(
            p_pitr, "verify_audit", anchors=everything
        )
        checks["check_access_scope passes (reach triggers restored)"] = self._ok(
            p_pitr, "check_access_scope", anchors=kept
        )
        checks["no key in the base backup or the WAL archive"] = self.keys_absent_from_backup(keys)
        self.timed("checks on the restored database", started)
        self.stop(self.pg_dir / "pitr")

        # --- LOSS: the primary dies; only the archive is left: the recovery point objective -------
        # A steady trickle of records C (one every half second, longer than archive_timeout, so the
        # archiver switches segments on its own meanwhile), then the primary stops dead.
        count_c = max(4, int(args.trickle / 0.5))
        self.manage(p_primary, "drill_records", "write", "--label", "C", "--count", str(count_c), "--every", "0.5")
        crash = float(self.sql(p_primary, "SELECT extract(epoch FROM clock_timestamp())"))
        self.stop(primary, "immediate")
        started = time.monotonic()
        self.restore("loss", p_loss, None)
        self.timed("RESTORE after losing the primary (archive to its end)", started)
        newest = float(
            self.sql(p_loss, "SELECT coalesce(extract(epoch FROM max(occurred_at)), 0) FROM audit_auditevent")
        )
        c_kept = int(self.sql(p_loss, "SELECT count(*) FROM people_person WHERE last_name LIKE 'Drill-C-%'"))
        self.results["loss"] = {
            "records_written_in_the_trickle": count_c,
            "records_recovered": c_kept,
            "trickle_seconds": round(count_c * 0.5, 1),
            "rpo_seconds": round(max(0.0, crash - newest), 1),
            "archive_timeout_seconds": args.archive_timeout,
        }
        survived = self.app_dir / "anchors-after-loss.log"
        survived.write_text(filter_anchors(self.published().read_text(), newest))
        checks["after the crash, verify_audit passes with the anchors up to the newest recovered event"] = self._ok(
            p_loss, "verify_audit", anchors=survived
        )
        self.results["checks"] = checks
        self.results["timings"] = self.timings
        return all(checks.values())

    def _ok(self, port: int, *args: str, anchors: Path) -> bool:
        try:
            out = self.manage(port, *args, anchors=anchors)
        except DrillFailed as exc:
            self.log(f"  manage.py {' '.join(args)}: FAILED {str(exc)[-300:]}")
            return False
        self.log(f"  manage.py {' '.join(args)}: {out.splitlines()[-1] if out else 'ok'}")
        return True


def filter_anchors(text: str, until_epoch: float) -> str:
    """The anchor lines published at or before a moment (their third field is an ISO time)."""
    kept = []
    for line in text.splitlines(keepends=True):
        parts = line.split()
        if len(parts) >= 3 and dt.datetime.fromisoformat(parts[2]).timestamp() <= until_epoch:
            kept.append(line)
    return "".join(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=40, help="demo borough size (default 40)")
    parser.add_argument("--port", type=int, default=5440, help="primary's port; the restores use the next two")
    parser.add_argument("--workdir", help="where the clusters go (default a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the clusters' directory afterwards")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs manage.py")
    parser.add_argument("--archive-timeout", type=int, default=60, help="archive_timeout on the primary (s)")
    parser.add_argument(
        "--trickle", type=float, default=75.0, help="seconds of steady writes before the crash (> archive timeout)"
    )
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    if args.trickle <= args.archive_timeout:
        parser.error("--trickle must be longer than --archive-timeout, or the loss measures nothing")
    if not 1024 < args.port < 65533:
        parser.error("--port must leave room for two more ports")
    bindir = find_pg_bindir()
    if bindir is None:
        print("PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) not found: set PG_BINDIR", file=sys.stderr)
        return 2
    drill = Drill(args, bindir)
    ok = False
    try:
        ok = drill.run()
    except DrillFailed as exc:
        drill.log(f"DRILL FAILED: {exc}")
        drill.results["error"] = str(exc)[-2000:]
    finally:
        drill.cleanup()
    drill.results["passed"] = ok
    summary = json.dumps(drill.results, default=str)
    if args.json:
        Path(args.json).write_text(json.dumps(drill.results, indent=2, default=str) + "\n")
    print(summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
