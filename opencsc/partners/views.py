"""The partner portal's pages (ADR 0029): a partner-agency practitioner's own organisation's MASH
checks (read the question and the child's details as disclosed, answer) and the views shared with
the organisation. Interface only: every read is `sharing.portal_selectors` (scoped to the user's
organisation, audited; anything else is the same 404) and every write `sharing.portal_services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit.services import Actor
from opencsc.casework import selectors as casework_selectors
from opencsc.core.http import AuthedRequest
from opencsc.documents import http as document_http
from opencsc.documents import selectors as document_selectors
from opencsc.documents import services as document_services
from opencsc.documents.sniff import DocumentRefused, sniff
from opencsc.partners.forms import AnswerWithDocumentForm, ReferralWithDocumentForm
from opencsc.partners.uploads import bounded_upload, show_file_error, upload_error
from opencsc.sharing import portal_selectors, portal_services
from opencsc.sharing.models import CheckStatus, PartnerMembership
from opencsc.sharing.portal_forms import PartnerUserForm
from opencsc.sharing.portal_selectors import PartnerCaller


def _partner_only(request: HttpRequest) -> None:
    if not access.is_partner(request.user):
        raise PermissionDenied


def _partner(request: HttpRequest) -> tuple[PartnerCaller | None, Actor]:
    """The organisation scope of every portal page: partners only (anyone else: 403), the user's
    organisation as the caller the selectors filter by (None: bound to none, reaches nothing), and
    the actor the audit events name."""
    _partner_only(request)
    return portal_selectors.caller_for_user(request.user), Actor.from_request(request)


@login_required
@require_GET
def portal(request: AuthedRequest) -> HttpResponse:
    caller, actor = _partner(request)
    waiting, answered = portal_selectors.checks_for_partner(caller=caller, actor=actor)
    return render(
        request,
        "partners/portal.html",
        {
            "agency": caller.agency if caller else None,
            "waiting": waiting,
            "answered": answered,
            "views": portal_selectors.views_for_partner(caller=caller, actor=actor),
            "referrals": portal_selectors.referrals_for_partner(caller=caller, actor=actor),
            "families": casework_selectors.families_led_by(user=request.user, actor=actor),
            "is_org_admin": caller is not None
            and PartnerMembership.objects.filter(user=request.user, is_org_admin=True).exists(),
        },
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _file_of(form: Any, caller: PartnerCaller | None, actor: Actor) -> tuple[bytes, str] | None:
    """The attached file's bytes and name (None: no file); after a refusal, a form error, the refusal
    audited and DocumentRefused raised (checked before anything is written, so nothing is left)."""
    upload = form.cleaned_data.get("file")
    if upload is None:
        return None
    data = upload.read()
    try:
        sniff(data, name=upload.name or "")
    except DocumentRefused as exc:
        document_services.refuse(actor=actor, caller=caller, reason=str(exc), size=len(data))
        form.add_error("file", str(exc))
        raise
    return data, upload.name or ""


@bounded_upload
@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, check_id: int) -> HttpResponse:
    caller, actor = _partner(request)
    found = portal_selectors.get_check_for_partner(caller=caller, actor=actor, check_id=check_id)
    form = AnswerWithDocumentForm(request.POST or None, request.FILES or None)
    if refused := upload_error(request):
        show_file_error(form, refused)
    elif request.method == "POST" and found.request.status == CheckStatus.SENT and form.is_valid():
        try:
            attached = _file_of(form, caller, actor)
            with transaction.atomic():
                portal_services.check_answer(
                    actor_user=request.user, actor=actor, request=found.request, summary=form.cleaned_data["summary"]
                )
                if attached is not None and caller is not None:
                    document_services.document_attach(
                        caller=caller, actor=actor, data=attached[0], filename=attached[1], check_request=found.request
                    )
        except DocumentRefused:
            pass
        except PermissionDenied as exc:
            raise Http404("Not found") from exc
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Your answer to {found.request.reference} has been sent to the front door")
            return redirect("partners:portal")
    documents = document_selectors.documents_sent(caller=caller, check_request_id=check_id) if caller else []
    status = 413 if getattr(request, "upload_refused", "") else 200
    context = {"found": found, "c": found.request, "form": form, "documents": documents}
    return render(request, "partners/check.html", context, status=status)


@login_required
@require_GET
def shared_view(request: HttpRequest, view_id: int) -> HttpResponse:
    caller, actor = _partner(request)
    opened = portal_selectors.open_view(caller=caller, actor=actor, view_id=view_id)
    status = 410 if opened.shown.unavailable else 200
    return render(request, "partners/view.html", {"opened": opened, "v": opened.view}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: AuthedRequest) -> HttpResponse:
    """The organisation's administrator: their organisation's portal users, add one, disable one."""
    _partner_only(request)
    actor = Actor.from_request(request)
    found = portal_selectors.organisation_members(user=request.user, actor=actor)
    if found is None:
        raise PermissionDenied
    agency, memberships = found
    form = PartnerUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = portal_services.partner_user_create(
                actor=actor,
                added_by=request.user,
                agency=agency,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"{added.get_full_name()} added as {added.username}. Ask the council's system administrators for "
                "their enrolment code: they need it to set up their authenticator app.",
            )
            return redirect("partners:members")
    return render(request, "partners/members.html", {"agency": agency, "memberships": memberships, "form": form})


@login_required
@require_POST
def member_disable(request: AuthedRequest, user_id: int) -> HttpResponse:
    _partner_only(request)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("Not found")
    try:
        portal_services.partner_user_disable(actor=Actor.from_request(request), disabled_by=request.user, user=user)
    except PermissionDenied as exc:
        raise Http404("Not found") from exc
    messages.success(request, f"{user.get_full_name() or user.username} can no longer sign in")
    return redirect("partners:members")


@bounded_upload
@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthedRequest) -> HttpResponse:
    """A request for support (the multi-agency referral form): it reaches the MASH queue as a contact,
    with a document if one is attached (both or neither)."""
    caller, actor = _partner(request)
    if caller is None:
        raise PermissionDenied
    initial = {"referrer_name": request.user.get_full_name(), "referrer_email": request.user.email}
    form = ReferralWithDocumentForm(request.POST or None, request.FILES or None, initial=initial)
    if refused := upload_error(request):
        show_file_error(form, refused)
    elif request.method == "POST" and form.is_valid():
        try:
            attached = _file_of(form, caller, actor)
            with transaction.atomic():
                referral = portal_services.partner_referral_submit(
                    caller=caller, actor=actor, data=form.data_for_service()
                )
                if attached is not None:
                    document_services.document_attach(
                        caller=caller, actor=actor, data=attached[0], filename=attached[1], referral=referral
                    )
        except DocumentRefused:
            pass
        except PermissionDenied as exc:
            raise Http404("Not found") from exc
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Request for support {referral.reference} sent to the front door. They decide what happens next "
                "within one working day; the outcome will show here.",
            )
            return redirect("partners:referral", referral_id=referral.pk)
    status = 413 if getattr(request, "upload_refused", "") else 200
    return render(request, "partners/referral_new.html", {"form": form, "agency": caller.agency}, status=status)


@login_required
@require_GET
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    caller, actor = _partner(request)
    found = portal_selectors.get_referral_for_partner(caller=caller, actor=actor, referral_id=referral_id)
    documents = document_selectors.documents_sent(caller=caller, referral_id=referral_id) if caller else []
    return render(request, "partners/referral.html", {"found": found, "r": found.referral, "documents": documents})


@login_required
@require_GET
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """A document the user's organisation sent (another organisation's: 404, audited)."""
    caller, actor = _partner(request)
    found, data = document_selectors.get_document_for_partner(caller=caller, actor=actor, document_id=document_id)
    return document_http.download(found, data)
