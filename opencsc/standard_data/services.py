"""Writes of the standard-data app: releasing the health-needs picture, exporting the SSD.

Each call is one transaction with its audit event, told who acts (a signed-in user or a named
system process), as every service in openCSC is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from opencsc.audit.services import Actor, record_event, record_events_bulk
from opencsc.core.categories import DataCategory
from opencsc.sharing.models import Agency, SharingAgreement
from opencsc.standard_data import differencing, health_needs, pictures, report_files
from opencsc.standard_data.models import HealthNeedsPicture, HealthNeedsRelease, PictureStatus
from opencsc.standard_data.ssd.export import Written, write_ssd

log = logging.getLogger(__name__)

# Recipient types an NHS commissioner belongs to in the processing register.
NHS_RECIPIENT_TYPES = ("health", "hospital")


class ReleaseRefused(Exception):
    """The picture may not go to this body (no current agreement covering health information)."""


def nhs_agencies() -> list[Agency]:
    """The active NHS bodies the picture could go to (those with a current health agreement)."""
    agencies = Agency.objects.filter(is_active=True, recipient_type__code__in=NHS_RECIPIENT_TYPES)
    return [a for a in agencies.select_related("recipient_type") if agreement_for(a) is not None]


def agreement_for(agency: Agency, on: dt.date | None = None) -> SharingAgreement | None:
    """The current agreement with this body (or its type) that covers health information."""
    return (
        SharingAgreement.objects.current(on)
        .for_agency(agency)
        .filter(categories__code=DataCategory.HEALTH.value)
        .order_by("agency_id", "pk")  # an agreement naming the body wins over one for its whole type
        .first()
    )


@dataclass(frozen=True)
class Released:
    release: HealthNeedsRelease
    content: bytes
    report: health_needs.Report


def health_needs_draft(*, actor: Actor, as_of: dt.date | None = None, file_name: str = "") -> tuple[bytes, Any]:
    """The picture as a file for the analysts' own checking, sent to no one: audited as a view."""
    report = health_needs.build(as_of)
    content = report_files.render(report, file_name or "draft.xlsx")
    record_event(
        actor=actor,
        action="health_needs.view",
        object_type="standard_data.HealthNeedsPicture",
        object_id=report.as_of.isoformat(),
        object_repr=f"Health-needs picture on {report.as_of:%d %b %Y} (draft file)",
        detail={"as_of": report.as_of.isoformat(), "threshold": report.threshold, "file": file_name, "draft": True},
    )
    return content, report


def _guarded(as_of: dt.date | None) -> tuple[health_needs.Report, list[HealthNeedsRelease], int]:
    """The picture protected against the earlier releases in the differencing window (to any body):
    the report, the releases it was compared with, and how many counts the comparison hid."""
    counted = health_needs.count(as_of)
    earlier = [
        r for r in HealthNeedsRelease.objects.order_by("as_of", "pk") if differencing.in_window(counted.as_of, r.as_of)
    ]
    forced = differencing.forced_by(counted, (r.tables for r in earlier))
    report = health_needs.protect(counted, forced)
    alone = health_needs.protect(counted)
    extra = sum(len(t.result.hidden) for t in report.tables) - sum(len(t.result.hidden) for t in alone.tables)
    return report, earlier, max(0, extra)


def health_needs_release(
    *, actor: Actor, actor_user: Any, agency: Agency, as_of: dt.date | None = None, file_name: str = ""
) -> Released:
    """Build the picture, protect it against earlier releases, render it and record its release to
    `agency` under its agreement.

    Refused (ReleaseRefused, audited as refused) unless the body has a current agreement covering
    health information, or when the differencing guard cannot protect the tables. Before release the
    counts are compared with every earlier release counted within the differencing window
    (`differencing`): counts an earlier release hid, or that differ from it by fewer than the
    threshold, are hidden too. The release row keeps the suppressed tables as sent, the file's
    SHA-256, and the releases it was compared with."""
    agreement = agreement_for(agency)
    if agreement is None:
        _refuse(actor, agency, "No current sharing agreement covering health information")
        raise ReleaseRefused(f"{agency} has no current sharing agreement covering health information")
    try:
        report, earlier, extra = _guarded(as_of)
    except ValueError as exc:  # suppression found nothing left to hide: release nothing
        _refuse(actor, agency, f"The differencing guard could not protect the tables: {exc}")
        raise ReleaseRefused("The picture cannot be released safely beside the earlier releases") from exc
    name = file_name or f"health-needs-{report.as_of.isoformat()}.xlsx"
    content = report_files.render(report, name)
    with transaction.atomic():
        release = HealthNeedsRelease.objects.create(
            agency=agency,
            agreement=agreement,
            as_of=report.as_of,
            threshold=report.threshold,
            children=report.children,
            tables=report.as_released(),
            file_name=name[:200],
            digest=hashlib.sha256(content).hexdigest(),
            released_by=actor_user,
            actor_repr=actor.name,
            differencing_hidden=extra,
        )
        release.compared_with.set(earlier)
        event = record_event(
            actor=actor,
            action="health_needs.release",
            obj=release,
            detail={
                "agency": agency.pk,
                "agreement": agreement.reference,
                "as_of": report.as_of.isoformat(),
                "threshold": report.threshold,
                "digest": release.digest,
                "compared_with": [r.reference for r in earlier],
                "differencing_hidden": extra,
            },
        )
        release.audit_seq = event.seq
        release.save(update_fields=["audit_seq"])
    return Released(release=release, content=content, report=report)


