"""The audit trail in readable sentences: "Sam Patel viewed Jo Bloggs's casework page".

Each event's registered description ("Viewed a child's casework") is turned into a sentence with the
member of staff's name and the subject's name. Names are looked up for one page of events at a time
(two queries). The person model belongs to `people`, above `audit`, so it is found through the app
registry rather than imported. A restricted record is named only as "restricted person 12":
the audit trail must not become a way round the restricted list. A person whose record is gone is
named by id, as the audit row outlives the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model

from opencsc.audit import events
from opencsc.audit.models import AuditEvent

# Pages named by the `purpose` a casework read records.
PURPOSE_PAGES = {
    "casework": "casework page",
    "chronology": "chronology",
    "case notes": "case notes",
}
_SUBJECT = re.compile(r"\b(a|the) (person|child|child's|person's|mother)('s)?\b")


@dataclass(frozen=True)
class EventLine:
    event: AuditEvent
    who: str
    sentence: str
    subject: str


def actor_names(ids: Iterable[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=set(ids))
    return {u.pk: (u.get_full_name() or u.get_username()) for u in users}


def subject_names(ids: Iterable[int]) -> dict[int, str]:
    person_model = apps.get_model("people", "Person")
    rows = person_model.objects.filter(pk__in=set(ids)).values_list("pk", "first_name", "last_name", "is_restricted")
    return {
        pk: (f"restricted person {pk}" if restricted else f"{first} {last}".strip())
        for pk, first, last, restricted in rows
    }


def lines(page: Iterable[AuditEvent]) -> list[EventLine]:
    rows = list(page)
    actors = actor_names(e.actor_id for e in rows if e.actor_id)
    subjects = subject_names(e.subject_person_id for e in rows if e.subject_person_id)
    out = []
    for event in rows:
        who = _who(event, actors)
        subject = ""
        if event.subject_person_id:
            subject = subjects.get(event.subject_person_id, f"former person {event.subject_person_id}")
        out.append(EventLine(event=event, who=who, sentence=sentence(event, who, subject), subject=subject))
    return out


def _who(event: AuditEvent, actors: dict[int, str]) -> str:
    if event.actor_id and event.actor_id in actors:
        return actors[event.actor_id]
    if event.actor_repr.startswith("system:"):
        return f"The system ({event.actor_repr.removeprefix('system:').replace('_', ' ')})"
    return event.actor_repr or "Someone"


def sentence(event: AuditEvent, who: str, subject: str) -> str:
    """One event as a sentence, "Sam Patel viewed Jo Bloggs's casework page"."""
    description = events.describe(event.action)
    if event.action == "casework.view":
        purpose = str((event.detail or {}).get("purpose", "casework"))
        description = f"Viewed a child's {PURPOSE_PAGES.get(purpose, purpose)}"
    verb = description[:1].lower() + description[1:]
    if subject:
        replaced, n = _SUBJECT.subn(lambda m: f"{subject}'s" if m.group(0).endswith("'s") else subject, verb, count=1)
        verb = replaced if n else f"{verb} (about {subject})"
    text = f"{who} {verb}"
    if event.outcome == "denied" and not event.action.endswith("access_denied"):
        text += " (refused)"
    return text
