"""One child's casework record under load: person record, casework overview, chronology, case notes
and genogram pages for a child with 15 years of history, 10-20 signed-in workers at once, served by
a real WSGI server (waitress, as tests/browser runs it) on PostgreSQL. Issue 3, "Measured".

What it does:

1. Creates the PostgreSQL database `opencsc_bench_casework` if needed, migrates it and seeds a small
   demo borough (`seed_demo --children 1000`) so the tables around the child are not empty.
2. Adds the bench child (unless it is there already; --rebuild drops the database and starts again):
   born 16 years ago, with a history from their first year written by the demo journey builder
   (`opencsc.demo.journeys.JourneyBuilder`, the same rows seed_demo writes): six referral episodes
   with authorised assessments, two child protection plans with core groups, statutory visits and
   review conferences, a child in need plan with reviews, a looked-after period with its episodes
   and reviews (plus six-weekly looked-after visits), and status history for every step; then 2,000
   case notes, 40 curated chronology entries, and a family of 30 people with 60 relationships.
   The child is allocated to a bench team of 16 social workers and a manager, who all see it.
3. Signs those users in by writing MFA-verified sessions (as conftest.py's `signed_in` does: a
   confirmed TOTP device id in the session), starts waitress on 127.0.0.1 with the test settings
   (production settings with a fast password hasher; DEBUG off, MFA on, every middleware, audit on).
4. Drives --users users concurrently for --duration seconds after --warmup seconds, each in a closed
   loop with think time, visiting the five pages in turn; prints p50/p95/p99 per page (client time,
   and server time from the Server-Timing header) and the load average; writes the raw figures to
   bench/out/casework_record.json.

Run (PostgreSQL on 127.0.0.1:5432, trust auth for user postgres):

    .venv/bin/python bench/casework_record.py                 # build if needed, then measure
    .venv/bin/python bench/casework_record.py --users 20 --duration 60
    .venv/bin/python bench/casework_record.py --rebuild       # drop the bench database first

Synthetic data only; bench-only keys. Only loopback traffic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, free_port, percentile

PYTHON = sys.executable
DB_NAME = "opencsc_bench_casework"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
CHILD_ID = "BENCH15Y"  # the bench child's LA child id
TEAM_NAME = "Bench Casework Team"
NOTES = 2000
FAMILY = 30

BENCH_ENV = bench_env(DB_NAME, anchor_file="casework-audit-anchors.log", settings="opencsc.config.test_settings")
os.environ.update(BENCH_ENV)
sys.path.insert(0, str(ROOT))


# --- database ------------------------------------------------------------------------------------
def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def prepare_database(rebuild: bool, borough: int) -> dict[str, Any]:
    new = ensure_database(DB_NAME, recreate=rebuild)
    manage("migrate", "--noinput")
    import django

    django.setup()
    from opencsc.people.models import Person

    facts: dict[str, Any] = {"borough_children": borough}
    if new or not Person.objects.exists():
        started = time.perf_counter()
        manage("seed_demo", "--children", str(borough), "--seed", "2026")
        facts["borough_seed_seconds"] = round(time.perf_counter() - started, 1)
    if not Person.objects.filter(la_child_id=CHILD_ID).exists():
        started = time.perf_counter()
        build_child()
        facts["child_build_seconds"] = round(time.perf_counter() - started, 1)
        with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute("ANALYZE")
    return facts


# --- the bench child -----------------------------------------------------------------------------
def build_child() -> None:
    """The child, their history, notes, chronology and family, in one transaction."""
    from django.db import transaction

    with transaction.atomic():
        child, team, users = _child_and_team()
        _history(child, team, users)
        _notes_and_entries(child, users)
        _family(child)


def _child_and_team() -> tuple[Any, Any, list[Any]]:
    from opencsc.accounts.models import Allocation, AllocationKind, Role, Team, TeamKind, User
    from opencsc.demo.identifiers import test_nhs_number
    from opencsc.people.models import Person
    from opencsc.people.services import nhs_number_index

    today = dt.date.today()
    team = Team.objects.create(name=TEAM_NAME, kind=TeamKind.FAMILY_SUPPORT)
    users = [
        User.objects.create(
            username=f"bench.sw{i:02d}",
            first_name="Bench",
            last_name=f"Worker {i:02d}",
            role=Role.SOCIAL_WORKER,
            team=team,
        )
        for i in range(1, 17)
    ]
    manager = User.objects.create(
        username="bench.tm", first_name="Bench", last_name="Manager", role=Role.TEAM_MANAGER, team=team
    )
    manager.managed_teams.add(team)
    nhs = test_nhs_number(random.Random(15))
    child = Person.objects.create(
        is_child=True,
        first_name="Fifteen",
        last_name="Years",
        sex="F",
        date_of_birth=today.replace(year=today.year - 16) - dt.timedelta(days=40),
        la_child_id=CHILD_ID,
        nhs_number=nhs,
        nhs_number_index=nhs_number_index(nhs),
        ethnicity="WBRI",
    )
    Allocation.objects.create(
        person=child,
        team=team,
        worker=users[0],
        kind=AllocationKind.ALLOCATED_WORKER,
        start_date=today - dt.timedelta(days=15 * 365),
    )
    return child, team, [*users, manager]


def _history(child: Any, team: Any, users: list[Any]) -> None:
    """Six referral episodes from the child's first year, written by the demo journey builder."""
    from opencsc.accounts.models import Allocation
    from opencsc.casework import models as cm
    from opencsc.core.working_days import next_working_day
    from opencsc.demo.journeys import JourneyBuilder

    builder = JourneyBuilder(seed=15, as_of=dt.date.today())
    builder.owner[child.pk] = Allocation.objects.get(person=child)
    day = next_working_day(dt.date.today() - dt.timedelta(days=15 * 365))
    plans = 0
    for outcome in ("cin_plan", "strategy", "looked_after", "cin_plan", "strategy", "cin_plan"):
        ep = builder.add("episodes", cm.ReferralEpisode(child=child, referral_date=day, source="2A", primary_need="N1"))
        builder.event(child, ep, "", "open", day, "Referral received")
        start, authorised = builder.wd(day, 0, 3), builder.wd(day, 20, 40)
        strategy = builder.wd(start, 1, 8)
        builder.assessment(child, ep, start, max(authorised, strategy), outcome)
        if outcome == "strategy":
            closed, plans = builder.protection(child, ep, strategy, authorised, plans)
        elif outcome == "looked_after":
            closed = builder.looked_after(child, ep, authorised)
            _lac_visits(builder, child, ep)
        else:
            closed = builder.cin_plan(child, ep, authorised)
        if closed is None:
            break
        day = next_working_day(closed + dt.timedelta(days=200))
        if day > dt.date.today() - dt.timedelta(days=200):
            break
    builder.write()


