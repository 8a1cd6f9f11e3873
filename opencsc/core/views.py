from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opencsc.audit.services import Actor, record_event


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/400.html", status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _audit_refusal(request, "forbidden")
    return render(request, "core/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No traceback, only the request id a support desk can trace in the logs.
    return render(request, "core/500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    _audit_refusal(request, "csrf")
    return render(request, "core/403.html", {"csrf": True}, status=403)


def _audit_refusal(request: HttpRequest, why: str) -> None:
    user = getattr(request, "user", None)
    actor = (
        Actor.from_request(request)
        if user is not None and user.is_authenticated
        else Actor(
            id=None,
            name="anonymous",
            request_id=getattr(request, "request_id", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    )
    record_event(
        actor=actor,
        action="request.forbidden",
        outcome="denied",
        detail={"why": why, "path": request.path[:200], "method": request.method},
    )
