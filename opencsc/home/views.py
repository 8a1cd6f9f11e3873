"""The home page: one per role, showing the work that role does (see `selectors`). Each visit
writes one `home.view` audit event with the counts it showed and the ids of the people it named."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from opencsc.accounts.models import Role
from opencsc.audit.services import Actor, record_event
from opencsc.casework import mash, services
from opencsc.casework.models import WorkerNotification
from opencsc.core.http import AuthedRequest
from opencsc.home import selectors

TEMPLATES: dict[str, str] = {
    Role.SOCIAL_WORKER: "home/worker.html",
    Role.MASH_PRACTITIONER: "home/mash.html",
    Role.TEAM_MANAGER: "home/manager.html",
    Role.CONFERENCE_CHAIR: "home/chair.html",
    Role.PERFORMANCE_ANALYST: "home/analyst.html",
    Role.IG_OFFICER: "home/governance.html",
    Role.SYSTEM_ADMIN: "home/admin.html",
}


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user, actor = request.user, Actor.from_request(request)
    role = user.role
    if role == Role.PARTNER:  # a partner's home is their organisation's page of the partner portal
        return redirect("partners:portal")
    context: dict[str, Any] = {}
    if role == Role.MASH_PRACTITIONER:
        items = mash.mash_queue(user=user, actor=actor)
        context = {"queue": items[:10], "queue_total": len(items), "w": selectors.worker_home(user)}
    elif role == Role.TEAM_MANAGER:
        context = {"m": selectors.manager_home(user)}
    elif role == Role.CONFERENCE_CHAIR:
        context = {"c": selectors.chair_home(user)}
    elif role == Role.PERFORMANCE_ANALYST:
        context = {"a": selectors.analyst_home(user)}
    elif role == Role.IG_OFFICER:
        context = {"g": selectors.governance_home(user)}
    elif role == Role.SYSTEM_ADMIN:
        context = {"s": selectors.admin_home(user)}
    else:
        context = {"w": selectors.worker_home(user)}
    record_event(
        actor=actor,
        action="home.view",
        detail={"role": role, "shown": _counts(context), "person_ids": sorted(_people_shown(context))},
    )
    return render(request, TEMPLATES.get(role, "home/worker.html"), context)


def _people_shown(context: dict[str, Any]) -> set[int]:
    """The people the page names: every row of every list it shows that is about a person (an
    allocation, a task, a notification, a queued contact), for the audit event."""
    found: set[int] = set()
    for value in context.values():
        lists = [v for v in getattr(value, "__dict__", {"": value}).values() if isinstance(v, list)]
        for row in (row for rows in lists for row in rows):
            row = getattr(row, "contact", row)  # a queue item names its contact's child
            for attr in ("person_id", "child_id"):
                if isinstance(pk := getattr(row, attr, None), int):
                    found.add(pk)
    return found


def _counts(context: dict[str, Any]) -> dict[str, int]:
    """How many rows of each list the page showed (for the audit event; no ids or names)."""
    counts: dict[str, int] = {}
    for key, value in context.items():
        for name, rows in getattr(value, "__dict__", {key: value}).items():
            if isinstance(rows, list):
                counts[f"{key}.{name}" if name != key else key] = len(rows)
    return counts


@login_required
@require_POST
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    notification = WorkerNotification.objects.filter(pk=notification_id, recipient=request.user).first()
    if notification is None:
        raise Http404("No such notification")
    services.notification_mark_read(
        actor_user=request.user, actor=Actor.from_request(request), notification=notification
    )
    return redirect("casework:overview", person_id=notification.person_id)
