"""The MASH queue: contacts waiting for a decision, and taking one (which allocates it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.casework import mash, services
from opencsc.casework.models import Contact, ContactStatus
from opencsc.core.http import AuthedRequest


@login_required
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    if not mash.can_use_queue(request.user):
        raise PermissionDenied
    items = mash.mash_queue(user=request.user, actor=Actor.from_request(request))
    return render(request, "casework/mash_queue.html", {"items": items, "limit": mash.QUEUE_LIMIT})


@login_required
@require_POST
def take(request: AuthedRequest, contact_id: int) -> HttpResponse:
    if not mash.can_use_queue(request.user):
        raise PermissionDenied
    contact = Contact.objects.select_related("child").filter(pk=contact_id).first()
    if contact is None or not access.can_change_person(request.user, contact.child_id):
        raise Http404("No such contact")
    try:
        services.contact_take(actor_user=request.user, actor=Actor.from_request(request), contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("casework:front_door")
    messages.success(request, f"You have taken the contact about {contact.child.full_name}")
    step = "triage" if contact.status == ContactStatus.RECEIVED else "decision"
    return redirect("casework:step_on", person_id=contact.child_id, slug=step, obj_id=contact.pk)
