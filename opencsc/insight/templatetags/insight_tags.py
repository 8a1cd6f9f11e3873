from __future__ import annotations

from django import template

from opencsc.insight.outcomes import DistanceRow

register = template.Library()


@register.filter
def distance_of(row: DistanceRow, rater: str) -> str:
    """A distance table cell: the average for one rater."""
    return row.average(rater)