def _lac_visits(builder: Any, child: Any, ep: Any) -> None:
    from opencsc.casework import models as cm

    period = next(p for p in reversed(builder.batches["episodes"]) if isinstance(p, cm.PeriodOfCare))
    end = period.end_date or dt.date.today()
    day = period.start_date + dt.timedelta(days=7)
    while day < end:
        builder.add(
            "reviews", cm.Visit(child=child, episode=ep, kind="lac", visit_date=day, seen=True, seen_alone=True)
        )
        day += dt.timedelta(days=42)


def _notes_and_entries(child: Any, users: list[Any]) -> None:
    from opencsc.casework import models as cm

    rng = random.Random(2000)
    first = dt.date.today() - dt.timedelta(days=15 * 365)
    kinds = [k for k, _ in cm.NoteKind.choices]
    notes = [
        cm.CaseNote(
            child=child,
            recorded_by=rng.choice(users),
            kind=rng.choice(kinds),
            note_date=first + dt.timedelta(days=rng.randrange(15 * 365)),
            subject=f"Synthetic note {i + 1}",
            body="Synthetic bench text. " * rng.randint(5, 60),
            third_party=rng.random() < 0.2,
        )
        for i in range(NOTES)
    ]
    cm.CaseNote.objects.bulk_create(notes, batch_size=500)
    cm.ChronologyEntry.objects.bulk_create(
        [
            cm.ChronologyEntry(
                child=child,
                recorded_by=users[0],
                entry_date=first + dt.timedelta(days=i * 135),
                title=f"Significant event {i + 1}",
                detail="Synthetic detail.",
            )
            for i in range(40)
        ]
    )


