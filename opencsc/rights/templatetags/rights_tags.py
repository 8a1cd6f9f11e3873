"""`{% rights_markers person %}`: on a person's record page, the restriction of processing (Art 18)
and any note of dispute (the requester's statement where the council did not agree its record was
wrong). Shown to whoever may read the record; the page's own audit event covers the read."""

from __future__ import annotations

from typing import Any

from django import template

from opencsc.accounts.models import ProcessingRestriction
from opencsc.rights.models import DisputeNote

register = template.Library()


@register.inclusion_tag("rights/_markers.html")
def rights_markers(person: Any) -> dict[str, Any]:
    # The page's access check has already said whether processing is restricted (`PersonAccess`):
    # the restriction itself is read only when there is one.
    decided = getattr(person, "access", None)
    held = decided is None or decided.processing_restricted
    return {
        "restriction": ProcessingRestriction.objects.active().filter(person=person).first() if held else None,
        "disputes": list(DisputeNote.objects.filter(person=person).select_related("request").order_by("recorded_at")),
    }
