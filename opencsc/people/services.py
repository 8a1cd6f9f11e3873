"""Every write to a person's record. Each function runs in one transaction and writes its audit
event in that transaction; none trusts its caller to have checked access."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.services import Actor, record_event
from opencsc.core import crypto, limits
from opencsc.people import identifiers
from opencsc.people.matching import index as match_index
from opencsc.people.models import (
    Address,
    Disability,
    FamilyGroup,
    FamilyMembership,
    Person,
    PersonName,
    PersonPart,
    Relationship,
    SchoolEnrolment,
)

# Parts whose change changes how the person is found (the matching index is kept in step).
MATCHED_PARTS = (PersonName, Address)

NHS_INDEX_PURPOSE = "nhs_number"


class EditConflict(Exception):
    """Somebody else saved the record after this user opened it."""


def nhs_number_index(value: str) -> str:
    number = identifiers.normalise_nhs_number(value)
    return crypto.blind_index(number, purpose=NHS_INDEX_PURPOSE) if number else ""


def _validate_identifiers(person: Person) -> None:
    errors: dict[str, str] = limits.model_errors(person)
    if person.nhs_number:
        person.nhs_number = identifiers.normalise_nhs_number(person.nhs_number)
        if message := identifiers.nhs_number_error(person.nhs_number):
            errors["nhs_number"] = message
    for field in ("upn", "former_upn"):
        value = getattr(person, field)
        if value:
            setattr(person, field, value.strip().upper())
            if message := identifiers.upn_error(value):
                errors[field] = message
    if person.la_child_id and (message := identifiers.la_child_id_error(person.la_child_id)):
        errors["la_child_id"] = message
    if person.date_of_birth and person.expected_date_of_birth:
        errors["expected_date_of_birth"] = "Enter either a date of birth or an expected date of birth, not both"
    if person.date_of_birth and person.date_of_death and person.date_of_death < person.date_of_birth:
        errors["date_of_death"] = "The date of death must be on or after the date of birth"
    if errors:
        raise ValidationError(errors)


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=True)


def person_check(data: dict[str, Any]) -> None:
    """The checks `person_create` makes before writing (identifiers, dates): ValidationError per field.
    The new-person page runs them before it asks the matcher, so a refused form is not a search."""
    person = Person(**data)
    if not person.la_child_id:
        person.la_child_id = None
    _validate_identifiers(person)
    _clean(person)


def _person_insert(
    *, actor: Actor, person: Person, fields: list[str], parts: list[PersonPart], reason: str = "", **detail: Any
) -> Person:
    """The one way a person row is born: identifiers checked and normalised, the NHS-number blind
    index set, the person and their parts saved and audited (`person.create`, `person.part_add`),
    and the matching index brought up to date, all in one transaction."""
    if not person.la_child_id:
        person.la_child_id = None
    _validate_identifiers(person)
    _clean(person)
    person.nhs_number_index = nhs_number_index(person.nhs_number)
    for part in parts:
        if errors := limits.model_errors(part):
            raise ValidationError(errors)
    with transaction.atomic():
        person.save()
        record_event(
            actor=actor,
            action="person.create",
            subject_person_id=person.pk,
            obj=person,
            object_repr=f"person {person.pk}",
            reason=reason,
            detail={"fields": fields, **detail},
        )
        for part in parts:
            part.person = person
            _clean(part)
            part.save()
            record_event(
                actor=actor,
                action="person.part_add",
                subject_person_id=person.pk,
                obj=part,
                object_repr=f"{part._meta.verbose_name} {part.pk}",
            )
        match_index.index_people([person.pk])
    return person


def person_create(*, actor_user: Any, actor: Actor, data: dict[str, Any], not_a_match_reason: str = "") -> Person:
    """Record a new person. `not_a_match_reason`: why the practitioner says this is not the person
    the matcher found as a certain match (kept as the audit event's reason)."""
    if not access.can_create_person(actor_user):
        raise PermissionDenied
    with transaction.atomic():
        person = _person_insert(
            actor=actor,
            person=Person(**data),
            fields=sorted(k for k, v in data.items() if v),
            parts=[],
            reason=not_a_match_reason,
            certain_match_overridden=bool(not_a_match_reason),
        )
        # Whoever records a new person holds them on their caseload until a manager reallocates.
        if actor_user.team_id is not None:
            from opencsc.accounts.services import allocation_open

            allocation_open(actor=actor, person=person, team=actor_user.team, worker=actor_user)
    return person


def person_start_from_report(
    *, actor: Actor, data: dict[str, Any], address: dict[str, Any] | None = None, school: str = ""
) -> Person:
    """Start a child's record from what a partner organisation reported (a request for support
    through the partner portal), when the matcher found no certain match. A system write: it asks
    no person access (the partner has none and is never shown the record); the caller
    (`sharing.portal_services.partner_referral_submit`) has validated the partner and the details.
    The address and school are added when given (an address needs a first line and a postcode).
    Audits `person.create` (with `reported_by_partner`) and `person.part_add` for each part, and
    brings the matching index up to date in the same transaction."""
    parts: list[PersonPart] = []
    if address:
        parts.append(Address(start_date=timezone.localdate(), **address))
    if school.strip():
        parts.append(SchoolEnrolment(school_name=school.strip()))
    return _person_insert(
        actor=actor,
        person=Person(is_child=True, **data),
        fields=sorted(k for k, v in data.items() if v),
        parts=parts,
        reported_by_partner=True,
    )


def person_update(
    *, actor_user: Any, actor: Actor, person: Person, changes: dict[str, Any], expected_version: int
) -> Person:
    """Apply `changes` if nobody saved the record since `expected_version` (optimistic locking)."""
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name, value in changes.items():
        setattr(person, name, value)
    if not person.la_child_id:
        person.la_child_id = None
    _validate_identifiers(person)
    _clean(person)
    person.nhs_number_index = nhs_number_index(person.nhs_number)
    with transaction.atomic():
        values = {name: getattr(person, name) for name in changes}
        values["nhs_number_index"] = person.nhs_number_index
        updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
            **values, version=F("version") + 1
        )
        if updated == 0:
            raise EditConflict
        person.version = expected_version + 1
        record_event(
            actor=actor,
            action="person.update",
            subject_person_id=person.pk,
            obj=person,
            object_repr=f"person {person.pk}",
            detail={"fields": sorted(changed)},
        )
        match_index.index_people([person.pk])
    return person


