from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.OPENCSC_SERVICE_NAME,
        "council_name": settings.OPENCSC_COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
    }
