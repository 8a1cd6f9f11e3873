"""Which true duplicate pairs the whole-database run misses, and why (issue 12).

On a database `bench/matching.py` or `bench/import_people.py` loaded from the generator (same
--people / --rows and seed), classifies every true pair of records of one person by what differs
between them (first name, surname, date of birth, postcode, identifiers kept) and by where the run
lost it: never in a block together, stopped by the cheap filter, vetoed by a rule, scored below
PROPOSE_FROM, or below `elsewhere_threshold` at different addresses. Prints counts per kind and a
sample of each loss.

    .venv/bin/python bench/duplicate_misses.py --people 200000 --db opencsc_bench12_import
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_env


def classify(people_count: int, seed: int, samples: int) -> None:
    import django

    django.setup()
    from bench.matching_population import Generator
    from opencsc.people.matching import duplicates, scoring
    from opencsc.people.matching.index import Profile
    from opencsc.people.matching.models import ExternalId
    from opencsc.people.models import Person

    people = Generator(seed).population(people_count)
    by_key = {p.key: p for p in people}
    external = dict(ExternalId.objects.values_list("value", "person_id"))
    if external:
        ids = {p.key: external[f"LEG{p.key:08d}"] for p in people}
    else:
        pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        ids = {p.key: pk for p, pk in zip(people, pks, strict=True)}
    found = duplicates._read_people()
    position = {row[0]: i for i, row in enumerate(found.rows)}
    pairs, shared = duplicates.candidate_pairs(found)
    kept = set(pairs)
    # Which pairs shared a block at all (before the filter): recompute for the true pairs only.
    truth = []
    for p in people:
        if p.duplicate_of is None:
            continue
        a, b = sorted((position[ids[p.key]], position[ids[p.duplicate_of]]))
        truth.append((a, b, by_key[p.duplicate_of], p))
    in_block: set[tuple[int, int]] = set()
    partners: dict[int, list[int]] = {}
    for a, b, _, _ in truth:
        partners.setdefault(a, []).append(b)
    for blocks, _undated_only in duplicates._blocks(found):
        for members in blocks:
            member_set = set(members)
            for m in members:
                for other in partners.get(m, ()):
                    if other in member_set:
                        in_block.add((m, other))
    freq = scoring.Frequencies(dict(duplicates._frequencies()), len(found), shift=0.0)
    elsewhere = duplicates.elsewhere_threshold(len(found))
    outcome: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for a, b, original, copy in truth:
        diff = [
            name
            for name, x, y in (
                ("first", original.first, copy.first),
                ("surname", original.surname, copy.surname),
                ("dob", original.born, copy.born),
                ("moved", original.postcode, copy.postcode),
            )
            if x != y
        ] or ["none"]
        kind = "+".join(diff) + ("+nhs" if copy.nhs else "")
        totals[kind] += 1
        ra, rb = found.rows[a], found.rows[b]
        s = scoring.score(Profile.from_row(ra), Profile.from_row(rb), freq, near_names=True)
        share_pc = bool(set(ra[5].split()) & set(rb[5].split()))
        if (a, b) not in in_block:
            why = "no shared block"
        elif (a, b) not in kept:
            why = "cheap filter"
        elif s.vetoed:
            why = "vetoed"
        elif s.weight < duplicates.PROPOSE_FROM:
            why = "below PROPOSE_FROM"
        elif s.weight < elsewhere and not share_pc:
            why = "below elsewhere"
        else:
            why = "found"
        outcome[(kind, why)] += 1
        if why != "found" and len(examples.setdefault(why, [])) < samples:
            examples[why].append(
                f"{kind:28s} {s.weight:5.1f}  {ra[1]}|{ra[2]}|{ra[4]}|{ra[5]}  vs  {rb[1]}|{rb[2]}|{rb[4]}|{rb[5]}"
                f"  ({'; '.join(s.reasons)})"
            )
    truth_pairs = {(a, b) for a, b, _, _ in truth}
    scored = []  # (weight, vetoed, is a true pair, share a postcode)
    for i, j in pairs:
        s = scoring.score(Profile.from_row(found.rows[i]), Profile.from_row(found.rows[j]), freq, near_names=True)
        if s.weight >= 12:
            scored.append((s, (i, j) in truth_pairs, duplicates._share_postcode(found, i, j)))

    def line(label: str, chosen: list[bool]) -> None:
        right = sum(chosen)
        print(f"  {label:34s} {len(chosen):7,} proposed  precision {right / max(len(chosen), 1):.3f}"
              f"  recall {right / max(len(truth), 1):.3f}")  # fmt: skip

    line("the code's rule", [t for s, t, pc in scored if duplicates.proposed(s, pc, elsewhere)])
    for same in (14, 15, 16, 17, 18, 19):
        for x in (elsewhere - 1, elsewhere, elsewhere + 1):
            line(f"one address from {same}, elsewhere {x:.1f}",
                 [t for s, t, pc in scored if not s.vetoed and s.weight >= (same if pc else max(x, 19))])  # fmt: skip
    print(f"{len(found):,} people, {shared:,} pairs in blocks, {len(pairs):,} after the filter, {len(truth):,} true")
    print(f"elsewhere threshold {elsewhere:.2f}, PROPOSE_FROM {duplicates.PROPOSE_FROM}")
    reasons = sorted({why for _, why in outcome})
    print(f"{'variation':30s} {'total':>6s} " + " ".join(f"{r[:16]:>16s}" for r in reasons))
    for kind, total in totals.most_common():
        print(f"{kind:30s} {total:6d} " + " ".join(f"{outcome[(kind, r)]:16d}" for r in reasons))
    print(f"{'all':30s} {sum(totals.values()):6d} " + " ".join(
        f"{sum(n for (_, w), n in outcome.items() if w == r):16d}" for r in reasons))  # fmt: skip
    for why, lines in examples.items():
        print(f"\n{why}:")
        for line in lines:
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--db", default="opencsc_bench12")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        classify(args.people, args.seed, args.samples)
        return
    env = {**os.environ, **bench_env(args.db, anchor_file="misses-anchor.txt")}
    argv = [sys.executable, __file__, "--child", "--people", str(args.people), "--seed", str(args.seed),
            "--samples", str(args.samples)]  # fmt: skip
    subprocess.run(argv, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
