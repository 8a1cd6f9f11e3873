"""Information governance's rights request pages. Thin: reads through `selectors`, writes through
`services`; every page that shows a requester's or person's details writes an audit event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.accounts.models import ProcessingRestriction
from opencsc.audit.services import Actor, record_event
from opencsc.rights import deadlines, selectors, services
from opencsc.rights.forms import (
    CloseForm,
    DisputeForm,
    ExtendForm,
    IdentityForm,
    LinkSubjectForm,
    NotifyForm,
    RectifyForm,
    RestrictForm,
    StaffRequestForm,
)
from opencsc.rights.models import RightsRequest


def _require_ig(request: HttpRequest) -> None:
    if not access.can_manage_rights_requests(request.user):
        raise PermissionDenied


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    rows = selectors.open_queue(request.user)
    shown = sorted({row.request.subject_id for row in rows if row.request.subject_id is not None})
    record_event(
        actor=Actor.from_request(request), action="rights.queue_view", detail={"rows": len(rows), "person_ids": shown}
    )
    return render(
        request,
        "rights/queue.html",
        {"rows": rows, "months": selectors.monthly_on_time(), "overdue": sum(r.overdue for r in rows)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    _require_ig(request)
    form = StaffRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created, is_new = services.request_receive(
                actor=Actor.from_request(request), actor_user=request.user, data=form.cleaned_data
            )
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            if not is_new:
                messages.info(request, f"This is the same as open request {created.reference}: nothing new was added")
            return redirect("rights:detail", request_id=created.pk)
    return render(request, "rights/request_new.html", {"form": form})


def _detail_context(rights_request: RightsRequest, **forms: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "rr": rights_request,
        "overdue": rights_request.is_overdue(today),
        "days_left": (rights_request.due_on - today).days,
        "can_extend": not rights_request.is_closed
        and rights_request.extension_months < deadlines.MAX_EXTENSION_MONTHS
        and today <= deadlines.latest_extension_notice(rights_request.clock_start),
        "candidates": [] if rights_request.subject_id else selectors.candidate_records(rights_request),
        "identity_form": forms.get("identity_form") or IdentityForm(prefix="identity"),
        "link_form": forms.get("link_form") or LinkSubjectForm(prefix="link"),
        "extend_form": forms.get("extend_form") or ExtendForm(prefix="extend"),
        "close_form": forms.get("close_form") or CloseForm(prefix="close"),
        "rectify_form": forms.get("rectify_form") or RectifyForm(prefix="rectify"),
        "dispute_form": forms.get("dispute_form") or DisputeForm(prefix="dispute"),
        "restrict_form": forms.get("restrict_form") or RestrictForm(prefix="restrict"),
        "recipients": _recipients(rights_request),
        "restriction": ProcessingRestriction.objects.active().filter(person_id=rights_request.subject_id or 0).first(),
        "disputes": rights_request.dispute_notes.order_by("recorded_at"),
    }


def _recipients(rights_request: RightsRequest) -> list[tuple[object, object, NotifyForm]]:
    """Article 19: each disclosure of corrected information, whether its recipient was told, and a form to record it."""
    if rights_request.kind not in ("rectification", "erasure", "restriction") or rights_request.subject_id is None:
        return []
    told = {n.disclosure_id: n for n in rights_request.notifications.all()}
    return [
        (d, told.get(d.pk), NotifyForm(prefix=f"n{d.pk}", initial={"disclosure_id": d.pk}))
        for d in services.rectification_recipients(rights_request)
    ]


@login_required
@require_GET
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    context = _detail_context(rights_request)
    record_event(
        actor=Actor.from_request(request),
        action="rights.request_view",
        obj=rights_request,
        subject_person_id=rights_request.subject_id,
        detail={"records_offered": [p.pk for p in context["candidates"]]},  # type: ignore[attr-defined]
    )
    return render(request, "rights/detail.html", context)


def _act(request: HttpRequest, request_id: int, form_class: type, prefix: str, action) -> HttpResponse:  # type: ignore[type-arg,no-untyped-def]
    rights_request = selectors.get_request_for_user(request.user, request_id)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            action(rights_request, form.cleaned_data)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("rights:detail", request_id=rights_request.pk)
    record_event(
        actor=Actor.from_request(request),
        action="rights.request_view",
        obj=rights_request,
        subject_person_id=rights_request.subject_id,
    )
    return render(
        request,
        "rights/detail.html",
        {**_detail_context(rights_request, **{f"{prefix}_form": form}), "error_form": form},
    )


@login_required
@require_POST
def verify_identity(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        IdentityForm,
        "identity",
        lambda rr, data: services.identity_verify(
            actor_user=request.user,
            actor=Actor.from_request(request),
            request=rr,
            evidence=data["evidence"],
            verified_on=data["verified_on"],
        ),
    )


@login_required
@require_POST
def link_subject(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        LinkSubjectForm,
        "link",
        lambda rr, data: services.subject_link(
            actor=Actor.from_request(request),
            request=rr,
            person_id=data["person_id"],
            on_behalf_decision=data["on_behalf_decision"],
        ),
    )


@login_required
@require_POST
def extend(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        ExtendForm,
        "extend",
        lambda rr, data: services.request_extend(
            actor=Actor.from_request(request),
            request=rr,
            months=data["months"],
            reason=data["reason"],
            letter=data["letter"],
        ),
    )


@login_required
@require_POST
def close(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        CloseForm,
        "close",
        lambda rr, data: services.request_close(
            actor_user=request.user,
            actor=Actor.from_request(request),
            request=rr,
            status=data["status"],
            letter=data["letter"],
            reason=data["reason"],
        ),
    )


@login_required
@require_POST
def rectify(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        RectifyForm,
        "rectify",
        lambda rr, data: services.rectification_record(
            actor=Actor.from_request(request), request=rr, categories=data["categories"], summary=data["summary"]
        ),
    )


@login_required
@require_POST
def dispute(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        DisputeForm,
        "dispute",
        lambda rr, data: services.dispute_note_add(
            actor_user=request.user,
            actor=Actor.from_request(request),
            request=rr,
            statement=data["statement"],
            council_view=data["council_view"],
        ),
    )


@login_required
@require_POST
def notify(request: HttpRequest, request_id: int, disclosure_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        NotifyForm,
        f"n{disclosure_id}",
        lambda rr, data: services.recipient_notified(
            actor_user=request.user,
            actor=Actor.from_request(request),
            request=rr,
            disclosure_id=disclosure_id,
            method=data["method"],
            notified_on=data["notified_on"],
        ),
    )


@login_required
@require_POST
def restrict(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(
        request,
        request_id,
        RestrictForm,
        "restrict",
        lambda rr, data: services.restriction_set(
            actor_user=request.user, actor=Actor.from_request(request), request=rr, ground=data["ground"]
        ),
    )


@login_required
@require_POST
def lift_restriction(request: HttpRequest, request_id: int) -> HttpResponse:
    rights_request = selectors.get_request_for_user(request.user, request_id)
    try:
        services.restriction_lift(actor_user=request.user, actor=Actor.from_request(request), request=rights_request)
    except services.RightsError as exc:
        messages.error(request, str(exc))
    return redirect("rights:detail", request_id=rights_request.pk)
