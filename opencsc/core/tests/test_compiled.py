"""Queries compiled once per process (`core.compiled`): each call answers for its own id, never for
the id the SQL was first built with."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef

from opencsc.core import compiled
from opencsc.people.models import FamilyGroup, FamilyMembership, Person
from opencsc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _in_a_family(pk: int):  # type: ignore[no-untyped-def]
    member = FamilyMembership.objects.filter(person=OuterRef("pk"))
    return Person.objects.filter(pk=pk).values("first_name", in_family=Exists(member))


def test_each_call_answers_for_its_own_id():
    alone, member = PersonFactory(first_name="Alone"), PersonFactory(first_name="Member")
    FamilyMembership.objects.create(family=FamilyGroup.objects.create(name="Group"), person=member, role="mother")
    key = "test.in_a_family"
    first = compiled.first_row(key, _in_a_family, member.pk)
    second = compiled.first_row(key, _in_a_family, alone.pk)
    assert first is not None and first["first_name"] == "Member" and bool(first["in_family"])
    assert second is not None and second["first_name"] == "Alone" and not second["in_family"]
    assert compiled.first_row(key, _in_a_family, 0) is None


def test_a_query_that_ignores_its_id_is_refused():
    with pytest.raises(ValueError, match="does not depend on its id"):
        compiled.rows("test.ignores_id", lambda pk: Person.objects.values("pk"), 1)
