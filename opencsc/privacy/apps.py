from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "opencsc.privacy"
    label = "privacy"
    verbose_name = "Privacy: the processing register"

    def ready(self) -> None:
        from opencsc.privacy import events

        events.register_all()
