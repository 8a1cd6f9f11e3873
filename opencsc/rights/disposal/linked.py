"""Linked adults (ADR 0030): a parent or relative held only because of a child whose record is
disposed of follows that child's rule (`linked-adult`), unless they have records of their own.

An adult's ties are their relationships (either way round) and the other members of their family
groups. An adult goes with the children when every tie is to a child being disposed of or to
another adult going with them (found as a fixed point: the two parents of one child go together),
and nothing else points at them but their own details (names, addresses, phones: the person's
parts) and the derived tables. Anything else (an allocation, a disclosure, a case step, a rights
request, a legal hold) is a record of their own and keeps them.
"""

from __future__ import annotations

from django.db.models import Q

from opencsc.people.models import FamilyMembership, Person, PersonPart, Relationship
from opencsc.rights.disposal.removal import KEEPS_IDS, _pointers

DERIVED = {"people.MatchProfile", "people.MatchKey", "people.DuplicatePair", "accounts.CaseloadReach"}
TIES = {"people.Relationship", "people.FamilyMembership"}


def ties_of(person_ids: set[int]) -> dict[int, set[int]]:
    ties: dict[int, set[int]] = {pk: set() for pk in person_ids}
    for a, b in Relationship.objects.filter(Q(person_id__in=person_ids) | Q(relative_id__in=person_ids)).values_list(
        "person_id", "relative_id"
    ):
        for one, other in ((a, b), (b, a)):
            if one in ties:
                ties[one].add(other)
    mine = list(FamilyMembership.objects.filter(person_id__in=person_ids).values_list("family_id", "person_id"))
    members: dict[int, set[int]] = {}
    for family, member in FamilyMembership.objects.filter(family_id__in={f for f, _ in mine}).values_list(
        "family_id", "person_id"
    ):
        members.setdefault(family, set()).add(member)
    for family, pk in mine:
        ties[pk] |= members.get(family, set()) - {pk}
    return ties


def has_records_of_their_own(person_id: int) -> bool:
    for model, column in _pointers(Person):
        label = model._meta.label
        if label in KEEPS_IDS or label in DERIVED or label in TIES:
            continue
        if issubclass(model, PersonPart):
            continue
        if model._base_manager.filter(**{column: person_id}).exists():
            return True
    return False


def linked_adults(children: set[int]) -> dict[int, set[int]]:
    """{adult id: the children in `children` they are tied to} for every adult who goes with them."""
    first = ties_of(children)
    candidates = {
        pk
        for pk in Person.objects.filter(pk__in=set().union(*first.values()), is_child=False).values_list(
            "pk", flat=True
        )
        if pk not in children
    }
    candidates = {pk for pk in candidates if not has_records_of_their_own(pk)}
    ties = ties_of(candidates)
    going = set(candidates)
    while True:
        kept = {pk for pk in going if not ties[pk] <= children | going}
        if not kept:
            break
        going -= kept
    return {pk: ties[pk] & children for pk in going if ties[pk] & children}
