from __future__ import annotations

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "opencsc.sharing"
    label = "sharing"
    verbose_name = "Sharing: agencies, agreements and disclosures"

    def ready(self) -> None:
        from opencsc.sharing import events

        events.register_all()
