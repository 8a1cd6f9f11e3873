"""Every read of a document (ADR 0032). Staff reach a document through the child's record access
scope (the same 404 for "not allowed" and "no such document"; the read audited as a view of the
child); a partner organisation reaches only the documents it sent itself (another organisation's
and a missing one: the same 404, the attempt audited)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from opencsc.audit.services import Actor, record_event
from opencsc.documents import storage
from opencsc.documents.models import Document
from opencsc.people.selectors import get_person_for_user
from opencsc.sharing.portal_selectors import PartnerCaller


def _opened(actor: Actor, document: Document, action: str) -> bytes:
    data = storage.read(document.blob)
    record_event(
        actor=actor,
        action=action,
        subject_person_id=document.person_id,
        obj=document,
        object_repr=f"{document.reference} ({document.get_kind_display()}) from {document.agency}"[:200],
        detail={"category": document.category, "size": document.size},
    )
    return data


def get_document_for_user(*, user: Any, actor: Actor, document_id: int) -> tuple[Document, bytes]:
    """A document on a child's record the user may see, with its bytes. The child's record is read
    through `people.selectors.get_person_for_user` (a `person.view` event, purpose "document", or
    `person.access_denied`); the opening is `documents.open`. Otherwise Http404."""
    document = Document.objects.select_related("agency").filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    get_person_for_user(user=user, actor=actor, person_id=document.person_id, purpose="document")
    return document, _opened(actor, document, "documents.open")


def get_document_for_partner(
    *,
    caller: PartnerCaller | None,
    actor: Actor,
    document_id: int,
    check_request_id: int | None = None,
    referral_id: int | None = None,
) -> tuple[Document, bytes]:
    """A document the caller's organisation sent, with its bytes (`documents.partner_open` about the
    child); with `check_request_id` or `referral_id` (the API's nested routes), only if it is attached
    to that check or request. Another organisation's, a missing one or one attached elsewhere:
    Http404 and `documents.partner_refused`."""
    document = Document.objects.select_related("agency").filter(pk=document_id).first()
    elsewhere = document is not None and (
        (check_request_id is not None and document.check_request_id != check_request_id)
        or (referral_id is not None and document.referral_id != referral_id)
    )
    if caller is None or document is None or document.agency_id != caller.agency.pk or elsewhere:
        record_event(
            actor=actor,
            action="documents.partner_refused",
            object_type="documents.Document",
            object_id=str(document_id),
            outcome="denied",
            detail={"agency": caller.agency.pk if caller else None},
        )
        raise Http404("Not found")
    return document, _opened(actor, document, "documents.partner_open")


def documents_sent(
    *, caller: PartnerCaller, check_request_id: int | None = None, referral_id: int | None = None
) -> list[Document]:
    """The caller's organisation's own documents on one of its checks or requests (the caller has
    already read the check or request through `sharing.portal_selectors`, which audited it)."""
    found = Document.objects.filter(agency=caller.agency).select_related("agency", "uploaded_by")
    if check_request_id is not None:
        return list(found.filter(check_request_id=check_request_id))
    return list(found.filter(referral_id=referral_id))
