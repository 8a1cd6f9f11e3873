"""Ofsted's provider lists, as the 903 rules 1008, 219, 221, 224, 227, 228 and 229 read them.

Two parts, neither touching the database:

* `providers_frame(rows)` turns register rows into the frame the rules read: one row per URN with
  `URN`, `PLACE_CODES` and `PROVIDER_CODES` (lists of codes), `REG_END` (date the registration ended,
  null while open) and `POSTCODE` (upper-cased, no spaces). `Ctx` adds `LA_CODE`, the upper-tier
  authority of that postcode from the postcode lookup (as the DfE infers it).
* `read_provider_file(path)` reads one of Ofsted's published lists (the children's homes list, the
  social care providers list, or the combined list, as CSV or XLSX) into `ProviderRow`s, and explains
  every row it cannot use. Files are untrusted: the size is checked before opening, an XLSX must be a
  plain zip whose parts are not oversized or too compressed (zip bombs), its XML is read by openpyxl
  through defusedxml (no entities, no DTDs), formulas are never evaluated, and the number of rows and
  the length of every cell are capped. A problem with the whole file raises `ProviderFileError`.

Columns are found by name (case, spaces and punctuation ignored). Ofsted names them differently in
each list; the names understood are those the published DfE validator reads plus the registration
details Ofsted adds (provider type, setting name, registration date, places):

| field | column names |
| --- | --- |
| URN | URN |
| placement codes | Placement code, Provider code (children's homes list) |
| provider codes | Placement provider code, Provider placement code (children's homes list) |
| closed | Deregistration date, Closed date |
| postcode | Setting postcode, Setting address postcode |
| local authority | Local authority, Provider local authority |
| provider type | Provider type |
| name | Setting name, Provider name |
| registered | Registration date |
| places | Places, Number of places, Maximum users |

A sheet with a URN and a postcode only (the children's homes list's "Address Details") gives the
postcode to the rows of the other sheets. A sheet with no placement code (the combined list's
supported accommodation sheet) means placement K3 and, without a provider code, PR4, as the DfE does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from opencsc.core.uploads import FileRefused, check_path

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # Ofsted's national lists are a few megabytes
MAX_ROWS = 200_000  # England has about 10,000 registered settings
MAX_CELL = 500
MAX_UNZIPPED = 400 * 1024 * 1024
MAX_RATIO = 200  # an XLSX part compressed more than this is refused (zip bomb)
URN_FORMAT = re.compile(r"^[A-Z0-9]{6,10}$")
CODE_FORMAT = re.compile(r"^[A-Z][A-Z0-9]{1,3}$")
_SEPARATORS = re.compile(r"[\s,/;]+")
FIELDS: dict[str, tuple[str, ...]] = {
    "urn": ("urn",),
    "placement_codes": ("placementcode", "providercode", "placementcodes"),
    "provider_codes": ("placementprovidercode", "providerplacementcode", "placementprovidercodes"),
    "closed": ("deregistrationdate", "closeddate", "closedate"),
    "postcode": ("settingpostcode", "settingaddresspostcode", "postcode"),
    "local_authority": ("localauthority", "providerlocalauthority"),
    "provider_type": ("providertype",),
    "name": ("settingname", "providername"),
    "registered": ("registrationdate",),
    "places": ("places", "numberofplaces", "maximumusers"),
}
_ALIASES = {alias: name for name, aliases in FIELDS.items() for alias in aliases}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%d %B %Y", "%d %b %Y")
SUPPORTED_ACCOMMODATION = ("K3",)
SUPPORTED_ACCOMMODATION_PROVIDER = ("PR4",)


class ProviderFileError(FileRefused):
    """The whole file was refused (the message says why and what to do)."""


@dataclass(frozen=True)
class ProviderRow:
    """One registered setting as the 903 rules need it (and the registration details kept with it)."""

    urn: str
    placement_codes: tuple[str, ...] = ()
    provider_codes: tuple[str, ...] = ()
    postcode: str = ""
    closed: dt.date | None = None
    local_authority: str = ""
    provider_type: str = ""
    name: str = ""
    registered: dt.date | None = None
    places: int | None = None


@dataclass(frozen=True)
class RejectedRow:
    sheet: str
    row: int  # 1-based, as a spreadsheet shows it (the header is row 1)
    urn: str
    reason: str


@dataclass
class ProviderFile:
    rows: list[ProviderRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


# ---- the frame the rules read ---------------------------------------------------------------------

PROVIDER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "URN": pl.String,
    "PLACE_CODES": pl.List(pl.String),
    "PROVIDER_CODES": pl.List(pl.String),
    "REG_END": pl.Date,
    "POSTCODE": pl.String,
}


def providers_frame(rows: Iterable[ProviderRow]) -> pl.DataFrame:
    """The register as the rules read it: one row per URN (a later row for the same URN wins)."""
    by_urn = {row.urn.strip().upper(): row for row in rows}
    return pl.DataFrame(
        {
            "URN": list(by_urn),
            "PLACE_CODES": [list(r.placement_codes) for r in by_urn.values()],
            "PROVIDER_CODES": [list(r.provider_codes) for r in by_urn.values()],
            "REG_END": [r.closed for r in by_urn.values()],
            "POSTCODE": [squash_postcode(r.postcode) or None for r in by_urn.values()],
        },
        schema=PROVIDER_SCHEMA,
    )


def squash_postcode(postcode: str | None) -> str:
    return "".join((postcode or "").split()).upper()


def split_codes(text: str) -> tuple[str, ...]:
    """'PR1/PR2', 'K1, K2' -> ('PR1', 'PR2'), ('K1', 'K2'); order kept, duplicates dropped."""
    parts = [p for p in _SEPARATORS.split(text.strip().upper()) if p]
    return tuple(dict.fromkeys(parts))


# ---- reading Ofsted's files -----------------------------------------------------------------------


def read_provider_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ProviderFile:
    """Every usable row of an Ofsted provider list (CSV or XLSX), and every row refused, with why."""
    file = Path(path)
    if not file.is_file():
        raise ProviderFileError(f"{file} is not a file")
    size = check_path(file, limit=max_bytes, what="an Ofsted provider list")
    if size == 0:
        raise ProviderFileError(f"{file.name} is empty")
    with file.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        sheets = _xlsx_sheets(file)
    elif file.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise ProviderFileError(f"{file.name} is not an Excel workbook (.xlsx); save Ofsted's list as .xlsx or CSV")
    else:
        sheets = [(file.name, _csv_rows(file))]
    return _combine(file.name, sheets)


def _csv_rows(file: Path) -> list[list[object]]:
    data = file.read_bytes()
    if b"\x00" in data:
        raise ProviderFileError(f"{file.name} holds binary data (NUL bytes), so it is not a CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ProviderFileError(f"{file.name} is not readable text: save it as CSV UTF-8") from exc
    try:
        rows: list[list[object]] = []
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise ProviderFileError(f"{file.name} has more than {MAX_ROWS:,} rows, more than any Ofsted list")
        return rows
    except csv.Error as exc:
        raise ProviderFileError(f"{file.name} is not a well-formed CSV file ({exc})") from exc


def _xlsx_sheets(file: Path) -> list[tuple[str, list[list[object]]]]:
    try:
        with zipfile.ZipFile(file) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.file_size > MAX_UNZIPPED or total > MAX_UNZIPPED:
                    raise ProviderFileError(f"{file.name} unpacks to more than {MAX_UNZIPPED:,} bytes: refused")
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20:
                    raise ProviderFileError(f"{file.name} has a part compressed over {MAX_RATIO}-fold (zip bomb)")
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ProviderFileError(f"{file.name} is not a readable Excel workbook ({exc})") from exc
    if "xl/workbook.xml" not in names:
        raise ProviderFileError(f"{file.name} is a zip file but not an Excel workbook (.xlsx)")
    for name in names:
        if name.startswith("xl/externalLinks/") or name.endswith("vbaProject.bin"):
            raise ProviderFileError(
                f"{file.name} contains macros or links to other workbooks; Ofsted's lists have neither, "
                "so it was refused: save the data alone as a new .xlsx"
            )
    try:
        import openpyxl  # imported here: only the import command reads workbooks
        from openpyxl.xml import DEFUSEDXML

        if not DEFUSEDXML:  # pragma: no cover (defusedxml is a dependency)
            raise ProviderFileError("Reading Excel files safely needs defusedxml, which is not installed")
        book = openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except ProviderFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or hostile workbook
        raise ProviderFileError(f"{file.name} could not be read as an Excel workbook ({type(exc).__name__})") from exc
    sheets: list[tuple[str, list[list[object]]]] = []
    try:
        count = 0
        for sheet in book.worksheets:
            rows: list[list[object]] = []
            for values in sheet.iter_rows(values_only=True):
                count += 1
                if count > MAX_ROWS + 10:
                    raise ProviderFileError(f"{file.name} has more than {MAX_ROWS:,} rows, more than any Ofsted list")
                rows.append(list(values))
            sheets.append((str(sheet.title), rows))
    except ProviderFileError:
        raise
    except Exception as exc:
        raise ProviderFileError(f"{file.name} could not be read as an Excel workbook ({type(exc).__name__})") from exc
    finally:
        book.close()
    return sheets


def _key(header: object) -> str:
    return re.sub(r"[^a-z]", "", str(header or "").lower())


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column) of the first of the first ten rows that names a URN column."""
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = _ALIASES.get(_key(cell))
            if name is not None and name not in columns:
                columns[name] = position
        if "urn" in columns:
            return index, columns
    return None


