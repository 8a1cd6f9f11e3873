"""The council's own 400/403/404/500 pages in every mode, the laptop demo's DEBUG=True included.

With DEBUG on, Django answers an unknown address with its technical 404 page (it lists every URL
pattern) and an exception with its debug page (settings, local variables: personal data). Neither may
ever reach a browser, so this middleware answers them with the same pages production shows. The
traceback still goes to the console log, where a developer looks for it. With DEBUG off it does
nothing: Django already uses the handlers in `config/urls.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from opencsc.core import views

logger = logging.getLogger("django.request")
COPIED_HEADERS = ("X-Request-ID", "Content-Security-Policy", "X-Frame-Options", "Cache-Control", "Server-Timing")


class CouncilErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address that matches no URL never reaches a view (so not process_exception below):
        # Django has already built its technical 404 when DEBUG is on. Replace it.
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            page = views.not_found(request)
            for header in COPIED_HEADERS:
                if header in response:
                    page[header] = response[header]
            return page
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return views.not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return views.forbidden(request, exception)
        if isinstance(exception, SuspiciousOperation | BadRequest):
            logger.warning("Bad request: %s", exception)
            return views.bad_request(request, exception)
        logger.error("Internal server error: %s", request.path, exc_info=exception)
        return views.server_error(request)
