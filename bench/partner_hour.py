"""An hour's partner traffic, paced: requests for support and check answers arriving at the rate of
10,000 referrals plus 30,000 check answers an hour, against a real WSGI server on PostgreSQL.

What it does (issue 16, "Measured": "a sustained 10,000 referrals plus 30,000 check answers in an hour
on this machine with 0 errors"):

1. Prepares the database of `bench/partner_api.py` (`opencsc_bench_api`; --db or OPENCSC_BENCH_DB for
   another): enough MASH checks waiting for the police's public protection unit for the run (30,000 an
   hour x --minutes), and API keys for the police (answers) and the health visiting service
   (referrals). The checks are the fixture, not what is measured: more than 2,000 are made in bulk
   (`opencsc/demo/bench_checks.py`: the rows the services write, in the same state, without the
   preparation's audit events; 30,000 in about a minute); --no-bulk makes them through the services
   (contact, triage, `check_send`, each audited: ~2.5 a second on the shared machine).
2. Starts gunicorn with production behaviour (DEBUG off, every middleware; TLS off; the per-key rate
   limit raised out of the way: it is tested, not benchmarked).
3. Open loop: each request has a time it is due (referrals every 0.36 s, answers every 0.12 s, at the
   hourly rates scaled by --rate); a pool of --threads clients sends each one when it falls due. Time is
   counted from when the request was due, not when a client got round to it, so a server that falls
   behind shows it in the figures (no coordinated omission). Half the referrals are about children the
   borough knows, half about new children; every POST carries its own Idempotency-Key.
4. Prints, per stream, the number sent, errors, p50 / p95 / p99 from due time, the largest lag between
   due and sent, and the rate achieved scaled to an hour. Raw figures go to bench/out/.

    .venv/bin/python bench/partner_hour.py --minutes 5
    .venv/bin/python bench/partner_hour.py --minutes 60          # the full hour
    OPENCSC_BENCH_DB=opencsc_bench_mine .venv/bin/python bench/partner_hour.py --minutes 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import os
import random
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import partner_api
from _common import free_port, percentile, run_threads, write_result

REFERRALS_PER_HOUR = 10_000
ANSWERS_PER_HOUR = 30_000
HEALTH = "Exampleton Health Visiting Service"


@dataclass
class Sample:
    stream: str
    due: float  # seconds from the start
    lag_ms: float  # due -> sent
    total_ms: float  # due -> answered
    status: int


def referral_body(n: int, known: tuple[str, str, str] | None) -> dict[str, Any]:
    rng = random.Random(n)
    first, last, born = known or (
        rng.choice(["Ada", "Bea", "Cal", "Dev", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jem"]),
        f"Benchhour{n}",
        (dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 5000))).isoformat(),
    )
    return {
        "child_first_name": first,
        "child_last_name": last,
        "child_date_of_birth": born,
        "address_line1": f"{n} Bench Street",
        "address_town": "Exampleton",
        "address_postcode": "ZZ9 9ZZ",
        "concern": "Synthetic concern for the hourly benchmark",
        "why_now": "Benchmark",
        "consent_given": True,
        "family_told": "Benchmark",
        "referrer_name": "Bench Visitor",
        "referrer_role": "Health visitor",
        "referrer_phone": "01632 960999",
        "referrer_email": "bench@example.org",
    }


def schedule(seconds: float, rate: float, checks: list[int], known: list[tuple[str, str, str]]) -> list[tuple]:
    """Every request of the run with the time it falls due: (due, stream, payload)."""
    plan: list[tuple] = []
    step = 3600 / (REFERRALS_PER_HOUR * rate)
    n = 0
    while n * step < seconds:
        person = known[n % len(known)] if n % 2 == 0 and known else None
        plan.append((n * step, "referral", referral_body(n, person)))
        n += 1
    step = 3600 / (ANSWERS_PER_HOUR * rate)
    for i, check_id in enumerate(checks):
        if i * step >= seconds:
            break
        plan.append((i * step + step / 2, "answer", check_id))
    heapq.heapify(plan)
    return plan


def drive(base: str, keys: dict[str, str], plan: list[tuple], lock: threading.Lock, t0: float, out: list[Sample]):
    sessions = {stream: requests.Session() for stream in keys}
    for stream, session in sessions.items():
        session.headers["Authorization"] = f"Bearer {keys[stream]}"
    while True:
        with lock:
            if not plan:
                return
            due, stream, payload = heapq.heappop(plan)
        wait = t0 + due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        sent = time.monotonic()
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        try:
            if stream == "referral":
                response = sessions[stream].post(base + "/api/v1/referrals/", json=payload, headers=headers, timeout=60)
            else:
                response = sessions[stream].post(
                    base + f"/api/v1/checks/{payload}/answer/",
                    json={"summary": "Bench: nothing known to us"},
                    headers=headers,
                    timeout=60,
                )
            status = response.status_code
        except requests.RequestException:
            status = 599
        done = time.monotonic()
        out.append(Sample(stream, due, (sent - t0 - due) * 1000, (done - t0 - due) * 1000, status))


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    result: dict[str, Any] = {"seconds": round(seconds, 1)}
    for stream, expected in (("referral", 201), ("answer", 201)):
        rows = [s for s in samples if s.stream == stream]
        if not rows:
            continue
        totals = [s.total_ms for s in rows]
        result[stream] = {
            "sent": len(rows),
            "errors": sum(1 for s in rows if s.status != expected),
            "statuses": {str(k): sum(1 for s in rows if s.status == k) for k in sorted({s.status for s in rows})},
            "p50_ms": round(statistics.median(totals), 1),
            "p95_ms": round(percentile(totals, 95), 1),
            "p99_ms": round(percentile(totals, 99), 1),
            "max_lag_ms": round(max(s.lag_ms for s in rows), 1),
            "per_hour_achieved": round(len(rows) / seconds * 3600),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--rate", type=float, default=1.0, help="multiple of the hourly rates (1 = the target)")
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    partner_api.add_database_options(parser)
    args = parser.parse_args()
    partner_api.use_database(args.db)
    seconds = args.minutes * 60
    needed = int(ANSWERS_PER_HOUR * args.rate * seconds / 3600) + 1
    print(f"Preparing {partner_api.DB_NAME}: {needed:,} checks waiting ...")
    police_key, waiting = partner_api.prepare(needed, args.reseed, args.bulk)
    if args.prepare_only:
        return
    health_key, known = referral_fixture()
    plan = schedule(seconds, args.rate, sorted(waiting), known)
    port = free_port()
    server = partner_api.start_server(port, args.workers)
    samples: list[Sample] = []
    lock = threading.Lock()
    try:
        # Warm every worker (imports, connections) so the run measures steady traffic, not start-up.
        warm = requests.Session()
        warm.headers["Authorization"] = f"Bearer {police_key}"
        for _ in range(10 * args.workers):
            warm.get(f"http://127.0.0.1:{port}/api/v1/checks/", timeout=60)
        t0 = time.monotonic() + 1
        keys = {"referral": health_key, "answer": police_key}
        run = run_threads(args.threads, drive, f"http://127.0.0.1:{port}", keys, plan, lock, t0, samples)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = summarise(samples, max(run["seconds"] - 1, seconds))
    result["target_per_hour"] = {"referral": REFERRALS_PER_HOUR * args.rate, "answer": ANSWERS_PER_HOUR * args.rate}
    result["load_average"] = run["load_average"]
    result["threads"], result["workers"] = args.threads, args.workers
    write_result("partner-hour", result, samples)


def referral_fixture() -> tuple[str, list[tuple[str, str, str]]]:
    """An API key of the health visiting service for referrals, and 50 children the borough knows."""
    from django.db import connections

    from opencsc.audit.services import Actor
    from opencsc.partners.credentials import credential_issue
    from opencsc.people.models import Person
    from opencsc.sharing.models import Agency

    _, health_key = credential_issue(
        actor=Actor.system("bench"),
        agency=Agency.objects.get(name=HEALTH),
        label="bench-hour",
        scopes=["referrals:submit", "referrals:read"],
    )
    known = [
        (p.first_name, p.last_name, p.date_of_birth.isoformat())
        for p in Person.objects.filter(is_child=True, date_of_birth__isnull=False, is_restricted=False)[:50]
    ]
    connections.close_all()
    return health_key, known


if __name__ == "__main__":
    main()
