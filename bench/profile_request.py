"""Where one request's time goes: a page of the bench database served in process, timed and profiled.

Uses the database `bench/person_pages.py` prepares (`opencsc_bench`, production settings with
bench-only keys), signs in one social worker or team manager with a verified second factor, and
requests the same kinds of page the load test does, sequentially, one user, no network:

    .venv/bin/python bench/profile_request.py                     # median / p95 per kind of request
    .venv/bin/python bench/profile_request.py --profile page      # cProfile of 50 person pages
    .venv/bin/python bench/profile_request.py --queries search    # the SQL one name search runs

It answers "how much CPU does one request cost, and where", which the load test cannot: under load
the latency is that cost plus queueing for the two cores.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from person_pages import BENCH_ENV  # noqa: E402  (sets the bench environment before Django loads)

os.environ.update(BENCH_ENV)
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from opencsc.accounts import access  # noqa: E402
from opencsc.accounts.models import Allocation, Role, User  # noqa: E402


def signed_in(role: str) -> tuple[Client, list[tuple[int, str, str, str]]]:
    own = Allocation.objects.filter(worker=OuterRef("pk"))
    team = Allocation.objects.filter(team=OuterRef("team"))
    if role == Role.MASH_PRACTITIONER:  # the front door's queue needs no caseload
        user = User.objects.filter(role=role, is_active=True).order_by("username").first()
    else:
        user = User.objects.filter(Exists(own) | Exists(team), role=role).order_by("username").first()
    if user is None:
        raise SystemExit(f"no {role} with a caseload in the bench database: run bench/person_pages.py --seed-only")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["last_seen"] = int(time.time())
    session.save()
    people = (
        access.visible_persons(user)
        .filter(is_child=True)
        .order_by("?")
        .values_list("pk", "last_name", "date_of_birth", "nhs_number")
    )
    targets = [
        (pk, last, f"{dob.day}/{dob.month}/{dob.year}" if dob else "", nhs or "") for pk, last, dob, nhs in people[:300]
    ]
    return client, targets


KINDS = ["page", "casework", "mash", "search", "dob", "nhs"]


def request(client: Client, what: str, target: tuple[int, str, str, str]) -> int:
    pk, last_name, dob, nhs = target
    if what == "page":
        response = client.get(f"/people/{pk}/")
    elif what == "casework":
        response = client.get(f"/casework/{pk}/")
    elif what == "mash":
        response = client.get("/casework/front-door/")
    elif what == "search":
        response = client.get("/people/", {"name": last_name[:4]})
    elif what == "dob" and dob:
        day, month, year = dob.split("/")
        response = client.get("/people/", {"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year})
    elif what == "nhs" and nhs:
        response = client.get("/people/", {"nhs_number": nhs})
    else:
        response = client.get("/people/", {"name": last_name[:3]})
    if response.status_code != 200:
        raise SystemExit(f"{what} {pk}: HTTP {response.status_code}")
    return len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", default=Role.TEAM_MANAGER, choices=[Role.TEAM_MANAGER, Role.SOCIAL_WORKER])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--profile", choices=KINDS)
    parser.add_argument("--queries", choices=KINDS)
    parser.add_argument("--only", choices=KINDS, action="append", help="only these kinds (repeatable)")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="open each target once first, so the stored digests (issue 11) are current: a working day's read",
    )
    args = parser.parse_args()
    client, targets = signed_in(args.role)
    # The MASH queue is a MASH practitioner's page, as in the load test.
    mash_client = signed_in(Role.MASH_PRACTITIONER)[0]
    rng = random.Random(3)
    if args.queries:
        with CaptureQueriesContext(connection) as ctx:
            request(mash_client if args.queries == "mash" else client, args.queries, rng.choice(targets))
        for query in ctx.captured_queries:
            print(f"{query['time']:>7} {query['sql'][:400]}")
        print(f"{len(ctx.captured_queries)} queries")
        return
    if args.profile:
        chosen = [rng.choice(targets) for _ in range(args.n)]
        for target in chosen if args.warm else chosen[:5]:
            request(mash_client if args.profile == "mash" else client, args.profile, target)
        profiler = cProfile.Profile()
        profiler.enable()
        for target in chosen:
            request(mash_client if args.profile == "mash" else client, args.profile, target)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("N", "45")))
        return
    for what in args.only or KINDS:
        who = mash_client if what == "mash" else client
        chosen = [rng.choice(targets) for _ in range(args.n)]
        for target in chosen if args.warm else chosen[:5]:
            request(who, what, target)
        times, cpu, queries = [], [], []
        for target in chosen:
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                request(who, what, target)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(len(ctx.captured_queries))
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"{what:<7} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
            f"CPU median {statistics.median(cpu):5.1f} ms   "
            f"queries median {statistics.median(queries):.0f}   (n={len(times)})"
        )


if __name__ == "__main__":
    main()
