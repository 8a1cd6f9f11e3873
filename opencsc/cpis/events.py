"""The audit event names the CP-IS app writes.

The per-child disclosures of an upload are written by `sharing.services.disclosure_record_transfer`
(`sharing.transfer`, one per child); the events here record the build, the imports and what each
imported message did to a child's record."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "cpis.upload_build": (Kind.DISCLOSURE, "Built a CP-IS upload for NHS England"),
    "cpis.completeness_view": (Kind.CONSULTATION, "Viewed the CP-IS NHS number completeness report"),
    "cpis.import": (Kind.COLLECTION, "Imported a message from NHS England CP-IS"),
    "cpis.import_refused": (Kind.SECURITY, "Refused a malformed or hostile CP-IS file"),
    "cpis.upload_rejected": (Kind.COLLECTION, "NHS England CP-IS could not accept a record"),
    "cpis.access_notification": (Kind.COLLECTION, "NHS England said a child's CP-IS flag was viewed"),
    "cpis.inactive_number": (Kind.COLLECTION, "NHS England said an NHS number sent to CP-IS is inactive"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
