"""`{% person_summary person %}`: the summary at the top of every page about a person (status,
allocated worker and team, key dates, alerts, family). The page's own selector has already checked
access and written the audit event; this adds no event."""

from __future__ import annotations

from typing import Any

from django import template

from opencsc.casework.summary import person_summary as build_summary

register = template.Library()


@register.inclusion_tag("casework/_summary.html", takes_context=True)
def person_summary(context: Any, person: Any) -> dict[str, Any]:
    request = context.get("request")
    summary = build_summary(user=getattr(request, "user", None), person=person)
    return {"s": summary, "person": person}
