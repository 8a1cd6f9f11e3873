"""Sign-in (password, then a TOTP second factor), second-factor set-up, sign-out, break-glass."""

from __future__ import annotations

import base64
import datetime as dt
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencsc.accounts import access, mfa, services
from opencsc.accounts.forms import BreakGlassForm, EnrolmentCodeForm, SignInForm, TokenForm
from opencsc.accounts.models import EnrolmentCode
from opencsc.audit.services import Actor, record_event
from opencsc.core.http import AuthedRequest
from opencsc.people import identifiers
from opencsc.people.models import Person
from opencsc.people.services import nhs_number_index


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if not settings.OPENCSC_REQUIRE_MFA:
            record_event(actor=Actor.from_request(self.request), action="auth.login", detail={"mfa": False})
            return response
        target = "accounts:verify" if _confirmed_device(self.request.user) else "accounts:mfa_setup"
        return redirect(f"{reverse(target)}?next={self.get_redirect_url() or '/'}")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        record_event(
            actor=Actor(
                id=None,
                name="anonymous",
                request_id=getattr(self.request, "request_id", ""),
                ip_address=self.request.META.get("REMOTE_ADDR"),
            ),
            action="auth.login_failed",
            outcome="denied",
            detail={"username": (form.data.get("username") or "")[:150]},
        )
        return super().form_invalid(form)


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthedRequest) -> HttpResponse:
    """Second step of sign-in: a TOTP code from the device set up earlier. django-otp refuses a
    code that has already been used (replay), and throttles repeated failures."""
    device = _confirmed_device(request.user)
    if device is None:
        return redirect("accounts:mfa_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            record_event(actor=Actor.from_request(request), action="auth.login", detail={"mfa": True})
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", "The security code is wrong or has expired: enter the code your app shows now")
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)})


# The session remembers which enrolment code this sign-in spent; the app must be set up within this
# many minutes of spending it, or a new code is needed.
_ENROLMENT_SESSION_KEY = "mfa_enrolment_code_id"
_ENROLMENT_MINUTES = 30


