"""The council's side of the partner portal (ADR 0029): the front door sends a MASH check to a
partner organisation and follows the checks it is waiting for; a practitioner delivers a share as a
portal view that expires, and revokes it. Thin: reads through the selectors (access-checked and
audited), writes through `sharing.portal_services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.casework.models import Contact
from opencsc.sharing import portal_selectors, portal_services, selectors
from opencsc.sharing.models import CheckUrgency, SharedView
from opencsc.sharing.portal_forms import CheckSendForm, ViewCreateForm
from opencsc.sharing.rules import SharingRefused
from opencsc.sharing.views import _apply_errors, _refusal


@login_required
@require_http_methods(["GET", "POST"])
def check_send(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    contact = Contact.objects.select_related("child").filter(pk=contact_id).first()
    if contact is None or not access.can_send_partner_checks(request.user):
        raise Http404("No such contact")
    person = selectors.get_person_to_share(
        user=request.user, actor=actor, person_id=contact.child_id, purpose="partner_check"
    )
    triage = getattr(contact, "triage", None)
    initial = {"urgency": triage.rag if triage and triage.rag in CheckUrgency.values else ""}
    form = CheckSendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sent = portal_services.check_send(
                actor_user=request.user, actor=actor, contact=contact, **form.cleaned_data
            )
        except SharingRefused as exc:
            _refusal(form, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Check {sent.reference} sent to {sent.agency}. Their answer is due by {sent.due_at:%-d %B %Y %H:%M}.",
            )
            return redirect("sharing:checks_sent")
    return render(
        request,
        "sharing/portal/check_send.html",
        {"person": person, "contact": contact, "triage": triage, "form": form},
    )


@login_required
@require_GET
def checks_sent(request: HttpRequest) -> HttpResponse:
    if not access.can_send_partner_checks(request.user):
        raise PermissionDenied
    waiting = portal_selectors.checks_sent(user=request.user, actor=Actor.from_request(request))
    return render(request, "sharing/portal/checks_sent.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def view_create(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    disclosure = selectors.get_disclosure_for_user(user=request.user, actor=actor, disclosure_id=disclosure_id)
    if not access.can_change_person(request.user, disclosure.person_id):
        raise Http404("No such disclosure")
    form = ViewCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            view = portal_services.shared_view_create(
                actor_user=request.user, actor=actor, disclosure=disclosure, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{disclosure.agency} can now see {disclosure.reference} in the partner portal as {view.reference}, "
                f"until {view.expires_at:%-d %B %Y %H:%M}",
            )
            return redirect("sharing:disclosure_log", person_id=disclosure.person_id)
    return render(request, "sharing/portal/view_create.html", {"disclosure": disclosure, "form": form})


@login_required
@require_POST
def view_revoke(request: HttpRequest, view_id: int) -> HttpResponse:
    view = SharedView.objects.select_related("disclosure").filter(pk=view_id).first()
    if view is None:
        raise Http404("No such view")
    try:
        portal_services.shared_view_revoke(
            actor_user=request.user,
            actor=Actor.from_request(request),
            view=view,
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied as exc:
        raise Http404("No such view") from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{view.reference} revoked: {view.agency} can no longer open it")
    return redirect("sharing:disclosure_log", person_id=view.person_id)
