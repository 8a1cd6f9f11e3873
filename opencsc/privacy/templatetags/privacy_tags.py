from __future__ import annotations

from typing import Any

from django import template

from opencsc.privacy.contract_views import contracts_for

register = template.Library()


@register.inclusion_tag("privacy/_contracted.html")
def processor_contracts(person: Any) -> dict[str, Any]:
    """On the child's summary: the processors the case is contracted to now (the page around it has
    read the record through the access check and audited it)."""
    return {"contracts": contracts_for(person.pk)}
