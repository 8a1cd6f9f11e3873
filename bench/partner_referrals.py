"""Requests for support through the partner API, in process: CPU and wall time a referral costs.

What it does (issue 16, part A):

1. Creates the PostgreSQL database named by OPENCSC_BENCH_DB (default `opencsc_bench_referrals`) if
   needed (--reseed drops it), migrates it and seeds a demo borough (--children, default 60).
2. Issues the health visiting service an API key with the referral scopes.
3. Sends --count requests for support through `POST /api/v1/referrals/` with Django's test client
   (the whole middleware stack, no network): half about children the matcher finds certain (the
   contact goes on their record), half about new children (a record is started), each with its own
   Idempotency-Key; then reads each one back with `GET /api/v1/referrals/{id}/`.
4. Prints, per kind of call, the median and p95 of wall time and of this process's CPU time (the
   better guide on a shared machine), the load average before and after, and what an hour at the
   CPU rate would give on one core.

    OPENCSC_BENCH_DB=opencsc_bench_wt16a .venv/bin/python bench/partner_referrals.py --count 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, bench_env, ensure_database, percentile
from faker import Faker

DB_NAME = os.environ.get("OPENCSC_BENCH_DB", "opencsc_bench_referrals")
HEALTH = "Exampleton Health Visiting Service"


def setup(children: int, reseed: bool) -> None:
    os.environ.update(
        {**bench_env(DB_NAME, anchor_file="partner-referrals-anchors.log"), "ALLOWED_HOSTS": "testserver"}
    )
    os.environ["OPENCSC_PARTNER_API_PER_MINUTE"] = "100000000"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if ensure_database(DB_NAME, recreate=reseed):
        call_command("migrate", "--noinput", verbosity=0)
        call_command("seed_demo", "--children", str(children), "--seed", "16", verbosity=0)


FAKE = Faker("en_GB")


def body(known: object | None, n: int) -> dict[str, object]:
    """A synthetic child: someone the borough knows (their names and date of birth), or a new child
    (Faker's names and a date of birth: a new record unless Faker happens to name someone known)."""
    born = dt.date(2010, 1, 1) + dt.timedelta(days=FAKE.random_int(0, 5000))
    base = {
        "child_first_name": FAKE.first_name(),
        "child_last_name": FAKE.last_name(),
        "child_date_of_birth": born.isoformat(),
        "address_line1": f"{n} Bench Street",  # digits are fine in an address
        "address_town": "Exampleton",
        "address_postcode": "ZZ9 9ZZ",
        "concern": "Synthetic concern for the benchmark",
        "why_now": "Benchmark",
        "consent_given": True,
        "family_told": "Benchmark",
        "referrer_name": "Bench Visitor",
        "referrer_role": "Health visitor",
        "referrer_phone": "01632 960999",
        "referrer_email": "bench@example.org",
    }
    if known is not None:
        base.update(
            child_first_name=known.first_name,  # type: ignore[attr-defined]
            child_last_name=known.last_name,  # type: ignore[attr-defined]
            child_date_of_birth=known.date_of_birth.isoformat(),  # type: ignore[attr-defined]
        )
    return base


def timed(call: object) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()  # type: ignore[operator]
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def summary(name: str, walls: list[float], cpus: list[float]) -> dict[str, object]:
    return {
        "call": name,
        "n": len(walls),
        "wall_median_ms": round(statistics.median(walls), 1),
        "wall_p95_ms": round(percentile(walls, 95), 1),
        "cpu_median_ms": round(statistics.median(cpus), 1),
        "cpu_p95_ms": round(percentile(cpus, 95), 1),
        "per_hour_one_core_at_cpu_median": int(3_600_000 / statistics.median(cpus)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--children", type=int, default=60)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    setup(args.children, args.reseed)
    from django.test import Client

    from opencsc.audit.services import Actor
    from opencsc.partners.credentials import credential_issue
    from opencsc.people.models import Person
    from opencsc.sharing.models import Agency

    _, key = credential_issue(
        actor=Actor.system("bench"),
        agency=Agency.objects.get(name=HEALTH),
        label="bench",
        scopes=["referrals:submit", "referrals:read"],
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    known = list(Person.objects.filter(is_child=True, date_of_birth__isnull=False, is_restricted=False)[:50])
    load_before = os.getloadavg()
    results: dict[str, tuple[list[float], list[float]]] = {
        "POST known": ([], []),
        "POST new": ([], []),
        "GET": ([], []),
    }
    ids, errors = [], 0
    for n in range(args.count):
        person = known[n % len(known)] if n % 2 == 0 and known else None
        payload = json.dumps(body(person, n))
        response, wall, cpu = timed(
            lambda payload=payload: client.post(
                "/api/v1/referrals/",
                data=payload,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            )
        )
        kind = "POST known" if person is not None else "POST new"
        results[kind][0].append(wall)
        results[kind][1].append(cpu)
        if response.status_code != 201:  # type: ignore[attr-defined]
            errors += 1
        else:
            ids.append(response.json()["id"])  # type: ignore[attr-defined]
    for referral_id in ids:
        response, wall, cpu = timed(lambda referral_id=referral_id: client.get(f"/api/v1/referrals/{referral_id}/"))
        results["GET"][0].append(wall)
        results["GET"][1].append(cpu)
        errors += response.status_code != 200  # type: ignore[attr-defined]
    from collections import Counter

    from opencsc.sharing.models import PartnerReferral

    report = {
        "database": DB_NAME,
        "matched": dict(Counter(PartnerReferral.objects.filter(pk__in=ids).values_list("match", flat=True))),
        "errors": errors,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "calls": [summary(name, *times) for name, times in results.items() if times[0]],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
