"""Each CIN census rule: a valid child passes it, and the same child broken for it fails it exactly."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from opencsc.returns.cin.rules import BASE_RULES, YEAR_CHANGES, ruleset
from opencsc.returns.cin.synthetic import (
    BREAKERS,
    break_record,
    header_for,
    make_upn,
    records_to_tables,
    synthetic_records,
)
from opencsc.returns.cin.tables import TablesBuilder
from opencsc.returns.cin.validate import validate_child, validate_cin
from opencsc.returns.findings import Severity

YEAR = "2025-26"
RECORDS = synthetic_records(1500, YEAR, seed=42)
CHILD_RULES = sorted(BREAKERS)

# The (table, field) a breaker's finding is expected on, where it is not the rule's own table and field.
EXPECTED_AT = {
    "8565": ("Assessments", "AssessmentAuthorisationDate"),
    "SCHEMA": ("CINdetails", "CINreferralDate"),
}


def _fitting(code: str) -> dict:
    record = next((r for r in RECORDS if BREAKERS[code].fits(r)), None)
    assert record is not None, f"no synthetic child fits the breaker for {code}"
    return record


def _findings(records: list[dict], code: str) -> list:
    return validate_cin(records_to_tables(records, YEAR), YEAR, codes=[code])


def test_ruleset_is_the_published_one_plus_schema() -> None:
    codes = {r.code for r in ruleset(YEAR)}
    assert len(codes) == 110 and "SCHEMA" in codes
    assert sum(code.endswith("Q") for code in codes) == 26
    assert {r.code for r in ruleset(YEAR) if r.scope == "return"} == {
        "100",
        "2883",
        "2886Q",
        "2887Q",
        "2888Q",
    }


def test_every_child_level_rule_has_a_breaker() -> None:
    child_level = {r.code for r in ruleset(YEAR) if r.scope == "child"}
    assert child_level == set(BREAKERS)


def test_rulesets_are_versioned_by_year(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [r.code for r in ruleset("2024-25")] == [r.code for r in ruleset("2026-27")]
    ruleset.cache_clear()
    monkeypatch.setitem(YEAR_CHANGES, "2026-27", {"add": (), "remove": ("8869",)})
    try:
        assert "8869" in {r.code for r in ruleset("2025-26")}
        assert "8869" not in {r.code for r in ruleset("2026-27")}
    finally:
        ruleset.cache_clear()
    with pytest.raises(ValueError, match="No CIN ruleset"):
        ruleset("2019-20")


def test_query_rules_are_queries() -> None:
    assert BASE_RULES["8670Q"].severity is Severity.QUERY
    assert BASE_RULES["1560Q"].severity is Severity.QUERY
    assert BASE_RULES["8600"].severity is Severity.ERROR


@pytest.mark.parametrize("code", CHILD_RULES)
def test_valid_child_passes(code: str) -> None:
    assert _findings([_fitting(code)], code) == []


@pytest.mark.parametrize("code", CHILD_RULES)
def test_broken_child_fails_exactly(code: str) -> None:
    valid = _fitting(code)
    broken = break_record(valid, code, YEAR)
    child_id = broken["ChildIdentifiers"].get("LAchildID")
    others = [r for r in RECORDS[:40] if r is not valid]
    if code in ("8510", "1520"):  # a duplicate needs the child it duplicates
        other = copy.deepcopy(others[0])
        other["ChildIdentifiers"].update(LAchildID="DEMO000000", UPN=broken["ChildIdentifiers"].get("UPN"))
        others = [other]
    findings = _findings([*others, broken], code)
    rule = BASE_RULES[code]
    table, field = EXPECTED_AT.get(code, (rule.table, rule.fields[0]))
    assert (code, child_id, table, field) in {(f.rule, f.child_id, f.table, f.field) for f in findings}
    flagged = {f.child_id for f in findings}
    assert flagged <= {child_id, "DEMO000000"}, f"{code} also flagged {flagged - {child_id}}"
    assert all(f.severity is rule.severity and f.message for f in findings)


# --- return-level rules -------------------------------------------------------------------------------


def _tables(records: list[dict], **header: object):
    builder = TablesBuilder({**header_for(YEAR), **header})
    for record in records:
        builder.add_child(record)
    return builder.build()


def _return_level(tables, code: str) -> bool:
    return any(f.rule == code for f in validate_cin(tables, YEAR, codes=[code]))


def test_100_reference_date_must_be_31_march() -> None:
    assert not _return_level(_tables(RECORDS[:5]), "100")
    assert _return_level(_tables(RECORDS[:5], ReferenceDate=dt.date(2026, 3, 30)), "100")
    assert _return_level(_tables(RECORDS[:5], Year="2025"), "100")


def test_2883_more_plans_than_conferences() -> None:
    records = [r for r in RECORDS if any(e.get("ChildProtectionPlans") for e in r["CINdetails"])]
    assert not _return_level(_tables(records), "2883")
    stripped = copy.deepcopy(records)
    for record in stripped:
        for episode in record["CINdetails"]:
            for s47 in episode.get("Section47") or ():
                s47.pop("DateOfInitialCPC", None)
    assert _return_level(_tables(stripped), "2883")


def test_2886q_more_than_2_percent_without_sex() -> None:
    records = copy.deepcopy([r for r in RECORDS if r["ChildIdentifiers"]["PersonBirthDate"]][:100])
    assert not _return_level(_tables(records), "2886Q")
    for record in records[:2]:
        record["ChildIdentifiers"]["Sex"] = "U"
    assert not _return_level(_tables(records), "2886Q")  # exactly 2%
    records[2]["ChildIdentifiers"]["Sex"] = None
    assert _return_level(_tables(records), "2886Q")


def test_2887q_fewer_than_8_disability_codes_used() -> None:
    assert not _return_level(_tables(RECORDS), "2887Q")
    few = copy.deepcopy(RECORDS)
    for record in few:
        record["Disabilities"] = [d for d in record["Disabilities"] if d in ("NONE", "MOB", "HAND")]
    assert _return_level(_tables(few), "2887Q")


def test_2888q_only_one_disability_per_child() -> None:
    assert not _return_level(_tables(RECORDS), "2888Q")
    single = copy.deepcopy(RECORDS)
    for record in single:
        record["Disabilities"] = record["Disabilities"][:1]
    assert _return_level(_tables(single), "2888Q")


# --- where openCSC is right and the published validator is not ----------------------------------------


def _one(record: dict, code: str) -> list:
    return [(f.table, f.field) for f in validate_cin(records_to_tables([record], YEAR), YEAR, codes=[code])]


def _cp_record() -> dict:
    return copy.deepcopy(next(r for r in RECORDS if any(e.get("ChildProtectionPlans") for e in r["CINdetails"])))


def test_8935_two_open_plans_in_one_episode() -> None:
    record = _cp_record()
    episode = next(e for e in record["CINdetails"] if e.get("ChildProtectionPlans"))
    plan = episode["ChildProtectionPlans"][0]
    plan.pop("CPPendDate", None)
    episode["ChildProtectionPlans"].append(dict(plan, Reviews=[]))
    assert _one(record, "8935") == [("ChildProtectionPlans", "CPPendDate")] * 2


def test_8565_plan_ending_after_closure() -> None:
    record = next(
        r for r in RECORDS if any(e.get("ChildProtectionPlans") and e.get("CINclosureDate") for e in r["CINdetails"])
    )
    record = copy.deepcopy(record)
    episode = next(e for e in record["CINdetails"] if e.get("CINclosureDate") and e.get("ChildProtectionPlans"))
    episode["CINclosureDate"] = episode["ChildProtectionPlans"][0]["CPPendDate"] - dt.timedelta(days=1)
    assert ("ChildProtectionPlans", "CPPendDate") in _one(record, "8565")


def test_8569q_allows_a_referral_on_the_last_working_day_before_the_year() -> None:
    record = copy.deepcopy(next(r for r in RECORDS if r["CINdetails"][0]["ReferralNFA"] is True))
    episode = record["CINdetails"][0]
    episode["CINreferralDate"] = episode["CINclosureDate"] = dt.date(2025, 3, 31)  # a Monday
    assert _one(record, "8569Q") == []
    episode["CINreferralDate"] = episode["CINclosureDate"] = dt.date(2025, 3, 28)
    assert _one(record, "8569Q") == [("CINdetails", "ReferralNFA")]


def test_8670q_counts_45_working_days() -> None:
    record = copy.deepcopy(
        next(
            r
            for r in RECORDS
            if r["CINdetails"][0].get("Assessments") and r["CINdetails"][0].get("CINclosureDate") is None
        )
    )
    episode = record["CINdetails"][0]
    assessment = {"AssessmentActualStartDate": dt.date(2026, 1, 27)}  # 45 working days before 31 March 2026
    episode.update(CINreferralDate=dt.date(2026, 1, 20), Assessments=[assessment])
    assert _one(record, "8670Q") == []
    assessment["AssessmentActualStartDate"] = dt.date(2026, 1, 26)
    assert _one(record, "8670Q") == [("Assessments", "AssessmentActualStartDate")]


def test_8540_missing_disability_for_a_born_child_with_further_action() -> None:
    record = copy.deepcopy(next(r for r in RECORDS if r["Disabilities"] == ["NONE"]))
    record["Disabilities"] = []
    assert _one(record, "8540") == [("ChildCharacteristics", "Disabilities")]


def test_1510_checks_temporary_upns_too() -> None:
    record = copy.deepcopy(next(r for r in RECORDS if r["ChildIdentifiers"].get("UPN")))
    record["ChildIdentifiers"]["UPN"] = "M20700001604A"
    assert _one(record, "1510") == []
    record["ChildIdentifiers"]["UPN"] = "N20700001604A"
    assert _one(record, "1510") == [("ChildIdentifiers", "UPN")]


# --- the per-child path ---------------------------------------------------------------------------------


def test_validate_child_matches_the_whole_return() -> None:
    broken = [break_record(_fitting(code), code, YEAR) for code in ("8630", "1103", "8925", "8615")]
    tables = records_to_tables(broken, YEAR)
    whole = {(f.rule, f.child_id, f.field) for f in validate_cin(tables, YEAR) if f.child_id is not None}
    one_by_one = set()
    for i in range(len(tables)):
        one_by_one |= {(f.rule, f.child_id, f.field) for f in validate_child(tables.child(i), YEAR)}
    assert one_by_one == whole
    assert {code for code, _, _ in whole} >= {"8630", "1103", "8925", "8615"}


def test_validate_child_skips_return_level_and_cross_child_rules() -> None:
    tables = records_to_tables([RECORDS[0]], YEAR)
    tables.header["ReferenceDate"] = None
    assert validate_child(tables, YEAR) == []
    assert {f.rule for f in validate_cin(tables, YEAR)} >= {"100"}


def test_make_upn_is_valid_and_unique() -> None:
    upns = {make_upn(i) for i in range(2000)}
    assert len(upns) == 2000
