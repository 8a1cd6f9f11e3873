"""Readiness: can this instance serve, and is the installation in order?

Each check returns (ok, detail). The details say what is wrong in words an operator can act on, and
hold no personal data (the page is for load balancers and monitoring, without sign-in)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.ops import jobs


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, f"cannot query the database ({type(exc).__name__})")
    return Check("database", True, f"{connection.vendor} answers")


_MIGRATIONS_CHECKED_FOR = 60.0  # seconds a passing migration check is trusted (loading the graph costs ~0.3 s)
_migrations_ok_until = 0.0


def check_migrations() -> Check:
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return Check("migrations", True, "all applied")
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        return Check("migrations", False, f"{len(plan)} migrations not applied (run manage.py migrate): {names}")
    _migrations_ok_until = time.monotonic() + _MIGRATIONS_CHECKED_FOR
    return Check("migrations", True, "all applied")


_anchor_cache: dict[str, object] = {}


def _last_anchor() -> tuple[int, str] | None:
    """The newest anchor, re-read only when the anchor file changes (probes come every few seconds)."""
    path = chain.anchor_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = f"{path}:{stat.st_mtime_ns}:{stat.st_size}"
    if _anchor_cache.get("key") != key:
        anchors = chain.read_anchors()
        _anchor_cache.update(key=key, last=max(anchors.items()) if anchors else None)
    return _anchor_cache["last"]  # type: ignore[return-value]


def check_audit_chain() -> Check:
    """The head row's hash recomputes with this instance's HMAC key (a wrong or missing key shows here,
    before the first event is written) and the newest anchor is not ahead of the head (a restore
    that lost events, or truncation). `verify_audit` checks the whole chain on its schedule."""
    fields = (*chain.CHAINED_FIELDS, "prev_hash", "hash")
    head = AuditEvent.objects.order_by("-seq").values(*fields).first()
    anchor = _last_anchor()
    if head is None:
        if anchor is not None:
            return Check("audit_chain", False, f"the audit table is empty but seq {anchor[0]} was anchored")
        return Check("audit_chain", True, "no events yet")
    row = dict(head)
    row["occurred_at"] = row["occurred_at"].isoformat()
    if not hmac.compare_digest(row["hash"], chain.row_hash(row["prev_hash"], row)):
        return Check("audit_chain", False, f"head seq {row['seq']} does not match its hash with this key")
    if anchor is not None:
        anchored_seq, anchored_hash = anchor
        if anchored_seq > row["seq"]:
            return Check("audit_chain", False, f"head seq {row['seq']} is behind the anchored seq {anchored_seq}")
        anchored = AuditEvent.objects.filter(seq=anchored_seq).values_list("hash", flat=True).first()
        if anchored is None or not hmac.compare_digest(anchored, anchored_hash):
            return Check("audit_chain", False, f"seq {anchored_seq} differs from its anchor")
    return Check("audit_chain", True, f"head seq {row['seq']}" + (f", last anchor seq {anchor[0]}" if anchor else ""))


def check_jobs() -> Check:
    bad = [f"{s.job.name}: {s.problem}" for s in jobs.standings() if not s.healthy]
    if bad:
        return Check("scheduled_jobs", False, "; ".join(bad))
    return Check("scheduled_jobs", True, f"{len(jobs.registry())} jobs in order")


CHECKS: list[Callable[[], Check]] = [check_database, check_migrations, check_audit_chain, check_jobs]


def readiness() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a check that cannot run is a failed check, never a 500
            name = check.__name__.removeprefix("check_")
            results.append(Check(name, False, f"could not be checked ({type(exc).__name__})"))
        if check is check_database and not results[-1].ok:
            break  # nothing else can be checked without the database
    return results
