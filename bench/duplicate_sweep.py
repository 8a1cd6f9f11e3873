"""Sweep the duplicate run's thresholds on a database `bench/matching.py` loaded (issue 12).

Rescores every pair `find_duplicates` compares and prints precision and recall against the
generator's known duplicates for each probable threshold, and for each extra weight asked of pairs
whose records share no postcode (`duplicates.elsewhere_threshold`). docs/matching-thresholds.md
has the tables this gave at 100,000 and 1,000,000 people.

    .venv/bin/python bench/duplicate_sweep.py --people 100000                          # opencsc_bench12
    .venv/bin/python bench/duplicate_sweep.py --people 1000000 --db opencsc_bench12m
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_env


def sweep(people_count: int, seed: int) -> None:
    import django

    django.setup()
    from bench.matching_population import Generator
    from opencsc.people.matching import duplicates, scoring
    from opencsc.people.matching.index import Profile
    from opencsc.people.models import Person

    people = Generator(seed).population(people_count)
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    ids = {p.key: pk for p, pk in zip(people, pks, strict=True)}
    truth = {tuple(sorted((ids[p.key], ids[p.duplicate_of]))) for p in people if p.duplicate_of is not None}
    found = duplicates._read_people()
    pairs, shared = duplicates.candidate_pairs(found)
    freq = scoring.Frequencies(dict(duplicates._frequencies()), len(found), shift=0.0)
    scored = []  # (weight, is a true pair, share a postcode)
    for i, j in pairs:
        a, b = found.rows[i], found.rows[j]
        s = scoring.score(Profile.from_row(a), Profile.from_row(b), freq)
        if not s.vetoed and s.weight >= 14:
            scored.append((s.weight, (a[0], b[0]) in truth, bool(set(a[5].split()) & set(b[5].split()))))
    print(f"{len(found):,} people, {shared:,} pairs in blocks, {len(pairs):,} scored, {len(truth):,} true pairs")

    def line(label: str, chosen: list[bool]) -> None:
        right = sum(chosen)
        print(f"  {label:28s} {len(chosen):7,} proposed  precision {right / max(len(chosen), 1):.3f}"
              f"  recall {right / max(len(truth), 1):.3f}")  # fmt: skip

    print("probable threshold alone:")
    for threshold in range(18, 31):
        line(f"from {threshold} bits", [t for w, t, _ in scored if w >= threshold])
    for probable in (18, 19, 20):
        print(f"pairs at one address from {probable} bits; pairs sharing no postcode need X:")
        for x in range(probable, 29):
            line(f"X = {x}", [t for w, t, pc in scored if w >= probable and (pc or w >= x)])
    p, x = duplicates.PROPOSE_FROM, duplicates.elsewhere_threshold(len(found))
    line(f"{p} / X = {x:.2f} (the code's)", [t for w, t, pc in scored if w >= p and (pc or w >= x)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--db", default="opencsc_bench12")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sweep(args.people, args.seed)
        return
    env = {**os.environ, **bench_env(args.db, anchor_file="sweep-anchor.txt")}
    argv = [sys.executable, __file__, "--child", "--people", str(args.people), "--seed", str(args.seed)]
    subprocess.run(argv, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
