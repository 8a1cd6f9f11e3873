"""Benchmark: the published SSDA903 validator against openCSC's, on the same synthetic CSV return.

    .venv/bin/python bench/ssda903_validation.py [--children 100000] [--year 2025-26] [--no-previous]
                                                  [--skip-published] [--seed 903]

Generates a valid synthetic return (and last year's, from the same histories) with deliberately broken
records for a few hundred children, writes both as CSV, then times the published validator
(csc-validator-be-903 0.1.17, in its own environment: see opencsc/returns/tests/oracle_903) and openCSC
(reading the CSVs and validating), compares the (rule, child) pairs and prints the ratio, then times the
single-child path used when a worker records an event. Not a test.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import tempfile
import time
from pathlib import Path

from opencsc.returns.ssda903.csv_io import read_903_dir, write_903_dir
from opencsc.returns.ssda903.postcodes import PostcodeLookup
from opencsc.returns.ssda903.synthetic import BREAKERS, synthetic_903
from opencsc.returns.ssda903.validate import validate_903, validate_child
from opencsc.returns.tests.oracle_903 import KNOWN_DEFECTS_903, oracle_903, run_903_oracle


def _break(tables: dict, year: str) -> dict[str, str]:  # type: ignore[type-arg]
    used: set[str] = set()
    broken = {}
    for breaker in BREAKERS:
        if breaker.from_year <= int(year[:4]) + 1 and breaker.table in tables:
            child = breaker.apply(tables, used)
            if child:
                broken[breaker.rule] = child
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--year", default="2025-26")
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument("--no-previous", action="store_true")
    parser.add_argument("--skip-published", action="store_true")
    args = parser.parse_args()
    lookup = PostcodeLookup.builtin(complete=True)

    started = time.perf_counter()
    this, last = synthetic_903(args.children, seed=args.seed, year=args.year, with_previous=True)
    broken = _break(this, args.year)
    print(
        f"generated {args.children:,} children ({this['Episodes'].height:,} episodes, {len(broken)} broken "
        f"records) in {time.perf_counter() - started:.1f}s"
    )
    folder = Path(tempfile.mkdtemp(prefix="bench903-"))
    write_903_dir(this, folder / "this")
    write_903_dir(last, folder / "last")
    previous = None if args.no_previous else folder / "last"

    started, cpu = time.perf_counter(), time.process_time()
    tables = read_903_dir(folder / "this")
    prev_tables = read_903_dir(previous) if previous else None
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    findings = validate_903(tables, args.year, previous=prev_tables, postcodes=lookup)
    validate_s = time.perf_counter() - started
    ours_s, ours_cpu = read_s + validate_s, time.process_time() - cpu
    ours = {(f.rule, str(f.child_id)) for f in findings}
    print(
        f"openCSC:   {ours_s:8.2f}s wall, {ours_cpu:.2f}s CPU (read CSV {read_s:.2f}s + validate {validate_s:.2f}s), "
        f"{len(findings):,} findings, {len(ours):,} (rule, child) pairs"
    )

    if not args.skip_published:
        oracle = run_903_oracle(folder / "this", args.year, oracle_903(), previous=previous)
        print(
            f"published: {oracle.seconds:8.2f}s wall, {oracle.cpu_seconds:.2f}s CPU (inside its process), "
            f"{len(oracle.pairs):,} (rule, child) pairs, "
            f"crashed rules: {', '.join(sorted(oracle.crashed)) or 'none'}"
        )
        print(
            f"ratio:     openCSC is {oracle.seconds / ours_s:.1f}x faster by wall clock, "
            f"{oracle.cpu_seconds / ours_cpu:.1f}x by CPU time "
            f"(validate only, wall: {oracle.seconds / validate_s:.1f}x)"
        )
        missed = oracle.pairs - ours
        by_rule = collections.Counter(rule for rule, _ in missed)
        explained = {rule: n for rule, n in by_rule.items() if rule in KNOWN_DEFECTS_903}
        unexplained = {rule: n for rule, n in by_rule.items() if rule not in KNOWN_DEFECTS_903}
        extra = collections.Counter(rule for rule, _ in ours - oracle.pairs)
        print(
            f"agreement: {len(oracle.pairs & ours):,} pairs found by both; published-only {sum(by_rule.values()):,} "
            f"(documented defects {dict(sorted(explained.items()))}; unexplained {unexplained or 'none'}); "
            f"openCSC-only {dict(sorted(extra.items()))}"
        )

    children = sorted(set(broken.values()))[:20] + tables["Header"]["CHILD"].head(30).to_list()
    validate_child(tables, children[0], args.year, previous=prev_tables, postcodes=lookup)
    times = []
    for child in children:
        started = time.perf_counter()
        validate_child(tables, child, args.year, previous=prev_tables, postcodes=lookup)
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"per child: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(0.95 * len(times))] * 1000:.0f} ms "
        f"over {len(times)} children (all {len(tables['Header']):,} children's tables in memory)"
    )


if __name__ == "__main__":
    main()
