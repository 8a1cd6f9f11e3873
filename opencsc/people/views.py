"""Person search, the record page, and the forms that change a record. Thin: each calls a selector
or a service, which check access and write the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.core.http import AuthedRequest
from opencsc.people import selectors, services
from opencsc.people.forms import PERSON_FIELDS, NotAMatchForm, PersonForm, SearchForm, part_form_class
from opencsc.people.kin import summary_family_ids, visible_among
from opencsc.people.matching.merge import merged_into
from opencsc.people.matching.service import MatchQuery, match_for_user
from opencsc.people.parts import PART_KINDS
from opencsc.people.presenters import record_sections


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _criteria(data: dict[str, Any]) -> selectors.SearchCriteria:
    return selectors.SearchCriteria(
        name=data["name"] or "",
        date_of_birth=data["date_of_birth"],
        nhs_number=data["nhs_number"] or "",
        la_child_id=data["la_child_id"] or "",
        postcode=data.get("postcode") or "",
    )


@login_required
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    """Find a person: the name-prefix search and, beside it, the matcher's likely matches (the same
    list the page fetches as the user types, `match_as_you_type`). One audit event per search."""
    form = SearchForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = selectors.search_persons(
            user=request.user,
            actor=Actor.from_request(request),
            criteria=_criteria(form.cleaned_data),
            with_matches=True,
        )
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "result": result,
            "can_create": access.can_create_person(request.user),
            "can_break_glass": _can_break_glass(request),
        },
    )


@login_required
@require_GET
def match_as_you_type(request: AuthedRequest) -> HttpResponse:
    """The likely-matches panel alone, for the script that refreshes it as the user types (the page
    works without it: the same panel comes with the results on submit). Audited as a search, once
    per request; nothing is looked up, or audited, until there is enough to go on."""
    form = SearchForm(request.GET or None)
    matches = None
    if request.GET and form.is_valid():
        query = _criteria(form.cleaned_data).match_query()
        if query.is_enough():
            matches = match_for_user(user=request.user, actor=Actor.from_request(request), query=query)
    return render(request, "people/_matches.html", {"matches": matches, "can_break_glass": _can_break_glass(request)})


def _can_break_glass(request: AuthedRequest) -> bool:
    return request.user.role in access.BREAK_GLASS_ROLES


@login_required
@require_GET
def detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    # A record merged into another is an alias: it opens the surviving record, for those who may see it
    # (anyone else gets the same 404, audited, as for any record they may not see).
    if (survivor := merged_into(person_id)) is not None and access.can_view_person(request.user, survivor):
        return redirect("people:detail", person_id=survivor)
    summary_family = summary_family_ids(request.user)
    person = selectors.get_person_for_user(
        user=request.user,
        actor=Actor.from_request(request),
        person_id=person_id,
        # The relatives the record names and the family its summary shows, in one view event.
        shown_with=lambda shown: [*selectors.relatives_shown(shown), *summary_family(shown)],
    )
    can_change = person.access.change
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "sections": record_sections(
                person,
                can_change=can_change,
                visible=lambda ids: visible_among(request.user, person, ids),
                categories=person.categories,
            ),
            # A partner lead practitioner's record: their categories, the help, no statutory detail.
            "help_lead": person.categories is not None,
            "can_change": can_change,
            "can_allocate": can_change and access.can_allocate(request.user),
            "can_restrict": can_change and access.can_manage_restricted(request.user),
            "open_section": request.GET.get("open", ""),
        },
    )


def _match_query(data: dict[str, Any]) -> MatchQuery:
    return MatchQuery(
        first_name=data.get("first_name") or "",
        surname=data.get("last_name") or "",
        other_names=data.get("preferred_name") or "",
        sex=data.get("sex") or "",
        date_of_birth=data.get("date_of_birth") or data.get("expected_date_of_birth"),
        nhs_number=data.get("nhs_number") or "",
        la_child_id=data.get("la_child_id") or "",
        upn=data.get("upn") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    """Add a new person (the start of a contact about someone not yet on the record). On save the
    matcher runs first (audited as a search): while a certain match exists, the person is added
    only if the practitioner confirms they are someone else and says why (`NotAMatchForm`)."""
    if not access.can_create_person(request.user):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    confirm = NotAMatchForm(request.POST or None, prefix="match")
    matches = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PERSON_FIELDS}
        actor = Actor.from_request(request)
        try:
            services.person_check(dict(data))
        except ValidationError as exc:
            _apply_errors(form, exc)
            return render(request, "people/person_form.html", {"form": form, "creating": True})
        matches = match_for_user(user=request.user, actor=actor, query=_match_query(data), limit=5)
        reason = ""
        if matches.certain_exists:
            if not request.POST.get("match-shown"):
                form.add_error(None, "This person may already be known: check the certain match below")
            elif not confirm.is_valid():
                for errors in confirm.errors.values():
                    form.add_error(None, errors)
            else:
                reason = confirm.cleaned_data["reason"]
        if not form.errors:
            try:
                person = services.person_create(
                    actor_user=request.user, actor=actor, data=data, not_a_match_reason=reason
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"{person.full_name} has been added and allocated to you")
                return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "creating": True,
            "matches": matches,
            "confirm": confirm if matches and matches.certain_exists else None,
            "can_break_glass": _can_break_glass(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    form = PersonForm(request.POST or None, instance=person, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in PERSON_FIELDS}
        try:
            services.person_update(
                actor_user=request.user,
                actor=actor,
                person=person,
                changes=changes,
                expected_version=form.cleaned_data["version"] or person.version,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except services.EditConflict:
            form.add_error(
                None,
                "Someone else changed this record while you were editing it. "
                "Open the record again to see their changes, then make yours.",
            )
        else:
            messages.success(request, "The record has been updated")
            return redirect("people:detail", person_id=person.pk)
    selectors.record_person_read(actor=actor, person=person, purpose="change form")
    return render(request, "people/person_form.html", {"form": form, "person": person, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def add_part(request: AuthedRequest, person_id: int, kind: str) -> HttpResponse:
    part_kind = PART_KINDS.get(kind)
    if part_kind is None:
        raise Http404
    actor = Actor.from_request(request)
    person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    form = part_form_class(part_kind)(request.POST or None)
    if isinstance(relative := form.fields.get("relative"), forms.ModelChoiceField):
        relative.queryset = access.visible_persons(request.user).exclude(pk=person.pk).order_by("last_name")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in part_kind.fields}
        try:
            services.part_add(actor_user=request.user, actor=actor, person=person, model=part_kind.model, data=data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{part_kind.title} added")
            return redirect(f"/people/{person.pk}/?open={part_kind.category.value}#{part_kind.category.value}")
    choices = relative.queryset if isinstance(relative, forms.ModelChoiceField) else None
    listed = choices.values_list("pk", flat=True) if choices is not None else []
    selectors.record_person_read(actor=actor, person=person, purpose=f"add {kind} form", also_shown=listed)
    return render(request, "people/part_form.html", {"form": form, "person": person, "kind": part_kind})


@login_required
@require_http_methods(["GET", "POST"])
def remove_part(request: AuthedRequest, person_id: int, kind: str, part_id: int) -> HttpResponse:
    part_kind = PART_KINDS.get(kind)
    if part_kind is None:
        raise Http404
    actor = Actor.from_request(request)
    person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    part = part_kind.model._default_manager.filter(pk=part_id, person=person).first()
    if part is None:
        raise Http404
    if request.method == "POST":
        services.part_remove(actor_user=request.user, actor=actor, part=part)
        messages.success(request, f"{part_kind.title} removed")
        return redirect("people:detail", person_id=person.pk)
    selectors.record_person_read(actor=actor, person=person, purpose=f"remove {kind} confirmation")
    return render(request, "people/part_remove.html", {"person": person, "kind": part_kind, "part": part})
