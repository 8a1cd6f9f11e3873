"""The matching service: each kind of variation a practitioner meets is found, with its reason;
and what must not happen (a namesake called certain, twins merged) does not."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.demo.identifiers import test_nhs_number as synthetic_nhs_number
from opencsc.people.matching import index
from opencsc.people.matching.service import MatchQuery, find_matches
from opencsc.people.models import Address, Person, PersonName
from opencsc.people.services import nhs_number_index

pytestmark = pytest.mark.django_db

BORN = dt.date(2015, 3, 14)


def _person(first: str, last: str, born: dt.date | None, *, sex: str = "M", postcode: str = "", **extra) -> Person:
    person = Person.objects.create(first_name=first, last_name=last, sex=sex, date_of_birth=born, **extra)
    if postcode:
        Address.objects.create(person=person, line1="1 Street", town="Exampleton", postcode=postcode, start_date=BORN)
    return person


@pytest.fixture
def borough():
    """The child looked for, and people who look a little like them."""
    import random

    nhs = synthetic_nhs_number(random.Random(7))
    people = {
        "william": _person(
            "William",
            "Smith-Jones",
            BORN,
            postcode="EX1 2AB",
            la_child_id="EX000123",
            nhs_number=nhs,
            nhs_number_index=nhs_number_index(nhs),
        ),
        "other_smith": _person("Oliver", "Smith", dt.date(2015, 7, 2), postcode="EX3 9ZZ"),
        "aisha": _person("Aisha", "Rahman", dt.date(2012, 11, 5), sex="F", postcode="EX2 4CD"),
        "katarzyna": _person("Katarzyna", "Nowak", dt.date(2013, 6, 21), sex="F", postcode="EX4 1AA"),
        "mohammed": _person("Mohammed", "Khan", dt.date(2016, 1, 30), postcode="EX5 5EE"),
        "stephen": _person("Stephen", "Thompson", dt.date(2011, 9, 9), postcode="EX6 6FF"),
    }
    PersonName.objects.create(person=people["aisha"], first_name="Aisha", last_name="Begum", kind="previous")
    index.rebuild()
    people["nhs"] = nhs  # type: ignore[assignment]
    return people


def _top(query: MatchQuery):
    found = find_matches(query, limit=5)
    assert found, f"nothing found for {query}"
    return found[0]


def _reasons(candidate) -> str:
    return "; ".join(candidate.reasons)


@pytest.mark.parametrize(
    ("query", "who", "reason"),
    [
        (MatchQuery(first_name="Eilliam", surname="Smith-Jones", date_of_birth=BORN), "william", "first name spelt"),
        (MatchQuery(first_name="Bill", surname="Smith-Jones", date_of_birth=BORN), "william", "nickname Bill"),
        (MatchQuery(first_name="William", surname="Smyth-Jones", date_of_birth=BORN), "william", "surname"),
        (MatchQuery(first_name="W", surname="Smith-Jones", date_of_birth=BORN), "william", "initial W"),
        (MatchQuery(first_name="Smith-Jones", surname="William", date_of_birth=BORN), "william", "swapped"),
        (MatchQuery(first_name="William", surname="Jones", date_of_birth=BORN), "william", "one half of a double"),
        (MatchQuery(first_name="William", surname="Smith", date_of_birth=BORN), "william", "one half of a double"),
        (
            MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=dt.date(2015, 3, 15)),
            "william",
            "one digit different",
        ),
        (
            MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=dt.date(2016, 3, 14)),
            "william",
            "one digit different",
        ),
        (MatchQuery(first_name="Mohamed", surname="Khan", date_of_birth=dt.date(2016, 1, 30)), "mohammed", "Mohamed"),
        (MatchQuery(first_name="Mo", surname="Khan", date_of_birth=dt.date(2016, 1, 30)), "mohammed", "nickname Mo"),
        (MatchQuery(first_name="Kasia", surname="Nowak", date_of_birth=dt.date(2013, 6, 21)), "katarzyna", "nickname"),
        (MatchQuery(first_name="Steven", surname="Tomson", date_of_birth=dt.date(2011, 9, 9)), "stephen", "sounds"),
        (
            MatchQuery(first_name="Aisha", surname="Begum", date_of_birth=dt.date(2012, 11, 5)),
            "aisha",
            "previous or other surname",
        ),
        (MatchQuery(first_name="Zoë", surname="Nowak", date_of_birth=dt.date(2013, 6, 21)), "katarzyna", "surname"),
    ],
)
def test_each_kind_of_variation_is_found_with_its_reason(borough, query, who, reason):
    top = _top(query)
    assert top.person_id == borough[who].pk
    assert reason.lower() in _reasons(top).lower()


def test_day_and_month_swapped(borough):
    top = _top(
        MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=dt.date(2015, 3, 14).replace(month=3))
    )
    assert top.band == "certain"
    swapped = _top(MatchQuery(first_name="Aisha", surname="Rahman", date_of_birth=dt.date(2012, 5, 11)))
    assert swapped.person_id == borough["aisha"].pk
    assert "day and month of birth swapped" in swapped.reasons


def test_unknown_parts_are_left_out_not_held_against(borough):
    top = _top(MatchQuery(first_name="William", surname="Smith-Jones"))  # no date, no postcode
    assert top.person_id == borough["william"].pk
    no_name = _top(MatchQuery(surname="Rahman", date_of_birth=dt.date(2012, 11, 5)))
    assert no_name.person_id == borough["aisha"].pk
    assert "different" not in _reasons(no_name)


def test_a_move_within_the_borough_still_matches_and_the_old_postcode_counts(borough):
    william = borough["william"]
    Address.objects.filter(person=william).update(end_date=dt.date(2024, 1, 1))
    Address.objects.create(
        person=william, line1="9 New Road", town="Exampleton", postcode="EX9 1QQ", start_date=dt.date(2024, 1, 2)
    )
    index.index_people([william.pk])
    moved = _top(MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=BORN, postcode="EX1 2AB"))
    assert moved.person_id == william.pk
    assert "a previous postcode of theirs" in moved.reasons
    elsewhere = _top(MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=BORN, postcode="EX7 7XX"))
    assert elsewhere.person_id == william.pk and elsewhere.band == "certain"


@pytest.mark.parametrize("identifier", ["nhs", "la"])
def test_an_exact_identifier_finds_the_person_whatever_the_name(borough, identifier):
    query = (
        MatchQuery(nhs_number=borough["nhs"], first_name="Billy", surname="Brown")
        if identifier == "nhs"
        else MatchQuery(la_child_id="ex000123", surname="Jones")
    )
    top = _top(query)
    assert top.person_id == borough["william"].pk
    assert ("same NHS number" if identifier == "nhs" else "same LA child id") in top.reasons


def test_scores_are_ranked_and_banded(borough):
    found = find_matches(
        MatchQuery(first_name="William", surname="Smith-Jones", date_of_birth=BORN, postcode="EX12AB", sex="M")
    )
    assert found[0].band == "certain" and 0.9 < found[0].score <= 1
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_a_namesake_with_a_common_name_and_the_same_birth_year_is_not_certain(db):
    _person("Jack", "Smith", dt.date(2015, 6, 1), postcode="EX1 1AA")
    index.rebuild()
    found = find_matches(
        MatchQuery(first_name="Jack", surname="Smith", date_of_birth=dt.date(2015, 9, 22), postcode="EX8 3BB")
    )
    assert all(c.band != "certain" for c in found)
    assert all(c.band not in ("certain", "probable") for c in found)


def test_twins_are_not_a_probable_match_for_each_other(db):
    first = _person("Amelia", "Okafor", BORN, sex="F", postcode="EX2 2BB")
    _person("Grace", "Okafor", BORN, sex="F", postcode="EX2 2BB")
    index.rebuild()
    found = find_matches(
        MatchQuery(first_name="Amelia", surname="Okafor", date_of_birth=BORN, postcode="EX2 2BB", sex="F")
    )
    assert found[0].person_id == first.pk and found[0].band == "certain"
    twin = [c for c in found if c.person_id != first.pk]
    assert twin and twin[0].band == "possible" and "different first name" in twin[0].reasons


def test_too_little_to_go_on_finds_nothing(borough):
    assert find_matches(MatchQuery(first_name="William")) == []


def test_the_index_follows_person_writes_through_the_services(social_worker, child):
    from opencsc.audit.services import Actor
    from opencsc.people import services

    actor = Actor(id=social_worker.pk, name=social_worker.username)
    person = services.person_create(
        actor_user=social_worker,
        actor=actor,
        data={"first_name": "Freddie", "last_name": "Abernathy", "date_of_birth": BORN, "is_child": True, "sex": "M"},
    )
    assert _top(MatchQuery(first_name="Frederick", surname="Abernathy", date_of_birth=BORN)).person_id == person.pk
    services.person_update(
        actor_user=social_worker, actor=actor, person=person, changes={"last_name": "Zielinski"}, expected_version=1
    )
    assert _top(MatchQuery(first_name="Freddie", surname="Zielinski", date_of_birth=BORN)).person_id == person.pk
    assert not any(
        c.person_id == person.pk for c in find_matches(MatchQuery(first_name="Freddie", surname="Abernathy"))
    )
    assert index.discrepancies([person.pk]) == []
    index.remove_person_keys(person.pk)
    assert find_matches(MatchQuery(first_name="Freddie", surname="Zielinski", date_of_birth=BORN)) == []


def test_a_query_is_one_database_round_trip(borough, django_assert_num_queries):
    query = MatchQuery(first_name="Bill", surname="Smith-Jones", date_of_birth=BORN, postcode="EX1 2AB")
    find_matches(query)  # reads the population once (re-read at most once a minute)
    with django_assert_num_queries(1):
        found = find_matches(query)
    assert found[0].person_id == borough["william"].pk
    # The nickname is weighed by the formal name's frequency, read in the same statement.
    assert "nickname Bill \u2194 William" in found[0].reasons
