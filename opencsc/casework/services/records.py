"""Case notes, curated chronology entries, and work-tray tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import User
from opencsc.audit.services import Actor, record_event
from opencsc.casework import invariants
from opencsc.casework.models import CaseNote, ChronologyEntry, ReferralEpisode, Task
from opencsc.casework.services._common import audit, require_change, save_new, task_open
from opencsc.core.categories import DataCategory
from opencsc.people.models import Person


def case_note_add(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    kind: str,
    note_date: dt.date,
    subject: str,
    body: str,
    third_party: bool,
    categories: list[str],
    episode: ReferralEpisode | None = None,
) -> CaseNote:
    """Write a case note (body encrypted at rest), flagged for third-party information and the data
    categories it holds. Audits `casework.note_add` (with the categories, never the text)."""
    require_change(actor_user, child)
    invariants.not_in_future("note_date", note_date, "date of the note")
    if not body.strip():
        invariants.refuse("body", "Write the note")
    unknown = set(categories) - set(DataCategory.values)
    if unknown:
        invariants.refuse("categories", "Select the categories of information from the list")
    with transaction.atomic():
        note = CaseNote(
            child=child,
            recorded_by=actor_user,
            episode=episode,
            kind=kind,
            note_date=note_date,
            subject=subject,
            body=body,
            third_party=third_party,
            categories=sorted(categories),
        )
        save_new(note)
        audit(
            actor=actor,
            action="casework.note_add",
            child=child,
            obj=note,
            categories=sorted(categories),
            third_party=third_party,
        )
    return note


def chronology_entry_add(
    *, actor_user: Any, actor: Actor, child: Person, entry_date: dt.date, title: str, detail: str = ""
) -> ChronologyEntry:
    """Add a curated entry to the child's chronology. Audits `casework.chronology_add`."""
    require_change(actor_user, child)
    if not title.strip():
        invariants.refuse("title", "Enter what happened")
    born = child.date_of_birth or child.expected_date_of_birth
    if born and entry_date < born - dt.timedelta(weeks=42):
        invariants.refuse("entry_date", "The date is long before the child's birth: check the year")
    with transaction.atomic():
        entry = ChronologyEntry(child=child, recorded_by=actor_user, entry_date=entry_date, title=title, detail=detail)
        save_new(entry)
        audit(actor=actor, action="casework.chronology_add", child=child, obj=entry)
    return entry


def system_chronology_entry_add(
    *, actor: Actor, child: Person, entry_date: dt.date, title: str, source: str, detail: str = ""
) -> ChronologyEntry:
    """A chronology entry written from information another organisation sent (NHS England's CP-IS
    access notifications), not by a worker: no author and no caseload check (whoever imports the
    message, a system process or an IG officer, need not hold the child), but the same validation and
    the same `casework.chronology_add` event as `chronology_entry_add`, naming the `source`."""
    if not source.strip():
        invariants.refuse("source", "Say which organisation the information came from")
    if not title.strip():
        invariants.refuse("title", "Enter what happened")
    with transaction.atomic():
        entry = ChronologyEntry(child=child, recorded_by=None, entry_date=entry_date, title=title, detail=detail)
        save_new(entry)
        audit(actor=actor, action="casework.chronology_add", child=child, obj=entry, source=source)
    return entry


def system_task_open(
    *, actor: Actor, child: Person, kind: str, title: str, due_date: dt.date, obj: models.Model | None = None
) -> Task:
    """A tray task for work a system process found (a CP-IS record NHS England could not match, an
    urgent care visit to follow up), for whoever holds the child. Audits `casework.task_open`."""
    if not title.strip():
        invariants.refuse("title", "Say what the task is")
    with transaction.atomic():
        task = task_open(child=child, kind=kind, due_date=due_date, obj=obj, title=title)
        record_event(
            actor=actor,
            action="casework.task_open",
            subject_person_id=child.pk,
            obj=task,
            detail={"kind": kind, "due": due_date.isoformat(), "team": task.team_id, "assignee": task.assignee_id},
        )
    return task


def task_assign(*, actor_user: Any, actor: Actor, task: Task, assignee: User) -> Task:
    """A team manager allocates a task in their team's tray to a member of the team who may work
    on the child. Audits `casework.task_assign`."""
    if not access.can_allocate(actor_user) or not access.can_change_person(actor_user, task.person_id):
        raise PermissionDenied
    managed = set(actor_user.managed_teams.values_list("pk", flat=True)) | {actor_user.team_id}
    if assignee.team_id not in managed:
        invariants.refuse("assignee", "Choose a member of a team you manage")
    with transaction.atomic():
        task.assignee = assignee
        task.team_id = task.team_id or assignee.team_id
        task.save(update_fields=["assignee", "team"])
        record_event(
            actor=actor,
            action="casework.task_assign",
            subject_person_id=task.person_id,
            obj=task,
            detail={"assignee_id": assignee.pk},
        )
    return task


def task_complete(*, actor_user: Any, actor: Actor, task: Task) -> Task:
    """Mark a task done by hand (most close themselves when the step is recorded). Audits
    `casework.task_complete`."""
    if not access.can_change_person(actor_user, task.person_id):
        raise PermissionDenied
    if task.done_at:
        return task
    with transaction.atomic():
        task.done_at, task.done_by = timezone.now(), actor_user
        task.save(update_fields=["done_at", "done_by"])
        record_event(actor=actor, action="casework.task_complete", subject_person_id=task.person_id, obj=task)
    return task
