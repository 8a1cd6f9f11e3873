"""The audit event names of the documents app (ADR 0032)."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "documents.attach": (Kind.COLLECTION, "A partner organisation attached a document about a child"),
    "documents.refused": (Kind.SECURITY, "An uploaded document was refused (type, size, structure)"),
    "documents.open": (Kind.CONSULTATION, "Opened a document on a child's record"),
    "documents.partner_open": (Kind.CONSULTATION, "A partner organisation opened a document it had sent"),
    "documents.partner_refused": (Kind.SECURITY, "A partner asked for a document not its organisation's"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
