"""Blocking keys: which records a query is scored against.

Every key is a name code (see `normalise.token_codes`) or an identifier, combined with a part of
the date of birth or a postcode, hashed to a signed 64-bit integer. A record is filed under all its
keys; a query computes its own and reads the people sharing most of them. The keys are chosen so
that one error anywhere, and the "hard" combinations (a name error, a date error and a move at
once), still leave the true record sharing at least one key with the query:

* name code | year | month, name code | year | day, name code | {day, month}: a single-digit error
  in the day, the month or the year leaves one of them intact, and a day/month swap leaves the
  last one intact (the pair is sorted);
* name code | name code (every pair of the person's names, sorted): when the date is unknown, and
  for first and last names given the wrong way round;
* name code | postcode (each current and previous postcode): families, and an unknown date;
* name code alone: read only by a query without a date of birth (a name typed on its own, with a
  typo in one of the names), ranked by how many of the query's keys each person shares;
* the NHS number (its blind index), the LA child id, the UPN: exact identifiers.

Name codes are taken from every name token whatever its place (first, other or surname), so a
swapped first name and surname and either half of a double-barrelled surname file the same keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

from opencsc.people.matching.normalise import token_codes

DATE, POSTCODE, NAME_PAIR, IDENTIFIER = 0, 1, 2, 3


def key_kind(text: str) -> int:
    if text.startswith(("nhs|", "la|", "upn|")):
        return IDENTIFIER
    if "|pc" in text:
        return POSTCODE
    if "|y" in text or "|dm" in text:
        return DATE
    return NAME_PAIR  # and a name code alone


@lru_cache(maxsize=1 << 18)
def hash_key(text: str) -> int:
    """A signed 64-bit hash whose two lowest bits say the kind of key (so `find_duplicates` can leave
    out keys that only say "same family": a surname at one postcode). Cached: a name code with a
    year and month, or a pair of name codes, is shared by many people (half the keys of an import
    of 200,000 people were ones already hashed)."""
    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)
    return (digest & ~3) | key_kind(text)


def name_codes(tokens: Iterable[str]) -> list[frozenset[str]]:
    """The codes of each token (a token with no code, such as an initial, is left out)."""
    return [codes for codes in (token_codes(t) for t in tokens) if codes]


def date_keys(codes: frozenset[str], born: dt.date) -> list[str]:
    day, month = sorted((born.day, born.month))
    return [
        *(f"{c}|y{born.year}|m{born.month}" for c in codes),
        *(f"{c}|y{born.year}|d{born.day}" for c in codes),
        *(f"{c}|dm{day}-{month}" for c in codes),
    ]


def key_texts(
    *,
    tokens: list[str],
    date_of_birth: dt.date | None,
    postcodes: Iterable[str],
    nhs_number_index: str = "",
    la_child_id: str = "",
    upn: str = "",
    with_pairs: bool = True,
) -> set[str]:
    """The keys of a record, or of a query (a query with a date of birth leaves out the name-pair
    keys: the date keys are narrower and the true record shares them)."""
    per_token = name_codes(tokens)
    texts: set[str] = set()
    for codes in per_token:
        if date_of_birth is not None:
            texts.update(date_keys(codes, date_of_birth))
        for pc in postcodes:
            if pc:
                texts.update(f"{c}|pc{pc}" for c in codes)
    if with_pairs:
        texts.update(f"n|{c}" for codes in per_token for c in codes)
        for first, second in combinations(per_token, 2):
            texts.update("|".join(sorted((a, b))) for a in first for b in second if a != b)
    if nhs_number_index:
        texts.add(f"nhs|{nhs_number_index}")
    if la_child_id:
        texts.add(f"la|{la_child_id.upper()}")
    if upn:
        texts.add(f"upn|{upn.upper()}")
    return texts


def keys(**kwargs: object) -> set[int]:
    return {hash_key(text) for text in key_texts(**kwargs)}  # type: ignore[arg-type]
