"""Reading and writing the SSDA903 CSV return: tables by columns, clear errors, safe cells."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsc.core.uploads import FileTooLarge
from opencsc.returns.ssda903.csv_io import (
    ReturnFileError,
    neutralise_cell,
    read_903_dir,
    read_903_file,
    write_903_dir,
)
from opencsc.returns.ssda903.synthetic import synthetic_903
from opencsc.returns.ssda903.tables import COLUMNS, table_from_rows


def test_round_trip_gives_the_same_tables(tmp_path: Path) -> None:
    tables = synthetic_903(60, seed=3)
    write_903_dir(tables, tmp_path)
    back = read_903_dir(tmp_path)
    assert set(back) == set(tables)
    for name, frame in tables.items():
        assert back[name].equals(frame), name


def test_tables_are_recognised_by_columns_not_file_names(tmp_path: Path) -> None:
    header = table_from_rows("Header", [{"CHILD": "DEMO1", "SEX": "f", "DOB": "01/02/2015"}])
    reordered = header.select(list(reversed(COLUMNS["Header"])))
    reordered.write_csv(tmp_path / "something-else.csv")
    name, frame = read_903_file(tmp_path / "something-else.csv")
    assert name == "Header"
    assert frame.columns == list(COLUMNS["Header"])
    assert frame.row(0, named=True)["SEX"] == "F"  # upper-cased as the DfE does


def test_partial_previous_permanence_dates_are_kept(tmp_path: Path) -> None:
    frame = table_from_rows("PrevPerm", [{"CHILD": "DEMO1", "PREV_PERM": "P2", "DATE_PERM": "zz/05/2019"}])
    frame.write_csv(tmp_path / "prev.csv")
    assert read_903_dir(tmp_path)["PrevPerm"]["DATE_PERM"].to_list() == ["ZZ/05/2019"]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    table_from_rows("Episodes", []).drop("URN").write_csv(tmp_path / "eps.csv")
    with pytest.raises(ReturnFileError, match=r"nearest is Episodes; missing column\(s\): URN"):
        read_903_dir(tmp_path)


def test_an_extra_column_is_named(tmp_path: Path) -> None:
    table_from_rows("Reviews", []).with_columns(NAME=pl.lit("x")).write_csv(tmp_path / "rev.csv")
    with pytest.raises(ReturnFileError, match=r"nearest is Reviews; unexpected column\(s\): NAME"):
        read_903_dir(tmp_path)


def test_two_files_for_one_table_are_refused(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        table_from_rows("UASC", []).write_csv(tmp_path / name)
    with pytest.raises(ReturnFileError, match="both hold the UASC table"):
        read_903_dir(tmp_path)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    table_from_rows("Header", [{"CHILD": f"DEMO{i}"} for i in range(200)]).write_csv(tmp_path / "h.csv")
    with pytest.raises(FileTooLarge, match="more than the 1,000 allowed for one SSDA903 CSV file"):
        read_903_dir(tmp_path, max_bytes=1000)


def test_dates_are_written_dd_mm_yyyy(tmp_path: Path) -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {"CHILD": ["DEMO1"], "DOB": [dt.date(2015, 2, 1)], "REVIEW": [dt.date(2025, 6, 9)], "REVIEW_CODE": ["PN1"]}
    )
    write_903_dir({"Reviews": frame}, tmp_path)
    assert (tmp_path / "Reviews.csv").read_text().splitlines()[1] == "DEMO1,01/02/2015,09/06/2025,PN1"


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\0"]


@given(start=st.sampled_from(FORMULA_STARTS), rest=st.text(min_size=1, max_size=12).filter(lambda s: s[0].isalpha()))
@settings(max_examples=200, deadline=None)
def test_formula_cells_get_a_leading_apostrophe(start: str, rest: str) -> None:
    assert neutralise_cell(start + rest) == "'" + start + rest


@given(
    number=st.one_of(
        st.integers(-(10**6), 10**6).map(str), st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.2f}")
    )
)
def test_plain_numbers_are_left_alone(number: str) -> None:
    assert neutralise_cell(number) == number


@given(value=st.text(max_size=12))
@settings(max_examples=300, deadline=None)
def test_written_cells_match_the_scalar_rule(tmp_path_factory: pytest.TempPathFactory, value: str) -> None:
    folder = tmp_path_factory.mktemp("csv")
    frame = pl.DataFrame(
        {
            "CHILD": ["DEMO1"],
            "SEX": [value],
            "DOB": [None],
            "ETHNIC": ["WBRI"],
            "UPN": [None],
            "MOTHER": [None],
            "MC_DOB": [None],
        },
        schema={c: pl.String for c in COLUMNS["Header"]},
    )
    write_903_dir({"Header": frame}, folder)
    with (folder / "Header.csv").open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))[1][1]
    assert written == neutralise_cell(value)


def test_codes_are_never_changed_on_write(tmp_path: Path) -> None:
    tables = synthetic_903(40, seed=8)
    write_903_dir(tables, tmp_path)
    text = "".join(path.read_text() for path in tmp_path.glob("*.csv"))
    assert "'" not in text
