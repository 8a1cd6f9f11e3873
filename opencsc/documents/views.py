"""Staff open a document from the child's record (ADR 0032)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from opencsc.audit.services import Actor
from opencsc.documents import http, selectors


@login_required
@require_GET
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    found, data = selectors.get_document_for_user(
        user=request.user, actor=Actor.from_request(request), document_id=document_id
    )
    return http.download(found, data)
