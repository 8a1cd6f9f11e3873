"""A subject access bundle for a child with 18 years of history (issue 14, "Measured"):

* the bundle compiled and pre-redacted (every third party found), target < 10 s;
* the PDF rendered, target < 30 s;
* the share of known third-party strings the proposals found, target 100 %.

What it does:

1. Creates the database (PostgreSQL `opencsc_bench_sar` by default; `--sqlite PATH` for SQLite),
   migrates it, and (unless the bench child is there already; --rebuild starts again) writes:
   `--background` unrelated people known to the system (names, addresses, phones, identifiers),
   and a child born 18 years ago with `--others` other people in their life (relatives and
   neighbours, each with an address and a telephone number), `--notes` case notes over 18 years
   that mention them by full name, address, phone number, LA child id or NHS number (about one in
   twenty flagged third-party at entry), `--chronology` chronology entries, yearly visits, and
   audit events of workers opening the record.
2. Times `compile_bundle` + `third_party.propose` (pre-redaction), then `pdf.render` with every
   proposal accepted, and checks every third-party string written into the notes against the
   proposals (found when a proposed span covers it). With --verify, the PDF's text is extracted with
   pypdf and searched for every one of those strings too.
3. Prints the figures and writes them to bench/out/subject_access.json.

Run:

    .venv/bin/python bench/subject_access.py                      # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/subject_access.py --sqlite /tmp/sar.sqlite3 --verify
    .venv/bin/python bench/subject_access.py --notes 20000 --rebuild   # a bigger file

Synthetic data only (NHS numbers from the 999 range); bench-only keys.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database

LA_CHILD_ID = "BENCHSAR18"


def _setup(args: argparse.Namespace) -> None:
    env = bench_env("opencsc_bench_sar", anchor_file="subject_access_anchor.txt")
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{args.sqlite}"
        if args.rebuild and Path(args.sqlite).exists():
            Path(args.sqlite).unlink()
    else:
        ensure_database("opencsc_bench_sar", recreate=args.rebuild)
    os.environ.update(env)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )
    sys.path.insert(0, str(ROOT))  # bench.settings
    import django

    django.setup()


def _build(args: argparse.Namespace) -> tuple[Any, list[tuple[str, str]]]:
    """The child and the third-party strings written into their notes ((kind, text) per mention)."""
    from faker import Faker

    from opencsc.audit.services import Actor, record_events_bulk
    from opencsc.casework.models import CaseNote, ChronologyEntry, Visit
    from opencsc.demo.identifiers import test_nhs_number
    from opencsc.demo.postcodes import HOME_POSTCODES as POSTCODES
    from opencsc.people.models import Address, Person, Relationship, TelephoneNumber
    from opencsc.people.services import nhs_number_index

    rng = random.Random(args.seed)
    fake = Faker("en_GB")
    fake.seed_instance(args.seed)
    today = dt.date.today()
    born = today - dt.timedelta(days=18 * 365 + 30)

    def person(i: int, *, child: bool = False, tag: str = "") -> Person:
        nhs = test_nhs_number(rng)
        return Person(
            is_child=child,
            first_name=fake.first_name().replace("'", ""),
            last_name=fake.last_name().replace("'", "") + tag,
            date_of_birth=born if child else fake.date_between(start_date="-70y", end_date="-20y"),
            nhs_number=nhs,
            nhs_number_index=nhs_number_index(nhs),
            la_child_id=f"SARB{i:07d}" if rng.random() < 0.3 else None,
            ethnicity="WBRI",
        )

    def contact_rows(people: list[Person]) -> None:
        Address.objects.bulk_create(
            Address(
                person=p,
                line1=f"{rng.randrange(1, 300)} {fake.street_name()}",
                town="Exampleton",
                postcode=rng.choice(POSTCODES),
                start_date=dt.date(2005, 1, 1),
            )
            for p in people
        )
        TelephoneNumber.objects.bulk_create(
            TelephoneNumber(person=p, kind="mobile", number=f"07700 9{rng.randrange(10**5):05d}") for p in people
        )

    started = time.monotonic()
    background = Person.objects.bulk_create([person(10_000 + i) for i in range(args.background)], batch_size=2000)
    contact_rows(background)
    child = person(0, child=True)
    child.la_child_id = LA_CHILD_ID
    child.save()
    contact_rows([child])
    others = Person.objects.bulk_create([person(1 + i, tag="") for i in range(args.others)])
    contact_rows(others)
    Relationship.objects.bulk_create(
        Relationship(person=p, relative=child, kind=rng.choice(["parent", "sibling", "grandparent", "other"]))
        for p in others[:25]
    )
    addresses = dict(Address.objects.filter(person__in=others).values_list("person_id", "line1"))
    phones = dict(TelephoneNumber.objects.filter(person__in=others).values_list("person_id", "number"))

    mentions: list[tuple[str, str]] = []
    notes = []
    span = (today - born).days
    for n in range(args.notes):
        who = rng.sample(others, k=rng.randint(1, 3))
        parts = []
        for p in who:
            choice = rng.random()
            name = f"{p.first_name} {p.last_name}"
            mentions.append(("name", name))
            if choice < 0.3:
                parts.append(f"{name} of {addresses[p.pk]} said the family was struggling.")
                mentions.append(("address", addresses[p.pk]))
            elif choice < 0.5:
                parts.append(f"Rang {name} on {phones[p.pk]}; no answer.")
                mentions.append(("phone", phones[p.pk]))
            elif choice < 0.6 and p.la_child_id:
                parts.append(f"{name} ({p.la_child_id}) was at the meeting.")
                mentions.append(("identifier", p.la_child_id))
            elif choice < 0.7:
                parts.append(f"{name}, NHS number {p.nhs_number}, attended the appointment.")
                mentions.append(("identifier", p.nhs_number))
            else:
                parts.append(f"Spoke with {name} about school attendance and how {child.first_name} is doing.")
        day = born + dt.timedelta(days=rng.randrange(span))
        notes.append(
            CaseNote(
                child=child,
                note_date=day,
                subject=f"Note {n}",
                body=" ".join(parts) + " " + fake.paragraph(nb_sentences=3),
                third_party=rng.random() < 0.05,
            )
        )
    CaseNote.objects.bulk_create(notes, batch_size=1000)
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            child=child,
            entry_date=born + dt.timedelta(days=rng.randrange(span)),
            title=fake.sentence(nb_words=5),
            detail=fake.sentence(nb_words=12),
        )
        for _ in range(args.chronology)
    )
    Visit.objects.bulk_create(
        Visit(
            child=child,
            kind="cin",
            visit_date=born + dt.timedelta(days=rng.randrange(span)),
            seen=True,
            seen_alone=False,
        )
        for _ in range(args.visits)
    )
    record_events_bulk(
        actor=Actor.system("bench_subject_access"),
        action="person.view",
        rows=[{"subject_person_id": child.pk} for _ in range(args.views)],
    )
    # Mentions in notes flagged third-party are redacted whole; count them all the same.
    print(f"built the bench child in {time.monotonic() - started:.1f} s", flush=True)
    return child, mentions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="Use this SQLite file instead of PostgreSQL")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--notes", type=int, default=4500)
    parser.add_argument("--chronology", type=int, default=400)
    parser.add_argument("--visits", type=int, default=220)
    parser.add_argument("--views", type=int, default=1500)
    parser.add_argument("--others", type=int, default=200)
    parser.add_argument("--background", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--verify", action="store_true", help="Also extract the PDF's text with pypdf and search it")
    args = parser.parse_args()
    _setup(args)

    from opencsc.people.models import Person
    from opencsc.rights.bundle import pdf, third_party
    from opencsc.rights.bundle.build import letter_text, spans_from
    from opencsc.rights.bundle.compile import compile_bundle

    child = Person.objects.filter(la_child_id=LA_CHILD_ID).first()
    if child is not None:
        print("the bench child is there already: --rebuild to write it again (mention checks need a build)")
        raise SystemExit(2)
    child, mentions = _build(args)

    t0 = time.monotonic()
    bundle = compile_bundle(child)
    t1 = time.monotonic()
    findings = third_party.propose(bundle)
    t2 = time.monotonic()
    letter = pdf.Letter(
        council="Borough of Exampleton",
        reference="SAR-BENCH",
        requester=child.full_name,
        date_text="today",
        body=letter_text(child),
    )
    content = pdf.render(bundle, spans_from(findings), letter)
    t3 = time.monotonic()

    # Share found: every mention written into a note must lie inside a proposed span of that note.
    redacted_text = []
    spans = spans_from(findings)
    for line in bundle.lines():
        kept, at = [], 0
        for s in sorted(spans.get(line.key, []), key=lambda s: s.start):
            kept.append(line.text[at : s.start])
            at = max(at, s.end)
        kept.append(line.text[at:])
        redacted_text.append("\x00".join(kept).lower())
    joined = "\n".join(redacted_text)
    distinct = {(k, t.lower()) for k, t in mentions}
    missed = sorted(t for k, t in distinct if t in joined)
    share = 100 * (len(distinct) - len(missed)) / len(distinct)
    result: dict[str, Any] = {
        "database": "sqlite" if args.sqlite else "postgresql",
        "entries": len(bundle.entries),
        "notes": args.notes,
        "other_people_mentioned": args.others,
        "people_in_system": Person.objects.count(),
        "findings": len(findings),
        "compile_s": round(t1 - t0, 2),
        "propose_s": round(t2 - t1, 2),
        "compiled_and_pre_redacted_s": round(t2 - t0, 2),
        "pdf_render_s": round(t3 - t2, 2),
        "pdf_bytes": len(content),
        "distinct_third_party_strings": len(distinct),
        "share_found_percent": round(share, 2),
        "missed": missed[:20],
        "load_average": os.getloadavg(),
    }
    if args.verify:
        from pypdf import PdfReader

        t4 = time.monotonic()
        reader = PdfReader(io.BytesIO(content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).lower().split())
        survivors = sorted(t for _, t in distinct if " ".join(t.split()) in text)
        result.update(pages=len(reader.pages), pdf_survivors=survivors[:20], verify_s=round(time.monotonic() - t4, 1))
    (OUT / "subject_access.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
