"""The matching service's one entry point: `find_matches(query)`, ranked candidates with a score,
a band and the reasons; and `match_for_user`, the same for a signed-in practitioner, limited to what
they may see, audited as a search.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from rapidfuzz import fuzz

from opencsc.accounts import access
from opencsc.accounts.models import Allocation
from opencsc.audit.services import Actor, record_event
from opencsc.people.identifiers import normalise_nhs_number
from opencsc.people.matching import keys as match_keys
from opencsc.people.matching import scoring
from opencsc.people.matching.index import PROFILE_COLUMNS, Profile, pair_token
from opencsc.people.matching.models import MatchKey, MatchProfile, NameFrequency
from opencsc.people.matching.normalise import formal_names, name_tokens, postcode
from opencsc.people.models import Person

# How many people sharing most keys with the query are scored. The true record shares several
# keys with a one-error query, so it is among the first few.
CANDIDATES_SCORED = 60
# How many are read: CANDIDATES_SCORED up to REFERENCE_POPULATION people, then more in proportion,
# up to CANDIDATES_READ_MAX. In a crowded population a query whose name, date and postcode are all
# changed shares one key (a surname's sound with the birth year and month, say) with its true
# record and with a hundred others, all tied; the ones read are sifted by `_sift` (name similarity
# in rapidfuzz's C++ and the date) and only the best CANDIDATES_SCORED are scored.
CANDIDATES_READ_MAX = 400
REFERENCE_POPULATION = 100_000
ROWS_PER_KEY = 1000
IDENTIFIER_RANK = 100
_POPULATION: dict[str, float] = {}


@dataclass(frozen=True)
class MatchQuery:
    """What is known about the person being looked for; every part may be left empty."""

    first_name: str = ""
    surname: str = ""
    other_names: str = ""
    sex: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    nhs_number: str = ""
    la_child_id: str = ""
    upn: str = ""

    def profile(self) -> Profile:
        from opencsc.people.services import nhs_number_index

        nhs = normalise_nhs_number(self.nhs_number) if self.nhs_number.strip() else ""
        return Profile(
            person_id=0,
            given=name_tokens(self.first_name, self.other_names),
            surnames=name_tokens(self.surname),
            sex=self.sex if self.sex in ("M", "F") else "",
            date_of_birth=self.date_of_birth,
            postcodes=[postcode(self.postcode)] if postcode(self.postcode) else [],
            nhs_number_index=nhs_number_index(nhs) if nhs else "",
            la_child_id=self.la_child_id.strip().upper(),
            upn=self.upn.strip().upper(),
        )

    def is_enough(self) -> bool:
        """A name with a date of birth or a postcode, two names, or an identifier."""
        p = self.profile()
        names = len(p.tokens)
        return bool(
            p.nhs_number_index or p.la_child_id or p.upn or (names and (p.date_of_birth or p.postcodes)) or names >= 2
        )

    def audit_detail(self) -> dict[str, Any]:
        p = self.profile()
        return {
            "kind": "match",
            "name": " ".join(part for part in (self.first_name, self.other_names, self.surname) if part).strip(),
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "postcode": p.postcodes[0] if p.postcodes else "",
            "nhs_number_index": p.nhs_number_index[:16],
            "la_child_id": p.la_child_id,
            "upn_given": bool(p.upn),
        }


@dataclass
class Candidate:
    person_id: int
    score: float
    band: str
    reasons: list[str]
    weight: float

    @property
    def band_label(self) -> str:
        return scoring.BAND_LABELS.get(self.band, "")


def _population() -> int:
    """People in the index, re-read at most once a minute (it only tunes name weights)."""
    now = time.monotonic()
    if now - _POPULATION.get("at", -1e9) > 60:
        _POPULATION.update(at=now, n=MatchProfile.objects.count())
    return int(_POPULATION["n"])


def _frequency_tokens(query: Profile) -> list[str]:
    """The name tokens whose frequencies the scorer may ask for: the query's, and the formal names
    of its nicknames (a nickname is weighed by the formal name's frequency)."""
    tokens = set(query.tokens)
    for token in list(tokens):
        tokens |= formal_names(token)
    if query.given and query.surnames:  # the first name + surname pair (`Frequencies.pair_excess`)
        tokens.update(pair_token(query.given[0], s) for s in query.surnames)
    return sorted(token[:100] for token in tokens)


def _read_candidates(keys: set[int], tokens: list[str], limit: int) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """One round trip for a query: the profiles of the `limit` people sharing most of `keys` (read
    from the (key, person) index), and the frequencies of `tokens`, as one statement (the two reads
    joined by UNION ALL, told apart by the first column). A hot path on every keystroke, written in
    SQL because building the ORM query cost more than running it."""
    # Each key contributes at most ROWS_PER_KEY people (read in index order): a name code alone, which a
    # query without a date of birth asks for, is held by tens of thousands of people at a million
    # records, and reading them all took 0.6-1.4 s, to rank people who share nothing else. People
    # sharing as many keys are ranked by how rare their keys are (each row weighs 1 / the rows its
    # key gave), and an exact identifier (NHS number, LA child id, UPN) counts as IDENTIFIER_RANK keys.
    ordered = sorted(keys)
    per_key = " UNION ALL ".join(
        f"SELECT person_id, {IDENTIFIER_RANK if key & 3 == match_keys.IDENTIFIER else 1} AS n,"  # noqa: S608 (our table, integers)
        " 1.0 / COUNT(*) OVER () AS w"
        f" FROM (SELECT person_id FROM {MatchKey._meta.db_table} WHERE key = %s LIMIT %s) k{i}"
        for i, key in enumerate(ordered)
    )
    profile_columns = ", ".join(f"p.{c}" for c in PROFILE_COLUMNS)
    blanks = ", ".join(["NULL"] * len(PROFILE_COLUMNS))
    sql = (
        f"WITH c AS (SELECT person_id FROM ({per_key}) shared"  # noqa: S608 (placeholders only)
        " GROUP BY person_id ORDER BY SUM(n) DESC, SUM(w) DESC, person_id LIMIT %s)"
        f" SELECT 0, {profile_columns}, NULL, NULL FROM {MatchProfile._meta.db_table} p"
        " JOIN c ON c.person_id = p.person_id"
    )
    params: list[Any] = [*(v for key in ordered for v in (key, ROWS_PER_KEY)), limit]
    if tokens:
        sql += (
            f" UNION ALL SELECT 1, {blanks}, token, count FROM {NameFrequency._meta.db_table}"  # noqa: S608
            f" WHERE token IN ({', '.join(['%s'] * len(tokens))})"
        )
        params += tokens
    profiles: list[tuple[Any, ...]] = []
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            if row[0] == 0:
                profiles.append(row[1:-2])
            else:
                counts[row[-2]] = row[-1]
    if connection.vendor == "sqlite":  # SQLite hands back dates as text in a UNION
        profiles = [(*row[:4], _as_date(row[4]), *row[5:]) for row in profiles]
    return profiles, counts


def candidates_read(population: int) -> int:
    """How many candidates a query reads (see CANDIDATES_READ_MAX)."""
    scale = max(1.0, population / REFERENCE_POPULATION)
    return min(CANDIDATES_READ_MAX, round(CANDIDATES_SCORED * scale))


def _date_closeness(query: dt.date | None, record: dt.date | None) -> float:
    if query is None or record is None:
        return 10.0
    if query == record:
        return 40.0
    a, b = f"{query:%Y%m%d}", f"{record:%Y%m%d}"
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return 30.0
    if sum(x != y for x, y in zip(a, b, strict=True)) == 1 or abs((query - record).days) == 1:
        return 25.0
    return 0.0


def _sift(query: Profile, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The CANDIDATES_SCORED rows most like the query, when more were read: the names compared as
    sets of words (rapidfuzz's token_set_ratio, 0-100: order, a missing half of a surname and small
    typos cost little), the date of birth's closeness (exact, swapped, one digit) and any shared
    identifier or postcode. A coarse, fast sort (about 1 microsecond a row) ahead of the scorer."""
    if len(rows) <= CANDIDATES_SCORED:
        return rows
    wanted = " ".join(sorted(query.tokens))
    names = [f"{row[1]} {row[2].replace('/', ' ')}" for row in rows]
    similarity = [fuzz.token_set_ratio(wanted, name) for name in names] if wanted else None
    postcode_wanted = query.postcodes[0] if query.postcodes else ""
    marks = []
    for i, row in enumerate(rows):
        mark = float(similarity[i]) if similarity is not None else 0.0
        mark += _date_closeness(query.date_of_birth, row[4])
        if postcode_wanted and postcode_wanted in row[5].split():
            mark += 10.0
        if (query.nhs_number_index and query.nhs_number_index == row[6]) or (
            query.la_child_id and query.la_child_id == row[7]
        ):
            mark += 1000.0
        marks.append((-mark, i))
    marks.sort()
    return [rows[i] for _, i in marks[:CANDIDATES_SCORED]]


def _as_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def find_matches(query: MatchQuery, *, limit: int = 10, include_all: bool = False) -> list[Candidate]:
    """The people most likely to be the one described, best first: at most `limit`, each at least a
    possible match (or every scored candidate with `include_all`). Reads the matching index only, in
    one database round trip (`_read_candidates`; the population, which only tunes the name weights,
    is re-read once a minute); no access check and no audit: callers facing a user use `match_for_user`."""
    if not query.is_enough():
        return []
    wanted = query.profile()
    keys = wanted.key_set(with_pairs=wanted.date_of_birth is None)
    if not keys:
        return []
    population = _population()
    rows, counts = _read_candidates(keys, _frequency_tokens(wanted), candidates_read(population))
    if not rows:
        return []
    freq = scoring.Frequencies(counts, population)
    scored = [scoring.score(wanted, Profile.from_row(row), freq) for row in _sift(wanted, rows)]
    scored.sort(key=lambda s: (-s.weight, s.person_id))
    return [
        Candidate(s.person_id, s.score, s.band, s.reasons, round(s.weight, 2)) for s in scored if include_all or s.band
    ][:limit]


@dataclass
class KnownElsewhere:
    """A candidate the user may not see: only that the service knows them, and who to ask."""

    band: str
    teams: list[str]
    restricted: bool = False


@dataclass
class MatchResult:
    visible: list[tuple[Candidate, Person]] = field(default_factory=list)
    known_elsewhere: list[KnownElsewhere] = field(default_factory=list)
    searched: bool = False
    audit_detail: dict[str, Any] = field(default_factory=dict)

    @property
    def certain_exists(self) -> bool:
        return any(c.band == scoring.CERTAIN for c, _ in self.visible) or any(
            k.band == scoring.CERTAIN for k in self.known_elsewhere
        )


SHOWN_FIELDS = ("first_name", "last_name", "date_of_birth", "expected_date_of_birth", "la_child_id", "is_restricted")


def match_for_user(*, user: Any, actor: Actor, query: MatchQuery, limit: int = 10, audit: bool = True) -> MatchResult:
    """Candidates for a practitioner. Those in their access scope come with the person (name, date
    of birth, LA child id), score, band and reasons; certain and probable ones outside it only as
    "known to the service", with the team holding them: no name, no date, no score, no reasons.
    One audit event ("person.search", kind "match") per call, with what was asked and the counts;
    with `audit=False` the caller writes it, with `audit_detail` folded into its own search event."""
    result = MatchResult(searched=query.is_enough())
    candidates = find_matches(query, limit=limit) if result.searched else []
    ids = [c.person_id for c in candidates]
    visible = set(access.visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    people = Person.objects.in_bulk([i for i in ids if i in visible])
    # Only practitioners learn that someone outside their caseload is known (and to whom): roles with
    # no case access (analysts, IG, partners, administrators) learn nothing about such people.
    elsewhere = [
        c
        for c in candidates
        if c.person_id not in visible
        and c.band in (scoring.CERTAIN, scoring.PROBABLE)
        and getattr(user, "role", None) in access.CASEWORK_ROLES
        and not access.is_processor_staff(user)
    ]
    teams: dict[int, list[str]] = {}
    for pid, team in (
        Allocation.objects.current()
        .filter(person_id__in=[c.person_id for c in elsewhere])
        .values_list("person_id", "team__name")
        .order_by("team__name")
    ):
        if team not in teams.setdefault(pid, []):
            teams[pid].append(team)
    restricted = set(
        Person.objects.filter(pk__in=[c.person_id for c in elsewhere], is_restricted=True).values_list("pk", flat=True)
    )
    for c in candidates:
        if c.person_id in people:
            result.visible.append((c, people[c.person_id]))
        elif c in elsewhere:
            is_restricted = c.person_id in restricted
            result.known_elsewhere.append(
                KnownElsewhere(
                    band=c.band, teams=[] if is_restricted else teams.get(c.person_id, []), restricted=is_restricted
                )
            )
    result.audit_detail = {
        "match": query.audit_detail() if result.searched else {},
        "match_results": len(result.visible),
        "match_known_elsewhere": len(result.known_elsewhere),
        "match_person_ids": [c.person_id for c, _ in result.visible],
    }
    if audit:
        record_event(actor=actor, action="person.search", detail=result.audit_detail)
    return result
