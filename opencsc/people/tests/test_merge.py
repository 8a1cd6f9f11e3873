"""Merging two records of one person and undoing it: every row moves, the old id redirects, the
access scope is the union of both, and an unmerge puts every row back exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opencsc.accounts import access, reach
from opencsc.accounts.models import AllocationKind, CaseloadReach
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.tests.factories import EpisodeFactory
from opencsc.people.matching import index
from opencsc.people.matching.merge import merged_into, person_links, person_merge, person_unmerge
from opencsc.people.matching.models import DuplicatePair, ExternalId, PersonMerge
from opencsc.people.matching.service import MatchQuery, find_matches
from opencsc.people.models import Address, FamilyGroup, FamilyMembership, PersonName, Relationship
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def _dump(*people: int) -> dict[str, list[dict]]:
    """Every row that points at these people, whole, and their access reach (ids of reach rows are
    renumbered by the triggers, so those are compared without them)."""
    out: dict[str, list[dict]] = {}
    for model, field in person_links():
        column = model._meta.get_field(field).attname
        rows = model._base_manager.filter(**{f"{column}__in": people}).order_by("pk").values()
        out[f"{model._meta.label}.{field}"] = [dict(r) for r in rows]
    reach_rows = CaseloadReach.objects.filter(person_id__in=people).values(
        "person_id", "allocation_id", "team_id", "worker_id", "start_date", "end_date"
    )
    out["reach"] = sorted((dict(r) for r in reach_rows), key=lambda r: sorted(r.items()))
    return out


@pytest.fixture
def twin_records(social_worker, outsider, east_team, west_team):
    """One child recorded twice: by the east team (with a referral and a family) and by the west."""
    survivor = ChildFactory(first_name="Amara", last_name="Okafor")
    duplicate = ChildFactory(
        first_name="Amarah",
        last_name="Okafor",
        date_of_birth=survivor.date_of_birth,
        nhs_number="",
        nhs_number_index="",
        upn="",
        la_child_id=None,
    )
    AllocationFactory(person=survivor, team=east_team, worker=social_worker, kind=AllocationKind.ALLOCATED_WORKER)
    AllocationFactory(person=duplicate, team=west_team, worker=outsider, kind=AllocationKind.ALLOCATED_WORKER)
    mother = PersonFactory(sex="F")
    RelationshipFactory(person=mother, relative=survivor)
    RelationshipFactory(person=mother, relative=duplicate)  # the same relationship twice: set aside
    RelationshipFactory(person=duplicate, relative=survivor, kind="sibling")  # would relate the child to itself
    family = FamilyGroup.objects.create(name="Okafor household")
    FamilyMembership.objects.create(person=survivor, family=family)
    FamilyMembership.objects.create(person=duplicate, family=family)
    Address.objects.create(
        person=duplicate, line1="4 Mill Lane", town="Exampleton", postcode="EX4 4MM", start_date=dt.date(2024, 2, 1)
    )
    PersonName.objects.create(person=duplicate, first_name="Amy", last_name="Okafor-Bello", kind="alias")
    ExternalId.objects.create(person=duplicate, source="import", value="LEGACY-77")
    EpisodeFactory(child=duplicate)
    index.rebuild()
    return survivor, duplicate, mother


def test_merge_then_unmerge_restores_every_row_exactly(ig_officer, twin_records):
    survivor, duplicate, mother = twin_records
    actor = Actor(id=ig_officer.pk, name=ig_officer.username)
    before = _dump(survivor.pk, duplicate.pk, mother.pk)
    merge = person_merge(
        actor_user=ig_officer, actor=actor, survivor=survivor, duplicate=duplicate, reason="Same child"
    )
    during = _dump(duplicate.pk)
    assert all(not rows for key, rows in during.items() if key != "reach"), during
    assert during["reach"] == []
    assert len(merge.removed) == 3  # mother's second relationship, the self-relationship, the second membership
    assert reach.discrepancies() == ([], [])
    person_unmerge(actor_user=ig_officer, actor=actor, merge=merge, reason="Two children after all")
    assert _dump(survivor.pk, duplicate.pk, mother.pk) == before
    assert reach.discrepancies() == ([], [])
    assert merged_into(duplicate.pk) is None


def test_after_a_merge_the_old_id_redirects_and_scope_is_the_union(
    client_for, ig_officer, social_worker, outsider, twin_records
):
    survivor, duplicate, _ = twin_records
    # so that neither team sees the other's record before the merge
    Relationship.objects.filter(kind="sibling").delete()
    FamilyMembership.objects.filter(person=duplicate).delete()
    assert not access.can_view_person(social_worker, duplicate.pk)
    assert not access.can_view_person(outsider, survivor.pk)
    person_merge(
        actor_user=ig_officer,
        actor=Actor(id=ig_officer.pk, name="ig"),
        survivor=survivor,
        duplicate=duplicate,
        reason="x",
    )
    assert access.can_view_person(social_worker, survivor.pk) and access.can_view_person(outsider, survivor.pk)
    for user in (social_worker, outsider):
        response = client_for(user).get(f"/people/{duplicate.pk}/")
        assert response.status_code == 302 and response["Location"] == f"/people/{survivor.pk}/"
    assert ExternalId.objects.get(value="LEGACY-77").person_id == survivor.pk
    assert survivor.__class__.objects.get(pk=survivor.pk).addresses.filter(postcode="EX4 4MM").exists()
    # the matcher finds the survivor by the duplicate's details, and never the merged-away record
    found = find_matches(MatchQuery(first_name="Amy", surname="Okafor-Bello", postcode="EX4 4MM"))
    assert [c.person_id for c in found][:1] == [survivor.pk]
    assert duplicate.pk not in [c.person_id for c in found]


def test_merge_and_unmerge_are_audited_on_both_people(ig_officer, twin_records):
    survivor, duplicate, _ = twin_records
    actor = Actor(id=ig_officer.pk, name="ig")
    merge = person_merge(
        actor_user=ig_officer, actor=actor, survivor=survivor, duplicate=duplicate, reason="Same child"
    )
    person_unmerge(actor_user=ig_officer, actor=actor, merge=merge, reason="Not the same")
    for action in ("person.merge", "person.unmerge"):
        subjects = set(AuditEvent.objects.filter(action=action).values_list("subject_person_id", flat=True))
        assert subjects == {survivor.pk, duplicate.pk}


def test_only_information_governance_may_merge(social_worker, team_manager, twin_records):
    survivor, duplicate, _ = twin_records
    for user in (social_worker, team_manager):
        with pytest.raises(PermissionDenied):
            person_merge(
                actor_user=user, actor=Actor(id=user.pk, name="x"), survivor=survivor, duplicate=duplicate, reason="x"
            )
    assert merged_into(duplicate.pk) is None


def test_a_census_built_after_a_merge_counts_the_child_once(ig_officer, twin_records):
    from opencsc.casework.models import ReferralEpisode

    survivor, duplicate, _ = twin_records
    EpisodeFactory(child=survivor, referral_date=dt.date(2024, 5, 1))
    person_merge(
        actor_user=ig_officer,
        actor=Actor(id=ig_officer.pk, name="ig"),
        survivor=survivor,
        duplicate=duplicate,
        reason="x",
    )
    children = set(ReferralEpisode.objects.values_list("child_id", flat=True))
    assert children == {survivor.pk}  # the returns are built per child from these episodes


def test_review_queue_merge_and_undo_through_the_pages(client_for, ig_officer, social_worker, twin_records):
    from django.core.management import call_command

    survivor, duplicate, _ = twin_records
    call_command("find_duplicates")
    pair = DuplicatePair.objects.get()
    assert client_for(social_worker).get("/people/duplicates/").status_code == 403
    client = client_for(ig_officer)
    head = AuditEvent.objects.count()
    body = client.get("/people/duplicates/").content.decode()
    assert f"{pair.person_a_id} and {pair.person_b_id}" in body
    assert list(AuditEvent.objects.filter(pk__gt=0).order_by("-seq").values_list("action", flat=True)[:1]) == [
        "duplicates.queue_view"
    ]
    assert AuditEvent.objects.count() == head + 1
    page = client.get(f"/people/duplicates/{pair.pk}/").content.decode()
    assert survivor.full_name in page and duplicate.full_name in page
    refused = client.post(f"/people/duplicates/{pair.pk}/", {"decision": "keep_a", "reason": ""}).content.decode()
    assert "Say why, in at least 10 characters" in refused and merged_into(duplicate.pk) is None
    keep = "keep_a" if pair.person_a_id == survivor.pk else "keep_b"
    response = client.post(f"/people/duplicates/{pair.pk}/", {"decision": keep, "reason": "Same NHS trace and school"})
    assert response.status_code == 302
    merge = PersonMerge.objects.get()
    assert merged_into(duplicate.pk) == survivor.pk
    response = client.post(f"/people/merges/{merge.pk}/undo/", {"reason": "Two children after all"})
    assert response.status_code == 302 and merged_into(duplicate.pk) is None
