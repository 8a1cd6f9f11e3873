"""Finding duplicate records over the whole database (`manage.py find_duplicates`).

Pairs are proposed from the blocking keys: two people sharing at least two keys in a block small
enough to mean something (a key held by more than MAX_BLOCK people, such as a very common name
with a birth month, is skipped: the true duplicates share narrower keys too). Leaving out the keys
that only say "same family" (a surname at a postcode) was measured on the bench: 13% fewer pairs,
but recall fell from 0.96 to 0.93, so they stay. Each pair is scored as a query for one against
the other; certain and probable pairs that are not vetoed (different
first names, different sex, different NHS numbers: twins and siblings) are proposed for review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.people.matching import scoring
from opencsc.people.matching.index import PROFILE_COLUMNS, Profile
from opencsc.people.matching.models import DuplicatePair, MatchKey, MatchProfile, NameFrequency, PairStatus

MAX_BLOCK = 100
MIN_SHARED_KEYS = 2
CHUNK = 5000


@dataclass
class Proposal:
    person_a: int
    person_b: int
    score: float
    band: str
    reasons: list[str]


def candidate_pairs() -> list[tuple[int, int]]:
    """(a, b) with a < b for every two people sharing MIN_SHARED_KEYS keys in small blocks."""
    table = MatchKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH blocks AS (SELECT key FROM {table} GROUP BY key HAVING COUNT(*) BETWEEN 2 AND %s)"  # noqa: S608
            f" SELECT a.person_id, b.person_id FROM {table} a JOIN blocks ON blocks.key = a.key"
            f" JOIN {table} b ON b.key = a.key AND b.person_id > a.person_id"
            " GROUP BY a.person_id, b.person_id HAVING COUNT(*) >= %s",
            [MAX_BLOCK, MIN_SHARED_KEYS],
        )
        return [(a, b) for a, b in cursor.fetchall()]


def _profiles(ids: list[int]) -> dict[int, Profile]:
    found: dict[int, Profile] = {}
    for start in range(0, len(ids), CHUNK):
        rows = MatchProfile.objects.filter(person_id__in=ids[start : start + CHUNK]).values_list(*PROFILE_COLUMNS)
        found.update((row[0], Profile.from_row(row)) for row in rows)
    return found


def score_pairs(pairs: list[tuple[int, int]], progress: Callable[[int, int], None] | None = None) -> Iterator[Proposal]:
    freq = scoring.Frequencies(dict(NameFrequency.objects.values_list("token", "count")), MatchProfile.objects.count())
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        profiles = _profiles(sorted({i for pair in chunk for i in pair}))
        for a, b in chunk:
            if a not in profiles or b not in profiles:
                continue
            s = scoring.score(profiles[a], profiles[b], freq)
            if s.band in (scoring.CERTAIN, scoring.PROBABLE):
                yield Proposal(a, b, s.score, s.band, s.reasons)
        if progress:
            progress(min(start + CHUNK, len(pairs)), len(pairs))


def find_duplicates(*, actor: Actor, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Propose duplicate pairs over the whole database; pairs already reviewed are left as they
    are. One transaction, one audit event ("duplicates.find") with the counts."""
    pairs = candidate_pairs()
    proposals = list(score_pairs(pairs, progress))
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
        counts = {"pairs_compared": len(pairs), "proposed": len(fresh), "already_reviewed": len(proposals) - len(fresh)}
        record_event(actor=actor, action="duplicates.find", detail=counts)
    return counts
