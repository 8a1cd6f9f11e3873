"""A child whose record is due for disposal, with data in many tables (encrypted fields, the
matching index, the access reach, audit events naming them), a mother held only for the child, and
a father with a record of his own; and a scan of every table of the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import CaseNote
from opencsc.casework.tests.factories import EpisodeFactory
from opencsc.people.matching import index
from opencsc.people.matching.models import PersonMerge
from opencsc.people.models import Address, FamilyGroup, FamilyMembership, HealthInformation, Person
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory
from opencsc.privacy.models import LawfulBasis, Purpose
from opencsc.rights import services as rights
from opencsc.rights.models import DisputeNote
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.models import Agency, Disclosure

D = dt.date
NOTE = "Disposaltest note: the child told me about home"
HEALTH = "Disposaltest asthma, inhaler twice daily"


@dataclass
class Family:
    child: Person
    mother: Person
    father: Person
    needles: list[str]  # the child's and mother's values, as stored and as read
    alias: Person  # an older record of the child, merged into it


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test)
        return str(cursor.fetchone()[0])


def build_family(ig_user: Any) -> Family:
    """Child born 1996, one closed child-in-need episode in 2010: due in 2017 under `child-in-need`."""
    child = ChildFactory(date_of_birth=D(1996, 1, 1))
    episode = EpisodeFactory(child=child, referral_date=D(2010, 1, 4), closure_date=D(2010, 6, 1), closure_reason="RC8")
    note = CaseNote.objects.create(
        child=child, episode=episode, note_date=D(2010, 2, 1), subject="Home visit", body=NOTE, recorded_by=ig_user
    )
    health = HealthInformation.objects.create(person=child, kind="condition", summary=HEALTH, recorded_on=D(2010, 1, 5))
    Address.objects.create(
        person=child, line1="1 Disposal Street", town="Exampleton", postcode="ZZ99 3ZZ", start_date=D(2005, 1, 1)
    )
    mother = PersonFactory()
    RelationshipFactory(person=mother, relative=child)
    father = PersonFactory()
    RelationshipFactory(person=father, relative=child)
    AllocationFactory(person=father)  # a record of his own: he is kept
    family = FamilyGroup.objects.create(name=f"{child.last_name} household")
    FamilyMembership.objects.create(person=child, family=family, role="child")
    FamilyMembership.objects.create(person=mother, family=family, role="mother")
    AllocationFactory(person=child, start_date=D(2010, 1, 4))
    # A disclosure (PROTECT), a rights request about the child (SET_NULL) with a note of dispute,
    # and an older record of the same child merged into this one (an alias): all go with the child.
    seed_agencies()
    Disclosure.objects.create(
        person=child,
        kind="transfer",
        agency=Agency.objects.order_by("pk").first(),
        purpose=Purpose.objects.get(code="support-and-protect"),
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        categories=["health"],
        consent="given",
        channel="secure_email",
        actor_repr="sw",
    )
    request, _ = rights.request_receive(
        actor=Actor.from_user(ig_user),
        actor_user=ig_user,
        data={
            "kind": "rectification",
            "requester_name": child.full_name,
            "requester_relationship": "self",
            "subject_name": child.full_name,
            "details": "Disposaltest: my date of birth is wrong",
            "reply_by": "email",
            "reply_email": "disposaltest@example.com",
            "identity_needed": False,
        },
    )
    rights.subject_link(actor=Actor.from_user(ig_user), request=request, person_id=child.pk)
    DisputeNote.objects.create(request=request, person=child, statement="Disposaltest statement", recorded_by=ig_user)
    alias = ChildFactory(first_name=child.first_name, last_name=child.last_name, date_of_birth=child.date_of_birth)
    PersonMerge.objects.create(survivor=child, merged=alias, reason="Same child", merged_by=ig_user)
    index.index_people([child.pk, mother.pk, father.pk])
    actor = Actor.from_user(ig_user)
    for person in (child, mother):
        record_event(actor=actor, action="person.view", subject_person_id=person.pk, obj=person)
    record_event(
        actor=actor, action="person.part_add", subject_person_id=child.pk, obj=health, detail={"kind": "condition"}
    )
    record_event(actor=actor, action="person.update", obj=note, reason=f"Corrected {child.full_name}'s note")
    needles = [
        child.full_name,
        child.last_name,
        child.la_child_id,
        child.nhs_number,
        child.upn,
        mother.full_name,
        mother.last_name,
        mother.nhs_number,
        NOTE,
        HEALTH,
        "1 Disposal Street",
        "Disposaltest",
        "disposaltest@example.com",
        alias.la_child_id,
        alias.nhs_number,
        _raw("people_person", "nhs_number", child.pk),
        _raw("people_person", "nhs_number", mother.pk),
        _raw("people_healthinformation", "summary", health.pk),
        _raw("casework_casenote", "body", note.pk),
    ]
    return Family(child, mother, father, [n for n in needles if n and len(n) >= 6], alias)


# Columns that keep a disposed person's id on purpose (ADR 0030): the audit log and the certificate.
ALLOWED_ID_COLUMNS = {
    "audit.AuditEvent.subject_person_id",
    "audit.AuditEvent.object_id",
    "rights.DisposalItem.person_id",
}


def scan_database(person_ids: set[int], needles: list[str]) -> list[str]:
    """Every place in every table of the database where a person's id (in a column that holds
    person ids) or one of the needles (values, plain or encrypted as stored) is found."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table}")  # noqa: S608 (test)
            rows = cursor.fetchall()
        for n, field in enumerate(fields):
            label = f"{model._meta.label}.{field.name}"
            values = [row[n] for row in rows]
            holds_person = (field.is_relation and field.related_model is Person) or field.name in (
                "person_id",
                "subject_person_id",
            )
            if model is Person and field.primary_key:
                holds_person = True
            if holds_person and label not in ALLOWED_ID_COLUMNS:
                found += [f"{label} = {v}" for v in values if v in person_ids]
            for value in values:
                text = str(value)
                found += [f"{label} contains {needle!r}" for needle in needles if needle in text]
    return found
