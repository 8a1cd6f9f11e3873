"""Keeping the matching index (profiles, blocking keys, name frequencies) in step with the record.

`index_people(ids)` recomputes the named people's rows; the people services call it, inside their
own transaction, whenever a person, one of their other names or one of their addresses is written,
so a search never misses a person who was just recorded. `remove_person_keys(id)` takes a person out
of the index (a merge, and disposal at the end of retention); `rebuild()` recomputes everything
(after a bulk load, or to repair) and `discrepancies()` checks the index against the record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model

from opencsc.core.bulk import insert_values, secondary_indexes_dropped
from opencsc.people.matching import keys as match_keys
from opencsc.people.matching.models import MatchKey, MatchProfile, NameFrequency, PersonMerge
from opencsc.people.matching.normalise import name_tokens, postcode
from opencsc.people.models import Address, Person, PersonName

CHUNK = 2000


@dataclass
class Profile:
    """A profile in memory (the same for a stored record and for a query)."""

    person_id: int
    given: list[str]
    surnames: list[str]
    sex: str = ""
    date_of_birth: dt.date | None = None
    postcodes: list[str] | None = None
    nhs_number_index: str = ""
    la_child_id: str = ""
    upn: str = ""
    current_surnames: int = 0  # how many of `surnames` are the current surname (the rest: other names)

    @property
    def tokens(self) -> list[str]:
        return [*self.given, *(t for t in self.surnames if t not in self.given)]

    def key_set(self, *, with_pairs: bool = True) -> set[int]:
        return match_keys.keys(
            tokens=self.tokens,
            date_of_birth=self.date_of_birth,
            postcodes=self.postcodes or [],
            nhs_number_index=self.nhs_number_index,
            la_child_id=self.la_child_id,
            upn=self.upn,
            with_pairs=with_pairs,
        )

    def values(self) -> tuple[Any, ...]:
        """The values of its stored `MatchProfile` row, in PROFILE_COLUMNS order."""
        return (
            self.person_id,
            " ".join(self.given)[:300],
            _join_surnames(self.surnames, self.current_surnames)[:300],
            self.sex if self.sex in ("M", "F") else "",
            self.date_of_birth,
            " ".join(self.postcodes or [])[:200],
            self.nhs_number_index,
            self.la_child_id,
            self.upn,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Profile:
        """From PROFILE_COLUMNS values."""
        pid, given, surnames, sex, born, postcodes, nhs, la, upn = row
        current, _, others = surnames.partition("/")
        now = current.split()
        return cls(pid, given.split(), [*now, *others.split()], sex, born, postcodes.split(), nhs, la, upn, len(now))


def _join_surnames(tokens: list[str], current: int) -> str:
    """ "smith jones / begum": the current surname's tokens, then any other surnames."""
    now, others = tokens[:current] if current else tokens, tokens[current:] if current else []
    return " ".join(now) + (" / " + " ".join(others) if others else "")


PROFILE_COLUMNS = (
    "person_id",
    "given",
    "surnames",
    "sex",
    "date_of_birth",
    "postcodes",
    "nhs_number_index",
    "la_child_id",
    "upn",
)


def _standing_aliases(ids: Sequence[int]) -> set[int]:
    return set(
        PersonMerge.objects.filter(merged_id__in=ids, unmerged_at__isnull=True).values_list("merged_id", flat=True)
    )


