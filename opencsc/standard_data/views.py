"""The health-needs picture page: analysts and information governance see the suppressed tables
exactly as they would be released (counts only, no child); information governance releases them to
an NHS body, which downloads the workbook and records the release.

Thin: the counting is `health_needs`, the release `services.health_needs_release`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from opencsc.accounts.access import can_release_health_needs, can_view_health_needs
from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukForm
from opencsc.standard_data import health_needs as picture
from opencsc.standard_data import services
from opencsc.standard_data.models import HealthNeedsRelease

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReleaseForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="NHS body to release it to",
        queryset=services.Agency.objects.none(),
        empty_label="Select the NHS body",
        help_text="Only bodies with a current sharing agreement that covers health information are listed.",
        error_messages={"required": "Select the NHS body to release the picture to"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = [a.pk for a in services.nhs_agencies()]
        self.fields["agency"].queryset = services.Agency.objects.filter(pk__in=allowed)  # type: ignore[attr-defined]


class AsOfForm(GovukForm):
    as_of = forms.DateField(
        label="Count the children on (YYYY-MM-DD)",
        required=False,
        help_text="Leave blank for today.",
        error_messages={"invalid": "Enter the date as year-month-day, like 2026-03-31"},
    )

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return day


@login_required
@require_http_methods(["GET", "POST"])
def health_needs(request: HttpRequest) -> HttpResponse:
    if not can_view_health_needs(request.user):
        raise PermissionDenied("Only performance analysts and information governance see the health-needs picture")
    actor = Actor.from_request(request)
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data.get("as_of") if as_of_form.is_valid() else None
    release_form = ReleaseForm(request.POST or None) if can_release_health_needs(request.user) else None
    if request.method == "POST":
        if release_form is None:
            raise PermissionDenied("Only information governance release the health-needs picture")
        # A release is of the picture on the day shown; a bad date in the address releases nothing.
        if release_form.is_valid() and not as_of_form.errors:
            released = services.health_needs_release(
                actor=actor, actor_user=request.user, agency=release_form.cleaned_data["agency"], as_of=as_of
            )
            response = HttpResponse(released.content, content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{released.release.file_name}"'
            return response
    report = picture.build(as_of)
    record_event(
        actor=actor,
        action="health_needs.view",
        object_type="standard_data.HealthNeedsPicture",
        object_id=report.as_of.isoformat(),
        object_repr=f"Health-needs picture on {report.as_of:%d %b %Y}",
        detail={"as_of": report.as_of.isoformat(), "threshold": report.threshold},
    )
    context = {
        "report": report,
        "cohorts": [label for _, label in picture.COHORTS],
        "as_of_form": as_of_form,
        "release_form": release_form,
        "releases": HealthNeedsRelease.objects.select_related("agency", "agreement")[:20],
        "suppressed": picture.SUPPRESSED,
    }
    return render(
        request,
        "standard_data/health_needs.html",
        context,
        status=400 if as_of_form.errors or (release_form and release_form.errors) else 200,
    )
