"""A team manager contracts a child's case to a processor's team (ADR 0031, ADR 0032): the page over
`services.processor_case_contract` and `processor_case_end`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, TeamKind
from opencsc.audit.services import Actor
from opencsc.core import compiled
from opencsc.core.forms import GovukDateField, GovukForm
from opencsc.core.http import AuthedRequest
from opencsc.people.selectors import get_person_for_change, record_person_read, refuse_person
from opencsc.privacy import services
from opencsc.privacy.models import Processor


def processors_with_staff() -> list[Processor]:
    """Processors whose contract runs today and whose staff work in openCSC."""
    today = timezone.localdate()
    found = Processor.objects.filter(team__kind=TeamKind.PROCESSOR).select_related("team").order_by("name")
    return [p for p in found if p.is_current(today)]


def contracts_for(person_id: int) -> list[tuple[Allocation, Processor | None]]:
    """The child's contracted allocations that have not ended, each with its processor. Shown on
    every person record and rarely there: whether the child was ever contracted is asked first,
    with SQL built once per process (`core.compiled`)."""
    if compiled.first_row("privacy.ever_contracted", _ever_contracted, person_id) is None:
        return []
    today = timezone.localdate()
    rows = (
        Allocation.objects.filter(person_id=person_id, kind=AllocationKind.CONTRACTED)
        .exclude(end_date__lte=today)
        .select_related("team")
        .order_by("start_date", "pk")
    )
    by_team = {p.team_id: p for p in Processor.objects.filter(team__in=[a.team_id for a in rows])}
    return [(a, by_team.get(a.team_id)) for a in rows]


def _ever_contracted(pk: int) -> QuerySet[Any]:
    return Allocation.objects.filter(person_id=pk, kind=AllocationKind.CONTRACTED).values("pk")


class ContractForm(GovukForm):
    processor = forms.ModelChoiceField(
        label="Which processor?",
        queryset=Processor.objects.none(),
        empty_label="Select a processor",
        help_text="Only processors whose contract runs today and whose staff work in openCSC",
        error_messages={"required": "Select the processor to contract the case to"},
    )
    start_date = GovukDateField(
        label="From",
        help_text="For example, 27 3 2027. The case ends when the processor's contract ends, or when you end it here.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["processor"].queryset = Processor.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in processors_with_staff()]
        )


def _manager_person(request: AuthedRequest, person_id: int, purpose: str):  # type: ignore[no-untyped-def]
    actor = Actor.from_request(request)
    person = get_person_for_change(user=request.user, actor=actor, person_id=person_id, purpose=purpose)
    if not access.can_allocate(request.user):
        raise refuse_person(actor=actor, person_id=person_id, purpose=purpose)
    return actor, person


@login_required
@require_http_methods(["GET", "POST"])
def processor_contracts(request: AuthedRequest, person_id: int) -> HttpResponse:
    """The child's cases contracted to processors, and contracting one (team managers holding the child)."""
    actor, person = _manager_person(request, person_id, "processor contract")
    form = ContractForm(
        request.POST if request.method == "POST" else None, initial={"start_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.processor_case_contract(
                actor_user=request.user,
                actor=actor,
                processor=form.cleaned_data["processor"],
                person=person,
                start_date=form.cleaned_data["start_date"],
            )
        except PermissionDenied as exc:
            raise Http404("No such person") from exc
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{person.full_name}'s case is contracted to {form.cleaned_data['processor']}")
            return redirect("privacy:processor_contracts", person_id=person.pk)
    record_person_read(actor=actor, person=person, purpose="processor contract")
    context = {"person": person, "form": form, "contracts": contracts_for(person.pk)}
    return render(request, "privacy/processor_contracts.html", context)


@login_required
@require_POST
def processor_contract_end(request: AuthedRequest, person_id: int, allocation_id: int) -> HttpResponse:
    actor, person = _manager_person(request, person_id, "processor contract end")
    allocation = Allocation.objects.filter(
        pk=allocation_id, person_id=person.pk, kind=AllocationKind.CONTRACTED
    ).first()
    if allocation is None:
        raise Http404("Not found")
    try:
        services.processor_case_end(actor_user=request.user, actor=actor, allocation=allocation)
    except PermissionDenied as exc:
        raise Http404("Not found") from exc
    messages.success(request, f"The contracted case with {allocation.team} has ended: its staff no longer see it")
    return redirect("privacy:processor_contracts", person_id=person.pk)
