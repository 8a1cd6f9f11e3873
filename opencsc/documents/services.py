"""Every write of the documents app (ADR 0032): a partner organisation attaches a file to its own
request for support or its own answer to a check; a key rotation re-encrypts the stored files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from opencsc.audit.services import Actor, record_event
from opencsc.core import crypto
from opencsc.core.categories import DataCategory
from opencsc.documents import storage
from opencsc.documents.models import Document
from opencsc.documents.sniff import DocumentRefused, sniff
from opencsc.sharing.models import CheckRequest, CheckStatus, PartnerMembership, PartnerReferral
from opencsc.sharing.portal_selectors import PartnerCaller


def refuse(*, actor: Actor, caller: PartnerCaller | None, reason: str, size: int | None = None) -> None:
    """Audit a refused upload (`documents.refused`): what and why, never the file."""
    record_event(
        actor=actor,
        action="documents.refused",
        outcome="denied",
        detail={"agency": caller.agency.pk if caller else None, "reason": reason[:300], "size": size},
    )


def _may_attach(caller: PartnerCaller, agency_id: int) -> None:
    if caller.agency.pk != agency_id or (caller.user is None and not caller.via):
        raise PermissionDenied
    if (
        caller.user is not None
        and not PartnerMembership.objects.filter(user=caller.user, agency_id=agency_id, user__is_active=True).exists()
    ):
        raise PermissionDenied


def document_attach(
    *,
    caller: PartnerCaller,
    actor: Actor,
    data: bytes,
    filename: str,
    check_request: CheckRequest | None = None,
    referral: PartnerReferral | None = None,
) -> Document:
    """Attach `data` to the organisation's own check answer or request for support.

    Guarantees: only the organisation the check was sent to, or that sent the request (otherwise
    PermissionDenied); a withdrawn check takes nothing; at most OPENCSC_DOCUMENTS_PER_ITEM files per
    item; the content is sniffed and checked (`sniff.sniff`: a ValidationError on `file`, audited
    `documents.refused`, nothing stored); the bytes are stored encrypted and the row written in one
    transaction (a file this call created is removed again if the row is not written). Audits
    `documents.attach` (Kind.COLLECTION) about the child."""
    if (check_request is None) == (referral is None):
        raise ValueError("Attach to exactly one of a check or a request for support")
    target: Any = check_request or referral
    _may_attach(caller, target.agency_id)
    if check_request is not None and check_request.status == CheckStatus.WITHDRAWN:
        raise ValidationError({"file": f"Check {check_request.reference} was withdrawn: it takes no documents"})
    if target.documents.count() >= settings.OPENCSC_DOCUMENTS_PER_ITEM:
        message = f"{target.reference} already has {settings.OPENCSC_DOCUMENTS_PER_ITEM} documents, the most allowed"
        raise ValidationError({"file": message})
    try:
        kind = sniff(data, name=filename)
    except DocumentRefused as exc:
        refuse(actor=actor, caller=caller, reason=str(exc), size=len(data))
        raise ValidationError({"file": str(exc)}) from exc
    person_id = check_request.person_id if check_request is not None else referral.contact.child_id  # type: ignore[union-attr]
    category = DataCategory.REFERRAL
    if check_request is not None:
        category = DataCategory.CRIMINAL if check_request.mash_check.agency == "police" else DataCategory.OTHER_AGENCIES
    name, created = storage.write(data)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                person_id=person_id,
                agency=caller.agency,
                check_request=check_request,
                referral=referral,
                filename=_clean_name(filename),
                kind=kind,
                size=len(data),
                blob=name,
                key_id=storage.key_of(name),
                category=category,
                uploaded_by=caller.user,
                uploaded_via=caller.via,
            )
            record_event(
                actor=actor,
                action="documents.attach",
                subject_person_id=person_id,
                obj=document,
                object_repr=f"{document.reference} ({document.get_kind_display()}) on {target.reference}"[:200],
                detail={"agency": caller.agency.pk, "kind": kind, "size": len(data), "via": caller.via},
            )
    except BaseException:
        if created and not Document.objects.filter(blob=name).exists():
            storage.delete(name)
        raise
    return document


def _clean_name(filename: str) -> str:
    """The last part of the name the partner gave, without control characters, at most 200 long."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:200] or "document"


def documents_rotate_keys() -> dict[str, int]:
    """Re-encrypt every stored document file under the primary field key (`manage.py rotate_field_keys`
    runs it after the fields), so the old key can be removed.

    For each file whose rows do not yet name the primary key: the file is rewritten under it
    (`storage.reencrypt`: new file, fsync, rename), then the rows naming it are updated to the key
    in one transaction. The file goes first, so a crash between the two leaves a row naming the old
    key over a file under the new one, which still reads (the file's header names its key) and is
    put right by the next run; at no point is a document unreadable while both keys are listed.
    Resumable: files already under the primary key are only recorded as such. Returns how many files
    were rewritten, and how many rows name a file that is missing (left for an operator to look at)."""
    primary = crypto.keyring().primary_id
    rewritten = missing = 0
    names = Document.objects.exclude(key_id=primary).values_list("blob", flat=True).distinct().order_by("blob")
    for name in list(names):
        if not storage.exists(name):
            missing += 1
            continue
        rewritten += storage.reencrypt(name)
        with transaction.atomic():
            Document.objects.filter(blob=name).exclude(key_id=primary).update(key_id=primary)
    return {"documents.Document files": rewritten, "documents.Document files missing": missing}
