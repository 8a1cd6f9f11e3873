"""SSDA903 rules: a valid return passes every rule; each deliberately broken record is reported exactly.

Passing case for every rule: the synthetic returns (built valid, this year and last) give no finding in
any collection year. Failing cases: each breaker changes one row of one child, and the finding for
that (rule, child, field) must appear. Further hand-built cases cover rules that compare episodes,
years and tables.
"""

from __future__ import annotations

import polars as pl
import pytest

from opencsc.returns.findings import Finding, Severity
from opencsc.returns.ssda903.postcodes import PostcodeLookup
from opencsc.returns.ssda903.rules import CATALOGUE, NOT_RUN, rules_for_year, ruleset_codes
from opencsc.returns.ssda903.synthetic import BREAKERS, broken_corpus, synthetic_903
from opencsc.returns.ssda903.tables import table_from_rows
from opencsc.returns.ssda903.validate import validate_903

YEARS = ("2024-25", "2025-26", "2026-27")
LOOKUP = PostcodeLookup.builtin(complete=True)


@pytest.fixture(scope="module", params=YEARS)
def year(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("year_", YEARS)
def test_a_valid_return_passes_every_rule(year_: str) -> None:
    this, last = synthetic_903(1500, seed=11, year=year_, with_previous=True)
    assert validate_903(this, year_, previous=last, postcodes=LOOKUP) == []


@pytest.fixture(scope="module")
def broken() -> dict[str, tuple[dict[str, pl.DataFrame], dict[str, str], list[Finding]]]:
    out = {}
    for y in YEARS:
        tables, expected = broken_corpus(1200, year=y)
        out[y] = (tables, expected, validate_903(tables, y, postcodes=LOOKUP))
    return out


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.rule)
def test_each_broken_record_is_reported_with_rule_child_and_field(broken, breaker) -> None:  # type: ignore[no-untyped-def]
    years = [y for y in YEARS if breaker.from_year <= int(y[:4]) + 1]
    for y in years:
        _, expected, findings = broken[y]
        child = expected[breaker.rule]
        fields = CATALOGUE[breaker.rule].fields
        hits = [f for f in findings if (f.rule, f.child_id) == (breaker.rule, child)]
        assert hits, f"{breaker.rule} not reported for {child} in {y}"
        if breaker.table in fields:  # the changed row itself is flagged, at the rule's field
            assert any(f.table == breaker.table and f.field == fields[breaker.table] for f in hits)
        assert all(f.field == fields[f.table] and f.message and f.row is not None for f in hits)


def test_a_broken_rule_flags_only_its_own_child_among_the_valid_ones(broken) -> None:  # type: ignore[no-untyped-def]
    _, expected, findings = broken["2025-26"]
    for rule in ("143", "167", "180", "SW13STG1", "631"):
        assert {f.child_id for f in findings if f.rule == rule} == {expected[rule]}


def test_every_published_rule_is_run_or_explained() -> None:
    for year in YEARS:
        codes = set(ruleset_codes(year))
        assert not codes & set(NOT_RUN)
        assert len(rules_for_year(year)) == len(codes)
    assert {"233", "234", "444", "SW17STG2"} <= set(ruleset_codes("2025-26")) - set(ruleset_codes("2024-25"))
    assert {"SW01aSTG1", "SW01bSTG1"} <= set(ruleset_codes("2024-25")) - set(ruleset_codes("2025-26"))
    assert {str(code) for code in range(700, 711)} <= set(ruleset_codes("2026-27")) - set(ruleset_codes("2025-26"))


def test_queries_are_marked_as_queries() -> None:
    assert CATALOGUE["232"].severity is Severity.QUERY
    assert CATALOGUE["231"].severity is Severity.QUERY
    assert CATALOGUE["143"].severity is Severity.ERROR


# ---- hand-built cases ------------------------------------------------------------------------------


