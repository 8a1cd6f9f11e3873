"""Where one partner API call's time goes: the calls of `bench/partner_api.py` served in process.

Uses the database `bench/partner_api.py` prepares (`--db`, or OPENCSC_BENCH_DB; prepare it first with
`partner_api.py --db NAME --prepare-only`), issues the police a fresh key, and makes the calls one
partner round makes, sequentially, one client, no network, through every middleware (Django's test
client): list the checks, read one in full, answer one (with its own Idempotency-Key). Each answer
uses up one waiting check.

    .venv/bin/python bench/profile_api.py --db opencsc_bench_api                   # CPU median / p95, queries
    .venv/bin/python bench/profile_api.py --db opencsc_bench_api --profile answer  # cProfile of the answers
    .venv/bin/python bench/profile_api.py --db opencsc_bench_api --queries list    # the SQL of one list

CPU is the process's own (`time.process_time`): Python, not PostgreSQL's work on the other side of
the socket. It answers "how much CPU does one call cost, and how many round trips", which the load
test cannot: under load the latency is that cost plus queueing for the cores.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KINDS = ["list", "detail", "answer"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="the database partner_api.py prepared (default: its default)")
    parser.add_argument("--rounds", type=int, default=60, help="list/detail/answer rounds (default 60)")
    parser.add_argument("--profile", choices=KINDS, help="print a cProfile of this kind of call")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative (default) or tottime")
    parser.add_argument("--queries", choices=KINDS, help="print the SQL of one call of this kind")
    args = parser.parse_args()

    import partner_api

    if args.db:
        partner_api.use_database(args.db)
    os.environ.update(partner_api.BENCH_ENV)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from opencsc.audit.services import Actor
    from opencsc.partners.credentials import credential_issue
    from opencsc.sharing.models import Agency, CheckRequest, CheckStatus

    police = Agency.objects.get(name=partner_api.POLICE)
    _, key = credential_issue(
        actor=Actor.system("bench"), agency=police, label="profile", scopes=["checks:read", "checks:answer"]
    )
    waiting = list(
        CheckRequest.objects.filter(agency=police, status=CheckStatus.SENT)
        .order_by("-pk")
        .values_list("pk", flat=True)[: args.rounds * 2 + 2]
    )
    if len(waiting) < args.rounds * 2 + 2:
        raise SystemExit(f"only {len(waiting)} checks waiting: prepare more with partner_api.py --prepare-only")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def call(kind: str, i: int) -> Any:
        if kind == "list":
            return client.get("/api/v1/checks/")
        if kind == "detail":
            return client.get(f"/api/v1/checks/{waiting[2 * i + 1]}/")
        return client.post(
            f"/api/v1/checks/{waiting[2 * i]}/answer/",
            {"summary": "Bench: nothing known."},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    expected = {"list": 200, "detail": 200, "answer": 201}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    wall: dict[str, list[float]] = {k: [] for k in KINDS}
    queries: dict[str, list[int]] = {k: [] for k in KINDS}
    profiler = cProfile.Profile() if args.profile else None
    shown = False
    for i in range(args.rounds):
        for kind in KINDS:
            with CaptureQueriesContext(connection) as captured:
                if profiler is not None and kind == args.profile and i > 0:
                    profiler.enable()
                started_cpu, started = time.process_time(), time.perf_counter()
                response = call(kind, i)
                cpu[kind].append((time.process_time() - started_cpu) * 1000)
                wall[kind].append((time.perf_counter() - started) * 1000)
                if profiler is not None:
                    profiler.disable()
            if response.status_code != expected[kind]:
                raise SystemExit(f"{kind}: {response.status_code} {response.content[:300]!r}")
            queries[kind].append(len(captured.captured_queries))
            if args.queries == kind and not shown and i > 0:
                shown = True
                for q in captured.captured_queries:
                    print(f"{q['time']:>7} {q['sql'][:400]}")
    print(f"{args.rounds} rounds, first round (warm-up) left out")
    print(f"{'call':<8} {'CPU median':>10} {'CPU p95':>8} {'wall median':>11} {'queries':>8}")
    for kind in KINDS:
        c, w = cpu[kind][1:], wall[kind][1:]
        p95 = sorted(c)[int(len(c) * 0.95) - 1]
        print(
            f"{kind:<8} {statistics.median(c):>8.1f}ms {p95:>6.1f}ms {statistics.median(w):>9.1f}ms"
            f" {statistics.median(queries[kind][1:]):>8.0f}"
        )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])


if __name__ == "__main__":
    main()
