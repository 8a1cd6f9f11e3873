"""The Returns page's *Check a return from another system*: performance analysts and information
governance upload a CIN census XML file, or a set of SSDA903 CSV files, made by another system, and see
what openCSC's validation finds, per rule and per child, with each rule's message.

Nothing from the upload is kept: the files are read in memory (never past the size limit), checked
and discarded; the one trace is the `return.validate_upload` audit event. The check runs in the
request: a large council's CIN census (20,000 children, 17 MB) took 5.7 s on this project's shared
2-core machine at load 15, and the page's limit (32 MB, about 38,000 children) about 8 s
(bench/validate_upload.py), so it needs no background job; larger files go to the command.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from opencsc.audit.services import Actor
from opencsc.core.codelists import SUPPORTED_YEARS
from opencsc.core.forms import GovukForm
from opencsc.core.uploads import BoundedMemoryUploadHandler, FileRefused, read_upload, too_large_message
from opencsc.returns import checking
from opencsc.returns.build.selectors import can_use_returns

MAX_FILES = 20


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "govuk-file-upload", **(attrs or {})})


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(items) > MAX_FILES:
            raise forms.ValidationError(f"Choose at most {MAX_FILES} files")
        return [forms.FileField.clean(self, item, initial) for item in items]


class CheckForm(GovukForm):
    kind = forms.ChoiceField(
        label="Return",
        choices=[("cin", "CIN census (one XML file)"), ("903", "SSDA903 (the CSV files, one per table)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the return to check"},
    )

    year = forms.ChoiceField(
        label="Collection year",
        help_text="A CIN census says its own year (its reference date); an SSDA903 return does not.",
        choices=[("", "The year the CIN census file gives")]
        + [(y, f"{y} (1 April {y[:4]} to 31 March 20{y[5:]})") for y in SUPPORTED_YEARS],
        required=False,
    )
    return_files = MultipleFileField(
        label="Files to check",
        help_text="The CIN census XML file, or the SSDA903 CSV files (select them all at once). "
        "They are checked and then discarded: nothing is kept.",
        error_messages={"required": "Choose the file or files to check"},
    )
    previous = MultipleFileField(
        label="Last year's SSDA903 CSV files (optional)",
        help_text="For the rules that compare this year's return with last year's.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "903" and not data.get("year"):
            self.add_error("year", "Select the collection year of the SSDA903 return")
        return data


def _read(uploads: list[Any]) -> dict[str, bytes]:
    return {
        str(u.name or f"file {i + 1}"): read_upload(u, limit=checking.max_bytes(), what="a return file to check")
        for i, u in enumerate(uploads)
    }


def _check(form: CheckForm, actor: Actor) -> tuple[checking.CheckResult | None, str]:
    kind, year = form.cleaned_data["kind"], form.cleaned_data["year"] or None
    sizes = {str(u.name): int(u.size or 0) for u in form.cleaned_data["return_files"]}
    try:
        files = _read(form.cleaned_data["return_files"])
        if kind == "cin":
            if len(files) != 1:
                raise checking.CheckRefused("A CIN census is one XML file: choose only that file")
            ((name, data),) = files.items()
            result = checking.check_cin(data, name=name, year=year)
        else:
            previous = _read(form.cleaned_data["previous"]) if form.cleaned_data["previous"] else None
            result = checking.check_903(files, year=year, previous=previous)
    except FileRefused as exc:
        checking.audit_check(actor=actor, kind=kind, files=sizes, result=None, refused=str(exc))
        return None, str(exc)
    checking.audit_check(actor=actor, kind=kind, files=sizes, result=result)
    return result, ""


@csrf_exempt  # only so the upload handler can be set before the body is read: CSRF is checked below
@login_required
@require_http_methods(["GET", "POST"])
def check_upload(request: HttpRequest) -> HttpResponse:
    if not can_use_returns(request.user):
        raise PermissionDenied("Only performance analysts and information governance check returns")
    handler = BoundedMemoryUploadHandler(request, limit=checking.max_bytes())
    request.upload_handlers = [handler]  # the files stay in memory, never in a temporary file
    return _check_upload(request, handler)


def _refuse_too_large(request: HttpRequest, form: CheckForm, handler: BoundedMemoryUploadHandler) -> None:
    """A file passed the limit while it was being received: it was dropped unread."""
    name = handler.too_large[0]
    message = too_large_message(name=name, size=None, limit=handler.limit, what="a return file to check")
    form.add_error("return_files", f"The files were not checked: {message}")
    kind = str(request.POST.get("kind", ""))[:10]
    actor = Actor.from_request(request)
    checking.audit_check(actor=actor, kind=kind, files={}, result=None, refused=message)


@csrf_protect
def _check_upload(request: HttpRequest, handler: BoundedMemoryUploadHandler) -> HttpResponse:
    bound = request.method == "POST"
    form = CheckForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        initial={"kind": "cin", "year": ""},
    )
    result = None
    if bound and handler.too_large:
        form.is_valid()
        _refuse_too_large(request, form, handler)
    elif bound and form.is_valid():
        result, refused = _check(form, Actor.from_request(request))
        if refused:
            form.add_error("return_files", f"The files were not checked: {refused}")
    context: dict[str, Any] = {"form": form, "result": result}
    if result is not None:
        context |= {"rules": result.by_rule(), "children": result.by_child()[:200], "not_checked": result.not_checked}
    return render(request, "returns/check.html", context)
