"""Benchmark: the Standard Safeguarding Dataset export and the health-needs picture, on PostgreSQL.

Seeds the demo borough into its own database once (`seed_demo`, as bench/returns_build.py does), then
times, in this process, what `manage.py export_ssd` and `manage.py health_needs_report` do:
the pseudonymised SSD as CSV and as Parquet, the identifiable SSD with its audit (one `ssd.export`
event and a `person.export` event per child), and the health-needs picture (count, tabulate,
suppress, render the workbook). Target (issue 15): the SSD export in <= 60 s on a 60,000-child borough.

    .venv/bin/python bench/standard_data.py                       # 60,000 children (seeds if needed)
    .venv/bin/python bench/standard_data.py --children 5000       # a smaller borough, its own database
    OPENCSC_BENCH_DB=name .venv/bin/python bench/standard_data.py # a database of your own

Writes the figures to bench/out/standard_data.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, bench_env
from returns_build import AS_OF, prepare

TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=60_000)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    db_name = os.environ.get("OPENCSC_BENCH_DB") or f"opencsc_bench_standard_data_{args.children}"
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(db_name, anchor_file="audit-anchors-standard-data.log"))
    os.environ["OPENCSC_SSD_PSEUDONYM_KEY"] = "bench-only-ssd-pseudonym-key-0123456789"
    sys.path.insert(0, str(ROOT))
    seed_seconds = prepare(db_name, args.children, args.reseed)

    import django

    django.setup()
    from opencsc.audit.services import Actor
    from opencsc.people.models import Person
    from opencsc.standard_data import health_needs, pictures, report_files, services
    from opencsc.standard_data.ssd.export import write_ssd

    figures: dict[str, object] = {
        "database": db_name,
        "children_in_record": Person.objects.filter(is_child=True).count(),
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else "reused",
        "cpu": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        t0, c0 = time.perf_counter(), time.process_time()
        pseudo_csv = write_ssd(out / "pseudo-csv", pseudonymised=True, file_format="csv")
        t1, c1 = time.perf_counter(), time.process_time()
        write_ssd(out / "pseudo-parquet", pseudonymised=True, file_format="parquet")
        t2 = time.perf_counter()
        services.ssd_export(actor=Actor.system("bench"), out=out / "council", pseudonymised=False)
        t3 = time.perf_counter()
        report = health_needs.build(dt.date.fromisoformat(AS_OF))
        t4 = time.perf_counter()
        workbook = report_files.render_xlsx(report)
        t5 = time.perf_counter()
        picture = services.health_needs_compute(actor=Actor.system("bench"), as_of=dt.date.fromisoformat(AS_OF))
        t6 = time.perf_counter()
        reads = []
        for _ in range(20):  # what the page reads instead of recounting: the stored picture
            r0 = time.perf_counter()
            stored = pictures.latest(dt.date.fromisoformat(AS_OF))
            assert stored is not None and stored.tables
            reads.append(time.perf_counter() - r0)
        t7 = time.perf_counter()
        services._guarded(dt.date.fromisoformat(AS_OF))  # a release's count, protected against earlier ones
        t8 = time.perf_counter()
        figures.update(
            ssd_children=len(pseudo_csv.person_ids),
            ssd_rows=sum(pseudo_csv.rows.values()),
            ssd_rows_by_table=pseudo_csv.rows,
            ssd_tables=len(pseudo_csv.rows),
            ssd_pseudonymised_csv_s=round(t1 - t0, 2),
            ssd_pseudonymised_csv_cpu_s=round(c1 - c0, 2),
            ssd_cpu_us_per_row=round(1e6 * (c1 - c0) / max(1, sum(pseudo_csv.rows.values())), 1),
            ssd_pseudonymised_parquet_s=round(t2 - t1, 2),
            ssd_identifiable_csv_with_audit_s=round(t3 - t2, 2),
            ssd_csv_mb=round(sum(p.stat().st_size for p in (out / "pseudo-csv").iterdir()) / 1e6, 1),
            ssd_parquet_mb=round(sum(p.stat().st_size for p in (out / "pseudo-parquet").iterdir()) / 1e6, 1),
            health_needs_children=report.children,
            health_needs_build_s=round(t4 - t3, 2),
            health_needs_workbook_s=round(t5 - t4, 2),
            health_needs_workbook_kb=round(len(workbook) / 1e3, 1),
            health_needs_stored_compute_s=round(t6 - t5, 2),
            health_needs_stored_seconds=picture.seconds,
            health_needs_page_read_median_ms=round(1e3 * sorted(reads)[len(reads) // 2], 2),
            health_needs_guarded_release_count_s=round(t8 - t7, 2),
            load_average_at_end=os.getloadavg()[0],
        )
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    slowest = max(float(figures[k]) for k in ("ssd_pseudonymised_csv_s", "ssd_pseudonymised_parquet_s"))  # type: ignore[arg-type]
    verdict = "PASS" if slowest <= TARGET_S else "FAIL"
    print(f"SSD export (slowest pseudonymised format) {slowest} s (target <= {TARGET_S:.0f} s): {verdict}")
    (OUT / "standard_data.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
