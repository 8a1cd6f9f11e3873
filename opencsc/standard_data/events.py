"""The audit event names the health-needs picture and the Standard Safeguarding Dataset write."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "health_needs.view": (Kind.CONSULTATION, "Viewed the health-needs picture (suppressed counts, no person)"),
    "health_needs.release": (Kind.DISCLOSURE, "Released the health-needs picture to an NHS body"),
    "ssd.export": (Kind.DISCLOSURE, "Exported the Standard Safeguarding Dataset"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