def part_add(
    *, actor_user: Any, actor: Actor, person: Person, model: type[PersonPart], data: dict[str, Any]
) -> PersonPart:
    """Add a row of one category (address, phone, police information...) to a person's record."""
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    part = model(person=person, **data)
    if errors := limits.model_errors(part):
        raise ValidationError(errors)
    _clean(part)
    if isinstance(part, Relationship):
        _check_relationship(actor_user, part)
    if isinstance(part, Disability):
        _check_disability(person, part.code)
    with transaction.atomic():
        part.save()
        record_event(
            actor=actor,
            action="person.part_add",
            subject_person_id=person.pk,
            obj=part,
            object_repr=f"{model._meta.verbose_name} {part.pk}",
        )
        if isinstance(part, MATCHED_PARTS):
            match_index.index_people([person.pk])
    return part


def part_remove(*, actor_user: Any, actor: Actor, part: PersonPart) -> None:
    if not access.can_change_person(actor_user, part.person_id):
        raise PermissionDenied
    label, pk = part._meta.label, part.pk
    with transaction.atomic():
        part.delete()
        record_event(
            actor=actor,
            action="person.part_remove",
            subject_person_id=part.person_id,
            object_type=label,
            object_id=str(pk),
            object_repr=f"{part._meta.verbose_name} {pk}",
        )
        if isinstance(part, MATCHED_PARTS):
            match_index.index_people([part.person_id])