def _combine(file_name: str, sheets: list[tuple[str, list[list[object]]]]) -> ProviderFile:
    out = ProviderFile()
    addresses: dict[str, str] = {}
    blocks: list[tuple[str, int, dict[str, int], list[list[object]]]] = []
    for title, rows in sheets:
        found = _header(rows)
        if found is None:
            continue
        start, columns = found
        if set(columns) <= {"urn", "postcode", "local_authority", "name"} and blocks_have_codes(sheets):
            for row in rows[start + 1 :]:
                urn, post = _text(_cell(row, columns.get("urn"))), _text(_cell(row, columns.get("postcode")))
                if urn and post:
                    addresses[urn.upper()] = post
            continue
        blocks.append((title, start, columns, rows))
    if not blocks:
        raise ProviderFileError(
            f"{file_name} has no sheet with a URN column: is it Ofsted's children's homes or social care "
            "providers list? (columns looked for: URN, Placement code, Placement provider code, Setting postcode, "
            "Deregistration date)"
        )
    seen: dict[str, tuple[str, int]] = {}
    for title, start, columns, rows in blocks:
        for offset, row in enumerate(rows[start + 1 :], start=start + 2):
            if not any(_text(v) for v in row):
                continue
            parsed = _row(title, offset, row, columns, addresses)
            if isinstance(parsed, RejectedRow):
                out.rejected.append(parsed)
                continue
            if parsed.urn in seen:
                first = seen[parsed.urn]
                out.rejected.append(
                    RejectedRow(title, offset, parsed.urn, f"URN repeated (first on sheet {first[0]} row {first[1]})")
                )
                continue
            seen[parsed.urn] = (title, offset)
            out.rows.append(parsed)
    return out


