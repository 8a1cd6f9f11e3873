"""Matching in a crowded population (ADR 0036): bands that rise with the population, first name +
surname pairs weighed by their own frequency, candidates sifted when many share a key, and an
import that files its people straight from the rows (with the key index rebuilt once when large)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsc.audit.services import Actor
from opencsc.people.matching import index, scoring, service
from opencsc.people.matching.index import Profile
from opencsc.people.matching.models import MatchKey, NameFrequency
from opencsc.people.matching.onboarding import BULK_LOADED, COLUMNS, import_people
from opencsc.people.matching.service import MatchQuery, find_matches
from opencsc.people.models import Person

BORN = dt.date(2014, 5, 9)


@settings(max_examples=200, deadline=None)
@given(
    weight=st.floats(min_value=-30, max_value=60, allow_nan=False),
    small=st.integers(min_value=1, max_value=100_000),
    large=st.integers(min_value=100_001, max_value=50_000_000),
    vetoed=st.booleans(),
)
def test_bands_never_loosen_as_the_population_grows(weight, small, large, vetoed):
    """Up to 100,000 people the bands are the calibrated ones; above, a weight never gets a better
    band in a larger population, and "possible" does not move (it only orders what is shown)."""
    order = {scoring.CERTAIN: 3, scoring.PROBABLE: 2, scoring.POSSIBLE: 1, "": 0}
    at = {n: scoring.Scored(1, weight, vetoed=vetoed, shift=scoring.band_shift(n)) for n in (small, large)}
    fixed = scoring.Scored(1, weight, vetoed=vetoed)
    assert at[small].band == fixed.band
    assert order[at[large].band] <= order[at[small].band]
    assert (at[large].band == "") == (fixed.band == "")
    assert at[large].score <= at[small].score


def test_a_million_people_need_three_more_bits_for_probable():
    assert scoring.band_shift(1_000_000) == pytest.approx(3.32, abs=0.01)
    just_probable = scoring.THRESHOLDS[scoring.PROBABLE]
    assert scoring.Scored(1, just_probable).band == scoring.PROBABLE
    assert scoring.Scored(1, just_probable, shift=scoring.band_shift(1_000_000)).band == scoring.POSSIBLE


def _profile(pid: int, first: str, surname: str) -> Profile:
    return Profile(pid, [first], [surname], "M", BORN, ["EX12AB"], current_surnames=1)


def test_a_first_name_and_surname_that_go_together_weigh_less_than_their_parts():
    """Muhammad and Khan are each as common as Oliver and Nowak; but Muhammad Khan is a common
    pairing (one origin) and Oliver Nowak is not: the same agreement is weaker evidence for the first."""
    population = 200_000
    counts = {"muhammad": 4000, "khan": 4000, "oliver": 4000, "nowak": 4000, "muhammad+khan": 2000, "oliver+nowak": 80}
    freq = scoring.Frequencies(counts, population)
    common = scoring.score(_profile(0, "muhammad", "khan"), _profile(1, "muhammad", "khan"), freq)
    rare = scoring.score(_profile(0, "oliver", "nowak"), _profile(2, "oliver", "nowak"), freq)
    assert common.weight < rare.weight - 3
    assert "a common pairing of first name and surname" in common.reasons
    assert "a common pairing of first name and surname" not in rare.reasons


@settings(max_examples=100, deadline=None)
@given(
    first=st.integers(min_value=1, max_value=20_000),
    surname=st.integers(min_value=1, max_value=20_000),
    pair=st.integers(min_value=0, max_value=20_000),
)
def test_a_pair_frequency_only_ever_takes_weight_away(first, surname, pair):
    """Pair frequencies lower the weight of names that go together more often than chance; they
    never add to it, and a pair too rare to count (under MIN_PAIR_COUNT people) changes nothing."""
    pair = min(pair, first, surname)
    with_pair = scoring.Frequencies({"ann": first, "lee": surname, "ann+lee": pair}, 100_000)
    without = scoring.Frequencies({"ann": first, "lee": surname}, 100_000)
    a, b = _profile(0, "ann", "lee"), _profile(1, "ann", "lee")
    assert scoring.score(a, b, with_pair).weight <= scoring.score(a, b, without).weight
    if pair < scoring.MIN_PAIR_COUNT:
        assert scoring.score(a, b, with_pair).weight == scoring.score(a, b, without).weight


@pytest.mark.django_db
def test_the_frequencies_kept_by_each_write_are_those_a_recount_gives():
    """The index counts first name + surname pairs as people are written, and
    `rebuild_match_index --frequencies` (for a database indexed before pairs) gives the same counts."""
    a = Person.objects.create(first_name="Jakub", last_name="Nowak", sex="M", date_of_birth=BORN)
    Person.objects.create(first_name="Jakub", last_name="Nowak", sex="M", date_of_birth=dt.date(2016, 1, 2))
    index.rebuild()
    index.index_people([a.pk])  # taken out and filed again, as every write through the services does
    kept = dict(NameFrequency.objects.values_list("token", "count"))
    assert kept["jakub+nowak"] == 2
    index.rebuild_frequencies()
    assert dict(NameFrequency.objects.values_list("token", "count")) == kept


@pytest.mark.django_db
def test_in_a_crowded_key_the_true_person_is_sifted_into_those_scored(monkeypatch):
    """Forty people share the query's one surviving key (surname, birth year and month) and only
    three are scored: the one whose names are close to the query's is among them, not the first
    three by id."""
    for i in range(40):
        Person.objects.create(first_name=f"Zed{chr(97 + i % 26)}{i}", last_name="Kowalski", sex="M",
                              date_of_birth=dt.date(2014, 5, 1 + i % 28))  # fmt: skip
    true = Person.objects.create(first_name="Bartholomew", last_name="Kowalski", sex="M", date_of_birth=BORN)
    index.rebuild()
    monkeypatch.setattr(service, "CANDIDATES_SCORED", 3)
    monkeypatch.setattr(service, "candidates_read", lambda population: 100)
    # first name misspelt, one digit of the day wrong: shares only the surname's year+month key
    found = find_matches(MatchQuery(first_name="Bartholomeu", surname="Kowalski", date_of_birth=dt.date(2014, 5, 8)))
    assert found and found[0].person_id == true.pk


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _indexes_and_foreign_keys() -> set[tuple[str, str, str]]:
    """(table, name, definition) of every index and foreign key of the tables an import fills."""
    if connection.vendor != "postgresql":
        return set()
    tables = [MatchKey._meta.db_table, *(m._meta.db_table for m in BULK_LOADED)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " UNION SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables, tables],
        )
        found = set(cursor.fetchall())
    assert {t for t, _, _ in found} == set(tables)
    return found


@pytest.mark.django_db
def test_a_large_import_rebuilds_the_key_index_and_files_everyone(tmp_path, monkeypatch):
    """Above BULK_LOAD_FROM new people (lowered here) an import on PostgreSQL drops the key table's
    index and foreign key and re-creates them before the commit: afterwards both exist, every person
    is filed exactly as a rebuild would file them, and a query finds them."""
    monkeypatch.setattr(index, "BULK_LOAD_FROM", 1)
    rows = [
        {"external_id": f"L{i}", "first_name": name, "surname": "Okafor", "other_names": "Ada" if i == 0 else "",
         "sex": "F", "date_of_birth": f"2012-0{1 + i}-1{i}", "postcode": "EX1 2AB", "nhs_number": "", "upn": "",
         "la_child_id": ""}
        for i, name in enumerate(["Chioma", "Ngozi", "Amara"])
    ]  # fmt: skip
    path = tmp_path / "people.csv"
    _write(path, rows)
    schema_before = _indexes_and_foreign_keys()
    report = import_people(path, actor=Actor.system("test"))
    assert report.created == 3
    assert index.discrepancies() == []
    # The other tables an import fills (people, addresses, names, external ids, audit) get back every
    # index and foreign key they had, with the same definitions.
    assert _indexes_and_foreign_keys() == schema_before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [MatchKey._meta.db_table])
            assert "matchkey_key_person" in {r[0] for r in cursor.fetchall()}
            cursor.execute(
                "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [MatchKey._meta.db_table],
            )
            assert cursor.fetchone()[0] == 1
    before = Counter(dict(NameFrequency.objects.values_list("token", "count")))
    index.rebuild()
    assert Counter(dict(NameFrequency.objects.values_list("token", "count"))) == before
    found = find_matches(MatchQuery(first_name="Ngozi", surname="Okafor", date_of_birth=dt.date(2012, 2, 11)))
    assert found[0].band == scoring.CERTAIN


# -- the duplicate run: a first name mistyped twice is not a twin (issue 12, ADR 0040)

NEAR_COUNTS = {"zainab": 900, "zanyab": 1, "rayyan": 700, "aryan": 600, "oliver": 3000, "olle": 1, "hussain": 2000}


@pytest.mark.parametrize(
    ("original", "retyped", "reason"),
    [
        ("zainab", "zanyab", "first name spelt quite differently (Zainab \u2194 Zanyab)"),  # two letters wrong
        ("oliver", "olle", "first name spelt quite differently (Oliver \u2194 Olle)"),  # Ollie, mistyped
    ],
)
def test_the_duplicate_run_reads_a_rare_name_two_edits_away_as_mistyped(original, retyped, reason):
    freq = scoring.Frequencies(NEAR_COUNTS, 200_000, shift=0.0)
    a, b = _profile(0, original, "hussain"), _profile(1, retyped, "hussain")
    as_duplicates = scoring.score(a, b, freq, near_names=True)
    assert not as_duplicates.vetoed and reason in as_duplicates.reasons
    assert as_duplicates.weight < scoring.score(a, _profile(2, original, "hussain"), freq).weight - 4
    # A query is scored as before: a practitioner's typing is not a stored record's.
    assert scoring.score(a, b, freq).vetoed


def test_twins_with_names_two_edits_apart_stay_two_people():
    """Rayyan and Aryan are two edits apart, but both are names many children have: twins, not a typo."""
    freq = scoring.Frequencies(NEAR_COUNTS, 200_000, shift=0.0)
    twin = scoring.score(_profile(0, "rayyan", "hussain"), _profile(1, "aryan", "hussain"), freq, near_names=True)
    assert twin.vetoed and "different first name" in twin.reasons


def test_in_a_small_population_no_name_counts_as_rare():
    """Below MIN_POPULATION_FOR_FREQUENCIES every name is held by few people: the rule does not apply."""
    freq = scoring.Frequencies({"zainab": 2, "zanyab": 1}, 3_000, shift=0.0)
    small = scoring.score(_profile(0, "zainab", "hussain"), _profile(1, "zanyab", "hussain"), freq, near_names=True)
    assert small.vetoed
