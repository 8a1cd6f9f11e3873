"""The duplicate review queue for information governance (the data-quality role,
`access.can_review_duplicates`): proposed pairs, one pair side by side, merge, "not the same
person", and undoing a merge. Every page that shows a person writes its audit event."""

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
from opencsc.accounts.models import Allocation
from opencsc.audit.services import Actor, record_event
from opencsc.core.forms import GovukForm
from opencsc.core.http import AuthedRequest
from opencsc.people.identifiers import format_nhs_number
from opencsc.people.matching.merge import pair_dismiss, person_merge, person_unmerge
from opencsc.people.matching.models import DuplicatePair, PairStatus, PersonMerge
from opencsc.people.models import Person

QUEUE_SIZE = 50


def _require_reviewer(request: AuthedRequest) -> None:
    if not access.can_review_duplicates(request.user):
        raise PermissionDenied


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="What should happen to these records?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which record to keep, or say they are different people"},
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
        help_text="For example: same NHS number and date of birth; school confirmed the name change",
        error_messages={
            "required": "Say why, in at least 10 characters",
            "min_length": "Say why, in at least 10 characters",
        },
    )

    def __init__(self, *args: Any, pair: DuplicatePair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (
                "keep_a",
                f"Merge them: keep record {pair.person_a_id}, and record {pair.person_b_id} becomes an alias of it",
            ),
            (
                "keep_b",
                f"Merge them: keep record {pair.person_b_id}, and record {pair.person_a_id} becomes an alias of it",
            ),
            ("different", "They are different people: take them off the queue"),
        ]


class UndoForm(GovukForm):
    reason = forms.CharField(
        label="Why are you undoing this merge?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
        error_messages={
            "required": "Say why, in at least 10 characters",
            "min_length": "Say why, in at least 10 characters",
        },
    )


@login_required
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    _require_reviewer(request)
    pairs = list(DuplicatePair.objects.filter(status=PairStatus.PROPOSED).order_by("-score", "pk")[:QUEUE_SIZE])
    merges = list(PersonMerge.objects.filter(unmerged_at__isnull=True).order_by("-merged_at")[:20])
    record_event(
        actor=Actor.from_request(request),
        action="duplicates.queue_view",
        detail={"pairs": [p.pk for p in pairs], "merges": [m.pk for m in merges]},
    )
    waiting = DuplicatePair.objects.filter(status=PairStatus.PROPOSED).count()
    return render(request, "people/duplicates_queue.html", {"pairs": pairs, "merges": merges, "waiting": waiting})


def _side(person: Person) -> dict[str, Any]:
    """What a reviewer compares: identity, date of birth, postcodes, identifiers, who holds them."""
    teams = sorted(set(Allocation.objects.current().filter(person=person).values_list("team__name", flat=True)))
    return {
        "person": person,
        "postcodes": list(person.addresses.values_list("postcode", flat=True)),
        "other_names": [f"{n.first_name} {n.last_name}".strip() for n in person.other_names.all()],
        "nhs": format_nhs_number(person.nhs_number) if person.nhs_number else "",
        "teams": teams,
    }


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthedRequest, pair_id: int) -> HttpResponse:
    _require_reviewer(request)
    pair = DuplicatePair.objects.filter(pk=pair_id, status=PairStatus.PROPOSED).first()
    if pair is None:
        raise Http404
    actor = Actor.from_request(request)
    a, b = Person.objects.get(pk=pair.person_a_id), Person.objects.get(pk=pair.person_b_id)
    form = DecisionForm(request.POST or None, pair=pair)
    if request.method == "POST" and form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == "different":
                pair_dismiss(actor_user=request.user, actor=actor, pair=pair, reason=reason)
                messages.success(request, f"Records {a.pk} and {b.pk} are marked as different people")
            else:
                survivor, duplicate = (a, b) if decision == "keep_a" else (b, a)
                person_merge(
                    actor_user=request.user, actor=actor, survivor=survivor, duplicate=duplicate, reason=reason
                )
                messages.success(request, f"Record {duplicate.pk} has been merged into record {survivor.pk}")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("people:duplicates")
    for person in (a, b):  # the reviewer reads both records
        record_event(
            actor=actor,
            action="person.view",
            subject_person_id=person.pk,
            object_type="people.Person",
            object_id=str(person.pk),
            object_repr=f"person {person.pk}",
            detail={"purpose": "duplicate review", "pair": pair.pk},
        )
    return render(request, "people/duplicates_review.html", {"pair": pair, "sides": [_side(a), _side(b)], "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: AuthedRequest, merge_id: int) -> HttpResponse:
    _require_reviewer(request)
    merge = PersonMerge.objects.filter(pk=merge_id, unmerged_at__isnull=True).first()
    if merge is None:
        raise Http404
    form = UndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person_unmerge(
            actor_user=request.user, actor=Actor.from_request(request), merge=merge, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, f"The merge is undone: records {merge.survivor_id} and {merge.merged_id} are separate again"
        )
        return redirect("people:duplicates")
    return render(request, "people/duplicates_undo.html", {"merge": merge, "form": form})
