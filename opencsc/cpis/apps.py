from __future__ import annotations

from django.apps import AppConfig


class CpisConfig(AppConfig):
    """CP-IS (Child Protection - Information Sharing with NHS England). Conceptually part of sharing;
    kept as its own app so its migrations are independent (docs/adr/0008-cpis.md)."""

    name = "opencsc.cpis"
    label = "cpis"
    verbose_name = "CP-IS (NHS England)"

    def ready(self) -> None:
        from opencsc.cpis import events

        events.register_all()
