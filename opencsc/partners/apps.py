from __future__ import annotations

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "opencsc.partners"
    label = "partners"
    verbose_name = "Partners: the partner-agency portal and API"

    def ready(self) -> None:
        from opencsc.partners import events

        events.register_all()