def _spent_enrolment(request: AuthedRequest) -> EnrolmentCode | None:
    code_id = request.session.get(_ENROLMENT_SESSION_KEY)
    if not code_id:
        return None
    since = timezone.now() - dt.timedelta(minutes=_ENROLMENT_MINUTES)
    return EnrolmentCode.objects.filter(pk=code_id, user=request.user, used_at__gte=since).first()


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app. A password alone reaches only the first half of this page, which
    says how to get an enrolment code and takes it: no secret, no QR code and no device exist until a
    valid code for this user has been spent in this session (`opencsc.accounts.mfa`). Then the page
    shows the QR code and secret and confirms the app with a first code."""
    if _confirmed_device(request.user):
        return redirect("accounts:verify")
    if _spent_enrolment(request) is None:
        return _enrolment_code_step(request)
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session.pop(_ENROLMENT_SESSION_KEY, None)
            record_event(actor=Actor.from_request(request), action="auth.mfa_enrolled")
            messages.success(request, "Your authenticator app is set up")
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", "That code does not match: check the time on your phone and enter the current code")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    response = render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": _qr_data_uri(device.config_url),
            "secret": secret,
            "next": _safe_next(request),
        },
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


def _enrolment_code_step(request: AuthedRequest) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spent = mfa.enrolment_code_redeem(
                actor=Actor.from_request(request), user=request.user, code=form.cleaned_data["enrolment_code"]
            )
        except ValidationError as exc:
            form.add_error("enrolment_code", exc.messages)
        else:
            request.session[_ENROLMENT_SESSION_KEY] = spent.pk
            return redirect(f"{reverse('accounts:mfa_setup')}?next={_safe_next(request)}")
    return render(
        request,
        "accounts/mfa_enrol.html",
        {"form": form, "next": _safe_next(request), "hours": settings.OPENCSC_MFA_ENROLMENT_HOURS},
    )


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(actor=Actor.from_request(request), action="auth.logout")
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: AuthedRequest) -> HttpResponse:
    """Emergency access to one record outside the user's caseload. Found only by an exact identifier,
    needs a reason, lasts a limited time, and alerts information governance."""
    if request.user.role not in access.BREAK_GLASS_ROLES:
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = _find_by_identifier(form.cleaned_data["identifier"])
        if person is None or not access.can_break_glass(request.user, person):
            form.add_error("identifier", "No record you can open in an emergency has that LA child id or NHS number")
        else:
            try:
                services.break_glass_open(
                    user=request.user,
                    actor=Actor.from_request(request),
                    person=person,
                    reason_category=form.cleaned_data["reason_category"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                minutes = settings.OPENCSC_BREAK_GLASS_MINUTES
                messages.success(
                    request,
                    f"Emergency access granted for {minutes // 60} hours. Information governance has been told.",
                )
                return redirect("people:detail", person_id=person.pk)
    return render(request, "accounts/break_glass.html", {"form": form})


def _find_by_identifier(raw: str) -> Person | None:
    value = raw.strip()
    number = identifiers.normalise_nhs_number(value)
    if number.isdigit() and len(number) == 10:
        return Person.objects.filter(nhs_number_index=nhs_number_index(number)).first()
    return Person.objects.filter(la_child_id__iexact=value).first()


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request: AuthedRequest, person_id: int) -> HttpResponse:
    """A team manager allocates a child to a team and worker."""
    from opencsc.accounts.forms import AllocateForm
    from opencsc.accounts.models import Allocation, Team, TeamKind, User
    from opencsc.people.selectors import get_person_for_change, record_person_read, refuse_person

    actor = Actor.from_request(request)
    # The person check first, and a refusal on role audited like any other: an attempt at a record
    # through this page is an attempt at the record.
    person = get_person_for_change(user=request.user, actor=actor, person_id=person_id, purpose="allocate")
    if not access.can_allocate(request.user):
        raise refuse_person(actor=actor, person_id=person_id, purpose="allocate")
    casework_kinds = [
        TeamKind.FRONT_DOOR,
        TeamKind.ASSESSMENT,
        TeamKind.FAMILY_SUPPORT,
        TeamKind.CHILDREN_IN_CARE,
        TeamKind.LEAVING_CARE,
    ]
    teams = Team.objects.filter(kind__in=casework_kinds)
    workers = User.objects.filter(team__in=teams, is_active=True, role__in=list(access.CAN_EDIT_ROLES)).select_related(
        "team"
    )
    form = AllocateForm(request.POST or None, teams=teams, workers=workers.order_by("last_name"))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_reallocate(
                actor_user=request.user,
                actor=actor,
                person=person,
                team=form.cleaned_data["team"],
                worker=form.cleaned_data["worker"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The allocation has been changed")
            return redirect("people:detail", person_id=person.pk)
    current = Allocation.objects.current().filter(person=person).select_related("team", "worker")
    record_person_read(actor=actor, person=person, purpose="allocation page")
    return render(request, "accounts/allocate.html", {"form": form, "person": person, "current": current})


@login_required
@require_http_methods(["GET", "POST"])
def restricted(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Team managers (for records in their scope) restrict a record and name who may see it."""
    from opencsc.accounts.forms import RestrictedForm
    from opencsc.accounts.models import RestrictedAccess, User
    from opencsc.people.selectors import get_person_for_change, record_person_read, refuse_person

    actor = Actor.from_request(request)
    person = get_person_for_change(user=request.user, actor=actor, person_id=person_id, purpose="restrict")
    if not access.can_manage_restricted(request.user):
        raise refuse_person(actor=actor, person_id=person_id, purpose="restrict")
    form = RestrictedForm(request.POST or None, initial={"restricted": person.is_restricted})
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["add_user"].strip()
        named = User.objects.filter(username=username, is_active=True).first() if username else None
        if username and named is None:
            form.add_error("add_user", "There is no active user with that username: check the spelling")
        else:
            if named is not None:
                services.restricted_grant(actor_user=request.user, actor=actor, person=person, user=named)
            if form.cleaned_data["restricted"] != person.is_restricted:
                if form.cleaned_data["restricted"]:  # whoever restricts it stays able to see it
                    services.restricted_grant(actor_user=request.user, actor=actor, person=person, user=request.user)
                services.person_set_restricted(
                    actor_user=request.user, actor=actor, person=person, restricted=form.cleaned_data["restricted"]
                )
            messages.success(request, "Access to this record has been updated")
            return redirect("people:detail", person_id=person.pk)
    names = RestrictedAccess.objects.filter(person=person).select_related("user")
    record_person_read(actor=actor, person=person, purpose="restriction page")
    return render(request, "accounts/restricted.html", {"form": form, "person": person, "names": names})