def build_profiles(ids: Sequence[int], *, contiguous: bool = False) -> list[Profile]:
    """Profiles of the given people from their records (people merged into another are left out).
    With `contiguous`, `ids` is read as the range from its first to its last id (a rebuild)."""
    if contiguous:
        mine: dict[str, Any] = {"person_id__gte": ids[0], "person_id__lte": ids[-1]}
        own: dict[str, Any] = {"pk__gte": ids[0], "pk__lte": ids[-1]}
    else:
        mine, own = {"person_id__in": ids}, {"pk__in": ids}
    other_names: dict[int, list[tuple[str, str]]] = {}
    for pid, first, last in PersonName.objects.filter(**mine).values_list("person_id", "first_name", "last_name"):
        other_names.setdefault(pid, []).append((first, last))
    postcodes: dict[int, list[str]] = {}
    current_first = F("end_date").desc(nulls_first=True)
    for pid, pc in (Address.objects.filter(**mine).order_by("person_id", current_first, "-start_date")).values_list(
        "person_id", "postcode"
    ):
        codes = postcodes.setdefault(pid, [])
        if (norm := postcode(pc)) and norm not in codes:
            codes.append(norm)
    merged = _standing_aliases(ids)
    profiles = []
    for row in Person.objects.filter(**own).values(
        "pk", "first_name", "last_name", "preferred_name", "sex", "date_of_birth", "expected_date_of_birth",
        "nhs_number_index", "la_child_id", "upn",
    ):  # fmt: skip
        if row["pk"] in merged:
            continue
        others = other_names.get(row["pk"], [])
        current = name_tokens(row["last_name"])
        profiles.append(
            Profile(
                person_id=row["pk"],
                given=name_tokens(row["first_name"], row["preferred_name"], *(f for f, _ in others)),
                surnames=name_tokens(row["last_name"], *(s for _, s in others)),
                current_surnames=len(current),
                sex=row["sex"],
                date_of_birth=row["date_of_birth"] or row["expected_date_of_birth"],
                postcodes=postcodes.get(row["pk"], []),
                nhs_number_index=row["nhs_number_index"] or "",
                la_child_id=(row["la_child_id"] or "").upper(),
                upn=(row["upn"] or "").upper(),
            )
        )
    return profiles


def _adjust_frequencies(change: Counter[str]) -> None:
    rows = [(token[:100], n) for token, n in change.items() if n]
    if not rows:
        return
    table = NameFrequency._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two array parameters: one statement for 100,000 tokens
            tokens, counts = zip(*rows, strict=True)
            cursor.execute(
                f"INSERT INTO {table} (token, count) SELECT * FROM unnest(%s::text[], %s::int[])"  # noqa: S608
                f" ON CONFLICT (token) DO UPDATE SET count = {table}.count + excluded.count",
                [list(tokens), list(counts)],
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} (token, count) VALUES (%s, %s)"  # noqa: S608 (our table name)
            f" ON CONFLICT (token) DO UPDATE SET count = {table}.count + excluded.count",
            rows,
        )


