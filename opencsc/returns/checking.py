"""Checking a return from another system (a CIN census XML, or a set of SSDA903 CSV files) with
openCSC's validation engines, without bringing anything from it into the record.

Used by `manage.py validate_return` and the Returns page's *Check a return from another system*.
The files are read with the same safe readers as the importers (size first, then hostile XML, binary
data, unknown tables), validated with the same engines and the council's provider register and
postcode directory where loaded, and forgotten: the only thing written is one `return.validate_upload`
audit event (kind, year, file names, sizes, counts; no child's data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
from django.conf import settings

from opencsc.audit.services import Actor, record_event
from opencsc.core.codelists import SUPPORTED_YEARS
from opencsc.core.uploads import FileRefused, check_bytes
from opencsc.returns.build.common import current_year, la_ons_code, year_of
from opencsc.returns.build.services import not_checked_rows
from opencsc.returns.findings import Finding, Severity

KINDS = {"cin": "CIN census", "903": "SSDA903 (children looked after)"}
DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # the page: a CIN census of about 38,000 children, checked in the request
COMMAND_MAX_BYTES = 512 * 1024 * 1024  # manage.py validate_return: as much as the importer reads
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class CheckRefused(FileRefused):
    """The files cannot be checked (not a return, not readable, unsupported year); nothing was kept."""


def max_bytes() -> int:
    """The page's limit per uploaded file (setting OPENCSC_RETURNS_CHECK_MAX_BYTES)."""
    return int(getattr(settings, "OPENCSC_RETURNS_CHECK_MAX_BYTES", DEFAULT_MAX_BYTES))


def command_max_bytes() -> int:
    """`manage.py validate_return`'s limit per file (setting OPENCSC_RETURNS_CHECK_COMMAND_MAX_BYTES)."""
    return int(getattr(settings, "OPENCSC_RETURNS_CHECK_COMMAND_MAX_BYTES", COMMAND_MAX_BYTES))


