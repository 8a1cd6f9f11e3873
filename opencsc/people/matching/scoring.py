"""Scoring a candidate against a query: evidence weights in bits (Fellegi-Sunter style), summed,
turned into a 0-1 score and a band, with a reason a practitioner can read for each piece of evidence.

A name that agrees weighs log2(1 / how common it is), so two Smiths agreeing is weaker evidence than
two Okonkwo-Addos (term-frequency adjustment); near agreements (nickname, sounds alike, a typo)
weigh a little less than exact ones. Disagreements count against. The thresholds and the weights
were set with `bench/matching.py`; docs/matching-thresholds.md says how and what they cost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from opencsc.people.matching.index import Profile
from opencsc.people.matching.normalise import are_nicknames, name_family, phonetic, postcode_sector

CERTAIN, PROBABLE, POSSIBLE = "certain", "probable", "possible"
BAND_LABELS = {
    CERTAIN: "Certain match",
    PROBABLE: "Probable match: check before you go on",
    POSSIBLE: "Possible match",
}
# Total weight (bits) at which each band starts. See docs/matching-thresholds.md.
THRESHOLDS = {CERTAIN: 27.0, PROBABLE: 20.0, POSSIBLE: 11.0}
# Below this population, name frequencies say little: every name weighs DEFAULT_NAME_WEIGHT.
MIN_POPULATION_FOR_FREQUENCIES = 5000
DEFAULT_NAME_WEIGHT = 7.0
NAME_WEIGHT_RANGE = (2.0, 11.0)

DOB_EXACT, DOB_SWAPPED, DOB_ONE_DIGIT, DOB_DIFFERENT = 13.0, 9.0, 5.0, -9.0
IDENTIFIER_SAME = {"nhs": 16.0, "la": 16.0, "upn": 14.0}
IDENTIFIER_DIFFERENT = {"nhs": -12.0, "la": -3.0, "upn": -2.0}
IDENTIFIER_LABELS = {"nhs": "NHS number", "la": "LA child id", "upn": "UPN"}


# The bands were set at REFERENCE_POPULATION people. Above it, "certain" and "probable" need
# log2(population / REFERENCE_POPULATION) more bits: the prior odds that a given record is the
# person asked about fall as 1 / population, so the same evidence is worth less (at a million people,
# 3.3 bits; docs/matching-thresholds.md, "Crowding").
REFERENCE_POPULATION = 100_000
# A first name + surname pair is weighed by its own frequency when at least this many people hold it
# (fewer say nothing reliable about how the two names go together).
MIN_PAIR_COUNT = 5


def band_shift(population: int) -> float:
    """Bits added to the certain and probable thresholds for a population of this size."""
    return max(0.0, math.log2(max(population, 1) / REFERENCE_POPULATION))


@dataclass
class Scored:
    person_id: int
    weight: float
    reasons: list[str] = field(default_factory=list)
    vetoed: bool = False  # strong evidence of two different people (different first names, sex, NHS number)
    shift: float = 0.0  # bits added to the certain and probable thresholds (`band_shift`)

    @property
    def score(self) -> float:
        return round(1.0 / (1.0 + 2.0 ** (-(self.weight - self.shift - 15.0) / 2.5)), 3)

    @property
    def band(self) -> str:
        for band in (CERTAIN, PROBABLE, POSSIBLE):
            needed = THRESHOLDS[band] + (self.shift if band != POSSIBLE else 0.0)
            if self.weight >= needed and not (self.vetoed and band != POSSIBLE):
                return band
        return ""


class Frequencies:
    """How common each name token is among `population` people."""

    def __init__(self, counts: Mapping[str, int], population: int, *, shift: float | None = None):
        self.counts, self.population = counts, population
        self.shift = band_shift(population) if shift is None else shift

    def weight(self, token: str) -> float:
        if self.population < MIN_POPULATION_FOR_FREQUENCIES:
            return DEFAULT_NAME_WEIGHT
        share = max(self.counts.get(token, 0), 1) / self.population
        low, high = NAME_WEIGHT_RANGE
        return min(max(math.log2(0.95 / share), low), high)

    def pair_excess(self, first: str, surname: str) -> float:
        """How many bits the two names' separate weights overstate their agreement together: names
        of one origin go together far more often than chance (Muhammad Khan, Jakub Nowak), so a
        first name and surname agreeing is weighed by the pair's own frequency when that is lower.
        0 when the pair is too rare to say (fewer than MIN_PAIR_COUNT people)."""
        if self.population < MIN_POPULATION_FOR_FREQUENCIES:
            return 0.0
        count = self.counts.get(f"{first}+{surname}"[:100], 0)
        if count < MIN_PAIR_COUNT:
            return 0.0
        pair = math.log2(0.95 * self.population / count)
        return max(0.0, self.weight(first) + self.weight(surname) - pair)


@lru_cache(maxsize=500_000)
def _similar(a: str, b: str) -> str:
    """How two name tokens agree: exact, nickname, sounds, typo, initial, or ''."""
    if a == b:
        return "exact"
    if len(a) == 1 or len(b) == 1:
        return "initial" if a[0] == b[0] else ""
    if are_nicknames(a, b):
        return "nickname"
    if phonetic(a) == phonetic(b):
        return "sounds"
    if (
        OSA.distance(a, b, score_cutoff=1) <= 1 and min(len(a), len(b)) >= 3
    ):  # one letter wrong, missing, extra or swapped
        return "typo"
    if min(len(a), len(b)) >= 5 and JaroWinkler.similarity(a, b) >= 0.93:
        return "typo"
    return ""


_PENALTY = {"exact": 0.0, "nickname": 1.5, "sounds": 2.5, "typo": 3.0}

# Two records' first names that `_similar` calls different may still be one name mistyped twice (Zainab
# typed "Zanyab") or a short form mistyped (Ollie typed "Olle" for Oliver). The
# duplicate run (`score(..., near_names=True)`) reads them as one name when one of the two is held by at
# most RARE_NAME_COUNT people (the frequency table counts the pair's own records): a mistyped name is
# a name nobody else has, while twins and siblings are given real names, which others hold too.
# So the twins rule stands (same surname, date of birth and address, different first names: vetoed).
RARE_NAME_COUNT = 2
NEAR_PENALTY = 5.0


@lru_cache(maxsize=200_000)
def _near(a: str, b: str) -> bool:
    """Two edits apart (four letters or more), or one edit from a short or formal form of the other."""
    if min(len(a), len(b)) < 4:
        return False
    if OSA.distance(a, b, score_cutoff=2) <= 2:
        return True
    return any(OSA.distance(a, n, score_cutoff=1) <= 1 for n in name_family(b) if n != b) or any(
        OSA.distance(b, n, score_cutoff=1) <= 1 for n in name_family(a) if n != a
    )


def _near_first_name(q: str, record: list[str], freq: Frequencies) -> tuple[float, str, bool] | None:
    if not record or freq.population < MIN_POPULATION_FOR_FREQUENCIES:
        return None
    r = record[0]
    if min(freq.counts.get(q, 0), freq.counts.get(r, 0)) > RARE_NAME_COUNT or not _near(q, r):
        return None
    common = q if freq.counts.get(q, 0) >= freq.counts.get(r, 0) else r
    reason = f"first name spelt quite differently ({q.title()} \u2194 {r.title()})"
    return freq.weight(common) - NEAR_PENALTY, reason, True


def _given_evidence(q: str, record: list[str], freq: Frequencies) -> tuple[float, str, bool]:
    """(weight, reason, agrees) for the query's first name against the record's given names."""
    best: tuple[float, str, bool] = (-7.0, "different first name", False)
    for i, r in enumerate(record):
        how = _similar(q, r)
        if not how:
            continue
        where = "first name" if i == 0 else "other first name"
        extra = 0.0 if i == 0 else 1.0
        if how == "initial":
            cand = (2.0 - extra, f"initial {q[0].upper()} fits {where} {r.title()}", True)
        else:
            reason = {
                "exact": f"same {where}",
                "nickname": f"nickname {q.title()} \u2194 {r.title()}",
                "sounds": f"{where} sounds alike ({q.title()} \u2194 {r.title()})",
                "typo": f"{where} spelt differently ({q.title()} \u2194 {r.title()})",
            }[how]
            cand = (freq.weight(q if how != "nickname" else r) - _PENALTY[how] - extra, reason, True)
        if cand[0] > best[0]:
            best = cand
    return best


def _surname_evidence(
    query: list[str], record: list[str], freq: Frequencies, current: int = 0
) -> tuple[float, str, bool]:
    """The query's surname tokens against the record's (the first `current` are its current
    surname, the rest previous or other surnames; 0 means all are current)."""
    current = current or len(record)
    best: tuple[float, str, bool] = (-6.0, "different surname", False)
    for q in query:
        for i, r in enumerate(record):
            how = _similar(q, r)
            if not how or how == "initial":
                continue
            w = freq.weight(q) - _PENALTY.get(how, 3.0)
            if i >= current:
                cand = (w - 1.0, f"a previous or other surname ({r.title()})", True)
            elif how == "exact" and (len(query) > 1 or current > 1) and set(query) != set(record[:current]):
                cand = (w - 1.0, f"one half of a double surname ({q.title()})", True)
            elif how == "exact":
                cand = (w, "same surname", True)
            elif how == "sounds":
                cand = (w, f"surname sounds alike ({q.title()} \u2194 {r.title()})", True)
            else:
                cand = (w, f"surname spelt differently ({q.title()} \u2194 {r.title()})", True)
            if cand[0] > best[0]:
                best = cand
    return best


def _names(
    query: Profile, record: Profile, freq: Frequencies, near_names: bool = False
) -> tuple[float, list[str], bool]:
    """(weight, reasons, first names disagree)."""
    if not query.given and not query.surnames:
        return 0.0, [], False
    g = _given_evidence(query.given[0], record.given, freq) if query.given and record.given else (0.0, "", True)
    if near_names and not g[2]:
        g = _near_first_name(query.given[0], record.given, freq) or g
    s = (
        _surname_evidence(query.surnames, record.surnames, freq, record.current_surnames)
        if query.surnames and record.surnames
        else None
    )
    s = s or (0.0, "", True)
    if not g[2] and not s[2] and query.given and query.surnames:
        sg = _surname_evidence(query.given[:1], record.surnames, freq)
        gs = _given_evidence(query.surnames[0], record.given, freq)
        if sg[2] and gs[2]:
            return sg[0] + gs[0] - 1.0, ["first name and surname swapped", gs[1], sg[1]], False
    reasons = [r for r in (g[1], s[1]) if r]
    weight = g[0] + s[0]
    if g[2] and s[2] and query.given and query.surnames:
        # the pair's frequency, read as the record's names where they agree exactly, else the query's
        first = query.given[0] if query.given[0] in record.given[:1] or not record.given else record.given[0]
        surname = query.surnames[0]
        now = record.surnames[: record.current_surnames or len(record.surnames)]
        if surname not in now and now:
            surname = now[0]
        excess = max(freq.pair_excess(first, surname), freq.pair_excess(query.given[0], query.surnames[0]))
        if excess >= 0.5:
            weight -= excess
            reasons.append("a common pairing of first name and surname")
    for extra in query.given[1:3]:  # a middle name that agrees is a little more evidence
        if any(_similar(extra, r) in ("exact", "nickname") for r in record.given[1:]):
            weight += 1.0
            reasons.append(f"same other name ({extra.title()})")
    return weight, reasons, not g[2]


def _one_digit(a: dt.date, b: dt.date) -> bool:
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(x != y for x, y in zip(sa, sb, strict=True)) == 1 or abs((a - b).days) == 1


def _date(query: dt.date | None, record: dt.date | None) -> tuple[float, str]:
    if query is None or record is None:
        return 0.0, ""
    if query == record:
        return DOB_EXACT, "same date of birth"
    if query.year == record.year and query.day == record.month and query.month == record.day:
        return DOB_SWAPPED, "day and month of birth swapped"
    if _one_digit(query, record):
        return DOB_ONE_DIGIT, f"date of birth one digit different ({record:%d/%m/%Y})"
    return DOB_DIFFERENT, "different date of birth"


def _postcode(query: list[str], record: list[str]) -> tuple[float, str]:
    if not query or not record:
        return 0.0, ""
    q = query[0]
    if q == record[0]:
        return 3.0, "same postcode"
    if q in record[1:]:
        return 3.0, "a previous postcode of theirs"
    if postcode_sector(q) and postcode_sector(q) in {postcode_sector(r) for r in record}:
        return 1.5, "lives nearby (same postcode sector)"
    return 0.0, ""


def score(query: Profile, record: Profile, freq: Frequencies, *, near_names: bool = False) -> Scored:
    """With `near_names` (the duplicate run, two stored records), a first name two edits from the
    other's, where one of them is a name almost nobody holds, is read as mistyped (`_near_first_name`)."""
    weight, reasons, first_names_differ = _names(query, record, freq, near_names)
    out = Scored(record.person_id, weight, reasons, vetoed=first_names_differ, shift=freq.shift)
    identifier_agrees = False
    for kind, q, r in (
        ("nhs", query.nhs_number_index, record.nhs_number_index),
        ("la", query.la_child_id, record.la_child_id),
        ("upn", query.upn, record.upn),
    ):
        if q and r:
            label = IDENTIFIER_LABELS[kind]
            if q == r:
                identifier_agrees = True
                out.weight += IDENTIFIER_SAME[kind]
                out.reasons.insert(0, f"same {label}")
            else:
                out.weight += IDENTIFIER_DIFFERENT[kind]
                out.reasons.append(f"different {label}")
                out.vetoed = out.vetoed or kind == "nhs"
    for w, reason in (
        _date(query.date_of_birth, record.date_of_birth),
        _postcode(query.postcodes or [], record.postcodes or []),
    ):
        out.weight += w
        if reason:
            out.reasons.append(reason)
    if query.sex in ("M", "F") and record.sex in ("M", "F"):
        if query.sex == record.sex:
            out.weight += 0.5
        else:
            out.weight -= 5.0
            out.reasons.append("different sex")
            out.vetoed = True
    if identifier_agrees:
        out.vetoed = False  # a shared identifier outweighs a changed name
    return out
