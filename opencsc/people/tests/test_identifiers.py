from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsc.people import identifiers as ids


@pytest.mark.parametrize("value", ["943 476 5919", "9434765919", "943-476-5919", "999 000 0018"])
def test_valid_nhs_numbers(value):
    assert ids.nhs_number_error(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("987 654 4321", "the last digit does not match"),  # the style guide's example: it FAILS Modulus 11
        ("943 476 5918", "the last digit does not match"),
        ("94347659", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347659a9", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_invalid_nhs_numbers_say_how_to_fix(value, message):
    assert message in ids.nhs_number_error(value)


def test_check_digit_of_ten_is_never_issued():
    # 000000001 weights to 2; 11 - 2 = 9 ... find a prefix whose check would be 10
    prefix = next(f"{n:09d}" for n in range(10**6) if ids.nhs_check_digit(f"{n:09d}") is None)
    assert all(ids.nhs_number_error(prefix + str(d)) for d in range(10))


valid_nhs = (
    st.from_regex(r"\A999[0-9]{6}\Z")
    .filter(lambda p: ids.nhs_check_digit(p) is not None)
    .map(lambda p: p + str(ids.nhs_check_digit(p)))
    # 9999999999 passes Modulus 11 but is refused as the same digit ten times (core/limits.py)
    .filter(lambda n: len(set(n)) > 1)
)


@given(valid_nhs, st.integers(0, 9), st.integers(0, 9))
def test_every_single_digit_substitution_is_rejected(number, position, digit):
    mutated = number[:position] + str(digit) + number[position + 1 :]
    assert (ids.nhs_number_error(mutated) is None) == (mutated == number)


@given(valid_nhs, st.integers(0, 8))
def test_every_adjacent_transposition_is_rejected(number, position):
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert (ids.nhs_number_error(swapped) is None) == (swapped == number)


def test_upn_worked_example():
    assert ids.upn_check_letter("207000016049") == "P"
    assert ids.upn_error("P207000016049") is None
    # Two school-MIS help pages print this example with letter Q: it is wrong.
    assert "does not match" in ids.upn_error("Q207000016049")


def test_temporary_upn():
    assert ids.upn_check_letter("20700001604A") == "M"
    assert ids.upn_error("M20700001604A") is None
    assert "cannot be I, O or S" in ids.upn_error("A20700001604I")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("P20700001604", "13 characters"),
        ("P2070000160499", "13 characters"),
        ("1207000016049", "a letter, then 11 digits"),
    ],
)
def test_malformed_upns(value, message):
    assert message in ids.upn_error(value)


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_upn_check_letter_never_uses_i_o_s(body):
    assert ids.upn_check_letter(body) not in "IOS"
    assert ids.upn_error(ids.upn_check_letter(body) + body) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [("DEMO000123", True), ("A" * 20, True), ("A" * 21, False), ("has space", False), ("bad-char", False), ("", False)],
)
def test_la_child_id(value, ok):
    assert (ids.la_child_id_error(value) is None) is ok


def test_the_examples_shown_to_users_are_valid_numbers():
    """A help text that shows a number the form would refuse teaches the wrong thing."""
    import re
    from pathlib import Path

    from opencsc.core import limits
    from opencsc.people.forms import PersonForm

    texts = [PersonForm.Meta.help_texts["nhs_number"], Path(limits.__file__).read_text(encoding="utf-8")]
    examples = [m for text in texts for m in re.findall(r"like (\d{3} \d{3} \d{4})", text)]
    assert len(examples) >= 2
    for example in examples:
        assert ids.nhs_number_error(example) is None, example


def test_a_record_started_from_a_partners_report_gets_the_same_checks_as_any_new_person(db):
    """A partner's report and the new-person page share one way to create a person: both dates at
    once are refused before anything is written, and a child who is saved is findable by the
    matcher straight away, with the address and school audited as parts."""
    from django.core.exceptions import ValidationError

    from opencsc.audit.models import AuditEvent
    from opencsc.audit.services import Actor
    from opencsc.people import services
    from opencsc.people.matching.models import MatchKey
    from opencsc.people.models import Person

    actor = Actor.system("partner-referral-test")
    with pytest.raises(ValidationError) as refused:
        services.person_start_from_report(
            actor=actor,
            data={
                "first_name": "Both",
                "last_name": "Dates",
                "date_of_birth": dt.date(2019, 1, 1),
                "expected_date_of_birth": dt.date(2027, 1, 1),
            },
        )
    assert "expected_date_of_birth" in refused.value.message_dict
    assert not Person.objects.exists() and not AuditEvent.objects.filter(action="person.create").exists()

    child = services.person_start_from_report(
        actor=actor,
        data={"first_name": "Reported", "last_name": "Child", "date_of_birth": dt.date(2019, 1, 1)},
        address={"line1": "1 Test Street", "town": "Exampleton", "postcode": "zz11zz"},
        school="Exampleton Primary",
    )
    assert child.is_child and child.la_child_id is None
    assert child.addresses.get().postcode == "ZZ1 1ZZ"
    parts = AuditEvent.objects.filter(action="person.part_add", subject_person_id=child.pk)
    assert parts.count() == 2
    assert MatchKey.objects.filter(person_id=child.pk).exists()
