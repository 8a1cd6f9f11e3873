"""How the query bands sit against the evidence (ADR 0036): the weight (bits) of true matches and of
non-matches, on a database `bench/matching.py` or `bench/import_people.py` has loaded.

For the generator's queries it prints, in 2-bit bins: the weight the true person gets (single-error
and hard queries), the best weight any other person gets (the namesakes a query meets), and the best
weight for people who are not there (unknown queries); then, for each candidate probable threshold,
the share of unknown people flagged and of true people at least probable, marking the code's
thresholds (with the population's shift, `scoring.band_shift`). docs/matching-thresholds.md
("Crowding") has the figures.

    .venv/bin/python bench/matching_calibration.py --people 100000 --db opencsc_bench12
    .venv/bin/python bench/matching_calibration.py --people 1000000 --db opencsc_bench12_import
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_env


def calibrate(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from bench.matching_population import Generator
    from opencsc.people.matching import scoring, service
    from opencsc.people.matching.service import MatchQuery, find_matches
    from opencsc.people.models import Person

    gen = Generator(args.seed)
    people = gen.population(args.people)
    queries = gen.queries(people, args.single, args.hard, args.unknown)
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    if len(pks) != len(people):
        sys.exit(f"the database holds {len(pks):,} people, not the {len(people):,} of this scale and seed")
    ids = {p.key: pk for p, pk in zip(people, pks, strict=True)}
    population = service._population()
    shift = scoring.band_shift(population)
    true_w: dict[str, list[float]] = {"single": [], "hard": []}
    other_w: list[float] = []
    unknown_w: list[float] = []
    for q in queries:
        found = find_matches(
            MatchQuery(first_name=q.first, surname=q.surname, sex=q.sex, date_of_birth=q.born, postcode=q.postcode,
                       nhs_number=q.nhs),
            limit=10, include_all=True,
        )  # fmt: skip
        if q.kind == "unknown":
            unknown_w.append(max((c.weight for c in found), default=-99.0))
            continue
        target = ids[q.target]
        true_w[q.kind].append(next((c.weight for c in found if c.person_id == target), -99.0))
        other_w.append(max((c.weight for c in found if c.person_id != target), default=-99.0))

    bins = list(range(0, 44, 2))

    def histogram(values: list[float]) -> str:
        return " ".join(f"{sum(lo <= v < lo + 2 for v in values) / max(len(values), 1):5.1%}" for lo in bins)

    print(f"{population:,} people; thresholds (bits): certain {scoring.THRESHOLDS['certain'] + shift:.1f},"
          f" probable {scoring.THRESHOLDS['probable'] + shift:.1f}, possible {scoring.THRESHOLDS['possible']:.1f}"
          f" (shift {shift:.2f})")  # fmt: skip
    print("weight from:            " + " ".join(f"{lo:>5}" for lo in bins))
    print(f"true person, single     {histogram(true_w['single'])}")
    print(f"true person, hard       {histogram(true_w['hard'])}")
    print(f"best other person       {histogram(other_w)}")
    print(f"best for unknown people {histogram(unknown_w)}")
    print("probable from | unknown people flagged | single-error true >= probable | hard true >= probable")

    def share(values: list[float], threshold: int) -> float:
        return sum(v >= threshold for v in values) / max(len(values), 1)

    for threshold in range(16, 32):
        mark = " <- the code's" if int(scoring.THRESHOLDS["probable"] + shift) == threshold else ""
        print(
            f"  {threshold:2d} bits      | {share(unknown_w, threshold):6.2%}"
            f"               | {share(true_w['single'], threshold):6.1%}"
            f"                        | {share(true_w['hard'], threshold):6.1%}"
            f"{mark}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=1300)
    parser.add_argument("--hard", type=int, default=500)
    parser.add_argument("--unknown", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--db", default="opencsc_bench12")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        calibrate(args)
        return
    env = {**os.environ, **bench_env(args.db, anchor_file="calibration-anchor.txt")}
    argv = [sys.executable, __file__, "--child"]
    for name in ("people", "single", "hard", "unknown", "seed", "db"):
        argv += [f"--{name}", str(getattr(args, name))]
    subprocess.run(argv, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
