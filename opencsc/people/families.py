"""The family groups page: see the households and wider families a person belongs to, with the members
the user may see, and (for whoever may change the record) start a group, add and remove members.
Reading is audited as a view of the person's record (purpose "family groups"); every change through
`people.services` (audited against each person it touches)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.core.forms import GovukForm
from opencsc.core.http import AuthedRequest
from opencsc.people import selectors, services
from opencsc.people.models import FamilyGroup, FamilyMembership, Person


class AddMemberForm(GovukForm):
    member = forms.ModelChoiceField(
        label="Person to add",
        queryset=Person.objects.none(),
        empty_label="Choose a relative",
        help_text="Relatives of this person. To add someone else, record them as a relative first.",
    )
    role = forms.CharField(
        label="Their role in the family",
        max_length=100,
        required=False,
        help_text="For example, mother, child, grandmother",
    )


class NewGroupForm(GovukForm):
    name = forms.CharField(
        label="Name of the family group", max_length=200, help_text="For example, Harrison household"
    )
    role = forms.CharField(label="This person's role in it", max_length=100, required=False)


def _groups(user: Any, person: Person) -> list[dict[str, Any]]:
    visible = access.visible_persons(user)
    groups = FamilyGroup.objects.filter(memberships__person=person).order_by("name", "pk").distinct()
    found = []
    for group in groups:
        members = (
            FamilyMembership.objects.filter(family=group, person__in=visible)
            .select_related("person")
            .order_by("person__date_of_birth", "pk")
        )
        found.append({"group": group, "members": list(members)})
    return found


@login_required
@require_http_methods(["GET", "POST"])
def families(request: AuthedRequest, person_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    if request.method == "POST":
        person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    else:
        person = selectors.get_person_for_user(
            user=request.user, actor=actor, person_id=person_id, purpose="family groups"
        )
    can_change = access.can_change_person(request.user, person.pk)
    new_form = NewGroupForm(request.POST or None, prefix="new")
    if request.method == "POST" and new_form.is_valid():
        try:
            services.family_create(actor_user=request.user, actor=actor, person=person, **new_form.cleaned_data)
        except ValidationError as exc:
            new_form.add_error("name", exc.message_dict.get("name", exc.messages))
        else:
            messages.success(request, "Family group started")
            return redirect("people:families", person_id=person.pk)
    groups = _groups(request.user, person)
    shown = {m.person_id for entry in groups for m in entry["members"]}
    for entry in groups:
        entry["form"] = _add_form(request, person, entry["group"], bound=False)
        if can_change:
            shown.update(entry["form"].fields["member"].queryset.values_list("pk", flat=True))
    selectors.record_people_listed(actor=actor, people_ids=sorted(shown - {person.pk}), listing="family groups")
    return render(
        request,
        "people/families.html",
        {"person": person, "groups": groups, "can_change": can_change, "form": new_form},
    )


def _candidates(user: Any, person: Person) -> Any:
    """Whom a family group may take in from this page: the person's relatives that the user may see
    (anyone else is linked as a relative first), so the picker never lists a whole caseload."""
    related = Q(relationships__relative=person) | Q(relationships_in__person=person)
    return access.visible_persons(user).filter(related).exclude(pk=person.pk).distinct()


def _add_form(request: AuthedRequest, person: Person, group: FamilyGroup, *, bound: bool) -> AddMemberForm:
    form = AddMemberForm(request.POST if bound else None, prefix=f"g{group.pk}")
    choices = _candidates(request.user, person).exclude(family_memberships__family=group).order_by("last_name")
    form.fields["member"].queryset = choices[:200]  # type: ignore[attr-defined]
    return form


@login_required
@require_POST
def family_add(request: AuthedRequest, person_id: int, family_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    group = FamilyGroup.objects.filter(pk=family_id, memberships__person=person).first()
    if group is None:
        raise Http404
    form = _add_form(request, person, group, bound=True)
    form.fields["member"].queryset = _candidates(request.user, person)  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            services.family_member_add(
                actor_user=request.user, actor=actor, family=group, subject=person, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{form.cleaned_data['member'].full_name} added to {group.name}")
    else:
        messages.error(request, "Select the person to add")
    return redirect("people:families", person_id=person.pk)


@login_required
@require_POST
def family_remove(request: AuthedRequest, person_id: int, membership_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.get_person_for_change(user=request.user, actor=actor, person_id=person_id)
    membership = (
        FamilyMembership.objects.filter(pk=membership_id, family__memberships__person=person)
        .filter(person__in=access.visible_persons(request.user))
        .select_related("person", "family")
        .first()
    )
    if membership is None:
        raise Http404
    name, group = membership.person.full_name, membership.family.name
    services.family_member_remove(actor_user=request.user, actor=actor, subject=person, membership=membership)
    messages.success(request, f"{name} taken out of {group}")
    return redirect("people:families", person_id=person.pk)
