from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opencsc.ops import health


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for the load balancer and monitoring: 200 when every check passes, else 503.
    No sign-in (probes have none) and no personal data: check names, pass/fail and why."""
    checks = health.readiness()
    ready = all(c.ok for c in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)