def _stored_tokens(ids: Sequence[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for given, surnames in MatchProfile.objects.filter(person_id__in=ids).values_list("given", "surnames"):
        counts.update(_stored_row_tokens(given, surnames))
    return counts


def _write(profiles: list[Profile]) -> None:
    # COPY on PostgreSQL, without a model instance a profile
    insert_values(MatchProfile, PROFILE_COLUMNS, [p.values() for p in profiles])
    rows = [(p.person_id, k) for p in profiles for k in p.key_set()]
    table = MatchKey._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs for a rebuild
            with cursor.cursor.copy(f"COPY {table} (person_id, key) FROM STDIN") as copy:
                # Two integers a line, as COPY's text format reads them: cheaper than write_row per key.
                copy.write("".join(f"{pid}\t{key}\n" for pid, key in rows))
        else:
            cursor.executemany(f"INSERT INTO {table} (person_id, key) VALUES (%s, %s)", rows)  # noqa: S608


def index_people(ids: Iterable[int], *, new: bool = False) -> None:
    """Recompute the index rows of these people (in the caller's transaction, or one of its own).
    With `new`, the people were created in this transaction and have no index rows yet (an import):
    nothing is read or deleted first."""
    ids = sorted(set(ids))
    change: Counter[str] = Counter()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            if not new:
                change.subtract(_stored_tokens(chunk))
                MatchKey.objects.filter(person_id__in=chunk).delete()
                MatchProfile.objects.filter(person_id__in=chunk).delete()
            profiles = build_profiles(chunk)
            for p in profiles:
                change.update(_profile_tokens(p))
            _write(profiles)
        _adjust_frequencies(change)  # once: each token's count changes by its total


# An import adding more people than this (and more than the index holds) files their keys with the
# (key, person) index and the key table's foreign key dropped, then rebuilds both once: sixteen
# million keys inserted one by one into a B-tree of random 64-bit keys, each queueing a deferred
# foreign-key check for the commit, cost most of a million-row import's database time.
BULK_LOAD_FROM = 50_000


@contextmanager
def keys_bulk_loading(adding: int, also: Sequence[type[Model]] = ()) -> Iterator[None]:
    """Within the caller's transaction (PostgreSQL): for a load of `adding` people that is large
    against the index, drop the key table's secondary indexes and foreign keys (and those of the
    tables in `also`: an import adds people, their addresses, external ids and audit events), and
    re-create them (same definitions, each foreign key checked in one pass) when the block ends
    (`core.bulk.secondary_indexes_dropped`). The tables are locked against reads until the commit,
    which an onboarding load can afford and a query on a live system would wait for: below the
    limits nothing changes."""
    if connection.vendor != "postgresql" or adding < BULK_LOAD_FROM or adding < MatchProfile.objects.count():
        yield
        return
    tables = [MatchKey._meta.db_table, *(m._meta.db_table for m in also)]
    with secondary_indexes_dropped(tables):
        yield


def frequency_tokens(given: Iterable[str], surnames: Iterable[str], current: int = 0) -> set[str]:
    """What a person adds to the name frequencies: each name token once, and the pair of their first
    name with each token of their current surname ("muhammad+khan"), so the scorer can tell when a
    first name and a surname go together far more often than chance (names that run in one origin)."""
    given, surnames = list(given), list(surnames)
    now = surnames[:current] if current else surnames
    tokens = set(given) | set(surnames)
    if given:
        tokens.update(pair_token(given[0], s) for s in now)
    return tokens


def pair_token(first: str, surname: str) -> str:
    return f"{first}+{surname}"[:100]


def _profile_tokens(p: Profile) -> set[str]:
    return frequency_tokens(p.given, p.surnames, p.current_surnames)


def index_new_profiles(profiles: list[Profile], change: Counter[str]) -> None:
    """File people created in this transaction, from profiles the caller built (an import: no read
    back of the rows just written). Their name frequencies are added to `change`, for the caller
    to write once with `add_frequencies`."""
    for p in profiles:
        change.update(_profile_tokens(p))
    _write(profiles)


def add_frequencies(change: Counter[str]) -> None:
    _adjust_frequencies(change)


def rebuild_frequencies() -> int:
    """Recount the name frequencies (tokens and first name + surname pairs) from the stored profiles,
    without touching the keys: for a database indexed before pair frequencies existed
    (`rebuild_match_index --frequencies`). Returns the number of distinct tokens."""
    counts: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT given, surnames FROM {MatchProfile._meta.db_table}")  # noqa: S608
        for given, surnames in cursor.fetchall():
            counts.update(_stored_row_tokens(given, surnames))
    with transaction.atomic():
        NameFrequency.objects.all().delete()
        NameFrequency.objects.bulk_create(
            [NameFrequency(token=t[:100], count=n) for t, n in counts.items()], batch_size=CHUNK
        )
    return len(counts)


def _stored_row_tokens(given: str, surnames: str) -> set[str]:
    current, _, others = surnames.partition("/")
    now = current.split()
    return frequency_tokens(given.split(), [*now, *others.split()], len(now))


def remove_person_keys(person_id: int) -> None:
    """Take one person out of the matching index: their profile, keys and share of the name
    frequencies. For a merge, and for disposal (which must call it before deleting the record)."""
    with transaction.atomic():
        change: Counter[str] = Counter()
        change.subtract(_stored_tokens([person_id]))
        MatchKey.objects.filter(person_id=person_id).delete()
        MatchProfile.objects.filter(person_id=person_id).delete()
        _adjust_frequencies(change)


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the whole index from the record, in one transaction. Returns the people indexed."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    frequencies: Counter[str] = Counter()
    with transaction.atomic():
        MatchKey.objects.all().delete()
        MatchProfile.objects.all().delete()
        NameFrequency.objects.all().delete()
        for start in range(0, len(ids), CHUNK):
            profiles = build_profiles(ids[start : start + CHUNK], contiguous=True)
            for p in profiles:
                frequencies.update(_profile_tokens(p))
            _write(profiles)
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        NameFrequency.objects.bulk_create(
            [NameFrequency(token=t[:100], count=n) for t, n in frequencies.items()], batch_size=CHUNK
        )
    return len(ids)


def discrepancies(ids: Sequence[int] | None = None) -> list[int]:
    """People whose stored keys differ from what their record gives now."""
    ids = list(ids if ids is not None else Person.objects.order_by("pk").values_list("pk", flat=True))
    wrong = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        expected = {p.person_id: p.key_set() for p in build_profiles(chunk)}
        stored: dict[int, set[int]] = {}
        for pid, key in MatchKey.objects.filter(person_id__in=chunk).values_list("person_id", "key"):
            stored.setdefault(pid, set()).add(key)
        wrong += [pid for pid in chunk if expected.get(pid, set()) != stored.get(pid, set())]
    return wrong
