"""Information governance's disposal pages: the batches, preparing one, its page (approve, carry
out) and its certificate. They show person ids, rules and dates, never names; each view is audited
as `rights.disposal_view` with the ids shown. Writes through `disposal.services`."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.core.categories import DataCategory
from opencsc.rights.disposal import services
from opencsc.rights.disposal.forms import ApproveForm, CarryOutForm, PrepareForm
from opencsc.rights.disposal.models import BatchStatus, DisposalBatch, DisposalItem, ItemOutcome


def _require_ig(request: HttpRequest) -> None:
    if not access.can_manage_rights_requests(request.user):
        raise PermissionDenied


def _batch(request: HttpRequest, batch_id: int) -> DisposalBatch:
    _require_ig(request)
    batch = DisposalBatch.objects.select_related("prepared_by", "approved_by", "carried_out_by").filter(pk=batch_id)
    found = batch.first()
    if found is None:
        raise Http404
    return found


def _viewed(request: HttpRequest, batch: DisposalBatch | None, person_ids: list[int], page: str) -> None:
    record_event(
        actor=Actor.from_request(request),
        action="rights.disposal_view",
        obj=batch,
        object_type="" if batch else "rights.DisposalBatch",
        detail={"page": page, "person_ids": sorted(person_ids)},
    )


@login_required
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    rows = list(DisposalBatch.objects.select_related("prepared_by", "approved_by"))
    counts = {b.pk: {o: 0 for o in ItemOutcome.values} for b in rows}
    for item in DisposalItem.objects.filter(batch__in=rows).values("batch_id", "outcome"):
        counts[item["batch_id"]][item["outcome"]] += 1
    _viewed(request, None, [], "batches")
    return render(request, "rights/disposal/batches.html", {"rows": [(b, counts[b.pk]) for b in rows]})


@login_required
@require_http_methods(["GET", "POST"])
def prepare(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    form = PrepareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_prepare(actor=Actor.from_request(request), actor_user=request.user)
        except services.DisposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Batch {batch.reference} prepared. Another officer must approve it.")
            return redirect("rights:disposal_detail", batch_id=batch.pk)
    due, held = services.proposed(timezone.localdate())
    _viewed(request, None, [d.person_id for d in due + held], "prepare")
    return render(request, "rights/disposal/prepare.html", {"form": form, "due": due, "held": held})


def _detail(request: HttpRequest, batch: DisposalBatch, **forms: Any) -> HttpResponse:
    items = list(batch.items.all())
    _viewed(request, batch, [i.person_id for i in items], "batch")
    context = {
        "batch": batch,
        "items": items,
        "is_preparer": batch.prepared_by_id == request.user.pk,
        "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
        "carry_form": forms.get("carry_form") or CarryOutForm(prefix="carry"),
        "error_form": forms.get("approve_form") or forms.get("carry_form"),
    }
    return render(request, "rights/disposal/detail.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _detail(request, _batch(request, batch_id))


@login_required
@require_POST
def approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    form = ApproveForm(request.POST, prefix="approve")
    if form.is_valid():
        try:
            services.batch_approve(actor=Actor.from_request(request), actor_user=request.user, batch=batch)
        except services.DisposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Batch {batch.reference} approved. It can now be carried out.")
            return redirect("rights:disposal_detail", batch_id=batch.pk)
    return _detail(request, batch, approve_form=form)


@login_required
@require_POST
def carry_out(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    form = CarryOutForm(request.POST, prefix="carry")
    if form.is_valid():
        try:
            services.batch_carry_out(actor=Actor.from_request(request), actor_user=request.user, batch=batch)
        except services.DisposalError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("rights:disposal_certificate", batch_id=batch.pk)
    return _detail(request, batch, carry_form=form)


def _category_names(codes: list[str]) -> list[str]:
    labels = dict(DataCategory.choices)
    return [str(labels.get(code, code)) for code in codes]


@login_required
@require_GET
def certificate(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    if batch.status != BatchStatus.CARRIED_OUT:
        raise Http404
    items = list(batch.items.all())
    _viewed(request, batch, [i.person_id for i in items], "certificate")
    rows = [(i, _category_names(i.categories)) for i in items]
    return render(request, "rights/disposal/certificate.html", {"batch": batch, "rows": rows})


CERTIFICATE_COLUMNS = [
    "batch",
    "person_id",
    "rule",
    "rule_name",
    "trigger_date",
    "due_on",
    "linked_to",
    "outcome",
    "kept_because",
    "disposed_at",
    "categories",
    "rows_removed",
    "audit_events_scrubbed",
    "prepared_by",
    "approved_by",
    "carried_out_by",
]


@login_required
@require_GET
def certificate_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    if batch.status != BatchStatus.CARRIED_OUT:
        raise Http404
    items = list(batch.items.all())
    _viewed(request, batch, [i.person_id for i in items], "certificate_csv")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CERTIFICATE_COLUMNS)
    for i in items:
        writer.writerow(
            [
                batch.reference,
                i.person_id,
                i.rule,
                i.rule_name,
                i.trigger_date,
                i.due_on,
                " ".join(str(c) for c in i.linked_to),
                i.outcome,
                i.refused_reason,
                i.disposed_at.isoformat() if i.disposed_at else "",
                " ".join(i.categories),
                sum(i.rows_removed.values()),
                i.events_scrubbed,
                batch.prepared_by,
                batch.approved_by,
                batch.carried_out_by,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disposal-certificate-{batch.reference}.csv"'
    return response
