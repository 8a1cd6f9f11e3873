"""Benchmark: computing every indicator for 24 months, and the dashboard under 20 concurrent users,
on a PostgreSQL borough of 60,000 children (issue 15, "Measured").

1. Seeds the demo borough (families and five years of casework journeys, `seed_demo`) into its own
   database, `opencsc_wt15a_bench` (OPENCSC_BENCH_DB to change it), once.
2. Runs `manage.py compute_indicators` (24 months, every indicator) and times it. Target ≤ 30 s.
3. Starts gunicorn with production behaviour and drives 20 signed-in users (team managers and
   performance analysts, second factor verified) for --duration seconds: the dashboard (50%), an
   indicator's page (40%) and an indicator's page for one team (10%), with think time. Reports the
   server's time per request (Server-Timing `total`) and the client's. Target: p95 ≤ 300 ms.

    .venv/bin/python bench/indicators.py                  # seed 60,000 children if needed, then measure
    .venv/bin/python bench/indicators.py --children 5000  # a smaller borough (its own database)
    .venv/bin/python bench/indicators.py --reseed

Writes the figures to bench/out/indicators.json. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, free_port, percentile

PYTHON = sys.executable


def db_name(children: int) -> str:
    base = os.environ.get("OPENCSC_BENCH_DB", "opencsc_wt15a_bench")
    return base if children == 60000 else f"{base}_{children}"


def children_in(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM people_person WHERE is_child").fetchone()
    return int(row[0]) if row else 0


def prepare(name: str, env: dict[str, str], children: int, reseed: bool) -> float | None:
    ensure_database(name, recreate=reseed)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    have = children_in(url)
    if have >= children:
        print(f"Reusing {name}: {have:,} children (use --reseed to build it again).")
        return None
    if have:
        raise SystemExit(f"{name} has {have:,} children, fewer than {children:,}: run with --reseed")
    print(f"Seeding {name}: {children:,} children with families and casework journeys...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "seed_demo", "--children", str(children), "--seed", "2026", "--no-digests"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"Seeded in {seconds:.0f} s.")
    return seconds


def compute(env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", "compute_indicators", "--months", "24", "--no-progress"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    line = done.stdout.strip().splitlines()[-1]
    inner = re.search(r"in ([0-9.]+) s", line)
    print(f"compute_indicators: {line} (process {wall:.1f} s, with Django start-up)")
    return {
        "line": line,
        "compute_seconds": float(inner.group(1)) if inner else None,
        "process_seconds": round(wall, 1),
    }


def sessions(env: dict[str, str], count: int) -> tuple[list[str], list[str], list[int]]:
    """Session keys for `count` users (managers and analysts, in turn), the indicator keys and the teams."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencsc.accounts.models import Role, User
    from opencsc.insight import definitions, selectors

    users = list(User.objects.filter(role__in=[Role.TEAM_MANAGER, Role.PERFORMANCE_ANALYST], is_active=True))
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    keys = []
    for i in range(count):
        user = users[i % len(users)]
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="opencsc.accounts.backends.UserWithTeamBackend")
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.session["last_seen"] = int(time.time())
        request.session.save()
        keys.append(request.session.session_key or "")
    run = selectors.latest_run()
    teams = [t.pk for t in selectors.teams_measured(run)] if run else []
    print(f"{count} sessions for {len(users)} managers and analysts; {len(teams)} teams measured")
    return keys, [i.key for i in definitions.INDICATORS], teams


def drive(
    key: str,
    base: str,
    stop_at: float,
    think: float,
    seed: int,
    indicators: list[str],
    teams: list[int],
    out: list[dict[str, Any]],
) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.cookies.set("sessionid", key, domain="127.0.0.1")
    time.sleep(rng.uniform(0, think))
    while time.monotonic() < stop_at:
        roll = rng.random()
        if roll < 0.5:
            what, url = "dashboard", f"{base}/insight/"
        elif roll < 0.9 or not teams:
            what, url = "indicator", f"{base}/insight/{rng.choice(indicators)}/"
        else:
            what, url = "team", f"{base}/insight/{rng.choice(indicators)}/?team={rng.choice(teams)}"
        started = time.monotonic()
        try:
            response = session.get(url, timeout=30, allow_redirects=False)
            client = (time.monotonic() - started) * 1000
            timing = re.search(r"total;dur=([0-9.]+)", response.headers.get("Server-Timing", ""))
            out.append(
                {
                    "what": what,
                    "client_ms": client,
                    "server_ms": float(timing.group(1)) if timing else None,
                    "ok": response.status_code == 200 and b"govuk-" in response.content,
                }
            )
        except requests.RequestException:
            out.append({"what": what, "client_ms": (time.monotonic() - started) * 1000, "server_ms": None, "ok": False})
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def load(env: dict[str, str], users: int, duration: float, warmup: float, think: float, workers: int) -> dict[str, Any]:
    keys, indicators, teams = sessions(env, users)
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "gunicorn-indicators.log").open("ab")
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "opencsc.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "60", "--chdir", str(ROOT)],
        cwd=ROOT, stdout=log, stderr=log, env={**os.environ, **env},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/account/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("gunicorn did not start: see bench/out/gunicorn-indicators.log")
            time.sleep(0.3)
        samples: list[dict[str, Any]] = []
        stop_at = time.monotonic() + warmup + duration
        threads = [
            threading.Thread(target=drive, args=(k, base, stop_at, think, i, indicators, teams, samples))
            for i, k in enumerate(keys)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    measured = [s for s in samples[int(len(samples) * warmup / (warmup + duration)) :] if s["server_ms"] is not None]
    errors = sum(1 for s in samples if not s["ok"])
    result: dict[str, Any] = {
        "requests": len(samples),
        "errors": errors,
        "seconds": round(time.monotonic() - started, 1),
    }
    for what in ("all", "dashboard", "indicator", "team"):
        rows = [s for s in measured if what in ("all", s["what"])]
        server = [s["server_ms"] for s in rows]
        client = [s["client_ms"] for s in rows]
        result[what] = {
            "n": len(rows),
            "server_p50": round(percentile(server, 50), 1),
            "server_p95": round(percentile(server, 95), 1),
            "client_p95": round(percentile(client, 95), 1),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=60000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--no-load", action="store_true", help="only seed and compute")
    args = parser.parse_args()
    name = db_name(args.children)
    env = bench_env(name, anchor_file=f"audit-anchors-{name}.log")
    seeded = prepare(name, env, args.children, args.reseed)
    figures: dict[str, Any] = {"database": name, "children": args.children, "seed_seconds": seeded}
    figures["load_average_before"] = os.getloadavg()
    figures["compute"] = compute(env)
    if not args.no_load:
        figures["dashboard"] = load(env, args.users, args.duration, args.warmup, args.think, args.workers)
        for what in ("all", "dashboard", "indicator", "team"):
            r = figures["dashboard"][what]
            server = f"server p50 {r['server_p50']} ms, p95 {r['server_p95']} ms"
            print(f"{what:>10}: n={r['n']:>5}  {server}; client p95 {r['client_p95']} ms")
        print(f"requests {figures['dashboard']['requests']}, errors {figures['dashboard']['errors']}")
    figures["load_average_after"] = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "indicators.json").write_text(json.dumps(figures, indent=2, default=str))
    print(f"load average before {figures['load_average_before']}, after {figures['load_average_after']}")


if __name__ == "__main__":
    main()
