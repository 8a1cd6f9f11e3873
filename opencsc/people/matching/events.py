"""The matching service's audit event names (registered when the people app is ready)."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS = {
    "duplicates.find": (Kind.COMBINATION, "Compared every record to propose duplicates"),
    "duplicates.queue_view": (Kind.CONSULTATION, "Viewed the duplicate review queue"),
    "duplicates.dismiss": (Kind.ALTERATION, "Marked two records as different people"),
    "person.merge": (Kind.COMBINATION, "Merged two records of one person"),
    "person.unmerge": (Kind.ALTERATION, "Undid a merge of two records"),
    "person.import": (Kind.COLLECTION, "Imported people from a legacy system"),
    "person.match_file": (Kind.CONSULTATION, "Matched a file of people against the record"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