def _family(child: Any) -> None:
    """30 relatives: parents, step-parents, grandparents, siblings, aunts, uncles and cousins."""
    from opencsc.people.models import Person, Relationship

    rng = random.Random(30)
    plan = (
        [("parent", 35)] * 2
        + [("step_parent", 40)] * 2
        + [("grandparent", 62)] * 4
        + [("sibling", 12)] * 6
        + [("half_sibling", 8)] * 4
        + [("aunt_uncle", 38)] * 6
        + [("cousin", 10)] * 6
    )
    today = dt.date.today()
    people = Person.objects.bulk_create(
        [
            Person(
                is_child=age < 18,
                first_name=f"Relative{i + 1}",
                last_name="Years",
                sex=rng.choice("MF"),
                date_of_birth=today - dt.timedelta(days=age * 365 + rng.randrange(300)),
                ethnicity="WBRI",
            )
            for i, (_kind, age) in enumerate(plan[:FAMILY])
        ]
    )
    links = [Relationship(person=p, relative=child, kind=kind) for p, (kind, _age) in zip(people, plan, strict=False)]
    parents = [p for p, (kind, _a) in zip(people, plan, strict=False) if kind in ("parent", "step_parent")]
    siblings = [p for p, (kind, _a) in zip(people, plan, strict=False) if kind in ("sibling", "half_sibling")]
    links += [Relationship(person=parents[i % len(parents)], relative=s, kind="parent") for i, s in enumerate(siblings)]
    grandparents = [p for p, (kind, _a) in zip(people, plan, strict=False) if kind == "grandparent"]
    links += [Relationship(person=g, relative=parents[i % 2], kind="parent") for i, g in enumerate(grandparents)]
    links += [
        Relationship(person=parents[0], relative=parents[1], kind="former_partner"),
        Relationship(person=parents[0], relative=parents[2], kind="partner"),
        Relationship(person=parents[1], relative=parents[3], kind="partner"),
    ]
    cousins = [p for p, (kind, _a) in zip(people, plan, strict=False) if kind == "cousin"]
    aunts = [p for p, (kind, _a) in zip(people, plan, strict=False) if kind == "aunt_uncle"]
    links += [Relationship(person=aunts[i % len(aunts)], relative=c, kind="parent") for i, c in enumerate(cousins)]
    Relationship.objects.bulk_create(links[: 2 * FAMILY])


