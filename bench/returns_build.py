"""Benchmark: building the CIN census and the SSDA903 (and Ofsted Annex A) from PostgreSQL.

Seeds the demo borough (families, names, addresses and five years of casework journeys, built by
`seed_demo`) into its own database, `opencsc_bench_returns`, once; then builds each return from the
record the way `manage.py build_return` does (the builders' queries, the engines' table structures and
writers) and prints the time of each step and the size of each return. Target: both returns for a
20,000-child borough in under 30 s.

Run (PostgreSQL on 127.0.0.1:5432, trust auth for user postgres):

    .venv/bin/python bench/returns_build.py                    # seed 20,000 children if needed, build
    .venv/bin/python bench/returns_build.py --reseed           # drop and seed again
    .venv/bin/python bench/returns_build.py --children 60000   # a bigger borough (its own database)
    .venv/bin/python bench/returns_build.py --validate         # also run the validation engines

Writes the figures to bench/out/returns_build.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env, ensure_database

PYTHON = sys.executable
AS_OF = "2026-03-31"  # the end of the 2025-26 collection year: the whole year has happened
YEAR = "2025-26"


def env_for(db_name: str) -> dict[str, str]:
    return bench_env(db_name, anchor_file="audit-anchors-returns.log")


def prepare(db_name: str, children: int, reseed: bool) -> float | None:
    """Create and seed the database unless it already holds a borough; the seed time, or None."""
    ensure_database(db_name, recreate=reseed)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    url = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM people_person WHERE is_child").fetchone()
    if row and row[0] >= children:
        print(f"Reusing {db_name}: {row[0]:,} children (use --reseed to build it again).")
        return None
    if row and row[0]:
        raise SystemExit(f"{db_name} has {row[0]:,} children, fewer than {children:,}: run with --reseed")
    print(f"Seeding {db_name}: {children:,} children with families and casework journeys...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "seed_demo", "--children", str(children), "--seed", "2026", "--as-of", AS_OF],
        cwd=ROOT,
        check=True,
    )
    seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    print(f"Seeded in {seconds:.0f} s.")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--validate", action="store_true", help="also time openCSC's validation of each return")
    args = parser.parse_args()
    db_name = os.environ.get("OPENCSC_BENCH_DB") or (
        "opencsc_bench_returns" if args.children == 20_000 else f"opencsc_bench_returns_{args.children}"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(env_for(db_name))
    sys.path.insert(0, str(ROOT))
    seed_seconds = prepare(db_name, args.children, args.reseed)

    import django

    django.setup()
    from django.db import connection, reset_queries

    from opencsc.people.models import Person
    from opencsc.returns.build.annex_a import build_annex_a
    from opencsc.returns.build.cin import collect_cin
    from opencsc.returns.build.ssda903 import collect_903
    from opencsc.returns.cin.validate import validate_cin
    from opencsc.returns.cin.xml_io import write_cin_xml
    from opencsc.returns.ssda903.csv_io import write_903_dir
    from opencsc.returns.ssda903.validate import validate_903

    figures: dict[str, object] = {
        "database": db_name,
        "children_in_record": Person.objects.filter(is_child=True).count(),
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else "reused",
        "cpu": os.cpu_count(),
    }
    connection.force_debug_cursor = True
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        reset_queries()
        t0 = time.perf_counter()
        cin = collect_cin(YEAR)
        t1 = time.perf_counter()
        write_cin_xml(cin.tables, out / "cin.xml")
        t2 = time.perf_counter()
        cin_queries = len(connection.queries)
        reset_queries()
        ssda = collect_903(YEAR)
        t3 = time.perf_counter()
        write_903_dir(ssda.tables, out / "903")
        t4 = time.perf_counter()
        ssda_queries = len(connection.queries)
        reset_queries()
        annex = build_annex_a(dt.date.fromisoformat(AS_OF), out / "annex_a.xlsx")
        t5 = time.perf_counter()
        figures.update(
            cin_children=len(cin.tables),
            cin_episodes=cin.tables.rows("CINdetails"),
            cin_build_s=round(t1 - t0, 2),
            cin_write_s=round(t2 - t1, 2),
            cin_queries=cin_queries,
            ssda903_children=ssda.tables["Header"].height,
            ssda903_episodes=ssda.tables["Episodes"].height,
            ssda903_build_s=round(t3 - t2, 2),
            ssda903_write_s=round(t4 - t3, 2),
            ssda903_queries=ssda_queries,
            both_returns_s=round(t4 - t0, 2),
            annex_a_children=annex.children,  # type: ignore[union-attr]
            annex_a_s=round(t5 - t4, 2),
            cin_file_mb=round((out / "cin.xml").stat().st_size / 1e6, 1),
        )
        if args.validate:
            v0 = time.perf_counter()
            cin_findings = validate_cin(cin.tables, YEAR)
            v1 = time.perf_counter()
            ssda_findings = validate_903(ssda.tables, YEAR)
            v2 = time.perf_counter()
            figures.update(
                cin_validate_s=round(v1 - v0, 2),
                cin_findings=len(cin_findings),
                ssda903_validate_s=round(v2 - v1, 2),
                ssda903_findings=len(ssda_findings),
            )
    connection.force_debug_cursor = False
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    verdict = "PASS" if float(figures["both_returns_s"]) < 30 else "FAIL"  # type: ignore[arg-type]
    print(f"Both returns built and written in {figures['both_returns_s']} s (target < 30 s): {verdict}")
    (OUT / "returns_build.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
