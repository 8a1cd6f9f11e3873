"""UPN checks used by rules 1510-1560Q, with property tests over generated UPNs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opencsc.people.identifiers import UPN_LETTERS, upn_check_letter
from opencsc.returns.cin.identifiers import is_upn_la_code, upn_la_codes
from opencsc.returns.cin.synthetic import make_upn, records_to_tables, synthetic_records
from opencsc.returns.cin.validate import validate_cin

YEAR = "2025-26"
TEMPLATE = synthetic_records(1, YEAR, seed=1)[0]

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
last = st.sampled_from("0123456789" + UPN_LETTERS)


def _upn_findings(upn: str) -> set[str]:
    record = {**TEMPLATE, "ChildIdentifiers": {**TEMPLATE["ChildIdentifiers"], "UPN": upn}}
    tables = records_to_tables([record], YEAR)
    return {f.rule for f in validate_cin(tables, YEAR, codes=["1510", "1530", "1540", "1550"])}


def test_worked_examples_from_the_dfe_guide() -> None:
    assert upn_check_letter("801200005001") == "B"
    assert upn_check_letter("207000016049") == "P"  # help sites print Q (sum 267): wrong
    assert upn_check_letter("20700001604A") == "M"
    assert _upn_findings("P207000016049") == set()
    assert _upn_findings("Q207000016049") == {"1510"}


@given(digits, last)
def test_a_correct_check_letter_passes_1510(body: str, end: str) -> None:
    upn = upn_check_letter(body + end) + body + end
    assert "1510" not in _upn_findings(upn)


@given(digits, last, st.integers(min_value=1, max_value=12), st.sampled_from("0123456789"))
def test_changing_one_digit_fails_1510(body: str, end: str, position: int, digit: str) -> None:
    upn = upn_check_letter(body + end) + body + end
    changed = upn[:position] + digit + upn[position + 1 :]
    if changed[position] != upn[position] and changed[position].isdigit() and upn[position].isdigit():
        assert "1510" in _upn_findings(changed)


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_synthetic_upns_pass_every_upn_rule(number: int) -> None:
    assert _upn_findings(make_upn(number)) == set()


def test_la_codes_for_1530() -> None:
    assert {"001", "005", "209", "420", "942", "943", "896"} <= upn_la_codes()
    assert not any(is_upn_la_code(code) for code in ("000", "006", "214", "999", "804", "944"))
    assert _upn_findings(make_upn(5, "999")) == {"1530"}


def test_characters_5_to_12_and_13() -> None:
    assert "1540" in _upn_findings("A2091234X6789")
    assert "1550" in _upn_findings("A20912345678I")
