"""Every write of the CP-IS app: building an upload, and importing NHS England's messages.

`upload_build` writes the Upload, its records, one disclosure per person (through the sharing app)
and its audit event in one transaction, and only then hands the file back. `message_import` parses
the file completely first (`parsing`), then applies it in one transaction: a refused file changes
nothing in the record (it leaves one `cpis.import_refused` security event, with no content from the
file). The same file twice changes nothing (content hash; message id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import ChronologyEntry, Task
from opencsc.casework.services.records import system_chronology_entry_add, system_task_open
from opencsc.core.uploads import FileRefused
from opencsc.core.working_days import add_working_days
from opencsc.cpis import disclosures, message, parsing, selectors
from opencsc.cpis.models import (
    FAILURE_CODES,
    InboundMessage,
    MessageType,
    Notification,
    NotificationKind,
    PlanType,
    RecordAction,
    Upload,
    UploadRecord,
)
from opencsc.cpis.parsing import AccessNotice, Acknowledgement, CpisFileError, InactiveNotice
from opencsc.people.models import Person
from opencsc.people.services import nhs_number_index

# Tray tasks CP-IS opens. casework.TaskKind has no CP-IS kinds yet, so these are written beside
# `task_open` in the same way (owner = whoever holds the child); see docs/adr/0008-cpis.md.
TASK_ACCESS = "cpis_access"
TASK_NHS_NUMBER = "cpis_nhs_number"
TASK_INACTIVE = "cpis_inactive_number"
TASK_TITLES = {
    TASK_ACCESS: "Follow up an NHS urgent care visit (CP-IS)",
    TASK_NHS_NUMBER: "Fix the NHS number CP-IS could not match",
    TASK_INACTIVE: "Check the NHS number: NHS England says it is inactive",
}
ACCESS_FOLLOW_UP_WORKING_DAYS = 1
NHS_NUMBER_FIX_WORKING_DAYS = 5


class UploadRefused(Exception):
    """The upload cannot be built; `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def council() -> message.Council:
    """The council's CP-IS identity (settings; docs/configuration.md)."""
    return message.Council(
        ods_code=settings.OPENCSC_CPIS_ODS_CODE,
        name=settings.OPENCSC_CPIS_LA_NAME,
        office_hours_phone=settings.OPENCSC_CPIS_OFFICE_HOURS_PHONE,
        out_of_hours_phone=settings.OPENCSC_CPIS_OUT_OF_HOURS_PHONE,
    )


def _user(actor_user: Any) -> User | None:
    return actor_user if isinstance(actor_user, User) else None


def _require_manager(actor_user: Any) -> None:
    """People must be information governance; `None` is the command line (a system process)."""
    if actor_user is not None and not access.can_manage_cpis(actor_user):
        raise PermissionDenied("Only information governance can send or receive CP-IS files")


# --- Upload -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltUpload:
    upload: Upload
    content: bytes


def upload_build(
    *,
    actor_user: Any,
    actor: Actor,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> BuiltUpload:
    """Build the next CP-IS upload from the live record.

    Guarantees: only the three cohorts, only sendable records (valid, verified NHS numbers) plus the
    delete records `selectors.planned_records` explains; the file carries only NHS numbers, plan
    types, dates and the council's contact details; the Upload, its records, one disclosure per
    person and the `cpis.upload_build` event are written together, or nothing is (UploadRefused,
    PermissionDenied)."""
    _require_manager(actor_user)
    day = today or timezone.localdate()
    planned = selectors.planned_records(day)
    if not planned:
        raise UploadRefused(
            ["No child in the CP-IS cohorts has a valid, verified NHS number, so there is nothing to send"]
        )
    if on_total is not None:
        on_total(len(planned))
    try:
        with transaction.atomic():
            return _write_upload(actor_user=actor_user, actor=actor, day=day, planned=planned, progress=progress)
    except disclosures.TransferNotAllowed as exc:
        reasons = [f"The CP-IS sharing agreement does not allow this upload: {r}" for r in exc.reasons]
        raise UploadRefused(reasons) from exc


def _write_upload(
    *,
    actor_user: Any,
    actor: Actor,
    day: dt.date,
    planned: list[selectors.PlannedRecord],
    progress: Callable[[int], None] | None,
) -> BuiltUpload:
    sequence = (Upload.objects.aggregate(top=Max("sequence"))["top"] or 0) + 1
    created = timezone.localtime()
    lines = [
        message.UploadLine(
            plan_type=p.plan_type,
            nhs_number=p.nhs_number,
            start_date=p.start_date,
            end_date=p.end_date,
            delete_date=p.delete_date,
            action=p.action,
        )
        for p in planned
    ]
    content = message.build_upload(
        sequence=sequence, created_at=created, council=council(), lines=lines, total=len(lines), progress=progress
    )
    counts = {t: sum(1 for p in planned if p.plan_type == t) for t in PlanType.values}
    upload = Upload.objects.create(
        sequence=sequence,
        created_at=created,
        built_by=_user(actor_user),
        actor_repr=actor.name,
        record_count=len(planned),
        delete_count=sum(1 for p in planned if p.action == RecordAction.DELETE),
        counts=counts,
        content_sha256=hashlib.sha256(content).hexdigest(),
    )
    records = UploadRecord.objects.bulk_create(
        [
            UploadRecord(
                upload=upload,
                number=number,
                plan_type=p.plan_type,
                action=p.action,
                subject_id=p.subject_id,
                child_ids=list(p.child_ids),
                source_type=p.source_type,
                source_ids=list(p.source_ids),
                nhs_number=p.nhs_number,
                nhs_number_index=nhs_number_index(p.nhs_number),
                start_date=p.start_date,
                end_date=p.end_date,
                delete_date=p.delete_date,
            )
            for number, p in enumerate(planned, start=1)
        ]
    )
    upload.disclosures = disclosures.record_upload(actor=actor, upload=upload, records=records)
    upload.save(update_fields=["disclosures"])
    record_event(
        actor=actor,
        action="cpis.upload_build",
        obj=upload,
        detail={
            "sequence": sequence,
            "records": upload.record_count,
            "deletes": upload.delete_count,
            "counts": counts,
            "disclosures": upload.disclosures,
            "sha256": upload.content_sha256,
        },
    )
    return BuiltUpload(upload=upload, content=content)


# --- Import -----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    message: InboundMessage
    duplicate: bool = False
    tasks: int = 0
    chronology_entries: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        return self.message.summary


def _masked(text: str) -> str:
    """A refusal reason for the audit trail, with any digits (NHS numbers) masked."""
    return re.sub(r"\d", "#", text)[:300]


def message_import(*, actor_user: Any, actor: Actor, data: bytes, file_name: str = "") -> ImportResult:
    """Import one acknowledgement or notification file from NHS England.

    Guarantees: the whole file is parsed and checked before anything is written; a refused file
    raises CpisFileError and changes nothing in the record; the same file (or the same message id)
    again returns the earlier import with `duplicate=True` and changes nothing; otherwise the message,
    its effects (responses, notifications, tasks, chronology entries) and their audit events are
    written in one transaction."""
    _require_manager(actor_user)
    digest = hashlib.sha256(data).hexdigest()
    earlier = InboundMessage.objects.filter(content_sha256=digest).first()
    if earlier is not None:
        return ImportResult(message=earlier, duplicate=True)
    try:
        parsed = parsing.parse(data)
        with transaction.atomic():
            return _apply(
                parsed, actor_user=actor_user, actor=actor, digest=digest, file_name=file_name, size=len(data)
            )
    except FileRefused as exc:
        record_event(
            actor=actor,
            action="cpis.import_refused",
            outcome="denied",
            object_type="cpis.InboundMessage",
            detail={"reason": _masked(str(exc)), "sha256": digest, "bytes": len(data)},
        )
        raise
    except IntegrityError:
        # Another import of the same file or message won the race: nothing of ours was written.
        earlier = InboundMessage.objects.filter(content_sha256=digest).first()
        if earlier is None:
            raise
        return ImportResult(message=earlier, duplicate=True)


def _message_key(parsed: parsing.Parsed) -> str:
    return str(parsed.upload_sequence) if isinstance(parsed, Acknowledgement) else parsed.message_id


def _apply(
    parsed: parsing.Parsed, *, actor_user: Any, actor: Actor, digest: str, file_name: str, size: int
) -> ImportResult:
    message_type, key = parsing.message_type_of(parsed), _message_key(parsed)
    same_id = InboundMessage.objects.filter(message_type=message_type, message_id=key).first()
    if same_id is not None:
        what = f"upload {key}" if message_type == MessageType.ACKNOWLEDGEMENT else f"message {key}"
        raise CpisFileError(
            f"A {MessageType(message_type).label} for {what} was already imported on "
            f"{timezone.localtime(same_id.received_at):%d %B %Y at %H:%M} with different content; "
            "nothing was changed. Ask NHS England which file is right"
        )
    inbound = InboundMessage(
        message_type=message_type,
        message_id=key,
        content_sha256=digest,
        file_name=file_name[:200],
        imported_by=_user(actor_user),
        actor_repr=actor.name,
    )
    if isinstance(parsed, Acknowledgement):
        result = _apply_acknowledgement(parsed, inbound, actor=actor)
    else:
        result = _apply_notification(parsed, inbound, actor=actor)
    record_event(
        actor=actor,
        action="cpis.import",
        obj=result.message,
        detail={"type": message_type, "bytes": size, "sha256": digest, **result.message.summary},
    )
    return result


def _open_task(*, child: Person, kind: str, due: dt.date, obj: Any, actor: Actor) -> Task:
    """A tray task for whoever holds the child, through the casework service (`casework.task_open`)."""
    return system_task_open(actor=actor, child=child, kind=kind, title=TASK_TITLES[kind], due_date=due, obj=obj)


def _apply_acknowledgement(ack: Acknowledgement, inbound: InboundMessage, *, actor: Actor) -> ImportResult:
    upload = Upload.objects.filter(sequence=ack.upload_sequence).first()
    if upload is None:
        raise CpisFileError(f"No CP-IS upload with sequence number {ack.upload_sequence} was built by this service")
    if ack.quantity != upload.record_count:
        raise CpisFileError(
            f"The acknowledgement says {ack.quantity} records were processed, but upload {upload.sequence} "
            f"had {upload.record_count}"
        )
    by_number = {r.number: r for r in upload.records.all()}
    now = timezone.now()
    changed = []
    for item in ack.records:
        record = by_number.get(item.number)
        if record is None:
            raise CpisFileError(f"Upload {upload.sequence} has no record {item.number}")
        if record.nhs_number_index != nhs_number_index(item.nhs_number):
            raise CpisFileError(
                f"Record {item.number}'s NHS number is not the one upload {upload.sequence} sent in that record"
            )
        record.response_code, record.response_detail, record.responded_at = item.code, item.detail, now
        changed.append(record)
    inbound.upload = upload
    inbound.summary = {
        "upload": upload.sequence,
        "records": len(changed),
        "accepted": sum(1 for r in changed if r.response_code not in FAILURE_CODES),
        "failed": sum(1 for r in changed if r.response_code in FAILURE_CODES),
    }
    inbound.save()
    UploadRecord.objects.bulk_update(changed, ["response_code", "response_detail", "responded_at"])
    result = ImportResult(message=inbound)
    due = add_working_days(timezone.localdate(), NHS_NUMBER_FIX_WORKING_DAYS)
    failed = [r for r in changed if r.response_code in FAILURE_CODES]
    children = {p.pk: p for p in Person.objects.filter(pk__in={c for r in failed for c in r.child_ids})}
    for record in failed:
        for child_id in record.child_ids:
            child = children.get(child_id)
            if child is None:
                continue
            _open_task(child=child, kind=TASK_NHS_NUMBER, due=due, obj=record, actor=actor)
            result.tasks += 1
            record_event(
                actor=actor,
                action="cpis.upload_rejected",
                subject_person_id=child.pk,
                obj=record,
                detail={"upload": upload.sequence, "record": record.number, "code": record.response_code},
            )
    inbound.summary["tasks"] = result.tasks
    inbound.save(update_fields=["summary"])
    return result


def _match(nhs_number: str) -> tuple[Person | None, list[Person]]:
    """Whose number it is, and the children whose worker must hear: from the latest record this
    service sent with that number, or else the person holding it (a child only)."""
    index = nhs_number_index(nhs_number)
    sent = (
        UploadRecord.objects.filter(nhs_number_index=index, action=RecordAction.LIVE)
        .order_by("-upload__sequence", "-number")
        .first()
    )
    if sent is not None:
        same_upload = UploadRecord.objects.filter(
            upload_id=sent.upload_id, nhs_number_index=index, action=RecordAction.LIVE
        )
        child_ids = sorted({c for r in same_upload for c in r.child_ids})
        children = list(Person.objects.filter(pk__in=child_ids).order_by("pk"))
        return sent.subject, children
    holders = list(Person.objects.filter(nhs_number_index=index)[:2])
    if len(holders) != 1:
        return None, []
    holder = holders[0]
    return holder, ([holder] if holder.is_child else [])


def _apply_notification(
    notice: AccessNotice | InactiveNotice, inbound: InboundMessage, *, actor: Actor
) -> ImportResult:
    subject, children = _match(notice.nhs_number)
    is_access = isinstance(notice, AccessNotice)
    inbound.summary = {"matched": bool(children), "children": len(children)}
    inbound.save()
    notification = Notification.objects.create(
        message=inbound,
        kind=NotificationKind.ACCESS if is_access else NotificationKind.INACTIVE,
        nhs_number=notice.nhs_number,
        nhs_number_index=nhs_number_index(notice.nhs_number),
        subject=subject,
        child_ids=[c.pk for c in children],
        setting_ods=notice.setting_ods if isinstance(notice, AccessNotice) else "",
        setting_name=notice.setting_name if isinstance(notice, AccessNotice) else "",
        accessed_at=notice.accessed_at if isinstance(notice, AccessNotice) else None,
    )
    result = ImportResult(message=inbound)
    today = timezone.localdate()
    follow_up = add_working_days(today, ACCESS_FOLLOW_UP_WORKING_DAYS)
    fix_by = add_working_days(today, NHS_NUMBER_FIX_WORKING_DAYS)
    for child in children:
        if isinstance(notice, AccessNotice):
            task = _open_task(child=child, kind=TASK_ACCESS, due=follow_up, obj=notification, actor=actor)
            entry = _chronology(child=child, subject=subject, notice=notice, actor=actor)
            notification.chronology_ids.append(entry.pk)
            result.chronology_entries += 1
            action = "cpis.access_notification"
        else:
            task = _open_task(child=child, kind=TASK_INACTIVE, due=fix_by, obj=notification, actor=actor)
            action = "cpis.inactive_number"
        notification.task_ids.append(task.pk)
        result.tasks += 1
        record_event(
            actor=actor,
            action=action,
            subject_person_id=child.pk,
            obj=notification,
            detail={"task": task.pk, "mother": bool(subject is not None and subject.pk != child.pk)},
        )
    notification.save(update_fields=["task_ids", "chronology_ids"])
    inbound.summary.update({"tasks": result.tasks, "chronology_entries": result.chronology_entries})
    inbound.save(update_fields=["summary"])
    return result


def _chronology(*, child: Person, subject: Person | None, notice: AccessNotice, actor: Actor) -> ChronologyEntry:
    """The chronology entry for an access notification, through the casework service for entries a
    system process records (`casework.chronology_add`, as a worker's entry is audited)."""
    when = timezone.localtime(notice.accessed_at)
    whose = "the mother's record (unborn child protection plan)" if subject and subject.pk != child.pk else "the record"
    setting = f"{notice.setting_name} ({notice.setting_ods})" if notice.setting_name else notice.setting_ods
    return system_chronology_entry_add(
        actor=actor,
        child=child,
        entry_date=when.date(),
        title="NHS CP-IS: an NHS urgent or unscheduled care setting viewed the CP-IS flag",
        source="NHS England CP-IS",
        detail=(
            f"{setting} viewed the CP-IS flag on {whose} at {when:%H:%M} on {when:%d %B %Y}. "
            "Recorded from NHS England's access to service notification."
        ),
    )
