"""System administrators' pages for the second factor: issue enrolment codes, and remove a user's
authenticator app with four eyes (one asks, a different one approves). No case data here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencsc.accounts import access, mfa
from opencsc.accounts.forms import DeviceResetForm
from opencsc.accounts.models import DeviceResetRequest, EnrolmentCode, User
from opencsc.audit.services import Actor, record_event
from opencsc.core.http import AuthedRequest

PAGE_SIZE = 200


def _require_admin(request: AuthedRequest) -> None:
    if not access.can_manage_sign_in(request.user):
        raise PermissionDenied


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    """Every active user with the state of their second factor, and the removals waiting for a
    second administrator."""
    _require_admin(request)
    query = (request.GET.get("q") or "").strip()[:150]
    users = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .annotate(
            has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            code_waiting=Exists(
                EnrolmentCode.objects.filter(
                    user=OuterRef("pk"), used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
                )
            ),
        )
        .order_by("username")
    )
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    pending = DeviceResetRequest.objects.filter(status=DeviceResetRequest.Status.PENDING).select_related(
        "user", "requested_by"
    )
    record_event(actor=Actor.from_request(request), action="auth.mfa_admin_view", detail={"query": query})
    shown = list(users[: PAGE_SIZE + 1])
    return render(
        request,
        "accounts/sign_in_admin.html",
        {"users": shown[:PAGE_SIZE], "more": len(shown) > PAGE_SIZE, "query": query, "pending": pending},
    )


@login_required
@require_POST
def issue_code(request: AuthedRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    target = get_object_or_404(User, pk=user_id)
    try:
        code = mfa.enrolment_code_issue(actor=Actor.from_request(request), issued_by=request.user, user=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:sign_in_admin")
    response = render(
        request,
        "accounts/enrolment_code_issued.html",
        {
            "target": target,
            "code": code,
            "expires_at": EnrolmentCode.objects.filter(user=target).order_by("-issued_at").first().expires_at,  # type: ignore[union-attr]
        },
    )
    patch_cache_control(response, no_store=True, private=True)  # shown once: never from a cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def reset_request(request: AuthedRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    target = get_object_or_404(User, pk=user_id)
    form = DeviceResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.device_reset_request(
                actor=Actor.from_request(request),
                requested_by=request.user,
                user=target,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, f"Removal asked for. A different administrator must approve it before {target} is affected."
            )
            return redirect("accounts:sign_in_admin")
    return render(request, "accounts/device_reset_request.html", {"form": form, "target": target})


@login_required
@require_POST
def reset_decide(request: AuthedRequest, request_id: int) -> HttpResponse:
    _require_admin(request)
    reset = get_object_or_404(DeviceResetRequest, pk=request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        mfa.device_reset_decide(
            actor=Actor.from_request(request), decided_by=request.user, request=reset, approve=approve
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Approved: {reset.user}'s authenticator app was removed. Issue them an enrolment code to set up a new one."
            if approve
            else f"Declined: {reset.user}'s authenticator app was kept.",
        )
    return redirect("accounts:sign_in_admin")
