"""Uploads to the partner portal and API (ADR 0032): a request body is never held past the size
limit. A declared Content-Length over the limit is refused before a byte of the body is read; a
body without one (chunked) goes through `BoundedMemoryUploadHandler`, which drops the file once it
passes the limit. Files stay in memory, never in a temporary file."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from opencsc.core.uploads import BoundedMemoryUploadHandler, too_large_message

FORM_MARGIN = 256 * 1024  # the form's other fields and the multipart framing


def limit() -> int:
    return int(settings.OPENCSC_DOCUMENTS_MAX_BYTES)


def declared_too_large(request: HttpRequest) -> str:
    """The refusal when the request says its body is over the limit (the body is left unread)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit() + FORM_MARGIN:
        return too_large_message(name="The file", size=None, limit=limit(), what="a document") + (". Nothing was sent.")
    return ""


def bound_upload_handler(request: HttpRequest) -> BoundedMemoryUploadHandler:
    handler = BoundedMemoryUploadHandler(request, limit=limit())
    request.upload_handlers = [handler]
    return handler


def bounded_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page with a file field. Sets `request.upload_refused` (why the file was not taken, or
    empty) and `request.upload_handler`. An over-limit declared body is answered without reading it
    (so without a CSRF check either: the view must then write nothing, and only shows the refusal)."""
    protected = csrf_protect(view)

    @csrf_exempt  # only so the upload handler is set before the body is read: csrf_protect runs below
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_refused = ""  # type: ignore[attr-defined]
        if request.method == "POST" and (refused := declared_too_large(request)):
            request.upload_refused = refused  # type: ignore[attr-defined]
            request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
            request.method = "GET"
            response = view(request, *args, **kwargs)
            if response.status_code == 200:  # the form with the refusal (not a sign-in redirect, a 404...)
                response.status_code = 413
            return response
        request.upload_handler = bound_upload_handler(request)  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    return wrapper


def upload_error(request: HttpRequest) -> str:
    """Why the request's file was not taken: over the limit (declared, or found while receiving)."""
    if refused := getattr(request, "upload_refused", ""):
        return str(refused)
    handler = getattr(request, "upload_handler", None)
    if handler is not None and handler.too_large:
        return too_large_message(name=handler.too_large[0], size=None, limit=limit(), what="a document")
    return ""


def show_file_error(form: Any, message: str) -> None:
    """Put `message` on the form's file field, whether or not the form was bound."""
    if form.is_bound:
        form.is_valid()
        form.add_error("file", message)
    else:
        form._errors = ErrorDict({"file": form.error_class([message])})