def blocks_have_codes(sheets: list[tuple[str, list[list[object]]]]) -> bool:
    """Some sheet carries placement codes (so a URN + postcode sheet is an address sheet)."""
    for _title, rows in sheets:
        found = _header(rows)
        if found is not None and "placement_codes" in found[1]:
            return True
    return False


def _cell(row: Sequence[object], position: int | None) -> object:
    if position is None or position >= len(row):
        return None
    return row[position]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object) -> dt.date | None:
    """A date from a cell: an Excel date, or text in a usual format. Raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    raise ValueError(text)


def _row(
    sheet: str, number: int, row: Sequence[object], columns: dict[str, int], addresses: dict[str, str]
) -> ProviderRow | RejectedRow:
    cells = {name: _cell(row, position) for name, position in columns.items()}
    urn = _text(cells.get("urn")).upper()

    def refuse(reason: str) -> RejectedRow:
        return RejectedRow(sheet, number, urn[:MAX_CELL], reason)

    for name, value in cells.items():
        if len(_text(value)) > MAX_CELL:
            return refuse(f"{name.replace('_', ' ')} is longer than {MAX_CELL} characters")
    if not urn:
        return refuse("no URN")
    if not URN_FORMAT.match(urn):
        return refuse(f"URN {urn!r} is not an Ofsted URN (6 to 10 letters and digits)")
    if "placement_codes" in columns:
        place = split_codes(_text(cells.get("placement_codes")))
        provider = split_codes(_text(cells.get("provider_codes")))
    else:  # the supported accommodation sheet: no placement code column
        place = SUPPORTED_ACCOMMODATION
        provider = split_codes(_text(cells.get("provider_codes"))) or SUPPORTED_ACCOMMODATION_PROVIDER
    bad = [code for code in place + provider if not CODE_FORMAT.match(code)]
    if bad:
        return refuse(f"not a placement or provider code: {', '.join(bad)}")
    try:
        closed = _date(cells.get("closed"))
    except ValueError as exc:
        return refuse(f"closed/deregistration date {exc} is not a date (use DD/MM/YYYY)")
    try:
        registered = _date(cells.get("registered"))
    except ValueError as exc:
        return refuse(f"registration date {exc} is not a date (use DD/MM/YYYY)")
    places_text = _text(cells.get("places"))
    if places_text and not places_text.isdigit():
        return refuse(f"places {places_text!r} is not a whole number")
    postcode = _text(cells.get("postcode")) or addresses.get(urn, "")
    if postcode and not re.fullmatch(r"[A-Z0-9 ]{5,9}", postcode.upper()):
        return refuse(f"setting postcode {postcode!r} is not a postcode")
    return ProviderRow(
        urn=urn,
        placement_codes=place,
        provider_codes=provider,
        postcode=" ".join(postcode.upper().split()),
        closed=closed,
        local_authority=_text(cells.get("local_authority")),
        provider_type=_text(cells.get("provider_type")),
        name=_text(cells.get("name")),
        registered=registered,
        places=int(places_text) if places_text else None,
    )