# --- users and sessions --------------------------------------------------------------------------
def signed_in_sessions(count: int) -> tuple[int, str, list[str]]:
    """The child's id, the session cookie name, and `count` MFA-verified sessions of the bench team."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencsc.accounts import access
    from opencsc.accounts.models import User
    from opencsc.people.models import Person

    child = Person.objects.get(la_child_id=CHILD_ID)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    users = list(User.objects.filter(team__name=TEAM_NAME).order_by("username"))
    keys = []
    for i in range(count):
        user = users[i % len(users)]
        if not access.can_view_person(user, child.pk):
            raise SystemExit(f"{user.username} cannot see the bench child: the allocation is missing")
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="opencsc.accounts.backends.UserWithTeamBackend")
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.session["last_seen"] = int(time.time())
        request.session.save()
        keys.append(request.session.session_key or "")
    return child.pk, settings.SESSION_COOKIE_NAME, keys


# --- server --------------------------------------------------------------------------------------
def start_server(port: int, threads: int, server: str) -> subprocess.Popen[bytes]:
    """waitress (one process, `threads` threads: how tests/browser serves the app) or gunicorn
    (`threads` sync worker processes: how a production host with several cores would)."""
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "casework-server.log").open("ab")
    if server == "gunicorn":
        command = [
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(threads),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "opencsc.config.wsgi:application",
        ]
    else:
        command = [
            "-m",
            "waitress",
            f"--listen=127.0.0.1:{port}",
            f"--threads={threads}",
            "opencsc.config.wsgi:application",
        ]
    process = subprocess.Popen(
        [PYTHON, *command], cwd=ROOT, env={**os.environ, **BENCH_ENV}, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start: see bench/out/casework-server.log")


# --- load ----------------------------------------------------------------------------------------
@dataclass
class Sample:
    page: str
    status: int
    client_ms: float
    server_ms: float | None
    audit_ms: float | None
    at: float


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _server_ms(header: str | None, span: str = "total") -> float | None:
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name == span and "dur=" in params:
            return float(params.split("dur=")[1].split(";")[0])
    return None


def get(url: str, cookie: str) -> tuple[int, float, float | None, float | None]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
            status, timing = response.status, response.headers.get("Server-Timing")
    except urllib.error.HTTPError as exc:
        exc.read()
        status, timing = exc.code, exc.headers.get("Server-Timing")
    return status, (time.perf_counter() - started) * 1000, _server_ms(timing), _server_ms(timing, "audit")


def drive(pages: dict[str, str], cookie: str, stop: float, think: float, seed: int, results: Results) -> None:
    rng = random.Random(seed)
    names = list(pages)
    rng.shuffle(names)
    i = 0
    while time.monotonic() < stop:
        name = names[i % len(names)]
        status, client_ms, server_ms, audit_ms = get(pages[name], cookie)
        with results.lock:
            results.samples.append(Sample(name, status, client_ms, server_ms, audit_ms, time.monotonic()))
        i += 1
        time.sleep(rng.uniform(0.5, 1.5) * think)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=15)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time in seconds (0: saturation)")
    parser.add_argument("--server", choices=["waitress", "gunicorn"], default="waitress")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads, or gunicorn worker processes")
    parser.add_argument("--borough", type=int, default=1000, help="children in the seeded borough")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    facts = prepare_database(args.rebuild, args.borough)
    child_id, cookie_name, sessions = signed_in_sessions(args.users)
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(port, args.threads, args.server)
    base = f"http://127.0.0.1:{port}"
    pages = {
        "person record": f"{base}/people/{child_id}/",
        "casework overview": f"{base}/casework/{child_id}/",
        "chronology": f"{base}/casework/{child_id}/chronology/",
        "case notes": f"{base}/casework/{child_id}/notes/",
        "genogram": f"{base}/people/{child_id}/genogram/",
    }
    try:
        for name, url in list(pages.items()):
            status, *_times = get(url, f"{cookie_name}={sessions[0]}")
            if status != 200:
                print(f"  {name}: HTTP {status}, left out")
                del pages[name]
        results = Results()
        load_before = load_average()
        stop = time.monotonic() + args.warmup + args.duration
        measured_from = time.monotonic() + args.warmup
        threads = [
            threading.Thread(target=drive, args=(pages, f"{cookie_name}={key}", stop, args.think, i, results))
            for i, key in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load_after = load_average()
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(facts, pages, results, measured_from, args, load_before, load_after)


def report(
    facts: dict[str, Any],
    pages: dict[str, str],
    results: Results,
    measured_from: float,
    args: argparse.Namespace,
    load_before: str,
    load_after: str,
) -> None:
    measured = [s for s in results.samples if s.at >= measured_from]
    rows: dict[str, dict[str, Any]] = {}
    print(
        f"\n{args.users} users, think {args.think:g} s, {args.duration:g} s measured, {args.server} {args.threads}; "
        f"load average {load_before} -> {load_after} (2 cores, shared)"
    )
    print(
        f"{'page':<20}{'n':>6}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'srv p50':>9}{'srv p95':>9}"
        f"{'audit p50':>10}{'p95':>6}"
    )
    for name in pages:
        mine = [s for s in measured if s.page == name]
        ok = [s.client_ms for s in mine if s.status == 200]
        srv = [s.server_ms for s in mine if s.server_ms is not None]
        audit = [s.audit_ms for s in mine if s.audit_ms is not None]
        rows[name] = {
            "n": len(mine),
            "errors": len(mine) - len(ok),
            "p50": percentile(ok, 50),
            "p95": percentile(ok, 95),
            "p99": percentile(ok, 99),
            "server_p50": percentile(srv, 50),
            "server_p95": percentile(srv, 95),
            "audit_p50": percentile(audit, 50),
            "audit_p95": percentile(audit, 95),
            "mean": statistics.fmean(ok) if ok else float("nan"),
        }
        r = rows[name]
        print(
            f"{name:<20}{r['n']:>6}{r['errors']:>8}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['p99']:>9.0f}"
            f"{r['server_p50']:>9.0f}{r['server_p95']:>9.0f}{r['audit_p50']:>10.1f}{r['audit_p95']:>6.0f}"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "casework_record.json").write_text(
        json.dumps(
            {
                "when": dt.datetime.now(dt.UTC).isoformat(),
                "facts": facts,
                "args": vars(args),
                "load_before": load_before,
                "load_after": load_after,
                "pages": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
