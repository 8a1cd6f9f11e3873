"""Tasks and chronology entries written from what another organisation sent (CP-IS): the casework
services that validate and audit them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.models import ChronologyEntry, Task
from opencsc.casework.services import system_chronology_entry_add, system_task_open

pytestmark = pytest.mark.django_db


def test_a_system_task_goes_to_whoever_holds_the_child_and_is_audited(child, social_worker):
    task = system_task_open(
        actor=Actor.system("cpis"), child=child, kind="cpis_access", title="Follow up", due_date=dt.date(2026, 1, 5)
    )
    assert task.assignee == social_worker and task.title == "Follow up" and task.kind == "cpis_access"
    event = AuditEvent.objects.get(action="casework.task_open")
    assert event.subject_person_id == child.pk and event.actor_repr == "system:cpis"


def test_a_system_task_needs_a_title(child):
    with pytest.raises(ValidationError):
        system_task_open(actor=Actor.system("cpis"), child=child, kind="x", title=" ", due_date=dt.date(2026, 1, 5))
    assert not Task.objects.exists() and not AuditEvent.objects.filter(action="casework.task_open").exists()


def test_an_entry_from_outside_names_its_source_and_has_no_author(child):
    entry = system_chronology_entry_add(
        actor=Actor.system("cpis"), child=child, entry_date=dt.date(2026, 1, 2), title="Seen", source="NHS England"
    )
    assert entry.recorded_by is None
    assert AuditEvent.objects.get(action="casework.chronology_add").detail["source"] == "NHS England"
    with pytest.raises(ValidationError):
        system_chronology_entry_add(
            actor=Actor.system("cpis"), child=child, entry_date=dt.date(2026, 1, 2), title="Seen", source=""
        )
    assert ChronologyEntry.objects.count() == 1


def test_the_chronology_names_who_recorded_each_step_in_words(child, social_worker):
    from opencsc.casework.models import StatusChange
    from opencsc.casework.selectors import chronology

    social_worker.first_name, social_worker.last_name = "Sam", "Patel"
    social_worker.save()
    common = {"child": child, "object_type": "casework.Contact", "object_id": "1", "to_status": "received"}
    StatusChange.objects.create(**common, effective_date=dt.date(2026, 1, 5), actor_repr="system:seed_demo")
    StatusChange.objects.create(
        **common, effective_date=dt.date(2026, 1, 6), actor_repr=social_worker.username, changed_by=social_worker
    )
    StatusChange.objects.create(**common, effective_date=dt.date(2026, 1, 7), actor_repr="system:import_return")
    by = [item.by for item in chronology(child)]
    assert by == ["The system (demo data)", "Sam Patel", "The system (return import)"]
