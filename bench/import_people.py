"""Onboarding a borough at scale (issue 12): `manage.py import_people` on a synthetic legacy file.

Writes a CSV of --rows people in the issue's columns (bench/matching_population.py's borough:
households, six origins, NHS numbers from the 999 test range, LA child ids), migrates a fresh
database (PostgreSQL `opencsc_bench12_import`, or SQLite `bench/out/import.sqlite3`), then times:

1. the first import (every row new: people, external ids, postcodes, other names, one audit event
   a person, the matching index), and
2. the same file again (idempotent: nothing changes, every row is compared),

and checks the counts. With --profile the first import runs under cProfile.

    .venv/bin/python bench/import_people.py --rows 100000
    .venv/bin/python bench/import_people.py --rows 1000000 --backend postgresql
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, ROOT, bench_env, ensure_database

PG_DB = "opencsc_bench12_import"


def write_csv(path: Path, rows: int, seed: int) -> None:
    from bench.matching_population import Generator

    # The same borough as bench/matching.py (its ~1.5% duplicates included, in the same order), so
    # that `bench/matching.py --reuse --db opencsc_bench12_import` can query the imported database.
    people = Generator(seed).population(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["external_id", "first_name", "surname", "other_names", "sex", "date_of_birth", "postcode",
             "nhs_number", "upn", "la_child_id"]
        )  # fmt: skip
        for p in people:
            writer.writerow(
                [f"LEG{p.key:08d}", p.first, p.surname, "", p.sex, p.born.isoformat() if p.born else "",
                 p.postcode, p.nhs, "", p.la_child_id]
            )  # fmt: skip


def run_child(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from opencsc.audit.models import AuditEvent
    from opencsc.audit.services import Actor
    from opencsc.people.matching.models import ExternalId, MatchKey
    from opencsc.people.matching.onboarding import import_people
    from opencsc.people.models import Person

    result: dict = {"backend": connection.vendor, "rows": args.rows, "load_average_start": os.getloadavg()}
    call_command("migrate", verbosity=0)
    path = OUT / f"import-{args.rows}.csv"
    if not path.exists():
        t = time.perf_counter()
        write_csv(path, args.rows, args.seed)
        result["write_csv_s"] = round(time.perf_counter() - t, 1)
    result["file_mb"] = round(path.stat().st_size / 1e6, 1)

    def progress(done: int, total: int) -> None:
        print(f"  {done:,}/{total:,} rows written", flush=True)

    actor = Actor.system("import_people")
    t, cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        report = profiler.runcall(import_people, path, actor=actor, progress=progress)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    else:
        report = import_people(path, actor=actor, progress=progress)
    result["first_import_s"] = round(time.perf_counter() - t, 1)
    result["first_import_cpu_s"] = round(time.process_time() - cpu, 1)
    result["first"] = {"created": report.created, "updated": report.updated, "errors": len(report.errors)}
    result["load_average_after_first"] = os.getloadavg()
    t = time.perf_counter()
    again = import_people(path, actor=actor)
    result["second_import_s"] = round(time.perf_counter() - t, 1)
    result["second"] = {"created": again.created, "updated": again.updated, "unchanged": again.unchanged}
    result["counts"] = {
        "people": Person.objects.count(),
        "external_ids": ExternalId.objects.count(),
        "match_keys": MatchKey.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
    result["load_average_end"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="postgresql")
    parser.add_argument("--db", default=PG_DB)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        result = run_child(args)
        (OUT / f"import-{result['backend']}-{args.rows}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        print(
            f"\n{result['backend']}: {args.rows:,} rows ({result['file_mb']} MB): first import"
            f" {result['first_import_s']} s ({result['first_import_cpu_s']} s CPU in this process), the same file"
            f" again {result['second_import_s']} s; load average {result['load_average_start'][0]:.1f} at the start,"
            f" {result['load_average_end'][0]:.1f} at the end (target: 1,000,000 rows on PostgreSQL in 600 s)"
        )
        return
    for backend in ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]:
        env = {**os.environ, **bench_env(args.db, anchor_file="import-anchor.txt")}
        if backend == "postgresql":
            ensure_database(args.db, recreate=True)
        else:
            sqlite = OUT / "import.sqlite3"
            sqlite.unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{sqlite}"
        argv = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--seed", str(args.seed)]
        subprocess.run(argv + ["--profile"] * args.profile, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
