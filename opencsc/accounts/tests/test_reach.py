"""`CaseloadReach` follows every write to its inputs, and its check finds a table that drifted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from opencsc.accounts import access, reach
from opencsc.accounts.models import Allocation, CaseloadReach, Role
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.people import models as pm
from opencsc.people.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    """A child on team A's caseload, her mother (a relationship), and an uncle in her family group."""
    team = TeamFactory(name="Team A")
    child, mother, uncle, stranger = ChildFactory(), PersonFactory(), PersonFactory(), PersonFactory()
    pm.Relationship.objects.create(person=mother, relative=child, kind="parent")
    group = pm.FamilyGroup.objects.create(name="Family")
    pm.FamilyMembership.objects.create(person=child, family=group)
    pm.FamilyMembership.objects.create(person=uncle, family=group)
    Allocation.objects.create(person=child, team=team, start_date=timezone.localdate() - dt.timedelta(days=10))
    worker = UserFactory(role=Role.SOCIAL_WORKER, team=team)
    return {"worker": worker, "child": child, "mother": mother, "uncle": uncle, "stranger": stranger, "group": group}


def _visible(user) -> set[int]:
    return set(access.visible_persons(user).values_list("pk", flat=True))


def test_an_allocation_reaches_the_child_her_relatives_and_her_family_group(family):
    rows = set(CaseloadReach.objects.values_list("person_id", flat=True))
    assert rows == {family["child"].pk, family["mother"].pk, family["uncle"].pk}
    assert _visible(family["worker"]) == rows
    assert reach.discrepancies() == ([], [])


def test_bulk_writes_that_skip_the_orm_s_save_still_move_the_scope(family):
    worker, stranger = family["worker"], family["stranger"]
    pm.Relationship.objects.bulk_create([pm.Relationship(person=family["uncle"], relative=stranger, kind="sibling")])
    assert stranger.pk not in _visible(worker), "an uncle's sibling is not the child's family"
    pm.FamilyMembership.objects.bulk_create([pm.FamilyMembership(person=stranger, family=family["group"])])
    assert stranger.pk in _visible(worker)
    pm.FamilyMembership.objects.filter(person=stranger).update(family=pm.FamilyGroup.objects.create(name="Other"))
    assert stranger.pk not in _visible(worker)
    Allocation.objects.filter(person=family["child"]).update(end_date=timezone.localdate())
    assert _visible(worker) == set(), "an allocation ended in bulk takes the whole family out of scope"
    assert reach.discrepancies() == ([], [])


def test_an_allocation_that_ends_later_leaves_the_scope_on_its_end_date_without_any_refresh(family):
    Allocation.objects.filter(person=family["child"]).update(end_date=timezone.localdate() + dt.timedelta(days=2))
    assert family["mother"].pk in _visible(family["worker"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        assert _visible(family["worker"]) == set()


def test_deleting_a_person_removes_them_from_the_table(family):
    mother_pk = family["mother"].pk
    family["mother"].delete()
    assert not CaseloadReach.objects.filter(person_id=mother_pk).exists()
    assert reach.discrepancies() == ([], [])


def test_the_check_finds_a_table_that_drifted_and_rebuild_repairs_it(family):
    reach.drop_triggers(connection)
    try:
        pm.Relationship.objects.create(person=family["stranger"], relative=family["child"], kind="carer")
        CaseloadReach.objects.filter(person_id=family["uncle"].pk).update(team_id=0)
        missing, extra = reach.discrepancies()
        assert {row[0] for row in missing} == {family["stranger"].pk, family["uncle"].pk}
        assert {row[0] for row in extra} == {family["uncle"].pk}
        with pytest.raises(CommandError, match="2 rows missing"):
            call_command("check_access_scope")
        call_command("check_access_scope", "--repair")
        assert reach.discrepancies() == ([], [])
    finally:
        reach.install_triggers(connection)


def test_the_check_passes_on_an_exact_table(family, capsys):
    call_command("check_access_scope")
    assert "exact" in capsys.readouterr().out


def test_a_bulk_load_rebuilds_the_table_and_puts_the_triggers_back(family):
    worker, stranger = family["worker"], family["stranger"]
    with transaction.atomic(), reach.bulk_load():
        pm.FamilyMembership.objects.create(person=stranger, family=family["group"])
        assert not CaseloadReach.objects.filter(person_id=stranger.pk).exists(), "no per-row upkeep inside"
    assert stranger.pk in _visible(worker) and reach.discrepancies() == ([], [])
    pm.FamilyMembership.objects.filter(person=stranger).delete()  # the triggers are back
    assert stranger.pk not in _visible(worker) and reach.discrepancies() == ([], [])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_load_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"), reach.bulk_load():
        pass
