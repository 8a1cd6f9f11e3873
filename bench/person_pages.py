"""Person record page and person search under load: 20 signed-in workers against a real WSGI server.

What it does (issue 2, "Measured"):

1. Creates the PostgreSQL database `opencsc_bench` if needed, migrates it, and seeds it with the
   synthetic demo borough (`seed_demo`) until it holds at least --persons people (children and the
   adults in their families, about 1.8 persons per child). An existing bench database that already
   has enough people is reused; --reseed drops it and seeds again. Then VACUUM ANALYZE, as autovacuum
   would (statistics, and the visibility map that index-only scans need).
2. Starts gunicorn (sync workers, 2 x cores + 1 by default) on 127.0.0.1 with production behaviour:
   DEBUG off, MFA on, every security middleware (static files unhashed: see bench/settings.py); only TLS is off
   (SECURE_SSL_REDIRECT=False, SECURE_COOKIES=False). OPENCSC_ENVIRONMENT=development so that the
   demo seed may run. Keys are fixed bench-only values (synthetic data only).
3. Signs in --users social workers and team managers of the seeded borough by writing their sessions
   directly (as django.test.Client.force_login does) with a confirmed TOTP device id in the session,
   so every request passes the second-factor middleware as a verified user would.
4. Drives the users concurrently (one thread each, closed loop with think time) for --duration
   seconds after --warmup seconds: open a person record in the user's scope (50%), search by name
   prefix (20%), by date of birth (15%), by NHS number (15%). Loopback only; bounded time and count.
5. Prints requests, errors, p50/p95/p99 (client time, and server time from the `Server-Timing` header
   that core.middleware.ServerTimingMiddleware adds) for the person page and person search, and the
   share of server time spent appending to the audit chain. Writes the raw figures to bench/out/.

Run (PostgreSQL 15 on 127.0.0.1:5432, trust auth for user postgres):

    .venv/bin/python bench/person_pages.py                 # seed if needed, then the standard run
    .venv/bin/python bench/person_pages.py --reseed        # drop and seed the bench database again
    .venv/bin/python bench/person_pages.py --think 0       # no think time: saturation, not users
    .venv/bin/python bench/person_pages.py --seed-only     # just prepare the database

Needs the dev extras (gunicorn, requests). Run it when the machine is otherwise quiet: the load
average at the start and end of the measured window is printed with the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, free_port, percentile

PYTHON = sys.executable
DB_NAME = os.environ.get("OPENCSC_BENCH_DB", "opencsc_bench")  # another name: prepare a second copy
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# Persons per `seed_demo --children N`: each statutory child's family (about 1.76 persons) plus two
# early-help-only children and their families (issue 13): 318,069 persons for N = 57,143 at seed 2026.
PERSONS_PER_CHILD = 5.5
BENCH_ENV = bench_env(DB_NAME, anchor_file="audit-anchors.log")
os.environ.update(BENCH_ENV)
sys.path.insert(0, str(ROOT))


# --- database ------------------------------------------------------------------------------------
def manage(*args: str, quiet: bool = False) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL if quiet else None)


def person_count() -> int:
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*) FROM people_person").fetchone()
    return int(row[0]) if row else 0


def analyze() -> None:
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def prepare_database(persons: int, reseed: bool) -> dict[str, Any]:
    ensure_database(DB_NAME, recreate=reseed)
    manage("migrate", "--noinput", quiet=True)
    have = person_count()
    seeded: dict[str, Any] = {"persons": have, "seed_seconds": None, "reused": True}
    if have >= persons:
        print(f"Reusing {DB_NAME}: {have:,} persons (use --reseed to build it again).")
        analyze()  # statistics for indexes a migration may just have added (autovacuum's job, done now)
        return seeded
    if have:
        raise SystemExit(f"{DB_NAME} has {have:,} persons, fewer than {persons:,}: run again with --reseed")
    children = math.ceil(persons / PERSONS_PER_CHILD * 1.02)
    print(f"Seeding {DB_NAME} with the demo borough: {children:,} children and their families...", flush=True)
    started = time.perf_counter()
    # The targets' digests are computed before each run (refresh_digests below), not the borough's.
    manage("seed_demo", "--children", str(children), "--seed", "2026", "--no-digests")
    seed_seconds = time.perf_counter() - started
    analyze()
    have = person_count()
    print(f"Seeded {have:,} persons in {seed_seconds:.0f} s (plus VACUUM ANALYZE).")
    if have < persons:
        raise SystemExit(f"the seed gave {have:,} persons, fewer than {persons:,}")
    return {"persons": have, "seed_seconds": round(seed_seconds, 1), "reused": False}


# --- users, sessions and what each user looks at -------------------------------------------------
@dataclass
class Target:
    person_id: int
    last_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    is_child: bool = False


@dataclass
class BenchUser:
    username: str
    role: str
    session_key: str
    targets: list[Target] = field(default_factory=list)


def prepare_users(count: int, seed: int) -> list[BenchUser]:
    """Sessions for social workers and team managers, signed in and second-factor verified."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencsc.accounts import access
    from opencsc.accounts.models import Role, User

    rng = random.Random(seed)
    managers = list(
        User.objects.filter(role=Role.TEAM_MANAGER, team__allocations__isnull=False).distinct().order_by("username")
    )
    workers = list(
        User.objects.filter(role=Role.SOCIAL_WORKER, allocations__isnull=False).distinct().order_by("username")
    )
    mash = list(User.objects.filter(role=Role.MASH_PRACTITIONER, is_active=True).order_by("username"))
    n_mash = min(len(mash), max(1, count // 10))  # the front door: a tenth of the users work the MASH queue
    n_managers = min(len(managers), max(1, count * 3 // 10))
    chosen = mash[:n_mash] + managers[:n_managers] + workers[: count - n_managers - n_mash]
    if len(chosen) < count:
        raise SystemExit(f"the seeded borough has only {len(chosen)} social workers and managers with a caseload")
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    users = []
    for user in chosen:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        request = HttpRequest()
        request.session = store_class()
        login(request, user, backend="opencsc.accounts.backends.UserWithTeamBackend")
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.session["last_seen"] = int(time.time())
        request.session.save()
        ids = list(access.visible_persons(user).values_list("pk", flat=True))
        sample = rng.sample(ids, min(len(ids), 400))
        people = (
            access.visible_persons(user)
            .filter(pk__in=sample)
            .only("pk", "last_name", "date_of_birth", "nhs_number", "is_child")
        )
        targets = [Target(p.pk, p.last_name, p.date_of_birth, p.nhs_number, p.is_child) for p in people]
        users.append(BenchUser(user.username, user.role, request.session.session_key or "", targets))
        print(f"  {user.username:<24} {user.role:<16} {len(ids):>6,} persons in scope")
    return users


def refresh_digests(users: list[BenchUser]) -> None:
    """Compute the stored digests (issue 11) of the people the users will open, as the nightly
    `manage.py refresh_digests` would have done for the caseloads, so the run measures the pages as
    they are read on a working day rather than the first read of each record today."""
    from opencsc.returns.build.digests import refresh

    among = sorted({t.person_id for u in users for t in u.targets})
    started = time.perf_counter()
    done = refresh(among=among)
    print(
        f"Stored digests for {len(among):,} target persons: {done} ({time.perf_counter() - started:.0f} s)", flush=True
    )


# --- server --------------------------------------------------------------------------------------
def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "gunicorn.log").open("ab")
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
            raise SystemExit(f"gunicorn exited with {proc.returncode}: see {OUT / 'gunicorn.log'}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/account/login/", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- load ----------------------------------------------------------------------------------------
@dataclass
class Sample:
    kind: str  # "page" or "search"
    what: str  # page, name, dob, nhs
    started: float
    client_ms: float
    server_ms: float | None
    audit_ms: float
    ok: bool
    status: int


def parse_server_timing(header: str) -> tuple[float | None, float]:
    total, audit = None, 0.0
    for entry in header.split(","):
        name, _, rest = entry.strip().partition(";dur=")
        if not rest:
            continue
        if name == "total":
            total = float(rest)
        elif name == "audit":
            audit = float(rest)
    return total, audit


def request_for(user: BenchUser, rng: random.Random) -> tuple[str, str, dict[str, str]]:
    target = rng.choice(user.targets)
    roll = rng.random()
    if user.role == "mash_practitioner" and roll < 0.50:  # the MASH queue (issue 11)
        return "page", "mash", {}
    if roll < 0.25:
        return "page", "page", {}
    if roll < 0.50:  # the casework page of a child in scope (both carry the summary, issue 11)
        return "page", "casework", {}
    if roll < 0.70 or (target.date_of_birth is None and not target.nhs_number):
        prefix = target.last_name[: rng.choice((3, 4, 5))]
        return "search", "name", {"name": prefix}
    if roll < 0.85 and target.date_of_birth:
        dob = target.date_of_birth
        return (
            "search",
            "dob",
            {"date_of_birth_0": str(dob.day), "date_of_birth_1": str(dob.month), "date_of_birth_2": str(dob.year)},
        )
    if target.nhs_number:
        return "search", "nhs", {"nhs_number": target.nhs_number}
    return "search", "name", {"name": target.last_name[:4]}


def drive(user: BenchUser, base: str, stop_at: float, think: float, seed: int, out: list[Sample]) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.cookies.set("sessionid", user.session_key, domain="127.0.0.1")
    time.sleep(rng.uniform(0, max(think, 0.2)))  # users do not all start at the same instant
    while time.monotonic() < stop_at:
        kind, what, params = request_for(user, rng)
        if what == "mash":
            url = f"{base}/casework/front-door/"
        elif what == "casework":
            url = f"{base}/casework/{rng.choice([t for t in user.targets if t.is_child] or user.targets).person_id}/"
        elif kind == "page":
            url = f"{base}/people/{rng.choice(user.targets).person_id}/"
        else:
            url = f"{base}/people/"
        started = time.monotonic()
        try:
            response = session.get(url, params=params, timeout=30, allow_redirects=False)
            client_ms = (time.monotonic() - started) * 1000
            server_ms, audit_ms = parse_server_timing(response.headers.get("Server-Timing", ""))
            ok = response.status_code == 200 and b"govuk-" in response.content
            out.append(Sample(kind, what, started, client_ms, server_ms, audit_ms, ok, response.status_code))
        except requests.RequestException:
            out.append(Sample(kind, what, started, (time.monotonic() - started) * 1000, None, 0.0, False, 0))
        if think > 0:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "requests": len(samples),
        "errors": sum(not s.ok for s in samples),
        "throughput_rps": round(len(samples) / seconds, 1),
    }
    for kind in ("page", "search"):
        rows = [s for s in samples if s.kind == kind and s.ok]
        client = [s.client_ms for s in rows]
        server = [s.server_ms for s in rows if s.server_ms is not None]
        result[kind] = {
            "requests": sum(s.kind == kind for s in samples),
            "errors": sum(s.kind == kind and not s.ok for s in samples),
            "client_ms": {f"p{q}": round(percentile(client, q), 1) for q in (50, 95, 99)},
            "server_ms": {f"p{q}": round(percentile(server, q), 1) for q in (50, 95, 99)},
            "client_mean_ms": round(statistics.fmean(client), 1) if client else None,
            "audit_share": round(sum(s.audit_ms for s in rows) / sum(server), 3) if server else None,
            "audit_ms": {f"p{q}": round(percentile([s.audit_ms for s in rows], q), 1) for q in (50, 95, 99)},
        }
    timed = [s for s in samples if s.ok and s.server_ms]
    total_server = sum(s.server_ms or 0 for s in timed)
    result["audit_share"] = round(sum(s.audit_ms for s in timed) / total_server, 3) if total_server else None
    by_what: dict[str, dict[str, float]] = {}
    for what in ("page", "casework", "mash", "name", "dob", "nhs"):
        rows = [s for s in samples if s.what == what and s.ok and s.server_ms is not None]
        by_what[what] = {
            "n": len(rows),
            "server_p95_ms": round(percentile([s.server_ms or 0 for s in rows], 95), 1),
            "client_p95_ms": round(percentile([s.client_ms for s in rows], 95), 1),
        }
    result["by_request"] = by_what
    return result


def print_results(result: dict[str, Any]) -> None:
    print()
    print(
        f"requests {result['requests']:,}  errors {result['errors']}  "
        f"throughput {result['throughput_rps']} req/s  audit share of server time {result['audit_share']:.1%}"
    )
    print(
        f"{'':14}{'n':>7}{'err':>5}  {'client p50/p95/p99 ms':>24}  {'server p50/p95/p99 ms':>24}  {'audit share':>11}"
    )
    for kind, label in (("page", "person page"), ("search", "person search")):
        row = result[kind]
        client = "/".join(f"{row['client_ms'][f'p{q}']:.1f}" for q in (50, 95, 99))
        server = "/".join(f"{row['server_ms'][f'p{q}']:.1f}" for q in (50, 95, 99))
        share = f"{row['audit_share']:.1%}" if row["audit_share"] is not None else "-"
        print(f"{label:14}{row['requests']:>7}{row['errors']:>5}  {client:>24}  {server:>24}  {share:>11}")
    print(
        "by request (p95 client / server ms): "
        + ", ".join(
            f"{what} {v['client_p95_ms']}/{v['server_p95_ms']} (n={v['n']})" for what, v in result["by_request"].items()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")
    parser.add_argument("--seed-only", action="store_true", help="prepare the database, then stop")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=7, help="random seed for users' choices")
    parser.add_argument("--cold", action="store_true", help="do not compute the targets' stored digests first")
    args = parser.parse_args()
    if not 1 <= args.users <= 50 or not 1 <= args.duration <= 900:
        raise SystemExit("--users must be 1..50 and --duration 1..900 s")

    database = prepare_database(args.persons, args.reseed)
    if args.seed_only:
        return
    print(f"Signing in {args.users} users (sessions written directly, second factor verified):")
    users = prepare_users(args.users, args.seed)
    if not args.cold:
        refresh_digests(users)
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        samples: list[Sample] = []
        lists: list[list[Sample]] = [[] for _ in users]
        started = time.monotonic()
        measure_from = started + args.warmup
        stop_at = measure_from + args.duration
        load_before = os.getloadavg()
        print(
            f"Driving {len(users)} users for {args.warmup:.0f} s warm-up + {args.duration:.0f} s "
            f"(think time {args.think} s, gunicorn {args.workers} sync workers) on {base} "
            f"- load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}",
            flush=True,
        )
        threads = [
            threading.Thread(
                target=drive, args=(u, base, stop_at, args.think, args.seed * 1000 + i, lists[i]), daemon=True
            )
            for i, u in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.warmup + args.duration + 60)
        load_after = os.getloadavg()
    finally:
        stop_server(server)
    samples = [s for rows in lists for s in rows if s.started >= measure_from]
    result = summarise(samples, args.duration)
    result.update(
        {
            "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname()[i] for i in (0, 2, 4))},
            "load_average_start": [round(x, 2) for x in load_before],
            "load_average_end": [round(x, 2) for x in load_after],
            "args": vars(args),
            "database": database,
            "users": [{"username": u.username, "role": u.role} for u in users],
        }
    )
    print_results(result)
    print(f"load average at start {load_before[0]:.2f}, at end {load_after[0]:.2f} (1 min)")
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"person_pages-{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    (OUT / f"person_pages-{stamp}-samples.json").write_text(json.dumps([asdict(s) for s in samples]))


if __name__ == "__main__":
    main()
