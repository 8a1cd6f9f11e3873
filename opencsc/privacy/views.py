"""The public privacy notice, the Article 30 record (page and CSV) and the IG register pages. Thin:
reads come from `privacy.selectors`, changes go through `privacy.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.privacy import selectors, services
from opencsc.privacy.exports import to_csv
from opencsc.privacy.forms import KINDS, form_class


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """Public: no sign-in. Everything on it comes from the processing register."""
    return render(request, "privacy/notice.html", {"notice": selectors.privacy_notice()})


def _require_ig(request: HttpRequest) -> None:
    if not access.can_manage_sharing_register(request.user):
        raise PermissionDenied


@login_required
@require_GET
def record_of_processing(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    record_event(actor=Actor.from_request(request), action="privacy.ropa_view")
    return render(
        request,
        "privacy/record_of_processing.html",
        {
            "controller": selectors.privacy_notice().controller,
            "entries": [
                list(zip(selectors.ROPA_COLUMNS, row, strict=True)) for row in selectors.record_of_processing()
            ],
            "missing_from_register": sorted(c.label for c in selectors.categories_missing_from_register()),
            "without_fields": sorted(selectors.register_categories_without_fields()),
        },
    )


@login_required
@require_GET
def record_of_processing_csv(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    rows = selectors.record_of_processing()
    record_event(actor=Actor.from_request(request), action="privacy.ropa_export", detail={"rows": len(rows)})
    response = HttpResponse(to_csv(selectors.ROPA_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="record-of-processing-{stamp}.csv"'
    return response


@login_required
@require_GET
def register_index(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    sections = [(kind, kind.model.objects.all()) for kind in KINDS.values()]
    return render(request, "privacy/register_index.html", {"sections": sections})


@login_required
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    _require_ig(request)
    register_kind = KINDS.get(kind)
    if register_kind is None or (pk is None and not register_kind.can_add):
        raise Http404
    entry = get_object_or_404(register_kind.model, pk=pk) if pk is not None else register_kind.model()
    # The form validates a copy, so the service can tell what changed on the stored row.
    working = register_kind.model.objects.get(pk=pk) if pk is not None else register_kind.model()
    form = form_class(register_kind)(request.POST or None, instance=working)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_entry_save(
                actor_user=request.user,
                actor=Actor.from_request(request),
                entry=entry,
                changes={name: form.cleaned_data[name] for name in register_kind.fields},
                many={name: list(form.cleaned_data[name]) for name in register_kind.many},
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{register_kind.title}: '{entry}' saved. The privacy notice now shows it.")
            return redirect("privacy:register")
    return render(request, "privacy/register_form.html", {"form": form, "kind": register_kind, "entry": entry})
