from __future__ import annotations

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "opencsc.casework"
    label = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from opencsc.casework import events
        from opencsc.casework.catalogue import services_for_notice
        from opencsc.privacy.selectors import register_services_source

        events.register_all()
        register_services_source(services_for_notice)
