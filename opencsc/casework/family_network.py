"""The child's family network as the genogram holds it: the relatives and friends linked to the child
by relationships either way round, for choosing who came to a family network meeting."""

from __future__ import annotations

from opencsc.people.models import Person, Relationship, RelationshipKind


def related_people(child: Person) -> list[tuple[Person, str]]:
    """Each person linked to the child, once, with their relationship in words ("Grandparent of the
    child", "The child's sibling"), ordered by name. The caller has checked access to the child."""
    found: dict[int, tuple[Person, str]] = {}
    for r in Relationship.objects.filter(relative=child).select_related("person"):
        found.setdefault(r.person_id, (r.person, f"{RelationshipKind(r.kind).label} the child"))
    for r in Relationship.objects.filter(person=child).select_related("relative"):
        found.setdefault(r.relative_id, (r.relative, f"The child is {RelationshipKind(r.kind).label.lower()} them"))
    return sorted(found.values(), key=lambda item: (item[0].last_name, item[0].first_name, item[0].pk))
