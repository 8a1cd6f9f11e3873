"""The partner API under load: concurrent clients of one partner organisation against a real WSGI server.

What it does (issue 16, "Measured"):

1. Creates the PostgreSQL database `opencsc_bench_api` (--db or OPENCSC_BENCH_DB for another) if needed
   (--reseed drops it), migrates it and seeds a small demo borough.
2. Prepares --checks MASH checks sent to the police's public protection unit through the portal (a
   contact by the child's social worker, MASH triage, `check_send`: one disclosure each), and issues
   the organisation an API key with every scope. The checks are the fixture, not what is measured: up
   to 2,000 missing are made through the real services, each audited (~2.5 a second on the shared
   machine); more are made in bulk (`opencsc/demo/bench_checks.py`: the same rows in the same state,
   held to the services by a test, without the preparation's audit events). --bulk / --no-bulk choose.
3. Starts gunicorn (sync workers) with production behaviour (DEBUG off, every middleware, MFA on;
   TLS off), the rate limit raised out of the way (it is tested, not benchmarked).
4. Drives --clients threads, closed loop, for --warmup seconds not recorded (default 10: the workers
   connect and fill their caches) and then --duration seconds: each round lists the checks, reads
   one check in full, and answers one not yet answered (with its own Idempotency-Key) while any are
   left, then pauses --think seconds on average (default 0: no pause, the server saturated, so
   client time is mostly queueing; --think 1 is a partner system working through its queue).
5. Prints requests, errors, p50/p95/p99 (client and server time from `Server-Timing`) by endpoint and
   the rate of answers (what an hour at that rate would give). Raw figures go to bench/out/.

    .venv/bin/python bench/partner_api.py                       # 20 clients, 60 s
    .venv/bin/python bench/partner_api.py --checks 3000 --reseed
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, free_port, percentile, run_threads, write_result

PYTHON = sys.executable
DB_NAME = os.environ.get("OPENCSC_BENCH_API_DB") or os.environ.get("OPENCSC_BENCH_DB") or "opencsc_bench_api"
BENCH_ENV: dict[str, str] = {}
POLICE = "Exampleton Constabulary Public Protection Unit"
# Above this many checks to make, `prepare` writes them in bulk (opencsc/demo/bench_checks.py) unless told.
BULK_ABOVE = 2000


def use_database(name: str) -> None:
    """Point the bench (this module and the server it starts) at the PostgreSQL database `name`."""
    global DB_NAME
    DB_NAME = name
    BENCH_ENV.clear()
    BENCH_ENV.update(bench_env(name, anchor_file="partner-api-anchors.log"))
    BENCH_ENV["OPENCSC_PARTNER_API_PER_MINUTE"] = "100000000"


use_database(DB_NAME)


def manage(*args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, check=True, env={**os.environ, **BENCH_ENV}, stdout=subprocess.DEVNULL
    )


def prepare(checks: int, reseed: bool, bulk: bool | None = None) -> tuple[str, list[int]]:
    """Seed if needed, make sure `checks` checks wait for the police, and return a fresh API key and
    the ids of the checks waiting.

    The checks are the fixture, not what is measured. Made through the real services (`contact_create`,
    `mash_triage_record`, `check_send`, each audited) when `bulk` is False, or by default when at most
    BULK_ABOVE are missing; otherwise in bulk by `opencsc.demo.bench_checks.checks_bulk_send`: the same
    rows in the same state (held to the services by opencsc/demo/tests/test_bench_checks.py) without the
    preparation's audit events, a few thousand to a transaction."""
    if ensure_database(DB_NAME, recreate=reseed):
        manage("migrate", "--noinput")
        manage("seed_demo", "--children", "60", "--seed", "16")
    os.environ.update(BENCH_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from opencsc.accounts.models import Role, User
    from opencsc.audit.services import Actor
    from opencsc.partners.credentials import credential_issue
    from opencsc.people.selectors import caseload_for_user
    from opencsc.sharing.models import Agency, CheckRequest, CheckStatus

    police = Agency.objects.get(name=POLICE)
    mash = User.objects.get(username="mash.demo")
    waiting = list(CheckRequest.objects.filter(agency=police, status=CheckStatus.SENT).values_list("pk", flat=True))
    workers = list(User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True).order_by("pk"))
    children = [(w, a.person) for w in workers for a in caseload_for_user(w) if a.person.is_child][:400]
    missing = max(0, checks - len(waiting))
    in_bulk = missing > BULK_ABOVE if bulk is None else bulk
    started = time.monotonic()
    if missing and in_bulk:
        from opencsc.demo.bench_checks import checks_bulk_send

        waiting += checks_bulk_send(mash=mash, agency=police, pairs=children, count=missing)
    elif missing:
        waiting += [_send_one(mash, police, *children[i % len(children)]).pk for i in range(missing)]
    how = "in bulk, without the preparation's audit events" if in_bulk else "through the services"
    print(f"  {len(waiting):,} checks waiting ({missing:,} made now {how} in {time.monotonic() - started:.1f} s)")
    _, key = credential_issue(
        actor=Actor.system("bench"),
        agency=police,
        label="bench",
        scopes=["checks:read", "checks:answer", "views:read"],
    )
    from django.db import connections

    connections.close_all()
    return key, waiting


