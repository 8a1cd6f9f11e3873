"""Information governance's subject access bundle pages: compile, review each proposed redaction,
add redactions and exemptions, preview the PDF, release it. Every page is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukForm
from opencsc.rights import selectors
from opencsc.rights.bundle import review
from opencsc.rights.bundle.exemptions import Exemption
from opencsc.rights.models import BundleRedaction, RedactionDecision
from opencsc.rights.services import RightsError

PAGE_SIZE = 50


class DecideForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[(RedactionDecision.ACCEPTED, "Remove it"), (RedactionDecision.REJECTED, "Leave it in")],
        widget=forms.RadioSelect,
    )
    exemption = forms.ChoiceField(label="Exemption", choices=Exemption.choices, initial=Exemption.TP)
    reason = forms.CharField(label="Reason", required=False, max_length=500)
    opinion = forms.CharField(
        label="For serious harm: the professional's opinion and who gave it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddForm(GovukForm):
    line_key = forms.CharField(
        label="Line reference", max_length=160, help_text="Shown beside each line, like casework.CaseNote:12:body"
    )
    text = forms.CharField(
        label="Words to remove, exactly as they appear", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    exemption = forms.ChoiceField(label="Exemption", choices=Exemption.choices)
    reason = forms.CharField(label="Reason", max_length=500)
    opinion = forms.CharField(
        label="For serious harm: the professional's opinion and who gave it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _context(request: HttpRequest, rights_request, add_form=None, error_form=None):  # type: ignore[no-untyped-def]
    redactions = rights_request.redactions.select_related("decided_by").order_by("decision", "pk")
    page = Paginator(redactions, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "rr": rights_request,
        "page": page,
        "rows": [
            (r, DecideForm(prefix=f"r{r.pk}", initial={"exemption": r.exemption, "reason": r.reason})) for r in page
        ],
        "pending": rights_request.redactions.filter(decision=RedactionDecision.PENDING).count(),
        "total": rights_request.redactions.count(),
        "add_form": add_form or AddForm(prefix="add"),
        "error_form": error_form,
        "releases": rights_request.releases.order_by("-released_at"),
    }


def _audit_view(request: HttpRequest, rights_request, **detail: object) -> None:  # type: ignore[no-untyped-def]
    record_event(
        actor=Actor.from_request(request),
        action="rights.bundle_view",
        obj=rights_request,
        subject_person_id=rights_request.subject_id,
        detail=detail,
    )


def _people_named(page: Any) -> list[int]:
    """The other people whose names the page's proposed redactions show, for the audit event."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Concat

    from opencsc.people.models import Person

    texts = {str(r.text).strip() for r in page}
    if not texts:
        return []
    full = Concat("first_name", Value(" "), "last_name", output_field=CharField())
    return sorted(Person.objects.annotate(full=full).filter(full__in=texts).values_list("pk", flat=True))


@login_required
@require_GET
def bundle(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    context = _context(request, rights_request)
    _audit_view(request, rights_request, page=context["page"].number, person_ids=_people_named(context["page"]))
    return render(request, "rights/bundle.html", context)


@login_required
@require_POST
def bundle_compile(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    try:
        result = review.bundle_compile(actor=Actor.from_request(request), request=rights_request)
    except RightsError as exc:
        messages.error(request, str(exc))
        return redirect("rights:detail", request_id=rights_request.pk)
    messages.success(
        request, f"Compiled {len(result.bundle.entries):,} entries; {result.pending:,} proposed redactions to decide"
    )
    return redirect("rights:bundle", request_id=rights_request.pk)


@login_required
@require_POST
def redaction_decide(request: HttpRequest, request_id: int, redaction_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    redaction = get_object_or_404(BundleRedaction, pk=redaction_id, request=rights_request)
    form = DecideForm(request.POST, prefix=f"r{redaction.pk}")
    if form.is_valid():
        try:
            review.redaction_decide(
                actor_user=request.user,
                actor=Actor.from_request(request),
                redaction=redaction,
                decision=form.cleaned_data["decision"],
                exemption=form.cleaned_data["exemption"],
                reason=form.cleaned_data["reason"],
                opinion=form.cleaned_data["opinion"],
            )
        except RightsError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(f"{request.path.rsplit('/redactions/', 1)[0]}/?page={request.GET.get('page', 1)}")
    _audit_view(request, rights_request, refused=redaction.pk)
    return render(request, "rights/bundle.html", _context(request, rights_request, error_form=form), status=400)


@login_required
@require_POST
def redactions_accept_all(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    count = review.redactions_accept_pending(
        actor_user=request.user, actor=Actor.from_request(request), request=rights_request
    )
    messages.success(request, f"{count:,} proposed redactions accepted as third-party information (TP)")
    return redirect("rights:bundle", request_id=rights_request.pk)


@login_required
@require_POST
def redaction_add(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    form = AddForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            review.redaction_add(
                actor_user=request.user,
                actor=Actor.from_request(request),
                request=rights_request,
                **form.cleaned_data,
            )
        except RightsError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("rights:bundle", request_id=rights_request.pk)
    _audit_view(request, rights_request, refused="add")
    context = _context(request, rights_request, add_form=form, error_form=form)
    return render(request, "rights/bundle.html", context, status=400)


@login_required
@require_GET
def bundle_preview(request: HttpRequest, request_id: int) -> HttpResponse:
    """The PDF as it would be released now (pending proposals still removed), for the reviewer."""
    rights_request = selectors.get_request_for_user(request.user, request_id)
    try:
        result = review.bundle_compile(actor=Actor.from_request(request), request=rights_request)
    except RightsError as exc:
        messages.error(request, str(exc))
        return redirect("rights:detail", request_id=rights_request.pk)
    content = review.render_for_request(rights_request, result)
    record_event(
        actor=Actor.from_request(request),
        action="rights.bundle_render",
        obj=rights_request,
        subject_person_id=rights_request.subject_id,
        detail={"preview": True, "bytes": len(content)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rights_request.reference}-preview.pdf"'
    return response


@login_required
@require_POST
def bundle_release(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    try:
        _, content = review.bundle_release(
            actor_user=request.user, actor=Actor.from_request(request), request=rights_request
        )
    except RightsError as exc:
        messages.error(request, str(exc))
        return redirect("rights:bundle", request_id=rights_request.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rights_request.reference}.pdf"'
    return response
