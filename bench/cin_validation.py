"""Benchmark: openCSC's CIN census validation against the published validator (csc-validator-be-cin).

For each size, one synthetic return with a deliberately broken child per rule is written to XML; the
published validator (in its throwaway environment, see opencsc/returns/tests/oracle) and openCSC each
read and validate that same file; the script prints both times, the ratio and whether the findings
agree. Then openCSC alone reads and validates a national-scale file, and the per-child latency of the
entry-time path is measured.

    .venv/bin/python bench/cin_validation.py                       # 1,000 / 10,000 / 20,000 and 650,000
    .venv/bin/python bench/cin_validation.py --sizes 1000 --national 0
    .venv/bin/python bench/cin_validation.py --skip-published --national 650000
    .venv/bin/python bench/cin_validation.py --sizes 20000 --national 0 --valid   # a valid return

The published validator is quadratic: about 9 minutes at 20,000 children.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencsc.config.test_settings")
django.setup()

from opencsc.returns.cin.synthetic import broken_return, synthetic_return  # noqa: E402
from opencsc.returns.cin.validate import validate_child, validate_cin  # noqa: E402
from opencsc.returns.cin.xml_io import read_cin_xml, write_cin_xml  # noqa: E402
from opencsc.returns.tests.oracle import CIN_KNOWN_DEFECTS, run_cin_oracle  # noqa: E402

YEAR, YEAR_END = "2025-26", 2026


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (forked workers, the oracle)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def ours(path: Path, workers: int) -> tuple[float, set[tuple[str, str | None]], int]:
    started = time.perf_counter()
    findings = validate_cin(read_cin_xml(path, workers=workers), YEAR, workers=workers)
    seconds = time.perf_counter() - started
    pairs = {(f.rule, f.child_id) for f in findings if f.child_id is not None or f.rule == "8500"}
    return seconds, pairs, len(findings)


def compare(size: int, workers: int, published: bool, folder: Path, valid: bool = False) -> None:
    if valid:
        tables, broken = synthetic_return(size, YEAR, seed=size), {}
    else:
        tables, broken = broken_return(size, YEAR, seed=size)
    path = folder / f"cin_{size}.xml"
    write_cin_xml(tables, path)
    del tables
    ours_s, ours_pairs, n_findings = ours(path, workers)
    line = f"{size:>7,} children  openCSC {ours_s:7.2f} s ({len(ours_pairs)} rule-child pairs, {n_findings} findings)"
    if published:
        started, cpu = time.perf_counter(), cpu_seconds()
        oracle = run_cin_oracle(path, YEAR_END)
        theirs_s, theirs_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        missed = {p for p in oracle.pairs - ours_pairs if p[0] not in CIN_KNOWN_DEFECTS and p[1] != broken.get("8510")}
        line += (
            f"  published {theirs_s:8.2f} s ({len(oracle.pairs)} pairs, crashed {sorted(oracle.crashed)})"
            f"  ratio {theirs_s / ours_s:6.1f}x  published-only pairs not explained: {len(missed)}"
            f"  openCSC-only pairs: {len(ours_pairs - oracle.pairs)}"
            f"  (published CPU {theirs_cpu:.1f} s, load average {os.getloadavg()[0]:.1f})"
        )
    print(line, flush=True)


def national(size: int, workers: int, folder: Path) -> None:
    started = time.perf_counter()
    tables = synthetic_return(size, YEAR, seed=650)
    path = folder / f"cin_{size}.xml"
    write_cin_xml(tables, path)
    del tables
    made = time.perf_counter() - started
    started = time.perf_counter()
    tables = read_cin_xml(path, workers=workers)
    read_s = time.perf_counter() - started
    findings = validate_cin(tables, YEAR, workers=workers)
    total = time.perf_counter() - started
    print(
        f"{size:>7,} children  openCSC read {read_s:.1f} s + validate {total - read_s:.1f} s = {total:.1f} s "
        f"({path.stat().st_size / 1e6:.0f} MB, {len(findings)} findings; building the file took {made:.0f} s)",
        flush=True,
    )


def latency(children: int) -> None:
    tables, _ = broken_return(max(children, 200), YEAR, seed=3)
    records = [tables.child(i) for i in range(children)]
    times = []
    for record in records:
        started = time.perf_counter()
        validate_child(record, YEAR)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(
        f"per-child validation at entry: mean {statistics.mean(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.2f} ms over {children} children"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,20000", help="children per compared return")
    parser.add_argument("--skip-published", action="store_true", help="do not run the published validator")
    parser.add_argument(
        "--valid", action="store_true", help="compare on valid returns instead of one broken child per rule"
    )
    parser.add_argument("--national", type=int, default=650_000, help="children in the national file (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="processes openCSC may use")
    parser.add_argument("--latency-children", type=int, default=500)
    args = parser.parse_args()
    print(f"CPU cores: {os.cpu_count()}, openCSC workers: {args.workers}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s):
            compare(size, args.workers, not args.skip_published, Path(tmp), valid=args.valid)
        if args.national:
            national(args.national, args.workers, Path(tmp))
    latency(args.latency_children)


if __name__ == "__main__":
    main()