def _refuse(actor: Actor, agency: Agency, reason: str) -> None:
    record_event(actor=actor, action="health_needs.release", outcome="refused", obj=agency, reason=reason)


KEEP_PICTURES = 10  # finished pictures kept; older ones are deleted when a new one is stored


def health_needs_compute(
    *, actor: Actor, as_of: dt.date | None = None, picture: HealthNeedsPicture | None = None, progress: Any = None
) -> HealthNeedsPicture:
    """Count the picture and store its suppressed tables (`HealthNeedsPicture`), recording progress
    on the row as it goes so a page can show it. Marks the row failed (and re-raises) on an error.
    Aggregates only: nothing about a person is read out of this function, so it writes no audit
    event (viewing the stored picture is audited by the page)."""
    day = as_of or timezone.localdate()
    if picture is None:
        picture = HealthNeedsPicture.objects.create(as_of=day, actor_repr=actor.name)
    started = time.monotonic()

    def step(done: int, total: int) -> None:
        HealthNeedsPicture.objects.filter(pk=picture.pk).update(done=done, total=total, updated_at=timezone.now())
        if progress is not None:
            progress(done, total)

    try:
        report = health_needs.protect(health_needs.count(day, progress=step))
    except Exception as exc:
        HealthNeedsPicture.objects.filter(pk=picture.pk).update(
            status=PictureStatus.FAILED, finished_at=timezone.now(), message=type(exc).__name__
        )
        raise
    picture.refresh_from_db()
    picture.status = PictureStatus.DONE
    picture.threshold, picture.children, picture.tables = report.threshold, report.children, report.as_released()
    picture.finished_at = timezone.now()
    picture.seconds = round(time.monotonic() - started, 3)
    picture.save()
    done = HealthNeedsPicture.objects.filter(status=PictureStatus.DONE).order_by("-finished_at", "-pk")
    HealthNeedsPicture.objects.filter(pk__in=list(done.values_list("pk", flat=True)[KEEP_PICTURES:])).delete()
    return picture


def health_needs_start(*, actor: Actor, as_of: dt.date | None = None) -> HealthNeedsPicture:
    """Start computing the picture off the request (a thread, as long return builds do: ADR 0007),
    or inline when `OPENCSC_HEALTH_NEEDS_RUN_INLINE`. One computation at a time for a day: a running
    one is returned instead of starting another."""
    day = as_of or timezone.localdate()
    running = pictures.running(day)
    if running is not None:
        return running
    picture = HealthNeedsPicture.objects.create(as_of=day, actor_repr=actor.name)
    if getattr(settings, "OPENCSC_HEALTH_NEEDS_RUN_INLINE", False):
        health_needs_compute(actor=actor, as_of=day, picture=picture)
    else:
        threading.Thread(
            target=_compute_in_thread, args=(actor, day, picture.pk), name=f"health-needs-{picture.pk}", daemon=True
        ).start()
    return picture


def _compute_in_thread(actor: Actor, day: dt.date, pk: int) -> None:
    close_old_connections()
    try:
        health_needs_compute(actor=actor, as_of=day, picture=HealthNeedsPicture.objects.get(pk=pk))
    except Exception:
        log.exception("health-needs picture %s failed", pk)
    finally:
        connection.close()


def ssd_export(
    *, actor: Actor, out: Path, pseudonymised: bool, file_format: str = "csv", secret: bytes | None = None
) -> Written:
    """Write the Standard Safeguarding Dataset to `out` and audit it: one `ssd.export` event for the
    export, and one `person.export` event per child in it (in bulk), so "every export that held this
    child" can be answered for either kind. Pseudonymised files are still personal data in the
    hands of whoever holds the key, so they are logged the same way."""
    written = write_ssd(out, pseudonymised=pseudonymised, file_format=file_format, secret=secret)
    mode = "pseudonymised" if pseudonymised else "identifiable"
    with transaction.atomic():
        record_event(
            actor=actor,
            action="ssd.export",
            object_type="standard_data.SSD",
            object_id=mode,
            object_repr=f"Standard Safeguarding Dataset ({mode}, {file_format})",
            detail={"mode": mode, "format": file_format, "directory": str(out), "rows": written.rows},
        )
        record_events_bulk(
            actor=actor,
            action="person.export",
            rows=[
                {
                    "subject_person_id": pk,
                    "object_type": "standard_data.SSD",
                    "object_id": mode,
                    "detail": {"export": "ssd", "mode": mode},
                }
                for pk in written.person_ids
            ],
        )
    return written
