"""The ONS postcode directory, loaded so the SSDA903 location rules can run (169, 179, 392a, 392c, 1015...).

`import_postcodes(path)` reads the ONS Postcode Directory (ONSPD) or the National Statistics Postcode
Lookup (NSPL) as ONS publish them (the CSV inside the download's `Data/` folder), in either layout:

* to 2024: `pcd, pcds, doterm, oscty, oslaua, oseast1m, osnrth1m, ctry` (ONSPD) or `cty, laua` (NSPL);
* from 2025: `pcd7, pcd8, pcds, doterm, east1m, north1m, cty25cd, lad25cd, ctry25cd` (the year in
  the geography columns changes with each edition: cty26cd, lad26cd...).

For each postcode it keeps what the DfE derives PL_LA, PL_LOCATION and PL_DISTANCE from: the
upper-tier local authority (the county, E10, in a two-tier area; otherwise the unitary, metropolitan
or London borough), SCO, WAL or NIR outside England (NUK for the Channel Islands and the Isle of
Man), and the grid reference. Terminated postcodes are kept, with the month they ended: a placement
made years ago may be at one.

* Untrusted: refused on size before it is opened (`core.uploads`), refused when it holds binary data,
  lacks a column (the message names them) or has any row that is not a postcode directory row (the
  first ten are listed with their line numbers). A refused file changes nothing.
* Atomic: the directory is replaced whole in one transaction, with its `reference.postcodes_import`
  audit event; a killed load leaves the previous directory.
* Idempotent: a file whose SHA-256 matches the directory in use changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.core.uploads import FileRefused, check_path
from opencsc.returns.models import Postcode, PostcodeDirectoryLoad
from opencsc.returns.ssda903.postcodes import PostcodeLookup, squash

DEFAULT_MAX_BYTES = 3 * 1024 * 1024 * 1024  # the whole-UK ONSPD CSV is about 1.4 GB
BATCH = 5000
_KEY = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_GSS = r"^[A-Z][0-9]{8}$"

# (what we need, the names it goes by): exact names, or a pattern for the year-stamped 2025 names
COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": ("pcds", "pcd", "pcd7", "pcd8"),
    "terminated": ("doterm",),
    "county": ("oscty", "cty", r"cty\d\dcd"),
    "district": ("oslaua", "laua", r"lad\d\dcd"),
    "country": ("ctry", r"ctry\d\dcd"),
    "easting": ("oseast1m", "east1m"),
    "northing": ("osnrth1m", "north1m"),
}
COUNTRIES = {"E92000001": None, "W92000004": "WAL", "S92000003": "SCO", "N92000002": "NIR"}
CROWN_DEPENDENCIES = ("L93000001", "M83000003")  # Channel Islands, Isle of Man: not in the UK for the DfE


class PostcodeFileError(FileRefused):
    """The file is not a postcode directory openCSC can load; nothing was changed."""


@dataclass
class PostcodeImportReport:
    file: str
    layout: str = ""
    postcodes: int = 0
    terminated: int = 0
    without_grid: int = 0
    unchanged: bool = False
    seconds: float = 0.0
    by_country: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.unchanged:
            return [f"{self.file}: already the postcode directory in use; nothing changed."]
        return [
            f"{self.file} ({self.layout}): {self.postcodes:,} postcodes loaded, {self.terminated:,} of them "
            f"terminated, {self.without_grid:,} without a grid reference",
            "By country: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_country.items())),
            "The 903 location rules (169, 179, 392a, 392c, 1015 and others) now use it.",
        ]


def max_bytes() -> int:
    return int(getattr(settings, "OPENCSC_POSTCODES_MAX_BYTES", DEFAULT_MAX_BYTES))


def _header(file: Path) -> list[str]:
    with file.open("rb") as handle:
        head = handle.read(64 * 1024)
    if b"\0" in head:
        raise PostcodeFileError(f"{file.name} holds binary data, so it is not a CSV file: unzip the ONS download first")
    line = head.split(b"\n", 1)[0]
    if len(line) == len(head) and len(head) == 64 * 1024:
        raise PostcodeFileError(f"{file.name} has no line break in its first 64 KB: it is not the ONS CSV file")
    try:
        text = line.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise PostcodeFileError(f"{file.name} is not UTF-8 text: use the CSV file from the ONS download") from exc
    return [name.strip().strip('"').lower() for name in text.split(",")]


def _shown(option: str) -> str:
    return option.replace(r"\d\d", "YY")  # cty\d\dcd -> ctyYYcd, the year of the edition


def _pick(names: list[str]) -> tuple[dict[str, str], str]:
    picked: dict[str, str] = {}
    for need, options in COLUMNS.items():
        for option in options:
            found = next((n for n in names if re.fullmatch(option, n)), None)
            if found:
                picked[need] = found
                break
    missing = [need for need in COLUMNS if need not in picked]
    if missing:
        wanted = "; ".join(f"{need} ({' or '.join(_shown(o) for o in COLUMNS[need])})" for need in missing)
        raise ValueError(f"it has no column for {wanted}")
    layout = {
        "oslaua": "ONSPD (to 2024)",
        "laua": "NSPL (to 2024)",
    }.get(picked["district"], f"ONSPD/NSPL (2025 on, {picked['district']})")
    return picked, layout


def read_directory(file: Path) -> tuple[pl.DataFrame, str]:
    """(key, la, easting, northing, terminated) for every row, and the layout, or PostcodeFileError."""
    check_path(file, limit=max_bytes(), what="the ONS postcode directory")
    names = _header(file)
    try:
        picked, layout = _pick(names)
    except ValueError as exc:
        raise PostcodeFileError(f"{file.name} is not the ONS postcode directory (ONSPD or NSPL): {exc}") from exc
    wanted = {names.index(picked[need]): need for need in COLUMNS}
    try:
        raw = pl.read_csv(file, columns=sorted(wanted), infer_schema=False, encoding="utf8")
        raw = raw.rename(dict(zip(raw.columns, [wanted[i] for i in sorted(wanted)], strict=True)))
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise PostcodeFileError(f"{file.name} could not be read as CSV ({str(exc)[:200]})") from exc
    return _derive(file.name, raw), layout


def _derive(name: str, raw: pl.DataFrame) -> pl.DataFrame:
    s = {col: pl.col(col).str.strip_chars() for col in COLUMNS}
    country = s["country"]
    county_is_upper = s["county"].str.starts_with("E10")
    la = (
        pl.when(country == "E92000001")
        .then(pl.when(county_is_upper).then(s["county"]).otherwise(s["district"]))
        .when(country.is_in(CROWN_DEPENDENCIES))
        .then(pl.lit("NUK"))
        .otherwise(country.replace_strict(COUNTRIES, default=None))
    )
    frame = raw.with_row_index("_line", offset=2).select(
        "_line",
        key=s["postcode"].str.replace_all(" ", "").str.to_uppercase(),
        la=la,
        easting=s["easting"].cast(pl.Int64, strict=False),
        northing=s["northing"].cast(pl.Int64, strict=False),
        terminated=s["terminated"].fill_null(""),
        _east_raw=s["easting"].fill_null(""),
        _north_raw=s["northing"].fill_null(""),
        _district=s["district"].fill_null(""),
    )
    bad = frame.filter(
        ~pl.col("key").str.contains(_KEY.pattern).fill_null(False)
        | pl.col("la").is_null()
        | (pl.col("la").str.len_chars() == 9) & ~pl.col("la").str.contains(_GSS)
        | ((pl.col("_east_raw") != "") & (pl.col("easting").is_null() | ~pl.col("easting").is_between(0, 1_400_000)))
        | ((pl.col("_north_raw") != "") & (pl.col("northing").is_null() | ~pl.col("northing").is_between(0, 1_400_000)))
        | ((pl.col("terminated") != "") & ~pl.col("terminated").str.contains(r"^\d{6}$"))
    )
    if bad.height:
        shown = "; ".join(
            f"line {row['_line']}" + (f" ({row['key']})" if row["key"] else "")
            for row in bad.head(10).iter_rows(named=True)
        )
        raise PostcodeFileError(
            f"{name} has {bad.height:,} row(s) that are not postcode directory rows (a postcode, an ONS area "
            f"code or country, a grid reference in metres, a termination month YYYYMM): {shown}"
        )
    dupes = frame.filter(pl.col("key").is_duplicated())
    if dupes.height:
        raise PostcodeFileError(
            f"{name} lists {dupes['key'].n_unique():,} postcode(s) more than once, e.g. {dupes['key'][0]}"
        )
    return frame.select("key", "la", "easting", "northing", "terminated")


def _digest(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_postcodes(
    path: str | Path, *, actor: Actor | None = None, progress: Callable[[int, int], None] | None = None
) -> PostcodeImportReport:
    """Replace the postcode directory with this file (see the module docstring). Raises FileRefused."""
    import time

    started = time.perf_counter()
    file = Path(path)
    actor = actor or Actor.system("import_postcodes")
    if not file.is_file():
        raise PostcodeFileError(f"{file} is not a file")
    report = PostcodeImportReport(file.name)
    try:
        frame, report.layout = read_directory(file)
    except FileRefused as exc:
        record_event(
            actor=actor,
            action="reference.postcodes_import",
            outcome="denied",
            detail={"file": file.name[:200], "reason": str(exc)[:300]},
        )
        raise
    digest = _digest(file)
    current = PostcodeDirectoryLoad.objects.order_by("-loaded_at").first()
    if current is not None and current.sha256 == digest:
        report.unchanged = True
        return report
    report.postcodes = frame.height
    report.terminated = frame.filter(pl.col("terminated") != "").height
    report.without_grid = frame.filter(pl.col("easting").is_null()).height
    counts = frame.with_columns(
        c=pl.when(pl.col("la").str.starts_with("E")).then(pl.lit("England")).otherwise(pl.col("la"))
    )["c"].value_counts()
    report.by_country = {row["c"]: row["count"] for row in counts.iter_rows(named=True)}
    with transaction.atomic():
        Postcode.objects.all().delete()
        done = 0
        for batch in frame.iter_slices(BATCH):
            Postcode.objects.bulk_create(
                Postcode(key=k, la=la, easting=e, northing=n, terminated=t) for k, la, e, n, t in batch.iter_rows()
            )
            done += batch.height
            if progress:
                progress(done, frame.height)
        PostcodeDirectoryLoad.objects.create(
            loaded_at=timezone.now(),
            file_name=file.name[:200],
            sha256=digest,
            layout=report.layout,
            postcodes=frame.height,
        )
        record_event(
            actor=actor,
            action="reference.postcodes_import",
            object_type="returns.PostcodeDirectoryLoad",
            object_repr=file.name[:200],
            detail={"file": file.name[:200], "sha256": digest, "layout": report.layout, "postcodes": frame.height},
        )
    report.seconds = time.perf_counter() - started
    return report


def directory_in_use() -> PostcodeDirectoryLoad | None:
    return PostcodeDirectoryLoad.objects.order_by("-loaded_at").first()


def postcode_lookup(postcodes: Iterable[str | None]) -> PostcodeLookup | None:
    """The directory's rows for these postcodes, as a complete lookup (an unknown postcode is then not
    a valid one), or None when no directory is loaded (the engine then uses its built-in list)."""
    if directory_in_use() is None:
        return None
    keys = sorted({squash(p) for p in postcodes if p})
    rows: dict[str, tuple[str, int | None, int | None]] = {}
    for start in range(0, len(keys), 900):  # under SQLite's bound-parameter limit
        for key, la, east, north in Postcode.objects.filter(key__in=keys[start : start + 900]).values_list(
            "key", "la", "easting", "northing"
        ):
            rows[key] = (la, east, north)
    return PostcodeLookup(rows, complete=True)


def postcodes_in(*table_sets: Mapping[str, pl.DataFrame] | None, providers: pl.DataFrame | None = None) -> set[str]:
    """Every HOME_POST and PL_POST of these returns (and the providers' postcodes)."""
    found: set[str] = set()
    for tables in table_sets:
        for frame in (tables or {}).values():
            for column in ("HOME_POST", "PL_POST"):
                if column in frame.columns:
                    found.update(v for v in frame.get_column(column).drop_nulls().unique().to_list() if v)
    if providers is not None:
        for column in ("postcode", "POSTCODE"):
            if column in providers.columns:
                found.update(v for v in providers.get_column(column).drop_nulls().unique().to_list() if v)
    return found
