from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from opencsc.accounts import access


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.OPENCSC_SERVICE_NAME,
        "council_name": settings.OPENCSC_COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        "nav_items": _nav_items(request),
    }


def _nav_items(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if settings.OPENCSC_REQUIRE_MFA and not user.is_verified():
        return []  # before the second factor nothing but signing out is reachable: offer nothing else
    items = [("Home", reverse("home:index"))]
    if user.role == "mash_practitioner":
        items.append(("MASH queue", reverse("casework:front_door")))
    if access.can_create_person(user) or user.role in access.CASEWORK_ROLES:
        items.append(("Find a person", reverse("people:search")))
        items.append(("Work tray", reverse("casework:tray")))
    if access.can_decide_disclosure_request(user):
        items.append(("Requests", reverse("sharing:requests")))
    if access.can_read_audit(user):
        items += [("Audit trail", reverse("audit:events")), ("Alerts", reverse("audit:alerts"))]
    if access.can_manage_sharing_register(user):
        items += [("Register", reverse("privacy:register")), ("Agencies", reverse("sharing:agencies"))]
    if access.can_manage_sign_in(user):
        items.append(("Sign-in set-up", reverse("accounts:sign_in_admin")))
    if access.can_manage_rights_requests(user):
        items.append(("Rights requests", reverse("rights:queue")))
    if access.can_manage_cpis(user):
        items.append(("CP-IS", reverse("cpis:index")))
    from opencsc.returns.build.selectors import can_use_returns  # returns sit above core

    if access.can_view_indicators(user):
        items.append(("Performance", reverse("insight:dashboard")))
    if can_use_returns(user):
        items.append(("Returns", reverse("returns:index")))
    elif user.role == "team_manager":
        items.append(("Return readiness", reverse("returns:readiness")))
    return [
        {"label": label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url))}
        for label, url in items
    ]
