"""The audit event names the partner API writes (the portal's own events are `sharing.*`)."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "partners.api_call": (Kind.CONSULTATION, "A partner organisation called the API"),
    "partners.api_refused": (Kind.SECURITY, "A call to the partner API was refused (key, scope or rate)"),
    "partners.api_credential_issue": (Kind.SECURITY, "Issued an API key to a partner organisation"),
    "partners.api_credential_rotate": (Kind.SECURITY, "Rotated a partner organisation's API key"),
    "partners.api_credential_revoke": (Kind.SECURITY, "Revoked a partner organisation's API key"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
