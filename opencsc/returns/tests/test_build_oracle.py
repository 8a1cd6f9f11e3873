"""The published DfE validators on the returns built from a seeded demo borough: no errors on any child,
the demo generator's own and the journeys recorded through the services alike, apart from queries and
the validators' documented defects.

Reuses the engine engineers' harnesses: `tests.oracle` (csc-validator-be-cin 0.1.13) and
`tests.oracle_903` (csc-validator-be-903 0.1.17), each in its own throwaway virtual environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opencsc.returns.build.cin import build_cin
from opencsc.returns.build.ssda903 import build_903
from opencsc.returns.cin.xml_io import write_cin_xml
from opencsc.returns.ssda903.csv_io import write_903_dir
from opencsc.returns.tests.demo_journeys import YEAR, seed_demo_with_journeys
from opencsc.returns.tests.oracle import CIN_KNOWN_DEFECTS, OracleUnavailable, cin_oracle, run_cin_oracle
from opencsc.returns.tests.oracle_903 import KNOWN_DEFECTS_903, oracle_903, run_903_oracle

pytestmark = [pytest.mark.oracle, pytest.mark.django_db]


def _python(make) -> Path:
    try:
        return make()
    except OracleUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The oracle is required in CI: {exc}")
        pytest.skip(f"The oracle could not be installed (no network?): {exc}")


def _unexplained(pairs, defects: dict[str, str]) -> list[tuple[str, str | None]]:
    """Every (rule, child) but queries (not errors) and the validator's documented defects."""
    return [(rule, child) for rule, child in sorted(pairs, key=str) if not (rule.endswith("Q") or rule in defects)]


def test_published_validators_find_no_errors_in_the_demo_borough_returns(tmp_path):
    cin_python, python_903 = _python(cin_oracle), _python(oracle_903)
    journeys = seed_demo_with_journeys(children=150, cin_children=90, lac_children=60, seed=2026)
    assert journeys.cin_report.committed and journeys.lac_report.committed

    cin = build_cin(YEAR)
    write_cin_xml(cin, tmp_path / "cin.xml")
    cin_result = run_cin_oracle(tmp_path / "cin.xml", int(YEAR[:4]) + 1, cin_python)
    assert len(cin) >= 100
    unexplained = _unexplained(cin_result.pairs, CIN_KNOWN_DEFECTS)
    assert unexplained == [], unexplained
    assert cin_result.return_level == frozenset()

    ssda = build_903(YEAR)
    write_903_dir(ssda, tmp_path / "903")
    result_903 = run_903_oracle(tmp_path / "903", YEAR, python_903)
    assert ssda["Episodes"].height >= 60 and result_903.seconds > 0
    unexplained = _unexplained(result_903.pairs, KNOWN_DEFECTS_903)
    print("unexplained 903:", unexplained)
    assert unexplained == [], unexplained
