"""openCSC's SSDA903 validation against the published validator (csc-validator-be-903 0.1.17).

The published validator runs in its own throwaway environment (see `oracle_903`). (a) On valid synthetic
returns it reports nothing but its documented defects, and neither do we; (b) on a corpus of deliberately
broken records, every (rule, child) it reports is reported by us too, except its documented defects;
(c) its rule 365 corrupts what later rules see, ours does not. Without network the environment cannot
be made: the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from opencsc.returns.ssda903.csv_io import read_903_dir, write_903_dir
from opencsc.returns.ssda903.postcodes import PostcodeLookup
from opencsc.returns.ssda903.providers import providers_frame, read_provider_file
from opencsc.returns.ssda903.synthetic import (
    broken_corpus,
    provider_breaks,
    synthetic_903,
    synthetic_providers,
    write_provider_list,
)
from opencsc.returns.ssda903.validate import validate_903
from opencsc.returns.tests.oracle_903 import KNOWN_DEFECTS_903, OracleUnavailable, oracle_903, run_903_oracle

pytestmark = pytest.mark.oracle
LOOKUP = PostcodeLookup.builtin(complete=True)  # the synthetic postcodes are all in the ONS directory


@pytest.fixture(scope="module")
def oracle_python() -> Path:
    try:
        return oracle_903()
    except OracleUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The 903 oracle is required in CI: {exc}")
        pytest.skip(f"The 903 oracle could not be installed (no network?): {exc}")


def _ours(folder: Path, year: str, previous: Path | None = None) -> set[tuple[str, str]]:
    last = read_903_dir(previous) if previous is not None else None
    found = validate_903(read_903_dir(folder), year, previous=last, postcodes=LOOKUP)
    return {(f.rule, str(f.child_id)) for f in found}


@pytest.mark.parametrize("year", ["2024-25", "2025-26"])
def test_valid_return_has_no_errors_in_either(tmp_path: Path, oracle_python: Path, year: str) -> None:
    this, last = synthetic_903(250, seed=31, year=year, with_previous=True)
    write_903_dir(this, tmp_path / "this")
    write_903_dir(last, tmp_path / "last")
    oracle = run_903_oracle(tmp_path / "this", year, oracle_python, previous=tmp_path / "last")
    assert {rule for rule, _ in oracle.pairs} <= set(KNOWN_DEFECTS_903)
    assert _ours(tmp_path / "this", year, tmp_path / "last") == set()


@pytest.mark.parametrize("year", ["2025-26"])
def test_we_find_everything_the_oracle_finds_on_broken_records(tmp_path: Path, oracle_python: Path, year: str) -> None:
    tables, broken = broken_corpus(1000, year=year)
    write_903_dir(tables, tmp_path)
    oracle = run_903_oracle(tmp_path, year, oracle_python)
    ours = _ours(tmp_path, year)
    unexplained = {(rule, child) for rule, child in oracle.pairs - ours if rule not in KNOWN_DEFECTS_903}
    assert unexplained == set()
    assert {(rule, child) for rule, child in broken.items()} <= ours
    # The corpus really exercises the oracle: it reports most of the broken records too.
    assert len({(r, c) for r, c in broken.items()} & oracle.pairs) >= 0.8 * len(broken)


def test_published_rule_365_closes_open_episodes_for_later_rules_but_ours_does_not(
    tmp_path: Path, oracle_python: Path
) -> None:
    this = synthetic_903(150, seed=32, year="2025-26")
    assert isinstance(this, dict)
    started = pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y")
    open_eps = this["Episodes"].filter(pl.col("DEC").is_null() & (started < pl.date(2026, 3, 1)))
    child = open_eps["CHILD"][0]
    missing = pl.DataFrame(
        {
            "CHILD": [child],
            "DOB": this["Header"].filter(pl.col("CHILD") == child)["DOB"],
            "MISSING": ["M"],
            "MIS_START": ["20/03/2026"],
            "MIS_END": [None],
        },
        schema={c: pl.String for c in ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")},
    )
    this["Missing"] = pl.concat([this["Missing"].filter(pl.col("CHILD") != child), missing])
    # The child went missing from an open placement on 20 March and is still missing at 31 March: valid.
    write_903_dir(this, tmp_path)
    full = run_903_oracle(tmp_path, "2025-26", oracle_python)
    assert ("575", child) in full.pairs  # seen through rule 365's 31/03 written into DEC
    ours = _ours(tmp_path, "2025-26")
    assert ("575", child) not in ours


PROVIDER_RULES = {"1008", "219", "221", "224", "227", "228", "229"}


@pytest.mark.parametrize("year", ["2024-25", "2025-26"])
def test_with_ofsted_lists_we_find_everything_the_oracle_finds(tmp_path: Path, oracle_python: Path, year: str) -> None:
    """The same synthetic provider list goes to both: the published tool as its combined Ofsted list (XLSX),
    openCSC through the register's own reader."""
    tables, broken = broken_corpus(1000, year=year)
    tables, rows, provider_broken = provider_breaks(
        tables, synthetic_providers(tables, year), year, set(broken.values())
    )
    assert set(provider_broken) == PROVIDER_RULES
    write_903_dir(tables, tmp_path / "return")
    lists = write_provider_list(rows, tmp_path / "providers.xlsx")
    oracle = run_903_oracle(tmp_path / "return", year, oracle_python, providers=lists)
    assert not oracle.crashed & PROVIDER_RULES
    register = providers_frame(read_provider_file(lists).rows)
    found = validate_903(read_903_dir(tmp_path / "return"), year, postcodes=LOOKUP, providers=register)
    ours = {(f.rule, str(f.child_id)) for f in found}
    unexplained = {(rule, child) for rule, child in oracle.pairs - ours if rule not in KNOWN_DEFECTS_903}
    assert unexplained == set()
    assert set(provider_broken.items()) <= ours
    assert set(provider_broken.items()) <= oracle.pairs  # the oracle really ran the URN rules
    # Without the lists both skip the URN rules; openCSC says so.
    bare = validate_903(read_903_dir(tmp_path / "return"), year, postcodes=LOOKUP)
    assert not {f.rule for f in bare} & PROVIDER_RULES
    assert set(bare.not_checked) >= PROVIDER_RULES


