"""Building, checking and handing over a statutory return: the one place each step is audited.

* `build_return(kind, ...)`: builds the CIN census, the SSDA903 or Annex A from the record and
  writes `return.build` (Kind.COMBINATION: the record's data combined into a return).
* `check_return(built)`: runs openCSC's validation engine for the year; `return.check`.
* `record_transfer(built, ...)`: the file leaves the system for the DfE (or Ofsted): one disclosure
  per child through `opencsc.sharing.services.disclosure_record_transfer` (a TRANSFER disclosure and
  a Kind.DISCLOSURE event each, under the statutory agreement). Where no agreement covers the
  recipient (Annex A to Ofsted, until the council records one), each child still gets a
  Kind.DISCLOSURE `return.transfer` event, and the reason is returned so the caller can say so.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from django.utils import timezone

from opencsc.audit.services import Actor, record_event, record_events_bulk
from opencsc.core.categories import DataCategory as C
from opencsc.returns.build.common import Progress, current_year, la_ons_code
from opencsc.returns.findings import Finding

if TYPE_CHECKING:  # the builders are imported when used (each pulls in its models)
    from opencsc.returns.build.annex_a import AnnexABuild
    from opencsc.returns.cin.tables import CINTables

KINDS = ("cin", "903", "annex-a")
LABELS = {"cin": "CIN census", "903": "SSDA903 (children looked after)", "annex-a": "Ofsted Annex A"}
RECIPIENT = {"cin": "dfe", "903": "dfe", "annex-a": "ofsted"}
CATEGORIES = {
    "cin": [C.NAME, C.DATE_OF_BIRTH, C.ETHNICITY, C.HEALTH, C.REFERRAL, C.UPN],
    "903": [C.NAME, C.ADDRESS, C.DATE_OF_BIRTH, C.ETHNICITY, C.HEALTH, C.REFERRAL, C.UPN],
    "annex-a": [C.NAME, C.ADDRESS, C.DATE_OF_BIRTH, C.ETHNICITY, C.HEALTH, C.REFERRAL],
}


@dataclass
class BuiltReturn:
    """A return built from the record: its tables, its file and the children in it."""

    kind: str
    year: str
    as_of: dt.date | None
    tables: Any  # CINTables, the 903 table dict, or the Annex A rows
    person_ids: dict[str, int]
    seconds: float
    built_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def children(self) -> int:
        return len(self.person_ids)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def filename(self) -> str:
        if self.kind == "cin":
            return f"CIN_census_{self.year}.xml"
        if self.kind == "903":
            return f"SSDA903_{self.year}.zip"
        return f"Annex_A_{self.as_of:%Y-%m-%d}.xlsx"

    @property
    def media_type(self) -> str:
        return {
            "cin": "application/xml",
            "903": "application/zip",
            "annex-a": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[self.kind]

    def payload(self) -> bytes:
        """The file as downloaded: the XML, a zip of the 903 CSV files, or the workbook."""
        if self.kind == "cin":
            from opencsc.returns.cin.xml_io import cin_xml_bytes

            return cin_xml_bytes(self.tables)
        if self.kind == "903":
            return zip_903(self.tables)
        from opencsc.returns.build.annex_a import write_annex_a

        buffer = io.BytesIO()
        write_annex_a(self.tables, buffer)
        return buffer.getvalue()

    def write(self, out: str | Path) -> list[Path]:
        """Write the return where the command was told: a file, or (903) a directory of CSV files."""
        out = Path(out)
        if self.kind == "cin":
            from opencsc.returns.cin.xml_io import write_cin_xml

            out.parent.mkdir(parents=True, exist_ok=True)
            write_cin_xml(self.tables, out)
            return [out]
        if self.kind == "903":
            from opencsc.returns.ssda903.csv_io import write_903_dir

            return write_903_dir(self.tables, out)
        from opencsc.returns.build.annex_a import write_annex_a

        out.parent.mkdir(parents=True, exist_ok=True)
        write_annex_a(self.tables, out)
        return [out]


def zip_903(tables: dict[str, pl.DataFrame]) -> bytes:
    """The 903 CSV files (as the engine writes them) in one zip, for download."""
    import tempfile

    from opencsc.returns.ssda903.csv_io import write_903_dir

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in write_903_dir(tables, folder):
            archive.write(path, path.name)
    return buffer.getvalue()


def build_return(
    kind: str,
    *,
    actor: Actor,
    year: str | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    child_ids: list[int] | None = None,
) -> BuiltReturn:
    """Build one return from the record and audit it (`return.build`, no personal data in the event)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown return {kind!r}: use one of {', '.join(KINDS)}")
    started = time.perf_counter()
    year = year or current_year()
    tables: CINTables | dict[str, pl.DataFrame] | AnnexABuild
    if kind == "cin":
        from opencsc.returns.build.cin import collect_cin

        cin = collect_cin(year, child_ids=child_ids, progress=progress)
        tables, person_ids = cin.tables, cin.person_ids
    elif kind == "903":
        from opencsc.returns.build.ssda903 import collect_903

        ssda = collect_903(year, child_ids=child_ids, progress=progress)
        tables, person_ids = ssda.tables, ssda.person_ids
    else:
        from opencsc.returns.build.annex_a import collect_annex_a
        from opencsc.returns.build.common import child_code

        as_of = as_of or timezone.localdate()
        annex = collect_annex_a(as_of, progress)
        tables = annex
        person_ids = {child_code(None, pk): pk for pk in sorted(annex.person_ids)}
    built = BuiltReturn(kind, year, as_of, tables, person_ids, time.perf_counter() - started)
    record_event(
        actor=actor,
        action="return.build",
        object_type="returns.Return",
        object_id=f"{kind}:{year if kind != 'annex-a' else as_of}",
        object_repr=f"{built.label} {year if kind != 'annex-a' else as_of}",
        detail={
            "kind": kind,
            "year": year,
            "as_of": as_of.isoformat() if as_of else None,
            "children": built.children,
            "seconds": round(built.seconds, 2),
        },
    )
    return built


