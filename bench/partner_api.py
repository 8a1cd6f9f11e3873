"""The partner API under load: concurrent clients of one partner organisation against a real WSGI server.

What it does (issue 16, "Measured"):

1. Creates the PostgreSQL database `opencsc_bench_api` if needed (--reseed drops it), migrates it and
   seeds a small demo borough.
2. Prepares --checks MASH checks sent to the police's public protection unit through the portal, each
   through the real services (a contact by the child's social worker, MASH triage, `check_send`: one
   disclosure each), and issues the organisation an API key with every scope.
3. Starts gunicorn (sync workers) with production behaviour (DEBUG off, every middleware, MFA on;
   TLS off), the rate limit raised out of the way (it is tested, not benchmarked).
4. Drives --clients threads, closed loop, no think time, for --duration seconds: each round lists the
   checks, reads one check in full, and answers one not yet answered (with its own Idempotency-Key)
   while any are left.
5. Prints requests, errors, p50/p95/p99 (client and server time from `Server-Timing`) by endpoint and
   the rate of answers (what an hour at that rate would give). Raw figures go to bench/out/.

    .venv/bin/python bench/partner_api.py                       # 20 clients, 60 s
    .venv/bin/python bench/partner_api.py --checks 3000 --reseed
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, free_port, percentile

PYTHON = sys.executable
DB_NAME = os.environ.get("OPENCSC_BENCH_API_DB", "opencsc_bench_api")
BENCH_ENV = {
    **bench_env(DB_NAME, anchor_file="partner-api-anchors.log"),
    "OPENCSC_PARTNER_API_PER_MINUTE": "100000000",
}
POLICE = "Exampleton Constabulary Public Protection Unit"


def manage(*args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, check=True, env={**os.environ, **BENCH_ENV}, stdout=subprocess.DEVNULL
    )


def prepare(checks: int, reseed: bool) -> tuple[str, list[int]]:
    """Seed if needed, send `checks` checks to the police, and return a fresh API key and the ids of
    the checks waiting."""
    if ensure_database(DB_NAME, recreate=reseed):
        manage("migrate", "--noinput")
        manage("seed_demo", "--children", "60", "--seed", "16")
    os.environ.update(BENCH_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from opencsc.accounts.models import Role, User
    from opencsc.audit.services import Actor
    from opencsc.casework import services as casework
    from opencsc.partners.credentials import credential_issue
    from opencsc.people.selectors import caseload_for_user
    from opencsc.sharing.models import Agency, CheckRequest, CheckStatus
    from opencsc.sharing.portal_services import check_send

    police = Agency.objects.get(name=POLICE)
    mash = User.objects.get(username="mash.demo")
    waiting = list(CheckRequest.objects.filter(agency=police, status=CheckStatus.SENT).values_list("pk", flat=True))
    workers = list(User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True).order_by("pk"))
    children = [(w, a.person) for w in workers for a in caseload_for_user(w) if a.person.is_child][:400]
    started = time.monotonic()
    today = timezone.localdate()
    i = 0
    while len(waiting) < checks:
        worker, child = children[i % len(children)]
        i += 1
        contact = casework.contact_create(
            actor_user=worker,
            actor=Actor.from_user(worker),
            child=child,
            contact_date=today,
            source="2A",
            reason="Bench: school concern",
            consent_given=True,
        )
        casework.mash_triage_record(
            actor_user=mash,
            actor=Actor.from_user(mash),
            contact=contact,
            rag="amber",
            rationale="Bench",
            triaged_on=today,
            agencies=[],
        )
        sent = check_send(
            actor_user=mash,
            actor=Actor.from_user(mash),
            contact=contact,
            agency=police,
            urgency="amber",
            question="Bench: anything known?",
        )
        waiting.append(sent.pk)
    print(f"  {len(waiting):,} checks waiting ({i:,} sent now in {time.monotonic() - started:.1f} s)")
    _, key = credential_issue(
        actor=Actor.system("bench"),
        agency=police,
        label="bench",
        scopes=["checks:read", "checks:answer", "views:read"],
    )
    from django.db import connections

    connections.close_all()
    return key, waiting


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "gunicorn-api.log").open("ab")
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "opencsc.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--chdir",
            str(ROOT),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=log,
        env={**os.environ, **BENCH_ENV},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}: see {OUT / 'gunicorn-api.log'}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/schema/", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


@dataclass
class Sample:
    endpoint: str
    client_ms: float
    server_ms: float | None
    status: int


def server_ms(header: str) -> float | None:
    for entry in header.split(","):
        name, _, rest = entry.strip().partition(";dur=")
        if name == "total" and rest:
            return float(rest)
    return None


def drive(base: str, key: str, queue: list[int], lock: threading.Lock, stop_at: float, out: list[Sample]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    reads = list(queue[:200])
    n = 0

    def call(endpoint: str, method: str, url: str, **kwargs: Any) -> None:
        started = time.perf_counter()
        response = session.request(method, base + url, timeout=30, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        timing = server_ms(response.headers.get("Server-Timing", ""))
        out.append(Sample(endpoint, elapsed, timing, response.status_code))

    while time.monotonic() < stop_at:
        n += 1
        call("GET checks/", "GET", "/api/v1/checks/")
        call("GET checks/{id}/", "GET", f"/api/v1/checks/{reads[n % len(reads)]}/")
        with lock:
            check_id = queue.pop() if queue else None
        if check_id is not None:
            call(
                "POST checks/{id}/answer/",
                "POST",
                f"/api/v1/checks/{check_id}/answer/",
                json={"summary": "Bench: nothing known to us"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    result: dict[str, Any] = {"seconds": round(seconds, 1), "requests": len(samples)}
    result["errors"] = sum(1 for s in samples if s.status >= 400)
    result["statuses"] = {str(k): sum(1 for s in samples if s.status == k) for k in sorted({s.status for s in samples})}
    by: dict[str, dict[str, Any]] = {}
    for endpoint in sorted({s.endpoint for s in samples}):
        rows = [s for s in samples if s.endpoint == endpoint]
        client = [s.client_ms for s in rows]
        server = [s.server_ms for s in rows if s.server_ms is not None]
        by[endpoint] = {
            "n": len(rows),
            "client_p50": round(statistics.median(client), 1),
            "client_p95": round(percentile(client, 95), 1),
            "client_p99": round(percentile(client, 99), 1),
            "server_p95": round(percentile(server, 95), 1) if server else None,
        }
    result["endpoints"] = by
    answers = by.get("POST checks/{id}/answer/", {}).get("n", 0)
    result["answers_per_hour_at_this_rate"] = round(answers / seconds * 3600)
    result["requests_per_second"] = round(len(samples) / seconds, 1)
    every = [s.client_ms for s in samples]
    result["all_client_p95"] = round(percentile(every, 95), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    print(f"Preparing {DB_NAME} ...")
    key, waiting = prepare(args.checks, args.reseed)
    port = free_port()
    server = start_server(port, args.workers)
    samples: list[Sample] = []
    lock = threading.Lock()
    try:
        load_before = os.getloadavg()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [
            threading.Thread(target=drive, args=(f"http://127.0.0.1:{port}", key, waiting, lock, stop_at, samples))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = summarise(samples, seconds)
    result["load_average"] = {"before": round(load_before[0], 1), "after": round(load_after[0], 1)}
    result["clients"], result["workers"] = args.clients, args.workers
    print(json.dumps(result, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    (OUT / f"partner-api-{stamp}.json").write_text(json.dumps({**result, "raw": [asdict(s) for s in samples]}))


if __name__ == "__main__":
    main()
