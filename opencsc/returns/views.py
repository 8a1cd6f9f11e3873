"""The Returns pages: performance analysts (and information governance) build, check and download the
CIN census, the SSDA903 and Ofsted Annex A; team managers see their team's readiness.

Views are thin: the work is in `returns.build` (builders, services, jobs) and its selectors. No page
here shows a child's name: findings carry the LA child id, the rule, the field and the message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts.models import Role
from opencsc.audit.services import Actor, record_event
from opencsc.core.codelists import SUPPORTED_YEARS
from opencsc.core.forms import GovukForm
from opencsc.returns.build import jobs, services
from opencsc.returns.build.common import current_year
from opencsc.returns.build.selectors import can_use_returns, team_readiness


class BuildForm(GovukForm):
    kind = forms.ChoiceField(
        label="Return",
        choices=[(k, services.LABELS[k]) for k in services.KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the return to build"},
    )
    year = forms.ChoiceField(
        label="Collection year (CIN census and SSDA903)",
        choices=[(y, f"{y} (1 April {y[:4]} to 31 March 20{y[5:]})") for y in SUPPORTED_YEARS],
        required=False,
    )
    as_of = forms.DateField(
        label="Annex A: lists up to (YYYY-MM-DD)",
        required=False,
        help_text="The six months before this date. Leave blank for today.",
        error_messages={"invalid": "Enter the date as year-month-day, like 2026-03-31"},
    )

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return day


def _require_analyst(request: HttpRequest) -> None:
    if not can_use_returns(request.user):
        raise PermissionDenied("Only performance analysts and information governance build returns")


def _job_or_404(job_id: str) -> jobs.Job:
    job = jobs.get(job_id)
    if job is None:
        raise Http404("No such build")
    return job


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    _require_analyst(request)
    form = BuildForm(request.POST or None, initial={"year": current_year(), "kind": "cin"})
    if request.method == "POST" and form.is_valid():
        job = jobs.start(
            kind=form.cleaned_data["kind"],
            year=form.cleaned_data["year"] or current_year(),
            as_of=form.cleaned_data["as_of"],
            user=request.user,
            actor=Actor.from_request(request),
        )
        return redirect("returns:job", job_id=job.id)
    return render(request, "returns/index.html", {"form": form, "jobs": jobs.recent()})


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    _require_analyst(request)
    job = _job_or_404(job_id)
    not_checked = services.not_checked_rows(job.kind, job.extra.get("not_checked", {}))
    return render(request, "returns/job.html", {"job": job, "refresh": job.running, "not_checked": not_checked})


@login_required
@require_GET
def job_findings(request: HttpRequest, job_id: str) -> HttpResponse:
    _require_analyst(request)
    job = _job_or_404(job_id)
    if job.status != "done":
        return redirect("returns:job", job_id=job.id)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for finding in jobs.findings(job):
        grouped[finding.rule].append(finding)
    rules = sorted(
        (
            {
                "rule": rule,
                "count": len(items),
                "children": len({f.child_id for f in items}),
                "severity": items[0].severity.value,
                "message": items[0].message,
                "rows": items[:500],
                "more": max(0, len(items) - 500),
            }
            for rule, items in grouped.items()
        ),
        key=lambda r: (r["severity"] != "error", -r["count"], r["rule"]),
    )
    record_event(
        actor=Actor.from_request(request),
        action="return.check",
        object_type="returns.Return",
        object_id=job.id,
        detail={
            "kind": job.kind,
            "year": job.year,
            "viewed": True,
            "rules": len(rules),
            "person_ids": _person_ids_for_codes({f.child_id for r in rules for f in r["rows"] if f.child_id}),
        },
    )
    not_checked = services.not_checked_rows(job.kind, job.extra.get("not_checked", {}))
    return render(request, "returns/findings.html", {"job": job, "rules": rules, "not_checked": not_checked})


def _person_ids_for_codes(codes: set[str]) -> list[int]:
    """The records behind the LA child ids a page shows (a return carries the record number when a
    child has no LA child id), for the audit event: who was shown, not only how many."""
    from opencsc.people.models import Person

    numbers = [int(c) for c in codes if c.isdigit()]
    found = Person.objects.filter(Q(la_child_id__in=codes) | Q(pk__in=numbers, la_child_id=""))
    return sorted(found.values_list("pk", flat=True))


@login_required
@require_POST
def job_download(request: HttpRequest, job_id: str) -> HttpResponse:
    """The file leaves the system here: audited, and one disclosure per child is recorded."""
    _require_analyst(request)
    job = _job_or_404(job_id)
    if job.status != "done":
        raise Http404("The return is not ready")
    actor = Actor.from_request(request)
    data = jobs.payload(job)
    with transaction.atomic():  # the download event and every child's disclosure, or none of them
        _record_download(job, actor, len(data))
    job.downloads += 1
    job.save()
    response = HttpResponse(data, content_type=job.media_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


def _record_download(job: jobs.Job, actor: Actor, size: int) -> None:
    record_event(
        actor=actor,
        action="return.download",
        object_type="returns.Return",
        object_id=job.id,
        object_repr=f"{job.label} {job.period}",
        detail={"kind": job.kind, "year": job.year, "children": job.children, "bytes": size},
    )
    count, how = services.record_transfer(
        kind=job.kind,
        year=job.year,
        person_ids=jobs.person_ids(job),
        actor=actor,
        reference=f"{job.label} {job.period} (build {job.id[:8]})",
    )
    job.extra["last_transfer"] = f"{count} disclosures ({how})"


@login_required
@require_GET
def readiness(request: HttpRequest) -> HttpResponse:
    """A team manager's view: their teams' children whose records would break a DfE rule now."""
    if getattr(request.user, "role", "") != Role.TEAM_MANAGER:
        raise PermissionDenied("The readiness page is for team managers")
    year = current_year()
    children = team_readiness(request.user, year)
    record_event(
        actor=Actor.from_request(request),
        action="return.readiness_view",
        detail={
            "year": year,
            "children_with_findings": len(children),
            "person_ids": [c.person_id for c in children],
        },
    )
    return render(request, "returns/readiness.html", {"children": children, "year": year})
