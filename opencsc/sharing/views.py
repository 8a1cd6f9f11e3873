"""Sharing pages. Thin: person pages get the person through `sharing.selectors` (access-checked and
audited; out of scope and missing both 404), writes go through `sharing.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.core.categories import DataCategory
from opencsc.privacy.models import Purpose
from opencsc.sharing import portal_selectors, rules, selectors, services
from opencsc.sharing.forms import (
    AgencyContactForm,
    AgencyForm,
    AgreementForm,
    DecisionForm,
    RequestForm,
    ShareItemsForm,
    ShareStartForm,
)
from opencsc.sharing.items import Item, disclosable_items
from opencsc.sharing.models import Agency, AgencyContact, SharingAgreement
from opencsc.sharing.rules import SharingRefused


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _refusal(form: forms.BaseForm, exc: SharingRefused) -> None:
    for reason in exc.reasons:
        form.add_error(None, f"This cannot be shared: {reason}")


# --- The child's disclosure log ------------------------------------------------------------------


@login_required
@require_GET
def disclosure_log(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person, disclosures = selectors.disclosure_log(user=request.user, actor=actor, person_id=person_id)
    shared_views, portal_checks = portal_selectors.portal_for_person(person.pk)
    return render(
        request,
        "sharing/disclosure_log.html",
        {
            "person": person,
            "disclosures": disclosures,
            "requests": selectors.requests_for_person(person),
            "can_share": access.can_change_person(request.user, person.pk),
            "shared_views": shared_views,
            "portal_checks": portal_checks,
        },
    )


@login_required
@require_GET
def disclosure_detail(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    disclosure = selectors.get_disclosure_for_user(
        user=request.user, actor=Actor.from_request(request), disclosure_id=disclosure_id
    )
    link_live = disclosure.kind != "transfer" and disclosure.disclosed_by_id == request.user.pk
    return render(
        request,
        "sharing/disclosure_detail.html",
        {
            "disclosure": disclosure,
            "pack_url": reverse("sharing:pack", args=[selectors.pack_token(disclosure)]) if link_live else "",
            "expires_at": selectors.pack_expires_at(disclosure),
            "can_deliver_view": disclosure.kind == "share"
            and not hasattr(disclosure, "shared_view")
            and access.can_change_person(request.user, disclosure.person_id),
        },
    )


# --- Sharing under an agreement ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def share_start(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_to_share(user=request.user, actor=actor, person_id=person_id, purpose="share")
    form = ShareStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency, purpose = form.cleaned_data["agency"], form.cleaned_data["purpose"]
        decision = rules.evaluate(agency=agency, purpose=purpose)
        if decision.agreement is None and decision.reasons:
            _refusal(form, SharingRefused(decision.reasons))
        else:
            url = reverse("sharing:share_items", args=[person.pk])
            return redirect(f"{url}?agency={agency.pk}&purpose={purpose.pk}")
    return render(request, "sharing/share_start.html", {"person": person, "form": form})


def _grouped(items_by_category: dict[DataCategory, list[Item]], allowed: set[DataCategory]) -> list[Any]:
    return [(category, items) for category, items in items_by_category.items() if category in allowed]


@login_required
@require_http_methods(["GET", "POST"])
def share_items(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_to_share(user=request.user, actor=actor, person_id=person_id, purpose="share")
    agency_id, purpose_id = _int(request.GET.get("agency")), _int(request.GET.get("purpose"))
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first() if agency_id else None
    purpose = Purpose.objects.filter(pk=purpose_id).first() if purpose_id else None
    if agency is None or purpose is None:
        return redirect("sharing:share_start", person_id=person.pk)
    decision = rules.evaluate(agency=agency, purpose=purpose)
    allowed = set(decision.allowed_categories) if decision.agreement else set()
    groups = _grouped(disclosable_items(person), allowed)
    items = [item for _, group in groups for item in group]
    form = ShareItemsForm(request.POST or None, items=items, initial={"channel": agency.channel})
    if decision.agreement is None:
        _refusal(form, SharingRefused(decision.reasons))
    elif request.method == "POST" and form.is_valid():
        try:
            disclosure = services.disclosure_share(
                actor_user=request.user,
                actor=actor,
                person=person,
                agency=agency,
                purpose=purpose,
                item_keys=form.cleaned_data["items"],
                consent=form.cleaned_data["consent"],
                consent_detail=form.cleaned_data["consent_detail"],
                channel=form.cleaned_data.get("channel") or "",
            )
        except SharingRefused as exc:
            _refusal(form, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Disclosure {disclosure.reference} recorded. Send the pack to {agency}.")
            return redirect("sharing:disclosure", disclosure_id=disclosure.pk)
    withheld = sorted(c.label for c in disclosable_items(person) if c not in allowed)
    return render(
        request,
        "sharing/share_items.html",
        {
            "person": person,
            "form": form,
            "agency": agency,
            "purpose": purpose,
            "decision": decision,
            "groups": groups,
            "chosen": set(form["items"].value() or []),
            "withheld": withheld,
        },
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def pack(request: HttpRequest, token: str) -> HttpResponse:
    try:
        opened = selectors.open_pack(user=request.user, actor=Actor.from_request(request), token=token)
    except selectors.PackUnavailable as exc:
        return render(request, "sharing/pack_unavailable.html", {"reason": str(exc)}, status=410)
    context = {"pack": opened, "disclosure": opened.disclosure}
    if request.GET.get("download") == "1":
        response = render(request, "sharing/pack_file.html", context)
        response["Content-Disposition"] = f'attachment; filename="disclosure-{opened.disclosure.reference}.html"'
        return response
    return render(request, "sharing/pack.html", context)


# --- Third-party requests --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_to_share(user=request.user, actor=actor, person_id=person_id, purpose="request")
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            logged = services.request_log(actor_user=request.user, actor=actor, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Request {logged.reference} logged. Information governance will decide it.")
            return redirect("sharing:disclosure_log", person_id=person.pk)
    return render(request, "sharing/request_form.html", {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_reply(request: HttpRequest, person_id: int, request_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    third_party = selectors.get_request_to_reply(
        user=request.user, actor=actor, person_id=person_id, request_id=request_id
    )
    person = third_party.person
    released = {DataCategory(code) for code in third_party.categories.values_list("code", flat=True)}
    groups = _grouped(disclosable_items(person), released)
    form = ShareItemsForm(request.POST or None, items=[i for _, g in groups for i in g], with_channel=False)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure = services.request_reply(
                actor_user=request.user,
                actor=actor,
                request=third_party,
                item_keys=form.cleaned_data["items"],
                consent=form.cleaned_data["consent"],
                consent_detail=form.cleaned_data["consent_detail"],
            )
        except SharingRefused as exc:
            _refusal(form, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Reply recorded as disclosure {disclosure.reference}")
            return redirect("sharing:disclosure", disclosure_id=disclosure.pk)
    return render(
        request,
        "sharing/request_reply.html",
        {
            "person": person,
            "third_party": third_party,
            "form": form,
            "groups": groups,
            "chosen": set(form["items"].value() or []),
        },
    )


@login_required
@require_GET
def request_queue(request: HttpRequest) -> HttpResponse:
    if not access.can_decide_disclosure_request(request.user):
        raise PermissionDenied
    return render(
        request,
        "sharing/request_queue.html",
        {"waiting": selectors.decision_queue(request.user), "decided": selectors.recent_decisions(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    third_party = selectors.get_request_for_decision(user=request.user, actor=actor, request_id=request_id)
    requested = third_party.categories.all()
    form = DecisionForm(request.POST or None, requested=requested, initial={"categories": list(requested)})
    own = third_party.logged_by_id == request.user.pk
    if request.method == "POST" and form.is_valid():
        try:
            services.request_decide(actor_user=request.user, actor=actor, request=third_party, **form.cleaned_data)
        except services.FourEyesViolation as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Decision on {third_party.reference} recorded")
            return redirect("sharing:requests")
    return render(request, "sharing/request_decide.html", {"third_party": third_party, "form": form, "own": own})


# --- Agency register and agreements (information governance edits; staff may read) -----------


@login_required
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    staff = getattr(request.user, "role", "") in access.CASEWORK_ROLES
    if not (staff or access.can_manage_sharing_register(request.user)):
        raise PermissionDenied
    return render(
        request,
        "sharing/agency_list.html",
        {
            "agencies": Agency.objects.select_related("recipient_type").prefetch_related("contacts"),
            "agreements": SharingAgreement.objects.select_related(
                "agency", "recipient_type", "lawful_basis"
            ).prefetch_related("categories", "purposes"),
            "uncovered": selectors.recipient_types_without_receivers(),
            "can_edit": access.can_manage_sharing_register(request.user),
            "today": selectors.on_date(),
        },
    )


def _require_ig(request: HttpRequest) -> None:
    if not access.can_manage_sharing_register(request.user):
        raise PermissionDenied


def _edit(
    request: HttpRequest, form_class: Any, obj: Any, stored: Any, template_title: str, many: tuple[str, ...] = ()
) -> HttpResponse | None:
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        fields = [name for name in form.cleaned_data if name not in many]
        try:
            services.register_save(
                actor_user=request.user,
                actor=Actor.from_request(request),
                obj=stored,
                changes={name: form.cleaned_data[name] for name in fields},
                many={name: list(form.cleaned_data[name]) for name in many},
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{template_title} saved")
            return None
    return render(request, "sharing/register_form.html", {"form": form, "title": template_title})


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, agency_id: int | None = None) -> HttpResponse:
    _require_ig(request)
    stored = get_object_or_404(Agency, pk=agency_id) if agency_id else Agency()
    working = Agency.objects.get(pk=agency_id) if agency_id else Agency()
    response = _edit(request, AgencyForm, working, stored, f"Agency: {stored}" if agency_id else "New agency")
    return response if response is not None else redirect("sharing:agencies")


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, agency_id: int) -> HttpResponse:
    _require_ig(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    response = _edit(
        request, AgencyContactForm, AgencyContact(agency=agency), AgencyContact(agency=agency), f"Contact at {agency}"
    )
    return response if response is not None else redirect("sharing:agencies")


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, agreement_id: int | None = None) -> HttpResponse:
    _require_ig(request)
    if agreement_id is not None and not SharingAgreement.objects.filter(pk=agreement_id).exists():
        raise Http404
    stored = SharingAgreement.objects.get(pk=agreement_id) if agreement_id else SharingAgreement()
    working = SharingAgreement.objects.get(pk=agreement_id) if agreement_id else SharingAgreement()
    title = f"Agreement {stored.reference}" if agreement_id else "New sharing agreement"
    response = _edit(request, AgreementForm, working, stored, title, many=("categories", "purposes"))
    return response if response is not None else redirect("sharing:agencies")
