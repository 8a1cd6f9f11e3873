"""Reads of the services catalogue for other pages: the public privacy notice's "details of the
services we provide" (registered with `privacy.selectors` when casework starts)."""

from __future__ import annotations

from opencsc.casework.models import Service, ServiceKind
from opencsc.privacy.selectors import ServiceLine


def services_for_notice() -> list[ServiceLine]:
    """The services taking referrals, by kind in the catalogue's order of kinds, then by name."""
    order = {value: n for n, value in enumerate(ServiceKind.values)}
    kinds = dict(ServiceKind.choices)
    rows = sorted(
        Service.objects.filter(active=True).select_related("provider_agency"),
        key=lambda s: (order.get(s.kind, 99), s.name),
    )
    return [
        ServiceLine(
            kind=str(kinds.get(s.kind, s.kind)),
            name=s.name,
            provider=s.provider_agency.name if s.provider_agency else s.provider,
            commissioned=s.commissioned,
            description=s.description,
        )
        for s in rows
    ]
