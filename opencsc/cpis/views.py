"""CP-IS pages for information governance (and the completeness report for team managers). Thin:
reads through `selectors`, writes through `services`; each page asks `accounts.access` first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.core.uploads import FileRefused
from opencsc.cpis import selectors, services
from opencsc.cpis.forms import ImportForm, UploadForm
from opencsc.cpis.models import PlanType, RecordAction


def _require_manager(request: HttpRequest) -> None:
    if not access.can_manage_cpis(request.user):
        raise PermissionDenied


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    failed = list(selectors.failed_records())
    ids = selectors.la_child_ids({c for r in failed for c in r.child_ids})
    return render(
        request,
        "cpis/index.html",
        {
            "uploads": selectors.recent_uploads(),
            "inbound": selectors.recent_messages(),
            "failed": [(r, [ids.get(c) or "(none recorded)" for c in r.child_ids]) for r in failed],
            "unmatched": selectors.unmatched_notifications(),
        },
    )


def _preview() -> dict[str, object]:
    planned = selectors.planned_records()
    return {
        "planned_total": len(planned),
        "planned_deletes": sum(1 for p in planned if p.action == RecordAction.DELETE),
        "planned_by_type": [
            (PlanType(t).label, sum(1 for p in planned if p.plan_type == t and p.action == RecordAction.LIVE))
            for t in PlanType.values
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Build the next upload and download it. The file is built and recorded on POST only."""
    _require_manager(request)
    form = UploadForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            built = services.upload_build(actor_user=request.user, actor=Actor.from_request(request))
        except services.UploadRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
        else:
            response = HttpResponse(built.content, content_type="application/xml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{built.upload.file_name}"'
            return response
    return render(request, "cpis/upload.html", {"form": form, **_preview(), "council": services.council()})


@login_required
@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    if not access.can_view_cpis_completeness(request.user):
        raise PermissionDenied
    report = selectors.completeness(user=request.user)
    record_event(
        actor=Actor.from_request(request),
        action="cpis.completeness_view",
        detail={
            "rows": len(report.rows),
            "whole_cohort": access.can_manage_cpis(request.user),
            "person_ids": sorted({pk for r in report.rows for pk in [*r.child_ids, r.person_id] if pk is not None}),
        },
    )
    return render(
        request,
        "cpis/completeness.html",
        {
            "report": report,
            "by_type": [(PlanType(t).label, m, n) for t, (m, n) in report.by_type.items()],
            "go_live": selectors.CPIS_GO_LIVE_MATCH_RATE,
            "whole": access.can_manage_cpis(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        handle = form.cleaned_data["file"]
        data = handle.read(services.parsing.max_bytes() + 1)
        try:
            result = services.message_import(
                actor_user=request.user, actor=Actor.from_request(request), data=data, file_name=handle.name or ""
            )
        except FileRefused as exc:
            form.add_error("file", f"The file was not imported: {exc}")
        else:
            if result.duplicate:
                messages.info(request, "This file was imported before. Nothing was changed.")
            else:
                label = result.message.get_message_type_display()
                tasks = f"{result.tasks} task{'' if result.tasks == 1 else 's'}"
                count = result.chronology_entries
                entries = f"{count} chronology entr{'y' if count == 1 else 'ies'}"
                messages.success(request, f"{label} imported: {tasks} and {entries} created.")
            return redirect("cpis:index")
    return render(request, "cpis/import.html", {"form": form})
