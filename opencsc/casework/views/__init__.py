"""Casework pages. Thin: each calls a selector (access-checked, audited) or a service."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit.services import Actor
from opencsc.casework import chronology_picture, help_model, mash, selectors, services
from opencsc.casework.forms import AssignForm
from opencsc.casework.models import Task
from opencsc.casework.views.steps import STEPS, Ctx, redirect_target
from opencsc.core.http import AuthedRequest
from opencsc.people import digests
from opencsc.people.kin import summary_family_ids


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_GET
def overview(request: AuthedRequest, person_id: int) -> HttpResponse:
    if access.sees_help_only(request.user):
        return _help_only(request, person_id)
    child = selectors.get_child_for_user(
        user=request.user,
        actor=Actor.from_request(request),
        person_id=person_id,
        shown_with=summary_family_ids(request.user),  # one view event names the summary's family too
    )
    can_change = child.access.change
    # The page draws two stored digests (the summary's, the findings'): read together.
    digests.prefetch(child, [digests.SUMMARY, digests.FINDINGS] if child.is_child else [digests.SUMMARY])
    return render(
        request,
        "casework/overview.html",
        {
            "person": child,
            "o": selectors.casework_overview(child),
            "can_change": can_change,
            # Whoever may change the record may record its conferences; only a chair needs asking.
            "can_record_conference": can_change or access.can_record_conference(request.user, child.pk),
            "is_manager": access.can_allocate(request.user),
            "can_work_help": can_change or access.can_work_family_help(request.user, child.pk),
            "help_name": help_model.help_name(),
        },
    )


def _help_only(request: AuthedRequest, person_id: int) -> HttpResponse:
    """A partner lead practitioner's casework page: the family's help and nothing of the statutory
    record. The read is audited as `casework.view` with purpose "family help (partner lead)"."""
    child = selectors.get_child_for_user(
        user=request.user, actor=Actor.from_request(request), person_id=person_id, purpose="family help (partner lead)"
    )
    return render(
        request,
        "casework/help_only.html",
        {
            "person": child,
            "o": selectors.help_overview(child),
            "can_change": False,
            "can_work_help": access.can_work_family_help(request.user, child.pk),
            "help_name": help_model.help_name(),
        },
    )


def _refuse_help_only(request: AuthedRequest, person_id: int, purpose: str) -> None:
    """The statutory pages (chronology, case notes) are not part of a partner lead's reduced view:
    the same audited 404 as a record they may not see."""
    if access.sees_help_only(request.user):
        raise selectors.refuse(Actor.from_request(request), person_id, purpose)


@login_required
@require_GET
def chronology(request: AuthedRequest, person_id: int) -> HttpResponse:
    _refuse_help_only(request, person_id, "chronology")
    child = selectors.get_child_for_user(
        user=request.user, actor=Actor.from_request(request), person_id=person_id, purpose="chronology"
    )
    items = selectors.chronology(child)
    return render(
        request,
        "casework/chronology.html",
        {
            "person": child,
            "items": items,
            "picture": chronology_picture.draw(child, items, today=timezone.localdate()),
            "can_change": child.access.change,
        },
    )


@login_required
@require_GET
def notes(request: AuthedRequest, person_id: int) -> HttpResponse:
    _refuse_help_only(request, person_id, "case notes")
    child = selectors.get_child_for_user(
        user=request.user, actor=Actor.from_request(request), person_id=person_id, purpose="case notes"
    )
    notes = selectors.notes_page(child, page=request.GET.get("page"))
    return render(
        request,
        "casework/notes.html",
        {
            "person": child,
            "notes": notes,
            "page_range": list(notes.paginator.get_elided_page_range(notes.number, on_each_side=2, on_ends=1)),
            "can_change": child.access.change,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step(request: AuthedRequest, person_id: int, slug: str, obj_id: int | None = None) -> HttpResponse:
    spec = STEPS.get(slug)
    if spec is None:
        raise Http404
    actor = Actor.from_request(request)
    child = selectors.get_child_for_change(user=request.user, actor=actor, person_id=person_id, may=spec.may)
    if spec.roles and request.user.role not in spec.roles:
        raise PermissionDenied
    ctx = Ctx(user=request.user, actor=actor, child=child)
    if spec.model is not None:
        if obj_id is None:
            raise Http404
        ctx.obj = selectors.get_for_child(spec.model, child=child, pk=obj_id)
    if spec.needs_episode and ctx.episode is None:
        messages.error(request, "Open a referral for this child first")
        return redirect("casework:overview", person_id=child.pk)
    form = spec.form(request.POST or None, initial=spec.initial(ctx))
    spec.prepare(ctx, form)
    panel = spec.panel(ctx) if spec.panel is not None else None
    if request.method == "POST" and form.is_valid():
        try:
            result = spec.run(ctx, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, spec.done)
            name, target = redirect_target(slug, result, child)
            if not access.can_view_person(request.user, target):
                # Front-door staff no longer hold a child once the contact is decided.
                return redirect("casework:front_door" if mash.can_use_queue(request.user) else "casework:tray")
            return redirect(name, person_id=target)
    selectors.record_child_read(actor=actor, child=child, purpose=f"{slug} form")
    return render(
        request,
        "casework/step_form.html",
        {
            "form": form,
            "person": child,
            "step": spec,
            "intro": spec.intro(ctx),
            "panel": panel,
        },
    )


@login_required
@require_GET
def tray(request: AuthedRequest) -> HttpResponse:
    data = selectors.tray_for_user(user=request.user, actor=Actor.from_request(request))
    members: list[User] = []
    if access.can_allocate(request.user):
        members = list(_team_members(request.user).order_by("last_name"))
    return render(
        request,
        "casework/tray.html",
        {"tray": data, "members": members, "can_allocate": access.can_allocate(request.user)},
    )


def _team_members(manager: User) -> QuerySet[User]:
    """The active members of the manager's own team and the teams they manage (who work can go to)."""
    team_ids = [*manager.managed_teams.values_list("pk", flat=True), manager.team_id]
    return User.objects.filter(team_id__in=team_ids, is_active=True)


def _task_for(request: AuthedRequest, task_id: int) -> Task:
    task = Task.objects.filter(pk=task_id, person__in=access.visible_persons(request.user)).first()
    if task is None:
        raise Http404
    return task


@login_required
@require_POST
def tray_assign(request: AuthedRequest) -> HttpResponse:
    if not access.can_allocate(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    cast(forms.ModelChoiceField, form.fields["assignee"]).queryset = _team_members(request.user)
    if not form.is_valid():
        messages.error(request, "Select who to allocate the task to")
        return redirect("casework:tray")
    task = _task_for(request, form.cleaned_data["task"])
    try:
        services.task_assign(
            actor_user=request.user,
            actor=Actor.from_request(request),
            task=task,
            assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Task allocated to {form.cleaned_data['assignee']}")
    return redirect("casework:tray")


@login_required
@require_POST
def tray_done(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = _task_for(request, task_id)
    services.task_complete(actor_user=request.user, actor=Actor.from_request(request), task=task)
    messages.success(request, "Task marked done")
    return redirect("casework:tray")
