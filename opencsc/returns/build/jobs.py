"""Long return builds for the Returns page: run off the request, progress on disk, file encrypted.

A build can take tens of seconds for a large council, longer than a request should wait, so the page
starts it as a job and shows a status page that refreshes itself (``<meta http-equiv="refresh">``, no
JavaScript) until the job is done. See docs/adr/0007-long-jobs.md for why this is a thread and a
directory rather than a task queue.

Each job is a directory under ``OPENCSC_RETURNS_DIR`` (default ``<BASE_DIR>/var/returns``):

* ``job.json``: kind, year, who started it, status, progress, counts (no personal data);
* ``findings.json``: the validation findings (rule, LA child id, table, field, message: no names);
* ``payload.enc``: the built file, encrypted at rest with the field-encryption keys (it holds dates of
  birth, ethnicity and disability), decrypted only to be downloaded;
* ``children.json``: the record ids of the children in it, for the per-child transfer disclosures.

Jobs older than ``OPENCSC_RETURNS_KEEP_DAYS`` (default 7) are deleted when the page is next opened.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from opencsc.audit.services import Actor
from opencsc.core import crypto
from opencsc.returns.build import services
from opencsc.returns.findings import Finding, Severity

_CONTEXT = "returns.job.payload"
STALE_AFTER = dt.timedelta(minutes=15)  # a running job with no progress for this long has died


def root() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "returns"
    path = Path(getattr(settings, "OPENCSC_RETURNS_DIR", "") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Job:
    id: str
    kind: str
    year: str
    as_of: str | None
    started_by: int | None
    started_by_name: str
    started_at: str
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    updated_at: str = ""
    finished_at: str | None = None
    children: int = 0
    seconds: float = 0.0
    errors: int = 0
    queries: int = 0
    filename: str = ""
    media_type: str = ""
    message: str = ""
    downloads: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return services.LABELS[self.kind]

    @property
    def period(self) -> str:
        return self.as_of if self.kind == "annex-a" and self.as_of else self.year

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running") and not self.stale

    @property
    def stale(self) -> bool:
        if self.status not in ("queued", "running") or not self.updated_at:
            return False
        return timezone.now() - dt.datetime.fromisoformat(self.updated_at) > STALE_AFTER

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def started(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.started_at)

    def path(self) -> Path:
        return root() / self.id

    def save(self) -> None:
        self.updated_at = timezone.now().isoformat()
        target = self.path() / "job.json"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(target)


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)


def _valid_id(job_id: str) -> bool:
    try:
        return str(uuid.UUID(job_id)) == job_id
    except ValueError:
        return False


def get(job_id: str) -> Job | None:
    if not _valid_id(job_id):
        return None
    path = root() / job_id / "job.json"
    if not path.is_file():
        return None
    return Job(**json.loads(path.read_text(encoding="utf-8")))


def recent(limit: int = 20) -> list[Job]:
    purge()
    jobs = [job for p in root().iterdir() if p.is_dir() and (job := get(p.name)) is not None]
    return sorted(jobs, key=lambda j: j.started_at, reverse=True)[:limit]


def purge(now: dt.datetime | None = None) -> int:
    """Delete jobs (and their encrypted files) older than the retention period."""
    keep = dt.timedelta(days=int(getattr(settings, "OPENCSC_RETURNS_KEEP_DAYS", 7)))
    now = now or timezone.now()
    removed = 0
    for path in root().iterdir():
        job = get(path.name) if path.is_dir() else None
        if job is not None and now - job.started > keep and not job.running:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def findings(job: Job) -> list[Finding]:
    path = job.path() / "findings.json"
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [Finding(**{**row, "severity": Severity(row["severity"])}) for row in rows]


def payload(job: Job) -> bytes:
    token = (job.path() / "payload.enc").read_text(encoding="utf-8")
    return base64.b64decode(crypto.decrypt(token, context=_CONTEXT))


def person_ids(job: Job) -> list[int]:
    path = job.path() / "children.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def start(
    *, kind: str, year: str, as_of: dt.date | None, user: Any, actor: Actor, runner: Callable | None = None
) -> Job:
    """Create the job and start it (in a background thread, or inline when OPENCSC_RETURNS_RUN_INLINE)."""
    job = Job(
        id=str(uuid.uuid4()),
        kind=kind,
        year=year,
        as_of=as_of.isoformat() if as_of else None,
        started_by=getattr(user, "pk", None),
        started_by_name=user.get_username() if user is not None else actor.name,
        started_at=timezone.now().isoformat(),
    )
    job.path().mkdir(parents=True)
    job.save()
    if getattr(settings, "OPENCSC_RETURNS_RUN_INLINE", False):
        run(job.id, actor)
    else:
        thread = threading.Thread(target=_threaded, args=(job.id, actor), name=f"return-{job.id}", daemon=True)
        thread.start()
    return get(job.id) or job


def _threaded(job_id: str, actor: Actor) -> None:
    close_old_connections()
    try:
        run(job_id, actor)
    finally:
        connection.close()


def run(job_id: str, actor: Actor) -> None:
    """Build, check and store one job's return, recording progress as it goes."""
    job = get(job_id)
    if job is None:
        return
    job.status = "running"
    job.save()

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        job.save()

    try:
        built = services.build_return(
            job.kind,
            actor=actor,
            year=job.year,
            as_of=dt.date.fromisoformat(job.as_of) if job.as_of else None,
            progress=progress,
        )
        found = services.check_return(built, actor=actor)
        data = built.payload()
        # Each file appears whole or not at all (write, then rename), and the job says "done" only
        # once all three are in place: a killed build never leaves a downloadable half.
        _write_atomic(
            job.path() / "payload.enc",
            crypto.encrypt(base64.b64encode(data).decode("ascii"), context=_CONTEXT),
        )
        _write_atomic(
            job.path() / "findings.json",
            json.dumps([{**asdict(f), "severity": f.severity.value} for f in found]),
        )
        _write_atomic(job.path() / "children.json", json.dumps(sorted(built.person_ids.values())))
        job.extra["not_checked"] = dict(getattr(found, "not_checked", {}))
        job.children, job.seconds = built.children, round(built.seconds, 1)
        job.errors = sum(1 for f in found if f.severity == "error")
        job.queries = len(found) - job.errors
        job.filename, job.media_type = built.filename, built.media_type
        job.as_of = built.as_of.isoformat() if built.as_of else job.as_of
        job.status, job.finished_at = "done", timezone.now().isoformat()
        job.done = job.total
    except Exception as exc:  # the page must say the build failed rather than spin for ever
        job.status, job.finished_at = "failed", timezone.now().isoformat()
        job.message = f"{type(exc).__name__}: {exc}"[:500]
        job.extra["trace"] = traceback.format_exc()[-2000:]
    job.save()
