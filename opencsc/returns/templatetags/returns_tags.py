"""`{% child_return_findings person %}`: the DfE rules this child's record breaks, on any page."""

from __future__ import annotations

from typing import Any

from django import template

from opencsc.returns.build.common import current_year
from opencsc.returns.build.selectors import child_return_findings as select_findings

register = template.Library()


@register.inclusion_tag("returns/_child_findings.html", takes_context=True)
def child_return_findings(context: Any, person: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"findings": select_findings(user, person), "year": current_year()}
