"""The information-governance pages: the audit trail by subject and by user, and the alert queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access, services
from opencsc.accounts.models import BreakGlassGrant, GovernanceAlert, User
from opencsc.audit import events, sentences
from opencsc.audit.selectors import AuditAccessDenied, audit_events_for_user
from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.core.http import AuthedRequest


def _action_choices() -> list[tuple[str, str]]:
    """Every registered event in plain words, alphabetically (the event name stays the value)."""
    return [("", "Anything"), *sorted(((name, d[1]) for name, d in events.EVENTS.items()), key=lambda c: c[1])]


class AuditFilterForm(GovukForm):
    subject = forms.CharField(
        label="Person",
        required=False,
        max_length=100,
        help_text="Their name (the start of a first or last name, or both) or their record id, like 1042",
    )
    actor = forms.CharField(
        label="Member of staff",
        required=False,
        max_length=150,
        help_text="Their name or username",
    )
    action = forms.ChoiceField(label="What happened", required=False, choices=_action_choices)
    since = GovukDateField(label="From", required=False, help_text="For example, 27 3 2026")
    until = GovukDateField(label="To", required=False, help_text="For example, 31 3 2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date")
        return data


@login_required
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "subject_ids": _people_matching(form.cleaned_data["subject"]),
            "actor_ids": _staff_matching(form.cleaned_data["actor"]),
            "action": form.cleaned_data["action"],
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    try:
        queryset = audit_events_for_user(request.user, **filters)
    except AuditAccessDenied as exc:
        raise PermissionDenied from exc
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    lines = sentences.lines(page)  # read before this look is itself recorded, so count and rows agree
    subject_ids = filters.get("subject_ids") or []
    asked = form.cleaned_data if form.is_valid() else {}
    record_event(
        actor=Actor.from_request(request),
        action="audit.view",
        subject_person_id=subject_ids[0] if len(subject_ids) == 1 else None,
        detail={
            **{k: ("" if v is None else str(v)) for k, v in asked.items()},
            # The sentences name the people the events were about: who was shown, not only how many.
            "person_ids": sorted({int(e.subject_person_id) for e in page if e.subject_person_id is not None}),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "lines": lines, "query": query.urlencode()},
    )


def _people_matching(text: str) -> list[int] | None:
    """A record id, or the people whose first and last names start with the words given (at most
    500). None means "no filter"; an empty list means "nobody matched"."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return [int(text)]
    person_model = apps.get_model("people", "Person")
    words = text.split()
    match = Q()
    if len(words) == 1:
        match = Q(first_name__istartswith=words[0]) | Q(last_name__istartswith=words[0])
    else:
        match = Q(first_name__istartswith=words[0], last_name__istartswith=words[-1])
    return list(person_model.objects.filter(match).values_list("pk", flat=True)[:500])


def _staff_matching(text: str) -> list[int] | None:
    text = text.strip()
    if not text:
        return None
    words = text.split()
    by_name = (
        Q(first_name__istartswith=words[0], last_name__istartswith=words[-1])
        if len(words) > 1
        else Q(first_name__istartswith=text) | Q(last_name__istartswith=text)
    )
    return list(User.objects.filter(Q(username__iexact=text) | by_name).values_list("pk", flat=True)[:200])


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
