"""Whole-return validation of synthetic returns, and the latency of the per-child path."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from opencsc.returns.cin.synthetic import broken_return, synthetic_return
from opencsc.returns.cin.validate import validate_child, validate_cin


@pytest.mark.parametrize(("year", "seed"), [("2024-25", 1), ("2025-26", 2), ("2026-27", 3)])
def test_synthetic_returns_are_valid(year: str, seed: int) -> None:
    tables = synthetic_return(2000, year, seed=seed)
    assert validate_cin(tables, year) == []


def test_synthetic_returns_are_deterministic() -> None:
    assert synthetic_return(50, seed=4).tables == synthetic_return(50, seed=4).tables
    assert synthetic_return(50, seed=4).tables != synthetic_return(50, seed=5).tables


def test_broken_corpus_finds_every_broken_child() -> None:
    tables, broken = broken_return(1500, "2025-26", seed=8)
    flagged = {(f.rule, f.child_id) for f in validate_cin(tables, "2025-26")}
    missing = {code: child for code, child in broken.items() if (code, child) not in flagged}
    assert set(missing) == {"8500"}  # that child has no id to report: its finding has child_id None
    assert ("8500", None) in flagged


def test_per_child_validation_takes_milliseconds() -> None:
    tables, _ = broken_return(300, "2025-26", seed=6)
    children = [tables.child(i) for i in range(100)]
    started = time.perf_counter()
    for child in children:
        validate_child(child, "2025-26")
    per_child = (time.perf_counter() - started) / len(children)
    assert per_child < 0.01, f"{per_child * 1000:.1f} ms per child"


def test_reading_and_validating_in_parallel_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opencsc.returns.cin import validate as validate_module
    from opencsc.returns.cin import xml_io
    from opencsc.returns.cin.xml_io import read_cin_xml, write_cin_xml

    tables, _ = broken_return(1200, "2025-26", seed=12)
    path = tmp_path / "cin.xml"
    write_cin_xml(tables, path)
    monkeypatch.setattr(xml_io, "_SPLIT_BYTES", 0)
    monkeypatch.setattr(validate_module, "_PARALLEL_FROM", 0)
    serial, parallel = read_cin_xml(path), read_cin_xml(path, workers=3)
    assert parallel.tables == serial.tables and parallel.problems == serial.problems
    assert parallel.header == serial.header
    assert validate_cin(parallel, "2025-26", workers=2) == validate_cin(serial, "2025-26")
