"""The audit event names the statutory returns write."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "return.build": (Kind.COMBINATION, "Built a statutory return from the record"),
    "return.check": (Kind.CONSULTATION, "Checked a statutory return against the DfE rules"),
    "return.download": (Kind.DISCLOSURE, "Downloaded a statutory return"),
    "return.transfer": (Kind.DISCLOSURE, "A child's data left the system in a statutory return"),
    "return.import": (Kind.COLLECTION, "Imported a legacy statutory return into the record"),
    "return.write": (Kind.DISCLOSURE, "Wrote a statutory return to a file, with its per-child disclosures"),
    "return.validate_upload": (Kind.CONSULTATION, "Checked a return from another system against the DfE rules"),
    "reference.postcodes_import": (Kind.ALTERATION, "Loaded the ONS postcode directory"),
    "reference.providers_import": (Kind.ALTERATION, "Loaded Ofsted's provider lists"),
    "return.readiness_view": (Kind.CONSULTATION, "Viewed return readiness (findings without names)"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