def _send_one(mash: Any, police: Any, worker: Any, child: Any) -> Any:
    """One check through the real services, each audited: a contact, its triage, the check sent."""
    from opencsc.demo.bench_checks import check_send_through_services

    return check_send_through_services(worker=worker, mash=mash, child=child, agency=police)


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


def drive(
    base: str,
    key: str,
    queue: list[int],
    lock: threading.Lock,
    measure_from: float,
    stop_at: float,
    out: list[Sample],
    think: float,
) -> None:
    """One client: list, read one, answer one, then wait `think` seconds on average (0: none). Calls
    started before `measure_from` (the warm-up: the server's workers opening their connections and
    filling their caches) are made but not recorded."""
    rng = random.Random(threading.get_ident())
    if think > 0:
        time.sleep(rng.uniform(0, think))  # clients do not all start at the same instant
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    reads = list(queue[:200])
    n = 0

    def call(endpoint: str, method: str, url: str, **kwargs: Any) -> None:
        started = time.perf_counter()
        response = session.request(method, base + url, timeout=30, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        if time.monotonic() - elapsed / 1000 < measure_from:
            return
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
        if think > 0:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


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


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=DB_NAME, help="PostgreSQL database (env OPENCSC_BENCH_DB; default %(default)s)")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--bulk",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"make the checks in bulk (default: when more than {BULK_ABOVE:,} are missing)",
    )
    parser.add_argument("--prepare-only", action="store_true", help="prepare the checks, then stop (no load)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of calls made but not recorded first")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause of a client between rounds, s (0: saturation)"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    add_database_options(parser)
    args = parser.parse_args()
    use_database(args.db)
    print(f"Preparing {DB_NAME} ...")
    key, waiting = prepare(args.checks, args.reseed, args.bulk)
    if args.prepare_only:
        return
    port = free_port()
    server = start_server(port, args.workers)
    samples: list[Sample] = []
    lock = threading.Lock()
    try:
        measure_from = time.monotonic() + args.warmup
        stop_at = measure_from + args.duration
        base = f"http://127.0.0.1:{port}"
        run = run_threads(args.clients, drive, base, key, waiting, lock, measure_from, stop_at, samples, args.think)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = summarise(samples, run["seconds"] - args.warmup)
    result["load_average"] = run["load_average"]
    result["clients"], result["workers"], result["think_seconds"] = args.clients, args.workers, args.think
    result["warmup_seconds"] = args.warmup
    write_result("partner-api", result, samples)


if __name__ == "__main__":
    main()
