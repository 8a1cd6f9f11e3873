"""The services catalogue: family centres, parenting programmes, contact centres, youth services and
substance-misuse services, in-house or commissioned. Council staff read it; team managers and system
administrators keep it (`access.can_manage_services`). It holds no person's data; every change is
audited by `services.service_catalogue_save`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.forms import ServiceCatalogueForm
from opencsc.casework.models import Service
from opencsc.core.http import AuthedRequest


@login_required
@require_GET
def catalogue(request: AuthedRequest) -> HttpResponse:
    if not access.can_view_services(request.user):
        raise PermissionDenied
    rows = list(Service.objects.select_related("provider_agency").order_by("-active", "kind", "name"))
    return render(
        request,
        "casework/services_catalogue.html",
        {"services": rows, "can_manage": access.can_manage_services(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: AuthedRequest, service_id: int | None = None) -> HttpResponse:
    if not access.can_manage_services(request.user):
        raise PermissionDenied
    service = get_object_or_404(Service, pk=service_id) if service_id is not None else None
    initial: dict[str, object] = {"active": "yes", "commissioned": "no"}
    if service is not None:
        initial = {
            "name": service.name,
            "kind": service.kind,
            "commissioned": "yes" if service.commissioned else "no",
            "provider_agency": service.provider_agency_id,
            "provider": "" if service.commissioned else service.provider,
            "description": service.description,
            "active": "yes" if service.active else "no",
        }
    form = ServiceCatalogueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.service_catalogue_save(
                actor_user=request.user, actor=Actor.from_request(request), service=service, **form.cleaned_data
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"{saved.name} saved in the services catalogue")
            return redirect("casework:services")
    return render(request, "casework/service_form.html", {"form": form, "service": service})
