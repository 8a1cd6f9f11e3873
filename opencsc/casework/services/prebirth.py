"""Pre-birth work: an unborn child linked to the mother; at birth the same record carries on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from opencsc.audit.services import Actor
from opencsc.casework import invariants, timescales
from opencsc.casework.models import ChildProtectionPlan, Task, TaskKind
from opencsc.casework.services._common import audit, history, require_change
from opencsc.core.working_days import add_working_days
from opencsc.people import services as people_services
from opencsc.people.models import Person, Relationship, RelationshipKind


def unborn_child_register(
    *, actor_user: Any, actor: Actor, mother: Person, expected_date_of_birth: dt.date, last_name: str = ""
) -> Person:
    """Create the unborn child's record (sex U, expected date of birth, allocated to the recording
    worker's team) and link the mother as parent. Audits `person.create`, `person.part_add` and
    `casework.unborn_register`; status "" -> unborn."""
    require_change(actor_user, mother)
    if expected_date_of_birth < timezone.localdate() - dt.timedelta(days=7):
        invariants.refuse("expected_date_of_birth", "The expected date of birth has passed: record the birth instead")
    with transaction.atomic():
        unborn = people_services.person_create(
            actor_user=actor_user,
            actor=actor,
            data={
                "is_child": True,
                "last_name": last_name or mother.last_name,
                "sex": "U",
                "expected_date_of_birth": expected_date_of_birth,
                "upn_unknown_reason": "UN1",
            },
        )
        people_services.part_add(
            actor_user=actor_user,
            actor=actor,
            person=mother,
            model=Relationship,
            data={
                "relative": unborn,
                "kind": RelationshipKind.PARENT,
                "has_parental_responsibility": True,
                "lives_with": True,
            },
        )
        history(
            actor_user=actor_user,
            actor=actor,
            child=unborn,
            obj=unborn,
            from_status="",
            to_status="unborn",
            effective_date=timezone.localdate(),
            note="Unborn child recorded",
        )
        audit(actor=actor, action="casework.unborn_register", child=unborn, obj=unborn, mother_id=mother.pk)
    return unborn


def birth_record(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    date_of_birth: dt.date,
    first_name: str = "",
    sex: str = "U",
) -> Person:
    """Record the birth on the same record: the date of birth replaces the expected date (CIN 8525Q
    allows only one), and everything already open (episode, plan) carries on. A pre-birth plan's
    first review moves to 10 working days after birth if that is sooner. Audits `person.update` and
    `casework.birth_record`; status unborn -> born."""
    require_change(actor_user, child)
    if not child.is_unborn:
        invariants.refuse("date_of_birth", "This child's birth has already been recorded")
    invariants.not_in_future("date_of_birth", date_of_birth, "date of birth")
    expected = child.expected_date_of_birth
    with transaction.atomic():
        people_services.person_update(
            actor_user=actor_user,
            actor=actor,
            person=child,
            expected_version=child.version,
            changes={
                "date_of_birth": date_of_birth,
                "expected_date_of_birth": None,
                "first_name": first_name or child.first_name,
                "sex": sex,
            },
        )
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=child,
            from_status="unborn",
            to_status="born",
            effective_date=date_of_birth,
            note="Child born",
        )
        audit(
            actor=actor,
            action="casework.birth_record",
            child=child,
            obj=child,
            expected_date_of_birth=expected,
            date_of_birth=date_of_birth,
        )
        _bring_forward_first_review(child, date_of_birth)
    return child


def _bring_forward_first_review(child: Person, born: dt.date) -> None:
    plan = ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True, is_pre_birth=True).first()
    if plan is None or plan.review_conferences.exists():
        return
    due = min(add_working_days(born, 10), timescales.first_cp_review_due(plan.start_date))
    Task.objects.open().filter(person=child, kind=TaskKind.CP_REVIEW, object_id=str(plan.pk)).update(due_date=due)
