"""Writing a built return where it was asked for, so that the file and its disclosures go together.

A return on disk is a disclosure waiting to happen: whoever finds it can send it. So a file must never
appear at its place without the per-child DfE (or Ofsted) disclosures recorded, and a kill at any
moment must leave either both or neither. `publish_return` does it in three steps:

1. **Stage**: the file (CIN XML, Annex A workbook) or the 903's CSV files are written in full under
   a hidden temporary name beside the destination (`.<stem>.<build>.partial<suffix>`; for the 903 a
   hidden directory `.<dir>.<build>.partial/`), never at the destination itself.
2. **Record**: in one transaction, the disclosures (`build.services.record_transfer`) and the
   `return.write` audit event (which names the destination and the build). A kill before the commit
   rolls them back and leaves only the staged file, which is not a return anyone is told about; it is
   removed when the build fails in-process, and by the next build to the same destination otherwise.
3. **Publish**: only after the commit, each staged file is renamed into place (`os.replace`, atomic
   on one file system). A kill between the commit and the rename leaves the disclosures recorded and
   the file staged but not published: the disclosure log says more left than did, never less.

`checkpoint(stage)` is called between the steps; it does nothing, and exists so tests can simulate a
crash at each point (`written`: staged, not recorded; `recorded`: inside the transaction, before the
commit; `committed`: after the commit, before the rename).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from opencsc.audit.services import Actor, record_event
from opencsc.returns.build.services import BuiltReturn, record_transfer

PARTIAL = ".partial"


def checkpoint(stage: str) -> None:
    """A named point between the steps (tests replace this to simulate a crash there)."""


@dataclass
class Published:
    files: list[Path]
    disclosures: int = 0
    how: str = "not transferred (--no-transfer)"
    build_id: str = ""
    removed_stale: list[Path] = field(default_factory=list)


def _staging_name(target: Path, build_id: str) -> Path:
    # the suffix is kept last, as some writers (the Annex A workbook) go by it
    return target.parent / f".{target.stem}.{build_id}{PARTIAL}{target.suffix}"


def remove_stale(target: Path) -> list[Path]:
    """Delete what an earlier, killed build left staged for this destination (never a published file)."""
    removed = []
    if target.parent.is_dir():
        for path in target.parent.glob(f".{target.stem}.*{PARTIAL}{target.suffix}"):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _stage(built: BuiltReturn, target: Path, staging: Path) -> list[tuple[Path, Path]]:
    """Write the whole return under the staging name: [(staged file, its final place)]."""
    if built.kind == "903":
        written = built.write(staging)  # a directory of CSV files
        return [(path, target / path.name) for path in written]
    built.write(staging)
    return [(staging, target)]


def _move_into_place(pairs: list[tuple[Path, Path]], staging: Path) -> list[Path]:
    for staged, final in pairs:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
    if staging.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
    return [final for _, final in pairs]


def publish_return(
    built: BuiltReturn, out: str | Path, *, actor: Actor, transfer: bool, reference: str | None = None
) -> Published:
    """Stage the file, record the disclosures and the `return.write` event in one transaction, and
    only after the commit rename the file into place (see the module docstring)."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    build_id = uuid.uuid4().hex[:12]
    result = Published(files=[], build_id=build_id, removed_stale=remove_stale(target))
    staging = _staging_name(target, build_id)
    committed = False
    try:
        pairs = _stage(built, target, staging)
        checkpoint("written")
        with transaction.atomic():
            if transfer:
                period = built.year if built.kind != "annex-a" else built.as_of
                result.disclosures, result.how = record_transfer(
                    kind=built.kind,
                    year=built.year,
                    person_ids=list(built.person_ids.values()),
                    actor=actor,
                    reference=reference or f"{built.label} {period} ({built.filename}, build {build_id})",
                )
            record_event(
                actor=actor,
                action="return.write",
                object_type="returns.Return",
                object_id=f"{built.kind}:{built.year if built.kind != 'annex-a' else built.as_of}",
                object_repr=f"{built.label} ({build_id})",
                detail={
                    "kind": built.kind,
                    "build": build_id,
                    "destination": str(target)[:300],
                    "files": [final.name for _, final in pairs],
                    "children": built.children,
                    "disclosures": result.disclosures,
                },
            )
            checkpoint("recorded")
        committed = True
        checkpoint("committed")
        result.files = _move_into_place(pairs, staging)
    finally:
        if not committed:  # nothing was recorded: nothing may stay behind, staged or not
            shutil.rmtree(staging, ignore_errors=True) if staging.is_dir() else staging.unlink(missing_ok=True)
    return result
