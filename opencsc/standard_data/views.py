"""The health-needs picture page: analysts and information governance see the stored suppressed
tables (counts only, no child; computed nightly or on demand here, with progress); information
governance releases the picture to an NHS body, which counts afresh, protects it against earlier
releases, downloads the workbook and records the release.

Thin: the counting is `health_needs`, the storing `services.health_needs_compute`, the release
`services.health_needs_release`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from opencsc.accounts.access import can_release_health_needs, can_view_health_needs
from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukForm
from opencsc.standard_data import differencing, pictures, services
from opencsc.standard_data import health_needs as picture_module
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
    """The stored picture (computed nightly, or on demand here with its progress shown); a release
    counts afresh and is protected against earlier releases."""
    if not can_view_health_needs(request.user):
        raise PermissionDenied("Only performance analysts and information governance see the health-needs picture")
    actor = Actor.from_request(request)
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data.get("as_of") if as_of_form.is_valid() else None
    release_form = None
    if can_release_health_needs(request.user):
        release_form = ReleaseForm(request.POST if "agency" in request.POST else None)
    if request.method == "POST" and "recompute" in request.POST:
        if not as_of_form.errors:
            services.health_needs_start(actor=actor, as_of=as_of)
            return redirect(_here(as_of))
    elif request.method == "POST":
        if release_form is None:
            raise PermissionDenied("Only information governance release the health-needs picture")
        # A release is of the picture on the day shown; a bad date in the address releases nothing.
        if release_form.is_valid() and not as_of_form.errors:
            try:
                released = services.health_needs_release(
                    actor=actor, actor_user=request.user, agency=release_form.cleaned_data["agency"], as_of=as_of
                )
            except services.ReleaseRefused as exc:
                release_form.add_error("agency", str(exc))
            else:
                response = HttpResponse(released.content, content_type=XLSX)
                response["Content-Disposition"] = f'attachment; filename="{released.release.file_name}"'
                return response
    picture = pictures.latest(as_of)
    running = pictures.running(as_of)
    if picture is not None:
        record_event(
            actor=actor,
            action="health_needs.view",
            object_type="standard_data.HealthNeedsPicture",
            object_id=picture.as_of.isoformat(),
            object_repr=f"Health-needs picture on {picture.as_of:%d %b %Y}",
            detail={"as_of": picture.as_of.isoformat(), "threshold": picture.threshold, "computed": str(picture.pk)},
        )
    context = {
        "picture": picture,
        "running": running,
        "as_of": as_of,
        "cohorts": [label for _, label in picture_module.COHORTS],
        "as_of_form": as_of_form,
        "release_form": release_form,
        "releases": HealthNeedsRelease.objects.select_related("agency", "agreement").prefetch_related("compared_with")[
            :20
        ],
        "suppressed": picture_module.SUPPRESSED,
        "window_days": differencing.window_days(),
    }
    return render(
        request,
        "standard_data/health_needs.html",
        context,
        status=400 if as_of_form.errors or (release_form and release_form.errors) else 200,
    )


def _here(as_of: dt.date | None) -> str:
    url = reverse("standard_data:health_needs")
    return f"{url}?{urlencode({'as_of': as_of.isoformat()})}" if as_of else url
