"""`{% rights_markers person %}`: on a person's record page, the restriction of processing (Art 18)
and any note of dispute (the requester's statement where the council did not agree its record was
wrong). Shown to whoever may read the record; the page's own audit event covers the read."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet

from opencsc.accounts.models import ProcessingRestriction
from opencsc.core import compiled
from opencsc.rights.models import DisputeNote

register = template.Library()


@register.inclusion_tag("rights/_markers.html")
def rights_markers(person: Any) -> dict[str, Any]:
    # The page's access check has already said whether processing is restricted (`PersonAccess`):
    # the restriction itself is read only when there is one.
    decided = getattr(person, "access", None)
    held = decided is None or decided.processing_restricted
    # Notes of dispute are rare: whether there is one is asked with SQL built once per process
    # (`core.compiled`), and only then are they read.
    disputed = compiled.first_row("rights.any_dispute_note", _any_dispute_note, person.pk) is not None
    notes = DisputeNote.objects.filter(person=person).select_related("request").order_by("recorded_at")
    return {
        "restriction": ProcessingRestriction.objects.active().filter(person=person).first() if held else None,
        "disputes": list(notes) if disputed else [],
    }


def _any_dispute_note(pk: int) -> QuerySet[Any]:
    return DisputeNote.objects.filter(person_id=pk).values("pk")
