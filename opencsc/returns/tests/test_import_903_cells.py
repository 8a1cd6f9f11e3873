"""The 903 import refuses formula cells and malformed postcodes, with their rows (issue 10, defect 4).

Reproduces the probe: `=1+1`, `+1+2` and `@SUM(1)` in HOME_POST and SW_ID were stored, and HOME_POST
was not checked as a postcode.
"""

from __future__ import annotations

import polars as pl
import pytest

from opencsc.accounts.models import User
from opencsc.casework.models import CareEpisode
from opencsc.people.models import Person
from opencsc.returns.build.importer import import_903
from opencsc.returns.ssda903.screening import is_formula, screen_903
from opencsc.returns.tests.test_import_903 import YEAR, legacy_return

pytestmark = pytest.mark.django_db


def _set(tables, table: str, row: int, column: str, value: str) -> str:
    frame = tables[table]
    values = frame[column].to_list()
    values[row] = value
    tables[table] = frame.with_columns(pl.Series(column, values, dtype=pl.String))
    return frame["CHILD"][row]


def _write_raw(tables, folder) -> None:
    """As another system would write them: no apostrophe in front of a formula."""
    folder.mkdir()
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name}.csv", null_value="")


@pytest.fixture
def hostile(tmp_path):
    tables = legacy_return(12, seed=5)
    episodes = tables["Episodes"]
    rows = {c: i for i, c in reversed(list(enumerate(episodes["CHILD"].to_list())))}
    children = list(rows)
    bad = {
        _set(tables, "Episodes", rows[children[0]], "HOME_POST", "=1+1"),
        _set(tables, "Episodes", rows[children[1]], "PL_POST", "+1+2"),
        _set(tables, "Episodes", rows[children[2]], "HOME_POST", "NOT A POSTCODE"),
    }
    sw_child = next(c for c in tables["SWEpisodes"]["CHILD"].to_list() if c not in bad)
    bad.add(_set(tables, "SWEpisodes", tables["SWEpisodes"]["CHILD"].to_list().index(sw_child), "SW_ID", "@SUM(1)"))
    _write_raw(tables, tmp_path / "hostile")
    return tmp_path / "hostile", bad, tables


def test_formula_cells_and_bad_postcodes_are_refused_with_their_rows(hostile):
    folder, bad, _ = hostile
    report = import_903(folder, year=YEAR)
    refused = {(r.table, r.rule): r for r in report.rejected}
    assert set(refused) >= {
        ("Episodes", "HOME_POST"),
        ("Episodes", "PL_POST"),
        ("SWEpisodes", "SW_ID"),
    }
    formula = [r for r in report.rejected if "formula" in r.reason]
    assert {r.child for r in formula} | {r.child for r in report.rejected if "postcode" in r.reason} == bad
    screened = [r for r in report.rejected if "formula" in r.reason or "not a UK postcode" in r.reason]
    assert len(screened) == 4
    assert all(r.row is not None and f"line {r.row + 2} of the {r.table} file" in r.reason for r in screened)
    lines = "\n".join(report.lines())
    assert "@SUM(1)" in lines and "+1+2" in lines and "not a UK postcode" in lines
    assert not report.committed and Person.objects.count() == 0  # the whole file rolled back


def test_with_partial_the_other_children_are_imported_and_nothing_formula_like_is_stored(hostile):
    folder, bad, _ = hostile
    report = import_903(folder, year=YEAR, partial=True)
    assert report.committed
    held = set(Person.objects.values_list("la_child_id", flat=True))
    assert held and not (held & bad)
    stored = [v for row in CareEpisode.objects.values_list("home_postcode", "placement_postcode") for v in row if v]
    assert stored and not any(is_formula(v) for v in stored)
    assert not User.objects.filter(username__startswith="@").exists()  # no staff account named @SUM(1)


def test_plain_numbers_and_good_postcodes_pass():
    frame = pl.DataFrame({"CHILD": ["1", "2"], "HOME_POST": ["SE6 1AA", None], "PL_POST": ["SE61AB", "BR1 1AA"]})
    assert screen_903({"Episodes": frame, "X": pl.DataFrame({"CHILD": ["1"], "N": ["-1"], "M": ["+0.5"]})}) == []
    assert [c.column for c in screen_903({"Reviews": pl.DataFrame({"CHILD": ["1"], "SW_ID": ["\tX"]})})] == ["SW_ID"]
