"""The 903 rules that read Ofsted's provider lists (1008, 219, 221, 224, 227, 228, 229): each fires on a
synthetic case and stays quiet on its valid twin; without the register they are skipped and reported as
not checked; the one-child path agrees with the full run."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from opencsc.returns.ssda903.postcodes import PostcodeLookup
from opencsc.returns.ssda903.providers import ProviderRow, providers_frame
from opencsc.returns.ssda903.synthetic import synthetic_903, synthetic_providers
from opencsc.returns.ssda903.tables import table_from_rows
from opencsc.returns.ssda903.validate import NO_PROVIDERS, validate_903, validate_child

LOOKUP = PostcodeLookup.builtin(complete=True)
PROVIDER_RULES = {"1008", "219", "221", "224", "227", "228", "229"}
CHILD = "DEMO000001"
URN = "SC100000"
# A children's home run by the council, in the council's area (Lewisham, E09000023).
HOME = {"DECOM": "01/06/2025", "RNE": "S", "LS": "C2", "PLACE": "K2", "PLACE_PROVIDER": "PR1", "PL_POST": "SE13 5AA"}
REGISTERED = ProviderRow(URN, ("K2",), ("PR1",), "SE13 5AA")


def _tables(**episode: str | None) -> dict[str, pl.DataFrame]:
    header = {"CHILD": CHILD, "SEX": "M", "DOB": "01/02/2010", "ETHNIC": "WBRI", "UPN": "A123456789012"}
    row = {"CHILD": CHILD, "CIN": "N1", "HOME_POST": "SE6 1AA", "URN": URN, **HOME, **episode}
    return {"Header": table_from_rows("Header", [header]), "Episodes": table_from_rows("Episodes", [row])}


def _found(tables: dict[str, pl.DataFrame], register: ProviderRow | None = REGISTERED, year: str = "2025-26") -> set:
    providers = providers_frame([register]) if register is not None else None
    findings = validate_903(tables, year, postcodes=LOOKUP, providers=providers)
    return {(f.rule, f.field) for f in findings if f.rule in PROVIDER_RULES}


def _replace(row: ProviderRow, **changes: object) -> ProviderRow:
    return ProviderRow(**{**row.__dict__, **changes})


def test_a_placement_that_matches_its_registration_passes() -> None:
    assert _found(_tables()) == set()


@pytest.mark.parametrize("year", ["2024-25", "2025-26", "2026-27"])
def test_a_synthetic_return_agrees_with_its_own_register_in_every_year(year: str) -> None:
    tables = synthetic_903(200, seed=41, year=year)
    assert isinstance(tables, dict)
    register = providers_frame(synthetic_providers(tables, year))
    findings = validate_903(tables, year, postcodes=LOOKUP, providers=register)
    assert {f.rule for f in findings} & PROVIDER_RULES == set()
    assert not set(findings.not_checked) & PROVIDER_RULES


def test_1008_a_urn_not_in_the_lists() -> None:
    found = _found(_tables(URN="SC999999"))
    assert ("1008", "URN") in found
    # As in the DfE's checks, an unknown URN matches nothing in the register either.
    assert {"219", "221", "224", "229"} <= {rule for rule, _ in found}


def test_the_regional_adoption_agency_urn_is_not_looked_up() -> None:
    assert _found(_tables(URN="XXXXXXX", PLACE="A4", PLACE_PROVIDER="PR1")) == set()


def test_219_a_placement_type_the_provider_is_not_registered_for() -> None:
    assert ("219", "PLACE") in _found(_tables(PLACE="K1"))
    assert ("219", "PLACE") not in _found(_tables(PLACE="K1"), _replace(REGISTERED, placement_codes=("K1", "K2")))


def test_221_a_placement_postcode_other_than_the_providers() -> None:
    assert _found(_tables(PL_POST="SE4 1AA")) == {("221", "PL_POST")}
    assert _found(_tables(PL_POST="SE135AA")) == set()  # spacing does not matter
    assert _found(_tables(PL_POST="SE4 1AA", LS="V3")) == set()  # short breaks are not compared
    foster = _replace(REGISTERED, placement_codes=("U4",))
    assert _found(_tables(PL_POST="SE4 1AA", PLACE="U4"), foster) == set()  # a fostering agency's office


def test_224_a_placement_provider_the_register_does_not_record() -> None:
    assert _found(_tables(PLACE_PROVIDER="PR4")) == {("224", "PLACE_PROVIDER")}
    assert _found(_tables(PLACE_PROVIDER="PR4"), _replace(REGISTERED, provider_codes=("PR1", "PR4"))) == set()


def test_227_a_provider_closed_when_the_episode_started() -> None:
    closed_that_day = _replace(REGISTERED, closed=dt.date(2025, 6, 1))
    assert ("227", "URN") in _found(_tables(), closed_that_day)
    assert ("227", "URN") not in _found(_tables(), _replace(REGISTERED, closed=dt.date(2025, 6, 2)))


def test_228_a_provider_closed_before_the_episode_ended_or_before_31_march() -> None:
    ended = {"DEC": "01/09/2025", "REC": "E11"}
    assert _found(_tables(**ended), _replace(REGISTERED, closed=dt.date(2025, 8, 31))) == {("228", "URN")}
    assert _found(_tables(**ended), _replace(REGISTERED, closed=dt.date(2025, 9, 1))) == set()
    # An open episode runs to 31 March 2026.
    assert _found(_tables(), _replace(REGISTERED, closed=dt.date(2026, 3, 30))) == {("228", "URN")}
    assert _found(_tables(), _replace(REGISTERED, closed=dt.date(2026, 3, 31))) == set()


def test_229_own_provision_outside_the_area_and_another_councils_inside_it() -> None:
    outside = _replace(REGISTERED, postcode="BR1 1AA")
    assert _found(_tables(PL_POST="BR1 1AA"), outside) == {("229", "PLACE_PROVIDER")}
    other_council = _replace(REGISTERED, provider_codes=("PR2",))
    assert _found(_tables(PLACE_PROVIDER="PR2"), other_council) == {("229", "PLACE_PROVIDER")}
    assert _found(_tables(PLACE_PROVIDER="PR2", PL_POST="BR1 1AA"), _replace(outside, provider_codes=("PR2",))) == set()


def test_229_leaves_out_supported_accommodation_from_2025_26() -> None:
    k3 = _replace(REGISTERED, placement_codes=("K3",), postcode="BR1 1AA")
    tables = _tables(PLACE="K3", PL_POST="BR1 1AA", DOB="01/02/2008")
    assert ("229", "PLACE_PROVIDER") in _found(tables, k3, "2024-25")
    assert ("229", "PLACE_PROVIDER") not in _found(tables, k3, "2025-26")


def test_229_says_nothing_when_an_incomplete_postcode_lookup_does_not_know_the_providers_postcode() -> None:
    unknown_postcode = _replace(REGISTERED, postcode="ZZ9 9ZZ", placement_codes=("U4",))
    tables = _tables(PLACE="U4")
    incomplete = validate_903(tables, "2025-26", providers=providers_frame([unknown_postcode]))
    assert "229" not in {f.rule for f in incomplete}
    assert ("229", "PLACE_PROVIDER") in _found(tables, unknown_postcode)  # a complete lookup: not in England


def test_without_a_register_the_rules_are_skipped_and_reported_as_not_checked() -> None:
    findings = validate_903(_tables(URN="SC999999"), "2025-26", postcodes=LOOKUP)
    assert not {f.rule for f in findings} & PROVIDER_RULES
    assert {code: findings.not_checked[code] for code in PROVIDER_RULES} == dict.fromkeys(PROVIDER_RULES, NO_PROVIDERS)
    with_register = validate_903(_tables(), "2025-26", postcodes=LOOKUP, providers=providers_frame([REGISTERED]))
    assert not set(with_register.not_checked) & PROVIDER_RULES


def test_the_one_child_path_agrees_with_the_full_run() -> None:
    tables = _tables(URN="SC999999")
    register = providers_frame([REGISTERED])
    full = validate_903(tables, "2025-26", postcodes=LOOKUP, providers=register)
    mine = validate_child(tables, CHILD, "2025-26", postcodes=LOOKUP, providers=register)
    assert sorted(map(repr, mine)) == sorted(map(repr, full))
    assert set(mine.not_checked) == set(full.not_checked)
