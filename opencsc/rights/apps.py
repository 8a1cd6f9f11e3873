from __future__ import annotations

from django.apps import AppConfig


class RightsConfig(AppConfig):
    """People's rights under UK GDPR: the request register (subject access, rectification, erasure,
    restriction, objection, enquiries), its statutory clock, the public "ask us" form and subject
    access bundles with redaction."""

    name = "opencsc.rights"
    label = "rights"
    verbose_name = "People's rights"

    def ready(self) -> None:
        from opencsc.rights import events

        events.register_all()
