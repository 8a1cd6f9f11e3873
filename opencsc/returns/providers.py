"""Load Ofsted's provider lists into the register (`OfstedProvider`), and give the 903 rules its frame.

`import_providers(path)` reads one of Ofsted's lists with the safe reader
(`ssda903.providers.read_provider_file`: size, zip bomb, XML entities, macros, row and cell limits) and
writes it in one transaction:

* Atomic: a file that cannot be read changes nothing; a row that cannot be used is reported (sheet,
  row, URN, reason) and, unless `partial`, rolls the whole file back.
* Idempotent: providers are matched on the URN and updated only where the list differs, so the same
  file twice changes nothing. Providers not in the file are kept: the children's homes list and the
  social care providers list are loaded one after the other, and Ofsted lists a closed provider with
  its closing date rather than dropping it.

`provider_register()` is the register as `validate_903(..., providers=...)` reads it, or None when
nothing is loaded (the URN rules are then skipped and reported as not checked).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event
from opencsc.core.uploads import FileRefused
from opencsc.returns.models import OfstedProvider
from opencsc.returns.ssda903.providers import (
    DEFAULT_MAX_BYTES,
    ProviderFileError,
    ProviderRow,
    RejectedRow,
    providers_frame,
    read_provider_file,
    split_codes,
)

__all__ = ["ProviderFileError", "ProviderImportReport", "import_providers", "provider_register"]


@dataclass
class ProviderImportReport:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    committed: bool = False

    def lines(self) -> list[str]:
        """The report as `manage.py import_ofsted_providers` prints it."""
        out = [
            f"{self.file}: {self.rows} providers read; {self.created} added, {self.updated} updated, "
            f"{self.unchanged} unchanged",
            f"Rejected rows: {len(self.rejected)}",
        ]
        out += [f"  REJECTED sheet={r.sheet} row={r.row} urn={r.urn or '-'}: {r.reason}" for r in self.rejected]
        out.append("Committed." if self.committed else "Nothing was changed (the import was rolled back).")
        return out


class _Rollback(Exception):
    pass


def _values(row: ProviderRow) -> dict[str, Any]:
    return {
        "name": row.name[:200],
        "provider_type": row.provider_type[:100],
        "local_authority": row.local_authority[:100],
        "placement_codes": ",".join(row.placement_codes)[:200],
        "provider_codes": ",".join(row.provider_codes)[:100],
        "postcode": row.postcode[:9],
        "registered_on": row.registered,
        "closed_on": row.closed,
        "places": row.places,
    }


def import_providers(
    path: str | Path, *, partial: bool = False, max_bytes: int = DEFAULT_MAX_BYTES, actor: Actor | None = None
) -> ProviderImportReport:
    """Load one Ofsted list (CSV or XLSX). Raises `ProviderFileError` (or `FileTooLarge`) when the file
    is refused whole. Audited: `reference.providers_import` in the load's transaction, or, when the file
    is refused or rolled back, afterwards with the outcome "denied"."""
    file = Path(path)
    actor = actor or Actor.system("import_ofsted_providers")
    try:
        parsed = read_provider_file(file, max_bytes=max_bytes)
    except FileRefused as exc:
        _audit(actor, file.name, outcome="denied", detail={"reason": str(exc)[:300]})
        raise
    report = ProviderImportReport(file.name, rows=len(parsed.rows), rejected=list(parsed.rejected))
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = {p.urn: p for p in OfstedProvider.objects.filter(urn__in=[r.urn for r in parsed.rows])}
            for row in parsed.rows:
                values = _values(row)
                current = existing.get(row.urn)
                if current is None:
                    OfstedProvider.objects.create(urn=row.urn, source=file.name[:200], loaded_at=now, **values)
                    report.created += 1
                elif any(getattr(current, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(current, key, value)
                    current.source, current.loaded_at = file.name[:200], now
                    current.save()
                    report.updated += 1
                else:
                    report.unchanged += 1
            if report.rejected and not partial:
                raise _Rollback
            _audit(actor, file.name, outcome="allowed", detail=_counts(report))
    except _Rollback:
        _audit(actor, file.name, outcome="denied", detail={**_counts(report), "rolled_back": True})
        report.created = report.updated = report.unchanged = 0
        return report
    report.committed = True
    return report


def _counts(report: ProviderImportReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
    }


def _audit(actor: Actor, file_name: str, *, outcome: str, detail: dict[str, Any]) -> None:
    record_event(
        actor=actor,
        action="reference.providers_import",
        outcome=outcome,
        object_type="returns.OfstedProvider",
        object_repr=file_name[:200],
        detail={"file": file_name[:200], **detail},
    )


def provider_register(urns: Iterable[str | None] | None = None) -> pl.DataFrame | None:
    """The register as the 903 rules read it, or None when no provider list has been loaded.

    `urns` limits it to those URNs (a return for a few children need not read the whole register)."""
    if not OfstedProvider.objects.exists():
        return None
    wanted = OfstedProvider.objects.all()
    if urns is not None:
        wanted = wanted.filter(urn__in={u for u in urns if u})
    rows = [
        ProviderRow(
            urn=p["urn"],
            placement_codes=split_codes(p["placement_codes"]),
            provider_codes=split_codes(p["provider_codes"]),
            postcode=p["postcode"],
            closed=p["closed_on"],
        )
        for p in wanted.values("urn", "placement_codes", "provider_codes", "postcode", "closed_on")
    ]
    return providers_frame(rows)
