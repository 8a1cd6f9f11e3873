"""The 903 engine: no shared state between rules, the single-child fast path, postcode lookups."""

from __future__ import annotations

import time

import polars as pl
import pytest

from opencsc.returns.ssda903.postcodes import PostcodeLookup
from opencsc.returns.ssda903.rules import ruleset_codes
from opencsc.returns.ssda903.synthetic import broken_corpus
from opencsc.returns.ssda903.validate import validate_903, validate_child

YEAR = "2025-26"
LOOKUP = PostcodeLookup.builtin(complete=True)


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    return broken_corpus(800, year=YEAR)


def test_inputs_are_not_modified(corpus) -> None:  # type: ignore[no-untyped-def]
    tables, _ = corpus
    before = {name: frame.clone() for name, frame in tables.items()}
    validate_903(tables, YEAR, postcodes=LOOKUP)
    assert all(tables[name].equals(before[name]) for name in before)


def test_each_rule_alone_reports_what_it_reports_in_the_full_run(corpus) -> None:  # type: ignore[no-untyped-def]
    tables, _ = corpus
    full = validate_903(tables, YEAR, postcodes=LOOKUP)
    for code in ("365", "148", "359", "575", "577", "581", "SW12STG2", "142", "233"):
        alone = validate_903(tables, YEAR, postcodes=LOOKUP, only=(code,))
        assert alone == [f for f in full if f.rule == code], code


def test_the_child_fast_path_finds_what_the_full_run_finds_for_that_child(corpus) -> None:  # type: ignore[no-untyped-def]
    tables, expected = corpus
    full = validate_903(tables, YEAR, postcodes=LOOKUP)
    for child in sorted(set(expected.values()))[:25]:
        mine = validate_child(tables, child, YEAR, postcodes=LOOKUP)
        assert mine == [f for f in full if f.child_id == child and f.rule not in {"444"}], child


def test_the_child_fast_path_is_quick(corpus) -> None:  # type: ignore[no-untyped-def]
    tables, expected = corpus
    child = expected["143"]
    validate_child(tables, child, YEAR, postcodes=LOOKUP)  # warm
    started = time.perf_counter()
    for _ in range(5):
        validate_child(tables, child, YEAR, postcodes=LOOKUP)
    per_call = (time.perf_counter() - started) / 5
    assert per_call < 1.0, f"{per_call:.3f}s per child"


def test_an_incomplete_lookup_never_calls_an_unknown_postcode_invalid(corpus) -> None:  # type: ignore[no-untyped-def]
    tables, expected = corpus
    partial = PostcodeLookup.from_rows([], complete=False)
    found = {(f.rule, f.child_id) for f in validate_903(tables, YEAR, postcodes=partial)}
    assert ("392c", expected["392c"]) not in found  # "ZZ99 9ZZ" is well formed
    bad = {name: frame for name, frame in tables.items()}
    bad["Episodes"] = bad["Episodes"].with_columns(
        HOME_POST=pl.when(pl.col("CHILD") == expected["143"]).then(pl.lit("NOT A POSTCODE")).otherwise("HOME_POST")
    )
    found = {(f.rule, f.child_id) for f in validate_903(bad, YEAR, postcodes=partial)}
    assert ("392c", expected["143"]) in found
    blank_postcode = set(
        bad["Episodes"].filter(pl.col("PL_POST").is_null() | pl.col("HOME_POST").is_null())["CHILD"].to_list()
    )
    located = {child for rule, child in found if rule in {"169", "179", "392a", "1015", "241"}}
    assert located <= blank_postcode  # unknown postcodes are not reported as missing locations


def test_unknown_years_are_refused() -> None:
    with pytest.raises(ValueError, match="2023-24"):
        ruleset_codes("2023-24")