def _check_relationship(actor_user: Any, relationship: Relationship) -> None:
    if relationship.relative_id == relationship.person_id:
        raise ValidationError({"relative": "A person cannot be related to themselves"})
    if not access.can_view_person(actor_user, relationship.relative_id):
        raise ValidationError({"relative": "Select a person you can see on your caseload"})


def _check_disability(person: Person, code: str) -> None:
    existing = set(Disability.objects.filter(person=person).values_list("code", flat=True))
    if code in existing:
        raise ValidationError({"code": "This disability is already recorded"})
    if existing and (code == "NONE" or "NONE" in existing):
        raise ValidationError({"code": "'No disability' cannot be recorded alongside a disability: remove one first"})


def family_link(
    *, actor_user: Any, actor: Actor, family: FamilyGroup, person: Person, role: str = ""
) -> FamilyMembership:
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    with transaction.atomic():
        membership, _ = FamilyMembership.objects.get_or_create(person=person, family=family, defaults={"role": role})
        record_event(
            actor=actor,
            action="family.link",
            subject_person_id=person.pk,
            obj=membership,
            object_repr=f"family {family.pk}",
        )
    return membership


def family_create(*, actor_user: Any, actor: Actor, person: Person, name: str, role: str = "") -> FamilyGroup:
    """Start a family group with `person` as its first member. Audits `family.create` and `family.link`."""
    if not access.can_change_person(actor_user, person.pk):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError({"name": "Enter a name for the family group, like 'Harrison household'"})
    with transaction.atomic():
        family = FamilyGroup.objects.create(name=name.strip())
        record_event(
            actor=actor,
            action="family.create",
            subject_person_id=person.pk,
            obj=family,
            object_repr=f"family {family.pk}",
        )
        family_link(actor_user=actor_user, actor=actor, family=family, person=person, role=role)
    return family


def family_member_add(
    *, actor_user: Any, actor: Actor, family: FamilyGroup, subject: Person, member: Person, role: str = ""
) -> FamilyMembership:
    """Add `member` to a family group of `subject`'s. The user must be able to change the subject's
    record and see the person they add (no one is pulled into a family from outside what the user
    may see). Audits `family.link` against both people."""
    if not access.can_change_person(actor_user, subject.pk):
        raise PermissionDenied
    if not FamilyMembership.objects.filter(family=family, person=subject).exists():
        raise PermissionDenied
    if not access.can_view_person(actor_user, member.pk):
        raise ValidationError({"member": "Select a person you can see on your caseload"})
    if FamilyMembership.objects.filter(family=family, person=member).exists():
        raise ValidationError({"member": f"{member.full_name} is already in this family group"})
    with transaction.atomic():
        membership = FamilyMembership.objects.create(person=member, family=family, role=role.strip())
        for pk in (subject.pk, member.pk):
            record_event(
                actor=actor,
                action="family.link",
                subject_person_id=pk,
                obj=membership,
                object_repr=f"family {family.pk}",
            )
    return membership


def family_member_remove(*, actor_user: Any, actor: Actor, subject: Person, membership: FamilyMembership) -> None:
    """Take a person out of one of `subject`'s family groups (the group stays while it has members).
    Audits `family.unlink` against both people."""
    if not access.can_change_person(actor_user, subject.pk):
        raise PermissionDenied
    if not FamilyMembership.objects.filter(family_id=membership.family_id, person=subject).exists():
        raise PermissionDenied
    family_id, member_id, pk = membership.family_id, membership.person_id, membership.pk
    with transaction.atomic():
        membership.delete()
        for person_id in dict.fromkeys((subject.pk, member_id)):
            record_event(
                actor=actor,
                action="family.unlink",
                subject_person_id=person_id,
                object_type="people.FamilyMembership",
                object_id=str(pk),
                object_repr=f"family {family_id}",
            )
        if not FamilyMembership.objects.filter(family_id=family_id).exists():
            FamilyGroup.objects.filter(pk=family_id).delete()
