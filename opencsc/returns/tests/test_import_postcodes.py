"""manage.py import_postcodes: the ONS postcode directory for the 903 location rules (issue 10)."""

from __future__ import annotations

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from opencsc.audit.models import AuditEvent
from opencsc.core.uploads import FileRefused, FileTooLarge
from opencsc.returns.build.services import validate_tables
from opencsc.returns.models import Postcode, PostcodeDirectoryLoad
from opencsc.returns.postcode_directory import import_postcodes, postcode_lookup
from opencsc.returns.ssda903.synthetic import synthetic_903
from opencsc.returns.ssda903.validate import NO_POSTCODES, POSTCODE_FORMAT_ONLY
from opencsc.returns.tests.postcode_files import NSPL_2024, ONSPD_2024, ONSPD_2025, demo_rows, write_directory

pytestmark = pytest.mark.django_db
YEAR = "2025-26"


def _state():
    return sorted(Postcode.objects.values_list("key", "la", "easting", "northing", "terminated")), list(
        PostcodeDirectoryLoad.objects.values_list("sha256", flat=True)
    )


@pytest.mark.parametrize("header", [ONSPD_2024, NSPL_2024, ONSPD_2025], ids=["ONSPD", "NSPL", "2025"])
def test_each_published_layout_loads_with_the_upper_tier_authority(tmp_path, header, capsys):
    path = write_directory(tmp_path / "ONSPD_NOV_2025_UK.csv", demo_rows(), header)
    call_command("import_postcodes", str(path))
    out = capsys.readouterr().out
    assert f"{len(demo_rows()):,} postcodes loaded" in out
    rows = {key: (la, e, n, t) for key, la, e, n, t in _state()[0]}
    assert rows["SE61AA"] == ("E09000023", 538655, 173699, "")  # a London borough: the borough
    assert rows["ME141AA"][0] == "E10000016"  # a two-tier area: the county, not the district
    assert rows["CF101AA"][0] == "WAL" and rows["EH11AA"][0] == "SCO" and rows["BT11AA"][0] == "NIR"
    assert rows["SE69ZZ"][3] == "200912" and rows["SE69ZY"][1:3] == (None, None)
    event = AuditEvent.objects.get(action="reference.postcodes_import")
    assert event.detail["postcodes"] == len(demo_rows()) and event.outcome == "allowed"


def test_the_same_file_twice_changes_nothing_and_a_new_one_replaces_it(tmp_path):
    path = write_directory(tmp_path / "a.csv", demo_rows(), ONSPD_2024)
    import_postcodes(path)
    before = _state()
    assert import_postcodes(path).unchanged and _state() == before
    smaller = write_directory(tmp_path / "b.csv", demo_rows()[:3], ONSPD_2024)
    import_postcodes(smaller)
    assert Postcode.objects.count() == 3 and PostcodeDirectoryLoad.objects.count() == 2


def _hostile(tmp_path):
    good = write_directory(tmp_path / "good.csv", demo_rows(), ONSPD_2024).read_text()
    formula = good.replace('"SE6 1AB"', '"=1+1"')
    return {
        "missing columns": ("pcds,ctry\nSE6 1AA,E92000001\n", r"county \(oscty or cty or ctyYYcd\)"),
        "binary": ("PK\x03\x04\x00\x00", "binary data"),
        "formula cell": (formula, "not postcode directory rows"),
        "bad easting": (good.replace('"538655"', '"-5"', 1), "line 2"),
        "unknown country": (good.replace('"E92000001"', '"X99999999"', 1), "line 2"),
        "duplicate": (good + good.split("\n", 1)[1], "more than once"),
        "not utf-8": (None, "not UTF-8"),
    }


def test_hostile_files_are_refused_whole_and_change_nothing(tmp_path):
    import_postcodes(write_directory(tmp_path / "first.csv", demo_rows()[:2], ONSPD_2024))
    before = _state()
    for name, (text, expected) in _hostile(tmp_path).items():
        path = tmp_path / f"{name}.csv"
        if text is None:
            path.write_bytes(b"pcds,\xff\xfe\n")
        else:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(FileRefused, match=expected):
            import_postcodes(path)
        assert _state() == before, name
    refused = AuditEvent.objects.filter(action="reference.postcodes_import", outcome="denied")
    assert refused.count() == len(_hostile(tmp_path))


def test_an_oversized_file_is_refused_with_the_one_size_message(tmp_path, settings):
    settings.OPENCSC_POSTCODES_MAX_BYTES = 100
    path = write_directory(tmp_path / "big.csv", demo_rows(), ONSPD_2024)
    with pytest.raises(FileTooLarge, match="more than the 100 allowed for the ONS postcode directory"):
        import_postcodes(path)
    with pytest.raises(CommandError, match="Refused, nothing was changed"):
        call_command("import_postcodes", str(path))


def _return_with_unknown_postcode() -> dict[str, pl.DataFrame]:
    tables = dict(synthetic_903(6, seed=3, year=YEAR))
    episodes = tables["Episodes"]
    homes = episodes["HOME_POST"].to_list()
    first = next(i for i, v in enumerate(homes) if v)
    homes[first] = "ZZ9 9ZZ"  # well formed, but no such postcode
    tables["Episodes"] = episodes.with_columns(pl.Series("HOME_POST", homes, dtype=pl.String))
    return tables


def test_without_the_directory_the_postcode_rules_are_reported_not_checked(tmp_path):
    found = validate_tables("903", YEAR, _return_with_unknown_postcode())
    assert found.not_checked["169"] == NO_POSTCODES and found.not_checked["1015"] == NO_POSTCODES  # type: ignore[attr-defined]
    assert found.not_checked["392c"] == POSTCODE_FORMAT_ONLY  # type: ignore[attr-defined]
    assert not [f for f in found if f.rule == "392c"]  # only the form could be checked


def test_with_the_directory_the_postcode_rules_run(tmp_path):
    import_postcodes(write_directory(tmp_path / "d.csv", demo_rows(), ONSPD_2025))
    found = validate_tables("903", YEAR, _return_with_unknown_postcode())
    assert not {"169", "179", "392a", "392c", "1015"} & set(found.not_checked)  # type: ignore[attr-defined]
    assert [f.field for f in found if f.rule == "392c"] == ["HOME_POST"]  # ZZ9 9ZZ is not a postcode
    lookup = postcode_lookup(["se6 1aa", "ZZ9 9ZZ", None])
    assert lookup is not None and lookup.complete and set(lookup.rows) == {"SE61AA"}
