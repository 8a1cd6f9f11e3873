"""Onboarding a borough: import_people (all or nothing, idempotent, row-numbered errors), match_people
(the result columns the issue names) and find_duplicates (twins are not proposed)."""

from __future__ import annotations

import csv
import datetime as dt
import random

import pytest
from django.core.management import call_command

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.demo.identifiers import test_nhs_number as synthetic_nhs_number
from opencsc.people.matching import index
from opencsc.people.matching.models import DuplicatePair, ExternalId
from opencsc.people.models import Address, Person

pytestmark = pytest.mark.django_db

HEADER = "external_id,first_name,surname,other_names,sex,date_of_birth,postcode,nhs_number,upn,la_child_id"


def _write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


@pytest.fixture
def legacy(tmp_path):
    nhs = synthetic_nhs_number(random.Random(3))
    return _write(
        tmp_path,
        "legacy.csv",
        [
            f"L1,William,Smith-Jones,James,M,2015-03-04,EX1 2AB,{nhs},,EX000001",
            "L2,Aisha,Rahman,,F,2012-11-05,EX2 4CD,,,",
            "L3,Kasia,Nowak,,,2013-06-21,,,,",
        ],
    )


def _run(*args) -> int:
    try:
        call_command(*args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_import_is_idempotent_by_external_id(legacy, capsys):
    assert _run("import_people", str(legacy)) == 0
    assert "3 people created" in capsys.readouterr().out
    assert Person.objects.count() == 3
    william = ExternalId.objects.get(value="L1").person
    assert william.la_child_id == "EX000001" and william.nhs_number_index
    assert Address.objects.get(person=william).postcode == "EX1 2AB"
    events = AuditEvent.objects.count()
    assert _run("import_people", str(legacy)) == 0
    assert "0 people created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert Person.objects.count() == 3
    assert AuditEvent.objects.count() == events + 1  # the second import itself, nothing else
    assert index.discrepancies() == []
    # The bulk-written events (COPY on PostgreSQL) chain exactly as one-by-one writes would.
    assert AuditEvent.objects.filter(action="person.create").count() == 3
    assert chain.verify_rows(chain.iter_rows(AuditEvent.objects.all())) is None


def test_a_changed_row_updates_that_person_only(legacy, tmp_path, capsys):
    _run("import_people", str(legacy))
    changed = legacy.read_text().replace("L2,Aisha,Rahman", "L2,Aisha,Begum")
    path = tmp_path / "changed.csv"
    path.write_text(changed)
    assert _run("import_people", str(path)) == 0
    assert "0 people created, 1 updated, 2 unchanged" in capsys.readouterr().out
    assert ExternalId.objects.get(value="L2").person.last_name == "Begum"


def test_a_bad_row_refuses_the_whole_file_with_row_numbers(tmp_path, capsys):
    path = _write(
        tmp_path,
        "bad.csv",
        [
            "B1,Jack,Smith,,M,2015-03-14,EX1 2AB,,,",
            "B2,Jill,Smith,,X,14/03/2015,NOT A CODE,9991234567,,",
            "B1,Jack,Smith,,M,2015-03-14,,,,",
            ",Nobody,,,,,,,,",
        ],
    )
    assert _run("import_people", str(path)) == 1
    out = capsys.readouterr().out
    for message in (
        "Row 3, sex: 'X' is not M, F, U or blank",
        "Row 3, date_of_birth: '14/03/2015' is not a date written YYYY-MM-DD",
        "Row 3, postcode:",
        "Row 3, nhs_number:",
        "Row 4, external_id: 'B1' is also on row 2",
        "Row 5, external_id: is empty",
        "Row 5, surname: is empty",
        "nothing was changed",
    ):
        assert message in out, message
    assert Person.objects.count() == 0


def test_match_people_writes_the_named_columns(legacy, tmp_path):
    _run("import_people", str(legacy))
    queries = _write(
        tmp_path,
        "roll.csv",
        [
            "Q1,Bill,Smith,,M,2015-04-03,EX9 9ZZ,,,",
            "Q2,Aysha,Rahman,,F,2012-11-05,,,,",
            "Q3,Nobody,Known,,,2001-01-01,,,,",
        ],
    )
    out = tmp_path / "results.csv"
    assert _run("match_people", str(queries), "--top", "5", "--out", str(out)) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["query_id", "rank", "person_id", "external_id", "score", "band", "reasons"]
    q1 = [r for r in rows if r["query_id"] == "Q1"]
    assert q1[0]["rank"] == "1" and q1[0]["external_id"] == "L1"
    assert q1[0]["person_id"] == str(ExternalId.objects.get(value="L1").person_id)
    assert "nickname Bill" in q1[0]["reasons"] and "day and month of birth swapped" in q1[0]["reasons"]
    assert 0 <= float(q1[0]["score"]) <= 1 and q1[0]["band"] in ("certain", "probable", "possible")
    assert not [r for r in rows if r["query_id"] == "Q3"]
    assert AuditEvent.objects.filter(action="person.match_file").count() == 1


def test_find_duplicates_proposes_the_duplicate_and_not_the_twins(db, capsys):
    born = dt.date(2016, 5, 9)
    for first, last, pc in (
        ("Amelia", "Okafor", "EX2 2BB"),  # the first twin
        ("Grace", "Okafor", "EX2 2BB"),  # the second twin
        ("Amelia", "Okafor", "EX7 1AA"),  # the first twin again, recorded after a move
    ):
        person = Person.objects.create(first_name=first, last_name=last, sex="F", date_of_birth=born)
        Address.objects.create(person=person, line1="1 Road", town="Exampleton", postcode=pc, start_date=born)
    index.rebuild()
    call_command("find_duplicates")
    assert "1 proposed for review" in capsys.readouterr().out
    pair = DuplicatePair.objects.get()
    names = set(Person.objects.filter(pk__in=[pair.person_a_id, pair.person_b_id]).values_list("first_name", flat=True))
    assert names == {"Amelia"}
    assert AuditEvent.objects.filter(action="duplicates.find").count() == 1


def _recorded(first: str, last: str, born: dt.date | None, postcode: str, sex: str = "F") -> Person:
    person = Person.objects.create(first_name=first, last_name=last, sex=sex, date_of_birth=born)
    Address.objects.create(person=person, line1="1 Road", town="Exampleton", postcode=postcode, start_date=START)
    return person


START = dt.date(2000, 1, 1)


def test_find_duplicates_finds_a_record_with_two_errors_and_leaves_siblings_unscored(db):
    from opencsc.people.matching import duplicates

    original = _recorded("Katherine", "Nowak", dt.date(2014, 3, 21), "EX4 1AA")
    copy = _recorded("Kate", "Nowak", dt.date(2014, 3, 27), "EX4 1AA")  # a nickname and one digit of the date
    _recorded("Zofia", "Nowak", dt.date(2017, 8, 2), "EX4 1AA")  # her sister
    _recorded("Lena", "Nowak", dt.date(2019, 1, 30), "EX4 1AA")  # and another
    undated = _recorded("Lena", "Nowak", None, "EX9 9ZZ")  # no date of birth, elsewhere
    index.rebuild()
    people = duplicates._read_people()
    pairs, shared = duplicates.candidate_pairs(people)
    ids = {(people.rows[i][0], people.rows[j][0]) for i, j in pairs}
    assert (original.pk, copy.pk) in ids
    # Sisters share the surname and the address, but not a date of birth near enough: never scored.
    assert shared > len(pairs) and all(undated.pk in pair or pair == (original.pk, copy.pk) for pair in ids)
    assert any(undated.pk in pair for pair in ids)  # an undated record is compared on its names alone

    counts = duplicates.find_duplicates(actor=Actor.system("test"))
    assert counts["proposed"] == 1
    pair = DuplicatePair.objects.get()
    assert (pair.person_a_id, pair.person_b_id) == (original.pk, copy.pk)
    assert "nickname Katherine \u2194 Kate" in pair.reasons


def test_a_parent_and_child_of_one_name_at_one_address_are_not_proposed(db):
    """Two records at one address are proposed from fewer bits than elsewhere, so a rare name shared
    by a mother and her daughter must still be kept apart by their dates of birth."""
    from opencsc.people.matching import duplicates

    mother = _recorded("Oluwadamilola", "Fashola-Okonkwo", dt.date(1984, 6, 2), "EX4 1AA")
    daughter = _recorded("Oluwadamilola", "Fashola-Okonkwo", dt.date(2012, 9, 17), "EX4 1AA")
    retyped = _recorded("Oluwadamilola", "Fashola-Okonkwo", dt.date(2012, 9, 11), "EX4 1AA")  # one digit
    index.rebuild()
    duplicates.find_duplicates(actor=Actor.system("test"))
    pairs = set(DuplicatePair.objects.values_list("person_a_id", "person_b_id"))
    assert pairs == {(daughter.pk, retyped.pk)}
    assert mother.pk not in {pk for pair in pairs for pk in pair}


def test_records_at_different_addresses_need_more_evidence_as_the_population_grows(db):
    from opencsc.people.matching import duplicates

    assert duplicates.elsewhere_threshold(5_000) == duplicates.elsewhere_threshold(100_000) == 22.0
    assert duplicates.elsewhere_threshold(1_000_000) == pytest.approx(22.0 + 0.6 * 3.32, abs=0.01)
    # A child recorded again after a move, same names and date of birth: proposed (small borough).
    first = _recorded("Temitope", "Adeyemi", dt.date(2013, 2, 8), "EX3 3CC")
    again = _recorded("Temitope", "Adeyemi", dt.date(2013, 2, 8), "EX8 8HH")
    index.rebuild()
    duplicates.find_duplicates(actor=Actor.system("test"))
    assert DuplicatePair.objects.filter(person_a=first, person_b=again).exists()
