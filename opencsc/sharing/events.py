"""The audit event names the sharing app writes. Every disclosure writes exactly one
`sharing.disclosure` or `sharing.transfer` event (Kind.DISCLOSURE) in the transaction that records it."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "sharing.disclosure": (Kind.DISCLOSURE, "Shared information about a person with another agency"),
    "sharing.transfer": (Kind.DISCLOSURE, "Sent a person's information in a statutory transfer (DfE, CP-IS)"),
    "sharing.refused": (Kind.SECURITY, "Was refused a share that no sharing agreement allows"),
    "sharing.pack_open": (Kind.CONSULTATION, "Opened a disclosure pack"),
    "sharing.request_log": (Kind.COLLECTION, "Logged a third-party request for information"),
    "sharing.request_decide": (Kind.ALTERATION, "Decided a third-party request for information"),
    "sharing.request_view": (Kind.CONSULTATION, "Read a third-party request to decide it"),
    "sharing.agency_change": (Kind.ALTERATION, "Changed the agency register"),
    "sharing.agreement_change": (Kind.ALTERATION, "Changed a sharing agreement"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
