"""Finding duplicate records over the whole database (`manage.py find_duplicates`).

The run reads every profile once (one SQL statement, no ORM objects) and works in memory:

1. **Blocks.** Each person is filed under a few tight composite keys built for duplicates, each
   kept exact on one part so that any one or two of the errors two records of one person show
   (a typo or nickname in the first name, a surname spelt as it sounds, a date error, a move)
   leaves them sharing at least one key:
   a name's sound (metaphone of any name token) with the full date of birth; a name's sound with a
   postcode (current or previous); the date of birth with a postcode; first-name and surname sounds
   together (either order) with the birth year, and with the birth day and month; each exact
   identifier (NHS number's blind index, LA child id, UPN); and, for people with no date of birth
   only, the first-name and surname sounds alone. A block of more than MAX_BLOCK people (a common
   name at a crowded address, say) is skipped: its true duplicates share one of the tighter keys.
2. **A cheap filter** on every pair sharing a block, in plain comparisons of precomputed values:
   a pair whose dates of birth are both known and differ by more than a swap or one digit is never
   proposed (a different date of birth weighs -9 bits; at one address such a pair is a parent and a
   child of one name), nor is a pair of different sexes or different NHS numbers (the scorer vetoes
   them), unless an identifier agrees. Nine pairs in ten stop here.
3. **The scorer** (`scoring.score`, the same as for a query, with `near_names`: a first name two
   edits from the other's, one of them held by almost nobody, reads as mistyped) on the pairs that
   are left; pairs that are not vetoed (different first names, different sex, different NHS numbers:
   twins and siblings) are proposed for review (`proposed`), written with bulk inserts: from
   AT_ONE_ADDRESS_FROM bits at one postcode, from `elsewhere_threshold` at different addresses
   (namesakes grow with the population).

How the keys, the block limit and the filter were chosen, with the figures: bench/README.md
("Person matching") and docs/matching-thresholds.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.people.matching import scoring
from opencsc.people.matching.index import PROFILE_COLUMNS, Profile
from opencsc.people.matching.models import DuplicatePair, MatchProfile, NameFrequency, PairStatus
from opencsc.people.matching.normalise import phonetic

MAX_BLOCK = 100
ELSEWHERE_BITS = 22.0
# Pairs at one address are proposed from this many bits (not vetoed), as "probable" below the certain
# band: a bit under the query's probable band, since first name + surname pair frequencies
# (`Frequencies.pair_excess`) already take the weight of common pairings away (the sweep in
# docs/matching-thresholds.md, "Crowding").
PROPOSE_FROM = 19.0
# Two records sharing a postcode are proposed from fewer bits: two errors at once (a mistyped first name
# and one digit of the date) leave a duplicate at 15-19 bits, and at one address the only other people
# with the same first name, surname and a near date are the person's own records (a parent and child of
# one name have dates that differ by more than a digit, which the cheap filter stops). Chosen with
# `bench/duplicate_misses.py` at 200,000 people: recall 0.965 -> 0.977, precision unchanged (0.980-0.981).
AT_ONE_ADDRESS_FROM = 15.0
# Bits the elsewhere rule adds per doubling of the population above REFERENCE_POPULATION: 0.6, the
# smallest that kept precision at 0.95 at a million people once pair frequencies took the weight
# of common pairings away (1.0 before them; docs/matching-thresholds.md, "Crowding").
ELSEWHERE_SLOPE = 0.6
REFERENCE_POPULATION = 100_000
Progress = Callable[[int, int], None]


@dataclass
class Proposal:
    person_a: int
    person_b: int
    score: float
    band: str
    reasons: list[str]


@dataclass
class _People:
    """Every profile as plain rows (index order = person id order) and the values the filter reads."""

    rows: list[tuple[Any, ...]]
    born: list[str]  # "YYYYMMDD", or "" when unknown
    ordinal: list[int]
    sex: list[str]
    nhs: list[str]

    def __len__(self) -> int:
        return len(self.rows)


def _read_people() -> _People:
    columns = ", ".join(PROFILE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {MatchProfile._meta.db_table} ORDER BY person_id")  # noqa: S608
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        rows = [(*row[:4], _as_date(row[4]), *row[5:]) for row in rows]
    born = [f"{row[4]:%Y%m%d}" if row[4] else "" for row in rows]
    ordinal = [row[4].toordinal() if row[4] else 0 for row in rows]
    return _People(rows, born, ordinal, [row[3] for row in rows], [row[6] for row in rows])


def _as_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _sounds(text: str) -> list[str]:
    return [code for code in dict.fromkeys(phonetic(t) for t in text.replace("/", " ").split()) if code]


KEY_FAMILIES = 7


def _blocks(people: _People) -> Iterator[tuple[list[list[int]], bool]]:
    """The blocks, one family of keys at a time (only one family's keys are held at once), each
    family with whether its pairs must include someone with no date of birth."""
    given_codes: list[list[str]] = []
    surname_codes: list[list[str]] = []
    postcodes: list[list[str]] = []
    for row in people.rows:
        given_codes.append(_sounds(row[1]))
        surname_codes.append(_sounds(row[2]))
        postcodes.append(row[5].split())
    born = people.born

    def family(keys_of: Callable[[int], Iterable[object]]) -> list[list[int]]:
        blocks: dict[object, list[int]] = {}
        for i in range(len(people)):
            for key in set(keys_of(i)):  # a key once a person, however many names give it
                blocks.setdefault(key, []).append(i)
        return [members for members in blocks.values() if 2 <= len(members) <= MAX_BLOCK]

    def names(i: int) -> list[str]:
        return given_codes[i] + surname_codes[i]

    def pairs_of_names(i: int) -> list[tuple[str, str]]:
        return [(min(f, s), max(f, s)) for f in given_codes[i][:1] for s in surname_codes[i] if f != s]

    yield family(lambda i: [(c, born[i]) for c in names(i)] if born[i] else []), False
    yield family(lambda i: [(c, pc) for c in names(i) for pc in postcodes[i]]), False
    yield family(lambda i: [(born[i], pc) for pc in postcodes[i]] if born[i] else []), False
    yield family(lambda i: [(*p, born[i][:4]) for p in pairs_of_names(i)] if born[i] else []), False
    yield family(lambda i: [(*p, born[i][4:]) for p in pairs_of_names(i)] if born[i] else []), False
    yield family(lambda i: [(k, v) for k, v in zip(("nhs", "la", "upn"), people.rows[i][6:9], strict=True) if v]), False
    yield family(lambda i: [("n", *p) for p in pairs_of_names(i)]), True


def _pairs_in(members: list[int], undated_only: bool, people: _People) -> Iterable[tuple[int, int]]:
    if not undated_only:
        return combinations(members, 2)  # members are in index order, so i < j
    undated = [i for i in members if not people.born[i]]
    return ((min(i, j), max(i, j)) for i in undated for j in members if j != i and (people.born[j] or j > i))


def _may_be_probable(a: int, b: int, people: _People) -> bool:
    """False when the pair cannot reach the probable band unscored (see the module's docstring)."""
    ra, rb = people.rows[a], people.rows[b]
    if (ra[6] and ra[6] == rb[6]) or (ra[7] and ra[7] == rb[7]) or (ra[8] and ra[8] == rb[8]):
        return True  # an identifier agrees: the scorer decides
    sa, sb = people.sex[a], people.sex[b]
    if sa and sb and sa != sb:
        return False
    if ra[6] and rb[6]:  # different NHS numbers
        return False
    da, db = people.born[a], people.born[b]
    if not da or not db or da == db:
        return True
    if da[:4] == db[:4] and da[4:6] == db[6:8] and da[6:8] == db[4:6]:  # day and month swapped
        return True
    return sum(x != y for x, y in zip(da, db, strict=True)) == 1 or abs(people.ordinal[a] - people.ordinal[b]) == 1


def candidate_pairs(people: _People, progress: Progress | None = None) -> tuple[list[tuple[int, int]], int]:
    """(i, j), i < j (indexes into `people`, so person ids in order), of every two people sharing a
    block who pass the cheap filter; and how many distinct pairs shared a block."""
    seen: set[int] = set()
    kept: list[tuple[int, int]] = []
    n = len(people)
    for step, (blocks, undated_only) in enumerate(_blocks(people), start=1):
        for members in blocks:
            for i, j in _pairs_in(members, undated_only, people):
                code = i * n + j
                if code in seen:
                    continue
                seen.add(code)
                if _may_be_probable(i, j, people):
                    kept.append((i, j))
        if progress:
            progress(step, KEY_FAMILIES + 1)
    return kept, len(seen)


def score_pairs(pairs: list[tuple[int, int]], people: _People) -> Iterator[Proposal]:
    # The duplicate run keeps its own rule for the population (`elsewhere_threshold`), not the bands' shift.
    freq = scoring.Frequencies(dict(_frequencies()), len(people), shift=0.0)
    profiles: dict[int, Profile] = {}

    def profile(i: int) -> Profile:
        if i not in profiles:
            profiles[i] = Profile.from_row(people.rows[i])
        return profiles[i]

    elsewhere = elsewhere_threshold(len(people))
    for i, j in pairs:
        s = scoring.score(profile(i), profile(j), freq, near_names=True)
        if not proposed(s, _share_postcode(people, i, j), elsewhere):
            continue
        band = scoring.CERTAIN if s.band == scoring.CERTAIN else scoring.PROBABLE
        yield Proposal(people.rows[i][0], people.rows[j][0], s.score, band, s.reasons)


def _share_postcode(people: _People, i: int, j: int) -> bool:
    return bool(set(people.rows[i][5].split()) & set(people.rows[j][5].split()))


def proposed(s: scoring.Scored, share_postcode: bool, elsewhere: float) -> bool:
    """The rule: not vetoed, and AT_ONE_ADDRESS_FROM bits for two records sharing a postcode,
    `elsewhere` bits (at least PROPOSE_FROM) otherwise."""
    if s.vetoed:
        return False
    if share_postcode:
        return s.weight >= AT_ONE_ADDRESS_FROM
    return s.weight >= max(PROPOSE_FROM, elsewhere)  # a namesake elsewhere, where namesakes are common


def elsewhere_threshold(population: int) -> float:
    """The weight a pair needs to be proposed when the two records share no postcode (current or
    previous): ELSEWHERE_BITS up to REFERENCE_POPULATION people, and ELSEWHERE_SLOPE times log2 of how
    many times larger the population is above that. Two records at one address need only the probable band. Comparing
    every person with every other, the chance that a same-name, same-date pair is two people grows
    with the population (the prior odds of a match fall as 1 / N): at a million people the
    bench's namesakes with the same date of birth at other addresses outnumbered the duplicates that
    had moved. docs/matching-thresholds.md has the sweep."""
    return ELSEWHERE_BITS + ELSEWHERE_SLOPE * max(0.0, math.log2(max(population, 1) / REFERENCE_POPULATION))


def _frequencies() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token, count FROM {NameFrequency._meta.db_table}")  # noqa: S608
        return list(cursor.fetchall())


def find_duplicates(*, actor: Actor, progress: Progress | None = None) -> dict[str, int]:
    """Propose duplicate pairs over the whole database; pairs already reviewed are left as they
    are. One transaction for the writes, one audit event ("duplicates.find") with the counts.
    `progress(done, total)` is called after each family of keys (KEY_FAMILIES), then once at the end."""
    people = _read_people()
    pairs, shared = candidate_pairs(people, progress)
    proposals = list(score_pairs(pairs, people))
    with transaction.atomic():
        reviewed = set(
            DuplicatePair.objects.exclude(status=PairStatus.PROPOSED).values_list("person_a_id", "person_b_id")
        )
        DuplicatePair.objects.filter(status=PairStatus.PROPOSED).delete()
        fresh = [p for p in proposals if (p.person_a, p.person_b) not in reviewed]
        now = timezone.now()
        DuplicatePair.objects.bulk_create(
            [
                DuplicatePair(
                    person_a_id=p.person_a,
                    person_b_id=p.person_b,
                    score=p.score,
                    band=p.band,
                    reasons=p.reasons,
                    found_at=now,
                )
                for p in fresh
            ],
            batch_size=2000,
        )
        counts = {
            "people": len(people),
            "pairs_in_blocks": shared,
            "pairs_compared": len(pairs),
            "proposed": len(fresh),
            "already_reviewed": len(proposals) - len(fresh),
        }
        record_event(actor=actor, action="duplicates.find", detail=counts)
    if progress:
        progress(KEY_FAMILIES + 1, KEY_FAMILIES + 1)
    return counts
