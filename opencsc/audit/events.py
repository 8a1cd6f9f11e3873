"""The registered audit event names. Recording an unregistered name is a programming error.

Each name maps to one of the six kinds of processing the ICO's logging guidance asks to be logged
(DPA 2018 s62: collection, alteration, consultation, disclosure, combination, erasure), so an
investigator can ask "every disclosure about this child" without knowing our event names.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    SECURITY = "security", "Security"


EVENTS: dict[str, tuple[Kind, str]] = {
    "person.view": (Kind.CONSULTATION, "Viewed a person's record"),
    "person.search": (Kind.CONSULTATION, "Searched for people"),
    "person.list": (Kind.CONSULTATION, "Viewed a list of people (for example a caseload)"),
    "person.create": (Kind.COLLECTION, "Created a person's record"),
    "person.update": (Kind.ALTERATION, "Changed a person's record"),
    "person.part_add": (Kind.COLLECTION, "Added information to a person's record"),
    "person.part_update": (Kind.ALTERATION, "Changed information on a person's record"),
    "person.part_remove": (Kind.ERASURE, "Removed information from a person's record"),
    "person.access_denied": (Kind.SECURITY, "Was refused a person's record"),
    "person.export": (Kind.DISCLOSURE, "Exported a person's record"),
    "family.link": (Kind.COMBINATION, "Linked people as family"),
    "family.unlink": (Kind.ALTERATION, "Took a person out of a family group"),
    "family.create": (Kind.COLLECTION, "Started a family group"),
    "allocation.open": (Kind.ALTERATION, "Allocated a person to a team or worker"),
    "allocation.end": (Kind.ALTERATION, "Ended an allocation"),
    "restricted.grant": (Kind.SECURITY, "Named a user on a restricted record"),
    "restricted.set": (Kind.SECURITY, "Marked a record restricted or unrestricted"),
    "break_glass.open": (Kind.SECURITY, "Used break-glass access"),
    "break_glass.review": (Kind.SECURITY, "Reviewed a break-glass access"),
    "access_scope.check": (Kind.SECURITY, "Checked the access scope table against its inputs"),
    "access_scope.rebuild": (Kind.SECURITY, "Rebuilt the access scope table"),
    "auth.login": (Kind.SECURITY, "Signed in"),
    "auth.login_failed": (Kind.SECURITY, "Failed to sign in"),
    "auth.logout": (Kind.SECURITY, "Signed out"),
    "auth.mfa_enrolled": (Kind.SECURITY, "Set up a second factor"),
    "request.forbidden": (Kind.SECURITY, "Sent a forged or refused request"),
    "audit.view": (Kind.CONSULTATION, "Viewed the audit log"),
    "audit.verify": (Kind.SECURITY, "Verified the audit chain"),
    "audit.key_rotated": (Kind.SECURITY, "Started a new audit chain segment under a new key"),
    "demo.seed": (Kind.COLLECTION, "Seeded the synthetic demo borough"),
}


def register(name: str, kind: Kind, description: str) -> None:
    """Apps above `audit` (casework, sharing, returns...) register their own event names here."""
    if name in EVENTS and EVENTS[name] != (kind, description):
        raise ValueError(f"Audit event {name!r} is already registered differently")
    EVENTS[name] = (kind, description)


def kind_of(name: str) -> Kind:
    try:
        return EVENTS[name][0]
    except KeyError as exc:
        raise ValueError(f"Unregistered audit event name {name!r}") from exc


def describe(name: str) -> str:
    return EVENTS.get(name, (None, name))[1]
