"""The work tray and the family help plan pages under load: 20 signed-in Family Help practitioners
against a real WSGI server, on PostgreSQL, with the demo borough and its early help (issue 13,
"Measured").

Reuses `person_pages.py`'s database, server and session machinery (read its docstring). The database
is `OPENCSC_BENCH_DB` (default `opencsc_issue13_bench`), seeded with `seed_demo --children N`: N
children in the statutory journeys plus two early-help-only children each (`demo.early_help`), so
`--children 7000` gives about 21,000 children. Each user is a Family Help Hub practitioner with their
own caseload and review tasks; they request their work tray (40%), the casework page of a child whose
family's plan is open (40%: the plan, goals, reviews and timescales), or that plan's review page
(20%). Prints p50/p95/p99 server and client times for each and writes bench/out/.

    .venv/bin/python bench/family_help_pages.py --children 7000          # seed if needed, then run
    .venv/bin/python bench/family_help_pages.py --children 7000 --reseed
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENCSC_BENCH_DB", "opencsc_issue13_bench")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import person_pages as pp
import requests
from _common import OUT, ensure_database, free_port, percentile


def prepare(children: int, reseed: bool) -> dict[str, Any]:
    ensure_database(pp.DB_NAME, recreate=reseed)
    pp.manage("migrate", "--noinput", quiet=True)
    have = pp.person_count()
    if have:
        print(f"Reusing {pp.DB_NAME}: {have:,} persons (use --reseed to build it again).")
        pp.analyze()
        return {"persons": have, "seed_seconds": None, "reused": True}
    print(f"Seeding {pp.DB_NAME}: {children:,} children in journeys, and their early help...", flush=True)
    started = time.perf_counter()
    pp.manage("seed_demo", "--children", str(children), "--seed", "2026", "--no-digests")
    seconds = time.perf_counter() - started
    pp.analyze()
    return {"persons": pp.person_count(), "seed_seconds": round(seconds, 1), "reused": False}


def prepare_users(count: int) -> list[dict[str, Any]]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import login
    from django.db.models import Count
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencsc.accounts.models import TeamKind, User
    from opencsc.casework.models import FamilyHelpPlan, HelpEpisode
    from opencsc.people.models import Person

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    leads = list(
        User.objects.filter(team__kind=TeamKind.FAMILY_HELP, is_active=True)
        .annotate(tasks=Count("casework_tasks"))
        .filter(tasks__gt=0)
        .order_by("username")[:count]
    )
    users = []
    for user in leads:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        request = HttpRequest()
        request.session = store_class()
        login(request, user, backend="opencsc.accounts.backends.UserWithTeamBackend")
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.session["last_seen"] = int(time.time())
        request.session.save()
        episodes = HelpEpisode.objects.filter(lead_practitioner=user, end_date__isnull=True)
        plans = list(
            FamilyHelpPlan.objects.filter(episode__in=episodes, end_date__isnull=True).values_list("child_id", "pk")
        )
        users.append({"username": user.username, "session": request.session.session_key, "plans": plans})
        caseload = Person.objects.filter(allocations__worker=user).count()
        print(f"  {user.username:<24} {caseload:>5} children allocated, {len(plans):>4} open plans")
    if len(users) < count:
        raise SystemExit(f"only {len(users)} Family Help practitioners with work: seed more children")
    return users


def drive(user: dict[str, Any], base: str, stop_at: float, think: float, seed: int, out: list[dict[str, Any]]) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.cookies.set("sessionid", user["session"], domain="127.0.0.1")
    time.sleep(rng.uniform(0, max(think, 0.2)))
    while time.monotonic() < stop_at:
        roll = rng.random()
        child, plan = rng.choice(user["plans"])
        if roll < 0.4:
            what, url = "tray", f"{base}/casework/tray/"
        elif roll < 0.8:
            what, url = "plan_casework", f"{base}/casework/{child}/"
        else:
            what, url = "plan_review", f"{base}/casework/{child}/record/help-review/{plan}/"
        started = time.monotonic()
        try:
            response = session.get(url, timeout=30, allow_redirects=False)
            client_ms = (time.monotonic() - started) * 1000
            server_ms, _ = pp.parse_server_timing(response.headers.get("Server-Timing", ""))
            ok = response.status_code == 200 and b"govuk-" in response.content
        except requests.RequestException:
            client_ms, server_ms, ok = (time.monotonic() - started) * 1000, None, False
        out.append({"what": what, "started": started, "client_ms": client_ms, "server_ms": server_ms, "ok": ok})
        if think > 0:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"requests": len(samples), "errors": sum(not s["ok"] for s in samples)}
    for what in ("tray", "plan_casework", "plan_review"):
        rows = [s for s in samples if s["what"] == what and s["ok"]]
        server = [s["server_ms"] for s in rows if s["server_ms"] is not None]
        client = [s["client_ms"] for s in rows]
        result[what] = {
            "n": len(rows),
            "server_ms": {f"p{q}": round(percentile(server, q), 1) for q in (50, 95, 99)},
            "client_ms": {f"p{q}": round(percentile(client, q), 1) for q in (50, 95, 99)},
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=7000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    if not 1 <= args.users <= 50 or not 1 <= args.duration <= 900:
        raise SystemExit("--users must be 1..50 and --duration 1..900 s")
    database = prepare(args.children, args.reseed)
    print(f"Signing in {args.users} Family Help practitioners:")
    users = prepare_users(args.users)
    port = free_port()
    server = pp.start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    lists: list[list[dict[str, Any]]] = [[] for _ in users]
    try:
        measure_from = time.monotonic() + args.warmup
        stop_at = measure_from + args.duration
        load_before = os.getloadavg()
        threads = [
            threading.Thread(target=drive, args=(u, base, stop_at, args.think, 1000 + i, lists[i]), daemon=True)
            for i, u in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.warmup + args.duration + 60)
        load_after = os.getloadavg()
    finally:
        pp.stop_server(server)
    samples = [s for rows in lists for s in rows if s["started"] >= measure_from]
    result = summarise(samples)
    result.update(
        {
            "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_average_start": [round(x, 2) for x in load_before],
            "load_average_end": [round(x, 2) for x in load_after],
            "args": vars(args),
            "database": database,
        }
    )
    print(json.dumps({k: v for k, v in result.items() if k not in ("args",)}, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"family_help_pages-{stamp}.json").write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
