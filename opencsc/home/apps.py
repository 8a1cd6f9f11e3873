from __future__ import annotations

from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "opencsc.home"
    label = "home"
    verbose_name = "Home pages"

    def ready(self) -> None:
        from opencsc.home import events

        events.register_all()
