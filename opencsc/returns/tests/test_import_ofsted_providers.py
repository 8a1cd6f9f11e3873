"""`manage.py import_ofsted_providers`: Ofsted's lists (CSV and XLSX shapes) into the provider register,
atomically and idempotently, refusing hostile or oversized files and explaining every refused row; the
returns' validation path reads the register from the database."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from django.core.management import call_command

from opencsc.core.uploads import FileTooLarge
from opencsc.returns.build.services import validate_tables
from opencsc.returns.models import OfstedProvider
from opencsc.returns.providers import ProviderFileError, import_providers, provider_register
from opencsc.returns.ssda903 import providers as reader
from opencsc.returns.ssda903.providers import ProviderRow
from opencsc.returns.ssda903.synthetic import write_provider_list
from opencsc.returns.ssda903.tables import table_from_rows

pytestmark = pytest.mark.django_db

ROWS = [
    ProviderRow("SC100000", ("K2",), ("PR1",), "SE13 5AA", provider_type="Children's Home", places=4),
    ProviderRow("SC100001", ("U4", "U6"), ("PR4",), "BR1 1AA", provider_type="Independent Fostering Agency"),
    ProviderRow("2500001", ("K3",), ("PR4",), "SE4 1AA", closed=dt.date(2025, 12, 31), registered=dt.date(2024, 5, 1)),
]


def _codes() -> dict[str, tuple[str, str, str, dt.date | None]]:
    return {
        p.urn: (p.placement_codes, p.provider_codes, p.postcode, p.closed_on)
        for p in OfstedProvider.objects.order_by("urn")
    }


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_combined_list_loads_and_loading_it_again_changes_nothing(tmp_path: Path, suffix: str) -> None:
    path = write_provider_list(ROWS, tmp_path / f"providers{suffix}")
    first = import_providers(path)
    assert (first.created, first.updated, first.committed, first.rejected) == (3, 0, True, [])
    assert _codes() == {
        "2500001": ("K3", "PR4", "SE4 1AA", dt.date(2025, 12, 31)),
        "SC100000": ("K2", "PR1", "SE13 5AA", None),
        "SC100001": ("U4,U6", "PR4", "BR1 1AA", None),
    }
    loaded = {p.urn: p.loaded_at for p in OfstedProvider.objects.all()}
    again = import_providers(path)
    assert (again.created, again.updated, again.unchanged, again.committed) == (0, 0, 3, True)
    assert {p.urn: p.loaded_at for p in OfstedProvider.objects.all()} == loaded


def test_a_changed_list_updates_only_what_changed_and_keeps_providers_it_does_not_name(tmp_path: Path) -> None:
    import_providers(write_provider_list(ROWS, tmp_path / "v1.csv"))
    closed = ProviderRow("SC100000", ("K2",), ("PR1",), "SE13 5AA", closed=dt.date(2026, 1, 31))
    report = import_providers(write_provider_list([closed], tmp_path / "v2.csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert _codes()["SC100000"][3] == dt.date(2026, 1, 31)
    assert OfstedProvider.objects.count() == 3


def test_a_refused_row_rolls_the_whole_file_back_unless_partial(tmp_path: Path) -> None:
    import_providers(write_provider_list(ROWS[:1], tmp_path / "v1.csv"))
    before = _codes()
    path = tmp_path / "v2.csv"
    path.write_text(
        "URN,Placement code,Placement provider code,Deregistration date,Setting postcode\n"
        "SC100000,K1,PR1,,SE13 5AA\n"
        "SC200000,K2,PR1,31/02/2025,SE6 1AA\n"
        "NOT A URN!,K2,PR1,,SE6 1AA\n"
        "SC200001,K2;ZZZZZZ,PR1,,SE6 1AA\n"
        "SC200002,K2,PR1,,SE6 1AB\n"
        "SC200002,K2,PR1,,SE6 1AB\n",
        encoding="utf-8",
    )
    report = import_providers(path)
    assert not report.committed
    assert _codes() == before  # SC100000's change (row 2) was rolled back too
    reasons = {(r.row, r.urn): r.reason for r in report.rejected}
    assert set(reasons) == {(3, "SC200000"), (4, "NOT A URN!"), (5, "SC200001"), (7, "SC200002")}
    assert "not a date" in reasons[(3, "SC200000")]
    assert "not an Ofsted URN" in reasons[(4, "NOT A URN!")]
    assert "ZZZZZZ" in reasons[(5, "SC200001")]
    assert "repeated" in reasons[(7, "SC200002")]
    partial = import_providers(path, partial=True)
    assert partial.committed and (partial.created, partial.updated) == (1, 1)
    assert set(_codes()) == {"SC100000", "SC200002"}


def test_the_childrens_homes_list_with_its_address_sheet(tmp_path: Path) -> None:
    path = tmp_path / "childrens_homes.xlsx"
    book = xlsxwriter.Workbook(str(path))
    settings = book.add_worksheet("Settings and Inspection Info")
    settings.write_row(0, 0, ["URN", "Local Authority", "Provider Code", "Provider Placement Code", "Closed Date"])
    settings.write_row(1, 0, ["SC300000", "Lewisham", "K2", "PR1/PR2", ""])
    settings.write_row(2, 0, ["SC300001", "Kent", "K2", "PR4", ""])
    addresses = book.add_worksheet("Address Details")
    addresses.write_row(0, 0, ["URN", "Setting Address Postcode"])
    addresses.write_row(1, 0, ["SC300000", "se13 5aa"])
    addresses.write_row(2, 0, ["SC300001", "ME14 1AA"])
    book.close()
    report = import_providers(path)
    assert report.committed and report.created == 2
    assert _codes()["SC300000"] == ("K2", "PR1,PR2", "SE13 5AA", None)


def test_the_register_is_what_the_rules_read(tmp_path: Path) -> None:
    assert provider_register() is None
    import_providers(write_provider_list(ROWS, tmp_path / "providers.csv"))
    register = provider_register()
    assert register is not None
    assert register.filter(pl.col("URN") == "SC100001").row(0, named=True) == {
        "URN": "SC100001",
        "PLACE_CODES": ["U4", "U6"],
        "PROVIDER_CODES": ["PR4"],
        "REG_END": None,
        "POSTCODE": "BR11AA",
    }
    only = provider_register(["SC100000", None])
    assert only is not None and only["URN"].to_list() == ["SC100000"]


def test_the_returns_check_reads_the_register_from_the_database(tmp_path: Path) -> None:
    header = {"CHILD": "DEMO000001", "SEX": "M", "DOB": "01/02/2010", "ETHNIC": "WBRI", "UPN": "A123456789012"}
    episode = {
        "CHILD": "DEMO000001",
        "DECOM": "01/06/2025",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "K2",
        "PLACE_PROVIDER": "PR1",
        "HOME_POST": "SE6 1AA",
        "PL_POST": "SE13 5AA",
        "URN": "SC999999",
    }
    tables = {"Header": table_from_rows("Header", [header]), "Episodes": table_from_rows("Episodes", [episode])}
    before = validate_tables("903", "2025-26", tables)
    assert "1008" not in {f.rule for f in before}
    assert "1008" in before.not_checked  # type: ignore[attr-defined]
    import_providers(write_provider_list(ROWS, tmp_path / "providers.csv"))
    after = validate_tables("903", "2025-26", tables)
    assert ("1008", "DEMO000001") in {(f.rule, f.child_id) for f in after}


# ---- hostile and unusable files ---------------------------------------------------------------------


def _xlsx_with(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    """A real workbook with some parts replaced or added."""
    good = write_provider_list(ROWS, tmp_path / "good.xlsx")
    target = tmp_path / name
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, replace.pop(item.filename, source.read(item.filename)))
        for part, data in replace.items():
            out.writestr(part, data)
    return target


def test_an_xlsx_declaring_xml_entities_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(write_provider_list(ROWS, tmp_path / "plain.xlsx")) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    hostile = _xlsx_with(tmp_path, "entities.xlsx", {"xl/worksheets/sheet1.xml": bomb + sheet.split(b"?>", 1)[1]})
    with pytest.raises(ProviderFileError, match="could not be read"):
        import_providers(hostile)
    assert OfstedProvider.objects.count() == 0


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    hostile = _xlsx_with(tmp_path, "bomb.xlsx", {"xl/media/padding.bin": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(ProviderFileError, match="zip bomb"):
        import_providers(hostile)


def test_a_workbook_with_macros_is_refused(tmp_path: Path) -> None:
    hostile = _xlsx_with(tmp_path, "macros.xlsx", {"xl/vbaProject.bin": b"\x01" * 64})
    with pytest.raises(ProviderFileError, match="macros"):
        import_providers(hostile)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write_provider_list(ROWS, tmp_path / "providers.csv")
    with pytest.raises(FileTooLarge, match="more than the 100 allowed for an Ofsted provider list"):
        import_providers(path, max_bytes=100)


def test_too_many_rows_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    for suffix in (".csv", ".xlsx"):
        with pytest.raises(ProviderFileError, match="more than 2 rows"):
            import_providers(write_provider_list(ROWS * 5, tmp_path / f"long{suffix}"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.xlsx", b"URN,Placement code\nSC1,K2\n", "not an Excel workbook"),
        ("binary.csv", b"URN\0,\0\n", "binary data"),
        ("notes.csv", b"Title,Notes\nOfsted,list\n", "no sheet with a URN column"),
        ("zip.xlsx", b"PK\x03\x04junk", "readable"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_files_that_are_not_provider_lists_are_refused(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ProviderFileError, match=message):
        import_providers(path)


def test_the_command_explains_refused_rows_and_files_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("URN,Placement code,Placement provider code\nSC1,K2,PR1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ofsted_providers", str(bad), str(tmp_path / "missing.xlsx"))
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert "REJECTED sheet=bad.csv row=2 urn=SC1: URN 'SC1' is not an Ofsted URN" in out
    assert "Nothing was changed" in out
    assert "REFUSED" in err and "missing.xlsx" in err
    good = write_provider_list(ROWS, tmp_path / "good.csv")
    call_command("import_ofsted_providers", str(good))
    assert "3 providers read; 3 added" in capsys.readouterr().out


def test_every_provider_load_is_audited_committed_or_not(tmp_path):
    from opencsc.audit.models import AuditEvent
    from opencsc.core.uploads import FileRefused

    good = tmp_path / "homes.csv"
    good.write_text(
        "URN,Provider type,Setting name,Registration status,Postcode\nSC100001,Children's home,A home,Active,SE6 1AA\n",
        encoding="utf-8",
    )
    report = import_providers(good)
    binary = tmp_path / "bad.csv"
    binary.write_bytes(b"\x00\x01binary")
    with pytest.raises(FileRefused):
        import_providers(binary)
    events = list(AuditEvent.objects.filter(action="reference.providers_import").order_by("seq"))
    assert [e.outcome for e in events] == ["allowed" if report.committed else "denied", "denied"]
    assert events[0].detail["file"] == "homes.csv" and events[0].actor_repr == "system:import_ofsted_providers"
