"""Disposal of records (issue 14, item 4): how long a disposal batch takes, person by person.

What it does:

1. Creates the database (PostgreSQL `opencsc_bench_disposal` by default; `--sqlite PATH` for SQLite),
   migrates it and writes `--background` people who stay, then `--children` children long due for
   disposal (born 1990, one child-in-need episode closed in 2006), each with `--notes` case notes,
   chronology entries, an address, a phone, health information, a mother held only for them, and
   audit events (views, and one `casework.note_add` per note naming the note as its object), and one
   big child with `--big-notes` notes and as many audit events. The matching index is built.
2. Times preparing a batch (the retention rules, linked adults), approving it, and carrying it out
   (each person in its own transaction: the walk of the models, the matching index, the audit
   scrub, the deletes), then `verify_audit` over the whole chain.
3. Prints the figures and writes them to bench/out/disposal.json.

Run:

    .venv/bin/python bench/disposal.py                          # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/disposal.py --sqlite /tmp/disposal.sqlite3

Synthetic data only (NHS numbers from the 999 range); bench-only keys.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database, percentile


def _setup(args: argparse.Namespace) -> None:
    env = bench_env("opencsc_bench_disposal", anchor_file="disposal_anchor.txt")
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{args.sqlite}"
        if Path(args.sqlite).exists():
            Path(args.sqlite).unlink()
    else:
        ensure_database("opencsc_bench_disposal", recreate=True)
    os.environ.update(env)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _build(args: argparse.Namespace) -> list[int]:
    from faker import Faker

    from opencsc.audit.services import Actor, record_events_bulk
    from opencsc.casework.models import CaseNote, ChronologyEntry, ReferralEpisode
    from opencsc.demo.identifiers import test_nhs_number
    from opencsc.people.matching import index
    from opencsc.people.models import Address, HealthInformation, Person, Relationship, TelephoneNumber
    from opencsc.people.services import nhs_number_index

    rng = random.Random(args.seed)
    fake = Faker("en_GB")
    fake.seed_instance(args.seed)

    def person(child: bool) -> Person:
        nhs = test_nhs_number(rng)
        return Person(
            is_child=child,
            first_name=fake.first_name().replace("'", ""),
            last_name=fake.last_name().replace("'", ""),
            date_of_birth=dt.date(1990, 3, 4) if child else fake.date_between(start_date="-70y", end_date="-40y"),
            nhs_number=nhs,
            nhs_number_index=nhs_number_index(nhs),
            ethnicity="WBRI",
        )

    Person.objects.bulk_create([person(False) for _ in range(args.background)], batch_size=2000)
    children = Person.objects.bulk_create([person(True) for _ in range(args.children + 1)])
    mothers = Person.objects.bulk_create([person(False) for _ in children])
    Relationship.objects.bulk_create(
        Relationship(person=m, relative=c, kind="parent") for m, c in zip(mothers, children, strict=True)
    )
    Address.objects.bulk_create(
        Address(
            person=p,
            line1=f"{rng.randrange(1, 300)} {fake.street_name()}",
            town="Exampleton",
            postcode="ZZ99 3ZZ",
            start_date=dt.date(2000, 1, 1),
        )
        for p in children + mothers
    )
    TelephoneNumber.objects.bulk_create(
        TelephoneNumber(person=p, kind="mobile", number=f"07700 9{rng.randrange(10**5):05d}") for p in children
    )
    HealthInformation.objects.bulk_create(
        HealthInformation(person=c, kind="condition", summary=fake.sentence(), recorded_on=dt.date(2000, 1, 1))
        for c in children
    )
    ReferralEpisode.objects.bulk_create(
        ReferralEpisode(
            child=c,
            referral_date=dt.date(2005, 1, 4),
            closure_date=dt.date(2006, 6, 1),
            closure_reason="RC8",
            source="2A",
            primary_need="N1",
        )
        for c in children
    )
    actor = Actor.system("bench_disposal")
    for n, child in enumerate(children):
        count = args.big_notes if n == 0 else args.notes
        notes = CaseNote.objects.bulk_create(
            CaseNote(
                child=child,
                note_date=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(2000)),
                subject=f"Note {i}",
                body=fake.paragraph(nb_sentences=4),
            )
            for i in range(count)
        )
        ChronologyEntry.objects.bulk_create(
            ChronologyEntry(child=child, entry_date=dt.date(2001, 1, 1), title=fake.sentence(nb_words=5))
            for _ in range(count // 10)
        )
        rows = [
            {
                "subject_person_id": child.pk,
                "object_type": "people.Person",
                "object_id": str(child.pk),
                "object_repr": child.full_name,
            }
            for _ in range(max(10, count // 3))
        ]
        record_events_bulk(actor=actor, action="person.view", rows=rows)
        record_events_bulk(
            actor=actor,
            action="casework.note_add",
            rows=[
                {
                    "subject_person_id": child.pk,
                    "object_type": "casework.CaseNote",
                    "object_id": str(note.pk),
                    "object_repr": f"Note about {child.full_name}",
                    "detail": {"subject": note.subject},
                }
                for note in notes
            ],
        )
    index.rebuild()
    return [c.pk for c in children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="Use this SQLite file instead of PostgreSQL")
    parser.add_argument("--background", type=int, default=5000)
    parser.add_argument("--children", type=int, default=50)
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--big-notes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=30)
    args = parser.parse_args()
    _setup(args)

    from django.core.management import call_command

    from opencsc.accounts.models import Role, Team, User
    from opencsc.audit.models import AuditEvent
    from opencsc.audit.services import Actor
    from opencsc.people.models import Person
    from opencsc.rights.disposal import services
    from opencsc.rights.disposal.models import ItemOutcome

    t = time.monotonic()
    child_ids = _build(args)
    built = time.monotonic() - t
    team = Team.objects.create(name="Information Governance", kind="information_governance")
    one, two = (User.objects.create(username=u, role=Role.IG_OFFICER, team=team) for u in ("ig.bench", "ig2.bench"))
    events = AuditEvent.objects.count()

    t0 = time.monotonic()
    batch = services.batch_prepare(actor=Actor.from_user(one), actor_user=one)
    t1 = time.monotonic()
    services.batch_approve(actor=Actor.from_user(two), actor_user=two, batch=batch)
    stamps: list[float] = [time.monotonic()]
    services.batch_carry_out(
        actor=Actor.from_user(one), actor_user=one, batch=batch, progress=lambda d, n: stamps.append(time.monotonic())
    )
    t2 = time.monotonic()
    call_command("verify_audit", stdout=open(os.devnull, "w"))  # noqa: SIM115
    t3 = time.monotonic()
    per_person = [b - a for a, b in itertools.pairwise(stamps)]
    big = batch.items.get(person_id=child_ids[0])
    result: dict[str, Any] = {
        "database": "sqlite" if args.sqlite else "postgresql",
        "people_before": Person.objects.count() + batch.items.filter(outcome=ItemOutcome.DISPOSED).count(),
        "audit_events": events,
        "batch_people": batch.items.count(),
        "disposed": batch.items.filter(outcome=ItemOutcome.DISPOSED).count(),
        "build_s": round(built, 1),
        "prepare_s": round(t1 - t0, 2),
        "carry_out_s": round(t2 - stamps[0], 2),
        "per_person_median_s": round(percentile(per_person, 50), 3),
        "per_person_p95_s": round(percentile(per_person, 95), 3),
        "big_child_notes": args.big_notes,
        "big_child_rows_removed": sum(big.rows_removed.values()),
        "big_child_events_scrubbed": big.events_scrubbed,
        "big_child_s": round(per_person[0], 2),
        "verify_audit_s": round(t3 - t2, 2),
        "load_average": os.getloadavg(),
    }
    (OUT / "disposal.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
