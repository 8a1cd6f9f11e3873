"""The family a page about a person names: relatives both ways and family-group members, each once,
nearest first, only those the user may see (the summary at the top of the person record and the
casework pages). Read once per request: the page's access-checked selector names them in its view
event (`person_ids`), and the summary draws the same list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from opencsc.accounts import access
from opencsc.core import compiled
from opencsc.people.models import FamilyMembership, Person, RelationshipKind
from opencsc.people.selectors import relationships_both_ways

K = RelationshipKind
# "A is KIND of B", read from B's side: what A is to B is the label; what B is to A is the inverse.
INVERSE_ROLE: dict[str, str] = {
    K.PARENT: "Child",
    K.STEP_PARENT: "Step-child",
    K.SIBLING: "Sibling",
    K.HALF_SIBLING: "Half-sibling",
    K.GRANDPARENT: "Grandchild",
    K.CARER: "Cared for by them",
    K.FOSTER_CARER: "Foster child",
    K.PARTNER: "Partner",
    K.FORMER_PARTNER: "Former partner",
    K.AUNT_UNCLE: "Niece or nephew",
    K.COUSIN: "Cousin",
    K.OTHER: "Other relationship",
}
ROLE: dict[str, str] = {
    K.PARENT: "Parent",
    K.STEP_PARENT: "Step-parent",
    K.SIBLING: "Sibling",
    K.HALF_SIBLING: "Half-sibling",
    K.GRANDPARENT: "Grandparent",
    K.CARER: "Carer",
    K.FOSTER_CARER: "Foster carer",
    K.PARTNER: "Partner",
    K.FORMER_PARTNER: "Former partner",
    K.AUNT_UNCLE: "Aunt or uncle",
    K.COUSIN: "Cousin",
    K.OTHER: "Other relationship",
}


@dataclass(frozen=True)
class FamilyMember:
    person_id: int
    name: str
    role: str
    age: str
    lives_with: bool = False


def family_members(user: Any, person: Person, day: dt.date) -> list[FamilyMember]:
    """The family as `user` may see it; kept on this person object (one request) for this user."""
    key = (getattr(user, "pk", None), day)
    cached = person.__dict__.setdefault("_family_members", {})
    if key not in cached:
        cached[key] = _family(user, person, day)
    return list(cached[key])


def visible_among(user: Any, person: Person, ids: list[int]) -> set[int]:
    """Which of `ids` (people named on `person`'s page) `user` may see. The family read for this
    user on this person object (`family_members`) has already asked about its relatives: when it
    asked about all of `ids`, its answer is reused; otherwise the scope is asked now."""
    checked = person.__dict__.get("_family_scope", {}).get(getattr(user, "pk", None))
    if checked is not None and checked[0].issuperset(ids):
        return checked[1].intersection(ids)
    return set(access.visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))


def summary_family_ids(user: Any) -> Callable[[Person], list[int]]:
    """For a page's selector (`shown_with`): the ids of the family its summary will show, so that
    the page's one view event names them and the summary needs no event of its own."""
    return lambda person: [member.person_id for member in family_members(user, person, timezone.localdate())]


def _family(user: Any, person: Person, day: dt.date) -> list[FamilyMember]:
    """Relatives both ways and family-group members, each once, nearest first; only those visible."""
    roles: dict[int, tuple[str, bool]] = {}
    relationships = relationships_both_ways(person)  # read once for the page (the record shows them too)
    for rel in (rel for rel in relationships if rel.relative_id == person.pk):
        roles.setdefault(rel.person_id, (ROLE.get(rel.kind, "Relative"), rel.lives_with))
    for out in (rel for rel in relationships if rel.person_id == person.pk):
        roles.setdefault(out.relative_id, (INVERSE_ROLE.get(out.kind, "Relative"), out.lives_with))
    for member in compiled.rows("people.family_group_members", _group_members, person.pk):
        roles.setdefault(member["person_id"], ((member["role"] or "Family member").capitalize(), False))
    if not roles:
        return []
    asked = list(roles)[:100]
    visible = access.visible_persons(user).filter(pk__in=asked)
    people = list(
        visible.only("pk", "first_name", "last_name", "date_of_birth", "expected_date_of_birth", "date_of_death")
    )
    # What was asked and answered, for the page's other lists of the same relatives (`visible_among`).
    scope = person.__dict__.setdefault("_family_scope", {})
    scope[getattr(user, "pk", None)] = (frozenset(asked), frozenset(p.pk for p in people))
    found = []
    for relative in people:
        role, lives_with = roles[relative.pk]
        found.append(FamilyMember(relative.pk, relative.full_name, role, _age(relative, day), lives_with))
    order = list(roles)
    return sorted(found, key=lambda m: order.index(m.person_id))


def _group_members(pk: int) -> QuerySet[Any]:
    """The other members of the person's family groups (SQL built once per process: `core.compiled`)."""
    groups = FamilyMembership.objects.filter(person_id=pk).values("family_id")
    return (
        FamilyMembership.objects.filter(family_id__in=groups)
        .exclude(person_id=pk)
        .order_by("pk")
        .values("person_id", "role")[:60]
    )


def _age(person: Person, day: dt.date) -> str:
    if person.date_of_death:
        return f"died {person.date_of_death:%Y}"
    if person.date_of_birth is None:
        return f"due {person.expected_date_of_birth:%b %Y}" if person.expected_date_of_birth else ""
    return f"age {person.age_on(day)}"