def _child(episodes: list[dict[str, str | None]], **header: str | None) -> dict[str, pl.DataFrame]:
    """One child in care: Header plus the given episodes (other fields filled with valid values)."""
    base = {"CHILD": "DEMO000001", "SEX": "M", "DOB": "01/02/2012", "ETHNIC": "WBRI", "UPN": "A123456789012"}
    eps = [
        {
            "CHILD": "DEMO000001",
            "CIN": "N1",
            "HOME_POST": "SE6 1AA",
            "PLACE_PROVIDER": "PR4",
            "PL_POST": "BR1 1AA",
            "URN": f"SC10000{i}",
            **e,
        }
        for i, e in enumerate(episodes)
    ]
    return {"Header": table_from_rows("Header", [{**base, **header}]), "Episodes": table_from_rows("Episodes", eps)}


def _found(tables: dict[str, pl.DataFrame], year: str = "2025-26", **kw) -> set[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return {(f.rule, f.child_id, f.field) for f in validate_903(tables, year, postcodes=LOOKUP, **kw)}


OPEN_FOSTER = {"DECOM": "01/06/2025", "RNE": "S", "LS": "C2", "PLACE": "U4"}


def test_a_valid_single_child_passes() -> None:
    found = {rule for rule, _, _ in _found(_child([OPEN_FOSTER]))}
    assert found == set()


def test_233_reason_for_change_on_an_open_episode_is_flagged_in_2025_26_not_2024_25() -> None:
    tables = _child([{**OPEN_FOSTER, "REASON_PLACE_CHANGE": "CARPL"}])
    assert ("233", "DEMO000001", "REASON_PLACE_CHANGE") in _found(tables, "2025-26")
    assert not any(r == "233" for r, _, _ in _found(tables, "2024-25"))


def test_146_k3_is_a_valid_placement_in_2024_25_and_h5_is_not_in_2025_26() -> None:
    k3 = _child([{**OPEN_FOSTER, "PLACE": "K3"}], DOB="01/02/2008")
    assert not any(r == "146" for r, _, _ in _found(k3, "2024-25"))
    h5 = _child([{**OPEN_FOSTER, "PLACE": "H5"}], DOB="01/02/2008")
    assert ("146", "DEMO000001", "PLACE") in _found(h5, "2025-26")
    assert not any(r == "146" for r, _, _ in _found(h5, "2024-25"))


def test_165_female_looked_after_needs_the_mother_field_and_male_cannot_have_it() -> None:
    tables = _child([OPEN_FOSTER], SEX="F")
    tables["OC3"] = table_from_rows("OC3", [])
    assert ("165", "DEMO000001", "MOTHER") in _found(tables)
    tables = _child([OPEN_FOSTER], SEX="M", MOTHER="0")
    tables["OC3"] = table_from_rows("OC3", [])
    assert ("165", "DEMO000001", "MOTHER") in _found(tables)
    tables = _child([OPEN_FOSTER], SEX="F", MOTHER="0")
    tables["OC3"] = table_from_rows("OC3", [])
    assert not any(r == "165" for r, _, _ in _found(tables))


def test_231_a_uasc_child_under_11_is_queried() -> None:
    tables = _child([{**OPEN_FOSTER, "HOME_POST": None}], DOB="01/02/2018")
    tables["UASC"] = table_from_rows(
        "UASC", [{"CHILD": "DEMO000001", "SEX": "M", "DOB": "01/02/2018", "DUC": "01/02/2036"}]
    )
    assert ("231", "DEMO000001", "DOB") in _found(tables)


def test_sw17_only_children_still_looked_after_need_an_open_social_worker_episode() -> None:
    left = _child([{**OPEN_FOSTER, "DEC": "01/12/2025", "REC": "E4A"}])
    sw = {
        "CHILD": "DEMO000001",
        "DOB": "01/02/2012",
        "SW_ID": "SW1001",
        "SW_DECOM": "01/06/2025",
        "SW_DEC": "01/12/2025",
        "SW_REASON": "FCONTA",
    }
    left["SWEpisodes"] = table_from_rows("SWEpisodes", [sw])
    assert not any(r == "SW17STG2" for r, _, _ in _found(left))
    still = _child([OPEN_FOSTER])
    still["SWEpisodes"] = table_from_rows("SWEpisodes", [sw])
    assert ("SW17STG2", "DEMO000001", "SW_DEC") in _found(still)


def test_365_a_short_break_over_17_days_and_open_episodes_are_not_closed_for_other_rules() -> None:
    tables = _child(
        [
            {
                "DECOM": "01/06/2025",
                "RNE": "S",
                "LS": "V3",
                "PLACE": "R1",
                "PLACE_PROVIDER": "PR1",
                "PL_POST": None,
                "HOME_POST": None,
                "URN": None,
            }
        ]
    )
    found = _found(tables)
    assert ("365", "DEMO000001", "LS") in found
    assert not any(r == "148" for r, _, _ in found)  # the open episode still has no end date


def test_361_police_protection_over_72_hours() -> None:
    tables = _child(
        [
            {"DECOM": "01/06/2025", "RNE": "S", "LS": "L1", "PLACE": "U6", "DEC": "06/06/2025", "REC": "X1"},
            {"DECOM": "06/06/2025", "RNE": "L", "LS": "C1", "PLACE": "U6", "URN": "SC100000"},
        ]
    )
    assert ("361", "DEMO000001", "LS") in _found(tables)


def test_501_overlapping_episodes_and_142_unclosed_previous_episode() -> None:
    tables = _child(
        [
            {**OPEN_FOSTER, "DEC": "01/09/2025", "REC": "X1"},
            {"DECOM": "01/08/2025", "RNE": "P", "LS": "C2", "PLACE": "U6"},
        ]
    )
    assert ("501", "DEMO000001", "DECOM") in _found(tables)
    tables = _child([OPEN_FOSTER, {"DECOM": "01/08/2025", "RNE": "P", "LS": "C2", "PLACE": "U6"}])
    assert ("142", "DEMO000001", "DEC") in _found(tables)


def test_previous_year_rules_need_last_years_return() -> None:
    this = _child([{**OPEN_FOSTER, "DECOM": "01/06/2024", "RNE": "S"}])
    last = _child([{**OPEN_FOSTER, "DECOM": "01/06/2024", "RNE": "S", "LS": "C1"}], SEX="F")
    assert not any(r in {"202", "503B"} for r, _, _ in _found(this))
    found = _found(this, previous=last)
    assert ("202", "DEMO000001", "SEX") in found
    assert ("503B", "DEMO000001", "LS") in found


def test_444_duplicate_upn_flags_both_children() -> None:
    one, two = _child([OPEN_FOSTER]), _child([OPEN_FOSTER])
    two = {name: frame.with_columns(CHILD=pl.lit("DEMO000002")) for name, frame in two.items()}
    tables = {name: pl.concat([one[name], two[name]]) for name in one}
    hits = {child for rule, child, _ in _found(tables) if rule == "444"}
    assert hits == {"DEMO000001", "DEMO000002"}


def test_558_an_adopted_child_whose_latest_decision_to_place_ceased_but_not_an_open_episode() -> None:
    """Decided on the published validator's own test data (docs/returns-validation-903.md): a child is
    adopted when an episode ended (DEC) with E11/E12; a reason on an open episode is rule 148's finding."""
    placed = table_from_rows(
        "PlacedAdoption",
        [
            {
                "CHILD": "DEMO000001",
                "DOB": "01/02/2012",
                "DATE_PLACED": "01/07/2025",
                "DATE_PLACED_CEASED": "01/10/2025",
                "REASON_PLACED_CEASED": "E1",
            }
        ],
    )
    episode = {"DECOM": "01/06/2025", "RNE": "S", "LS": "E1", "PLACE": "A3", "REC": "E11"}
    adopted = {**_child([{**episode, "DEC": "01/12/2025"}]), "PlacedAdoption": placed}
    assert ("558", "DEMO000001", "DATE_PLACED_CEASED") in _found(adopted)
    still_open = {**_child([episode]), "PlacedAdoption": placed}
    found = _found(still_open)
    assert not any(rule == "558" for rule, _, _ in found)
    assert any(rule == "148" for rule, _, _ in found)
