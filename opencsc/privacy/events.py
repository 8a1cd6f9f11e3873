"""The audit event names the privacy app writes."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "privacy.register_change": (Kind.ALTERATION, "Changed the processing register"),
    "privacy.ropa_view": (Kind.CONSULTATION, "Viewed the Article 30 record of processing"),
    "privacy.ropa_export": (Kind.CONSULTATION, "Downloaded the Article 30 record of processing"),
    "privacy.processor_case_contract": (Kind.ALTERATION, "Contracted a child's case to a processor (Art 28)"),
    "privacy.processor_case_end": (Kind.ALTERATION, "Ended a processor's contracted case"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