POSTCODE_RULES = {"169", "179", "392a", "392c", "1015", "406", "420"}


def test_the_published_validators_own_test_data_differs_only_where_explained(
    tmp_path: Path, oracle_python: Path
) -> None:
    """Issue 10, item 8: the published validator's `tests/fake_data` (2,675 children, dates moved to 2025-26)
    through both tools. With the same postcode directory (the one the published tool ships) they agree on
    every (rule, child) but those explained in `oracle_903.fake_data`, each checked on the child's own rows,
    and decided in docs/returns-validation-903.md. Any other difference fails."""
    from opencsc.returns.tests.oracle_903 import fake_data, oracle_postcodes

    folder = fake_data.unpack(tmp_path / "fake_data")
    tables = read_903_dir(folder)
    assert tables["Header"].height == 2675
    published = run_903_oracle(folder, fake_data.YEAR, oracle_python)
    episodes = tables["Episodes"]
    postcodes = episodes["HOME_POST"].drop_nulls().to_list() + episodes["PL_POST"].drop_nulls().to_list()
    lookup = PostcodeLookup.from_rows(oracle_postcodes(oracle_python, postcodes), complete=True)
    ours = {(f.rule, str(f.child_id)) for f in validate_903(tables, fake_data.YEAR, postcodes=lookup)}
    assert published.crashed <= set(fake_data.CRASHES)
    left = fake_data.unexplained(set(published.pairs), ours, tables, set(published.crashed), set(KNOWN_DEFECTS_903))
    assert left == set(), sorted(left)[:20]
    agreed = published.pairs & ours
    assert len(agreed) >= 36_000  # 36,425 on 0.1.17
    # The placement-location rules ran in both, on the same directory, and agree.
    assert {rule for rule, _ in agreed} >= POSTCODE_RULES
    # Every explanation is still needed (the data set exercises each decided difference).
    differing = {rule for rule, _ in published.pairs ^ ours}
    assert set(fake_data.EXPLAINED) <= differing


def test_a_social_worker_episode_before_april_2023_without_a_reason_is_valid_for_the_dfe(
    tmp_path: Path, oracle_python: Path
) -> None:
    """Issue 10, defect 6: the import refused a blank SW_REASON that the DfE accepts. The published
    validator agrees with openCSC's rules that an episode begun before 1 April 2023 needs no reason
    (test_import_903 imports the same kind of set)."""
    this = dict(synthetic_903(120, seed=11, year="2024-25"))
    sw = this["SWEpisodes"]
    before = pl.col("SW_DECOM").str.strptime(pl.Date, "%d/%m/%Y") < pl.date(2023, 4, 1)
    children = set(sw.filter(before)["CHILD"].to_list())
    assert children
    this["SWEpisodes"] = sw.with_columns(SW_REASON=pl.when(before).then(None).otherwise(pl.col("SW_REASON")))
    write_903_dir(this, tmp_path)
    oracle = run_903_oracle(tmp_path, "2024-25", oracle_python)
    assert {(r, c) for r, c in oracle.pairs if c in children and r not in KNOWN_DEFECTS_903} == set()
    assert {(r, c) for r, c in _ours(tmp_path, "2024-25") if c in children} == set()
