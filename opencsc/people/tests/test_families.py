"""The family groups page: members listed (only those the reader may see), a group started, people
added and taken out, each change audited against both people; outsiders get the same 404 as for a
missing record, and cannot change anything."""

from __future__ import annotations

import pytest

from opencsc.audit.models import AuditEvent
from opencsc.people.models import FamilyGroup, FamilyMembership
from opencsc.people.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(child, mother):
    group = FamilyGroup.objects.create(name="Test household")
    FamilyMembership.objects.create(person=child, family=group, role="child")
    FamilyMembership.objects.create(person=mother, family=group, role="mother")
    return group


def test_members_are_listed_as_links_and_hidden_people_left_out(client_for, social_worker, child, mother, household):
    hidden = ChildFactory(first_name="Hiddenname", is_restricted=True)
    FamilyMembership.objects.create(person=hidden, family=household, role="cousin")
    before = AuditEvent.objects.count()
    html = client_for(social_worker).get(f"/people/{child.pk}/families/").content.decode()
    assert f'href="/people/{mother.pk}/"' in html and "mother" in html
    assert "Hiddenname" not in html
    assert AuditEvent.objects.filter(seq__gt=before, action="person.view", subject_person_id=child.pk).count() == 1


def test_start_a_group_add_and_take_out_members(client_for, social_worker, child, mother):
    client = client_for(social_worker)
    response = client.post(f"/people/{child.pk}/families/", {"new-name": "Bell household", "new-role": "child"})
    assert response.status_code == 302
    group = FamilyGroup.objects.get(name="Bell household")
    response = client.post(
        f"/people/{child.pk}/families/{group.pk}/add/", {f"g{group.pk}-member": mother.pk, f"g{group.pk}-role": "mum"}
    )
    assert response.status_code == 302
    membership = FamilyMembership.objects.get(family=group, person=mother)
    assert membership.role == "mum"
    linked = AuditEvent.objects.filter(action="family.link", object_repr=f"family {group.pk}")
    assert set(linked.values_list("subject_person_id", flat=True)) == {child.pk, mother.pk}
    response = client.post(f"/people/{child.pk}/families/remove/{membership.pk}/")
    assert response.status_code == 302
    assert not FamilyMembership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="family.unlink", subject_person_id=mother.pk).exists()


def test_empty_new_group_names_the_field(client_for, social_worker, child):
    html = client_for(social_worker).post(f"/people/{child.pk}/families/", {"new-name": ""}).content.decode()
    assert "Enter the name of the family group" in html
    assert not FamilyGroup.objects.exists()


def test_outsider_can_neither_see_nor_change(client_for, outsider, child, mother, household):
    client = client_for(outsider)
    assert client.get(f"/people/{child.pk}/families/").status_code == 404
    stranger = PersonFactory()
    response = client.post(f"/people/{child.pk}/families/{household.pk}/add/", {f"g{household.pk}-member": stranger.pk})
    assert response.status_code == 404
    membership = FamilyMembership.objects.get(family=household, person=mother)
    assert client.post(f"/people/{child.pk}/families/remove/{membership.pk}/").status_code == 404
    assert FamilyMembership.objects.filter(family=household).count() == 2


def test_cannot_add_someone_the_worker_cannot_see(client_for, social_worker, child, household):
    stranger = ChildFactory(first_name="Strangername")
    client_for(social_worker).post(
        f"/people/{child.pk}/families/{household.pk}/add/", {f"g{household.pk}-member": stranger.pk}
    )
    assert not FamilyMembership.objects.filter(person=stranger).exists()
