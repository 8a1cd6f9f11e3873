"""The audit event names the insight pages and the indicator run write."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "insight.compute": (Kind.COMBINATION, "Computed the performance indicators from the record"),
    "insight.children": (Kind.CONSULTATION, "Viewed the children behind a performance indicator"),
    "outcome.goal_add": (Kind.COLLECTION, "Recorded a goal agreed in a child's plan"),
    "outcome.rating_add": (Kind.COLLECTION, "Recorded a rating of a child's goal"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