def validate_tables(kind: str, year: str, tables: Any) -> list[Finding]:
    """Run openCSC's validation engine for the year over a built return (Annex A has no DfE rules)."""
    if kind == "cin":
        from opencsc.returns.cin.validate import validate_cin

        return validate_cin(tables, year)
    if kind == "903":
        from opencsc.returns.postcode_directory import postcode_lookup, postcodes_in
        from opencsc.returns.providers import provider_register
        from opencsc.returns.ssda903.validate import validate_903

        providers = provider_register()
        postcodes = postcode_lookup(postcodes_in(tables, providers=providers))
        # A return built from the live record holds nothing after today: during the year an open episode
        # has lasted until today, not until 31 March.
        return validate_903(
            tables,
            year,
            la_code=la_ons_code(),
            providers=providers,
            postcodes=postcodes,
            as_of=timezone.localdate(),
        )
    return []


def check_return(built: BuiltReturn, *, actor: Actor) -> list[Finding]:
    findings = validate_tables(built.kind, built.year, built.tables)
    record_event(
        actor=actor,
        action="return.check",
        object_type="returns.Return",
        object_id=f"{built.kind}:{built.year}",
        detail={
            "kind": built.kind,
            "year": built.year,
            "findings": len(findings),
            "errors": sum(1 for f in findings if f.severity == "error"),
            "not_checked": sorted(getattr(findings, "not_checked", {})),
        },
    )
    return findings


def not_checked_lines(not_checked: dict[str, str]) -> list[str]:
    """'Rules 1008, 219: not checked: needs ...', one line per reason, for reports and commands."""
    lines = []
    for reason in sorted(set(not_checked.values())):
        codes = ", ".join(sorted(code for code, why in not_checked.items() if why == reason))
        lines.append(f"Rules {codes}: {reason}")
    return lines


def not_checked_rows(kind: str, not_checked: dict[str, str]) -> list[dict[str, str]]:
    """Each rule a check could not run (or ran only in part): its code, what it checks, and why."""
    messages: dict[str, str] = {}
    if kind == "903" and not_checked:
        from opencsc.returns.ssda903.rules import rules_for_year  # noqa: F401 (fills the catalogue)
        from opencsc.returns.ssda903.rules.base import CATALOGUE

        messages = {code: rule.message for code, rule in CATALOGUE.items()}
    return [
        {"rule": code, "message": messages.get(code, ""), "reason": reason}
        for code, reason in sorted(not_checked.items(), key=lambda item: (item[1], item[0]))
    ]


def record_transfer(*, kind: str, year: str, person_ids: list[int], actor: Actor, reference: str) -> tuple[int, str]:
    """Record that the return left the system: one disclosure per child. Returns (count, how)."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0, "no children"
    reason = _sharing_transfer(kind, ids, actor, reference)
    if reason is None:
        return len(ids), "sharing"
    record_events_bulk(
        actor=actor,
        action="return.transfer",
        rows=[
            {
                "subject_person_id": pk,
                "object_type": "returns.Return",
                "object_id": f"{kind}:{year}",
                "object_repr": reference[:200],
                "detail": {"recipient": RECIPIENT[kind], "reference": reference[:200], "sharing": reason[:300]},
            }
            for pk in ids
        ],
    )
    return len(ids), f"audit only ({reason})"


def _sharing_transfer(kind: str, ids: list[int], actor: Actor, reference: str) -> str | None:
    """Record the disclosures through the sharing app; the reason it could not, or None when it did."""
    try:
        from opencsc.privacy.models import Purpose
        from opencsc.sharing.models import Agency
        from opencsc.sharing.rules import SharingRefused
        from opencsc.sharing.services import disclosure_record_transfer
    except ImportError as exc:  # the sharing app is not installed
        return f"sharing app unavailable: {exc}"
    code = RECIPIENT[kind]
    agency = (
        Agency.objects.filter(code=code).first()
        or Agency.objects.filter(recipient_type__code=code, is_active=True).order_by("pk").first()
    )
    purpose = Purpose.objects.filter(code="statutory-returns").first()
    if agency is None or purpose is None:
        return f"no {code} agency or statutory-returns purpose in the register"
    try:
        disclosure_record_transfer(
            actor=actor,
            agency=agency,
            purpose=purpose,
            person_ids=ids,
            categories=CATEGORIES[kind],
            reference=reference,
        )
    except SharingRefused as exc:
        return f"no agreement covers it: {exc}"
    return None