@dataclass
class CheckResult:
    kind: str
    year: str
    children: int
    findings: list[Finding]
    not_checked: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def queries(self) -> int:
        return len(self.findings) - self.errors

    def by_rule(self, limit: int = 500) -> list[dict[str, Any]]:
        """Findings grouped by rule (errors first, then the most frequent), each with its rows."""
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.rule].append(finding)
        rules = [
            {
                "rule": rule,
                "count": len(items),
                "children": len({f.child_id for f in items}),
                "severity": items[0].severity.value,
                "message": items[0].message,
                "rows": items[:limit],
                "more": max(0, len(items) - limit),
            }
            for rule, items in grouped.items()
        ]
        return sorted(rules, key=lambda r: (r["severity"] != "error", -r["count"], r["rule"]))

    def by_child(self) -> list[dict[str, Any]]:
        """Each child with findings (LA child id as in the file), their rules and messages."""
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.child_id or "(whole return)"].append(finding)
        return [
            {"child_id": child, "findings": items, "errors": sum(1 for f in items if f.severity == Severity.ERROR)}
            for child, items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]

    # --- output formats of manage.py validate_return ----------------------------------------------
    def as_text(self, limit: int | None = None) -> str:
        lines = [
            f"{self.label} {self.year}: {self.children} children; {self.errors} errors, {self.queries} queries "
            f"(checked in {self.seconds:.1f} s)"
        ]
        lines += [f"NOTE {note}" for note in self.notes]
        for f in self.findings[:limit]:
            row = "" if f.row is None else f" row {f.row}"
            lines.append(f"{f.rule} [{f.severity.value}] {f.child_id or '-'} {f.table}.{f.field}{row}: {f.message}")
        if limit is not None and len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        lines += [f"NOT CHECKED {r['rule']}: {r['reason']}" for r in self.not_checked]
        return "\n".join(lines) + "\n"

    def as_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "year": self.year,
                "children": self.children,
                "errors": self.errors,
                "queries": self.queries,
                "notes": self.notes,
                "findings": [{**asdict(f), "severity": f.severity.value} for f in self.findings],
                "not_checked": self.not_checked,
            },
            indent=1,
        )

    def as_csv(self) -> str:
        """One row per finding; any cell a spreadsheet would run as a formula gets an apostrophe."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["rule", "severity", "child_id", "table", "field", "row", "message"])
        for f in self.findings:
            cells = [f.rule, f.severity.value, f.child_id or "", f.table, f.field, "" if f.row is None else f.row]
            writer.writerow([_safe(str(c)) for c in [*cells, f.message]])
        return out.getvalue()


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA) else cell


def _year(year: str | None) -> str:
    year = year or current_year()
    if year not in SUPPORTED_YEARS:
        raise CheckRefused(
            f"Collection year {year!r} is not one openCSC can check: use one of {', '.join(SUPPORTED_YEARS)}"
        )
    return year


def check_cin(data: bytes, *, name: str, year: str | None = None, limit: int | None = None) -> CheckResult:
    """Validate a CIN census XML file given as bytes (see the module docstring)."""
    from opencsc.returns.cin.validate import validate_cin
    from opencsc.returns.cin.xml_io import CINFormatError, UnsafeXMLError, read_cin_xml

    started = time.perf_counter()
    check_bytes(data, limit=limit or max_bytes(), name=name, what="a CIN census file to check")
    try:
        tables = read_cin_xml(data)
    except UnsafeXMLError as exc:
        raise CheckRefused(f"{name} was refused: it uses XML features that can attack the reader ({exc})") from exc
    except CINFormatError as exc:
        raise CheckRefused(f"{name} is not a CIN census message: {exc}") from exc
    ref = tables.header.get("ReferenceDate")
    year = _year(year or (year_of(ref) if isinstance(ref, dt.date) else None))
    findings = list(validate_cin(tables, year))
    notes = [f"{p.table} row {p.row}: {p.field} {p.raw!r} could not be read" for p in tables.problems[:200]]
    return CheckResult("cin", year, len(tables), findings, [], time.perf_counter() - started, notes)


def check_903(
    files: dict[str, bytes],
    *,
    year: str | None = None,
    previous: dict[str, bytes] | None = None,
    limit: int | None = None,
) -> CheckResult:
    """Validate a set of SSDA903 CSV files given as {name: bytes} (and last year's, if given)."""
    from opencsc.returns.postcode_directory import postcode_lookup, postcodes_in
    from opencsc.returns.providers import provider_register
    from opencsc.returns.ssda903.csv_io import read_903_bytes
    from opencsc.returns.ssda903.validate import validate_903

    started = time.perf_counter()
    year = _year(year)
    tables = read_903_bytes(files, max_bytes=limit or max_bytes())
    last = read_903_bytes(previous, max_bytes=limit or max_bytes()) if previous else None
    providers = provider_register(_urns(tables))
    postcodes = postcode_lookup(postcodes_in(tables, last, providers=providers))
    found = validate_903(tables, year, la_code=la_ons_code(), previous=last, providers=providers, postcodes=postcodes)
    children = tables["Header"]["CHILD"].n_unique() if "Header" in tables else 0
    notes = [] if "Header" in tables else ["There is no Header table: every rule that needs it was skipped"]
    rows = not_checked_rows("903", dict(getattr(found, "not_checked", {})))
    return CheckResult("903", year, children, list(found), rows, time.perf_counter() - started, notes)


def _urns(tables: dict[str, pl.DataFrame]) -> list[str]:
    episodes = tables.get("Episodes")
    if episodes is None or "URN" not in episodes.columns:
        return []
    return episodes.get_column("URN").drop_nulls().unique().to_list()


def audit_check(
    *, actor: Actor, kind: str, files: dict[str, int], result: CheckResult | None, refused: str = ""
) -> None:
    """The one trace a check leaves: what was checked and what was found, never the child's data."""
    detail: dict[str, Any] = {"kind": kind, "files": {name[:100]: size for name, size in list(files.items())[:20]}}
    if result is not None:
        detail |= {
            "year": result.year,
            "children": result.children,
            "errors": result.errors,
            "queries": result.queries,
            "not_checked": [r["rule"] for r in result.not_checked],
            "seconds": round(result.seconds, 2),
        }
    else:
        detail["refused"] = refused[:300]
    record_event(
        actor=actor,
        action="return.validate_upload",
        outcome="allowed" if result is not None else "denied",
        object_type="returns.Return",
        object_id=f"{kind}:outside",
        detail=detail,
    )
