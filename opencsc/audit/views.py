"""The information-governance pages: the audit trail by subject and by user, and the alert queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access, services
from opencsc.accounts.models import BreakGlassGrant, GovernanceAlert, User
from opencsc.audit import events
from opencsc.audit.selectors import AuditAccessDenied, audit_events_for_user
from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukForm
from opencsc.core.http import AuthedRequest


class AuditFilterForm(GovukForm):
    subject = forms.IntegerField(
        label="Person id (subject)",
        required=False,
        min_value=1,
        error_messages={"invalid": "Enter the person id as a number, like 1042"},
    )
    actor = forms.CharField(label="Username of the member of staff", required=False, max_length=150)
    action = forms.ChoiceField(
        label="What happened",
        required=False,
        choices=[("", "Any action"), *((name, f"{name}: {d[1]}") for name, d in sorted(events.EVENTS.items()))],
    )


@login_required
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    subject = actor_id = None
    action = ""
    unknown_actor = False
    if form.is_valid():
        subject = form.cleaned_data["subject"]
        action = form.cleaned_data["action"]
        if form.cleaned_data["actor"]:
            actor_user = User.objects.filter(username=form.cleaned_data["actor"]).first()
            actor_id = actor_user.pk if actor_user else None
            unknown_actor = actor_user is None
    try:
        queryset = audit_events_for_user(request.user, subject_person_id=subject, actor_id=actor_id, action=action)
    except AuditAccessDenied as exc:
        raise PermissionDenied from exc
    if unknown_actor:
        queryset = queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    record_event(
        actor=Actor.from_request(request),
        action="audit.view",
        subject_person_id=subject,
        detail={"actor_filter": form.cleaned_data.get("actor", "") if form.is_valid() else "", "action": action},
    )
    return render(request, "audit/event_list.html", {"form": form, "page": page})


@login_required
@require_GET
def alert_list(request: AuthedRequest) -> HttpResponse:
    if not access.can_review_break_glass(request.user):
        raise PermissionDenied
    alerts = GovernanceAlert.objects.select_related("user", "break_glass").order_by("closed_at", "-created_at")[:200]
    return render(request, "audit/alert_list.html", {"alerts": alerts})


class ReviewForm(GovukForm):
    note = forms.CharField(
        label="Review note",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what you found when you reviewed this access"},
    )
    revoke = forms.BooleanField(label="End this emergency access now", required=False)


@login_required
@require_http_methods(["GET", "POST"])
def review_break_glass(request: AuthedRequest, grant_id: int) -> HttpResponse:
    if not access.can_review_break_glass(request.user):
        raise PermissionDenied
    grant = get_object_or_404(BreakGlassGrant.objects.select_related("user"), pk=grant_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.break_glass_review(
            reviewer=request.user,
            actor=Actor.from_request(request),
            grant=grant,
            note=form.cleaned_data["note"],
            revoke=form.cleaned_data["revoke"],
        )
        messages.success(request, "Review recorded")
        return redirect("audit:alerts")
    return render(request, "audit/review.html", {"form": form, "grant": grant})
