"""How a document leaves openCSC: always as a download, never rendered by the browser."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from opencsc.documents.models import EXTENSIONS, Document


def download(document: Document, data: bytes) -> HttpResponse:
    """The bytes with the type openCSC found (never the sender's), as an attachment named by
    reference and original name, not sniffable, not cached, sandboxed if opened anyway."""
    response = HttpResponse(data, content_type=document.content_type)
    base = str(document.filename).rsplit(".", 1)[0][:100] or "document"
    name = f"{document.reference} {base}{EXTENSIONS[document.kind][0]}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    response["Content-Length"] = str(len(data))
    return response
