"""Processor staff (Art 28) work only on the cases contracted to their processor, through the same
access scope as any team: the contracted child is visible; any other child is the same 404 as a
missing one, audited; the contract's end, or ending the contracted case, takes the child away; and
they cannot break glass or learn that a child outside their cases is known."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, TeamKind
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.demo.partners import seed_processors
from opencsc.people.matching import index
from opencsc.people.matching.service import MatchQuery, match_for_user
from opencsc.privacy.models import Processor
from opencsc.privacy.services import processor_case_contract, processor_case_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db):
    seed_processors()
    processor = Processor.objects.get(code="family-support-provider")
    processor.team = TeamFactory(name=processor.name, kind=TeamKind.PROCESSOR)
    processor.save(update_fields=["team"])
    return processor


@pytest.fixture
def provider_worker(provider):
    return UserFactory(username="brightstart.worker", role=Role.SOCIAL_WORKER, team=provider.team)


@pytest.fixture
def contracted(team_manager, child, provider):
    return processor_case_contract(
        actor_user=team_manager, actor=Actor.from_user(team_manager), processor=provider, person=child
    )


def test_processor_staff_see_the_contracted_case_and_nothing_else(
    client_for, provider_worker, contracted, child, stranger_child
):
    client = client_for(provider_worker)
    assert client.get(f"/people/{child.pk}/").status_code == 200
    assert client.get(f"/people/{stranger_child.pk}/").status_code == 404
    denied = AuditEvent.objects.get(action="person.access_denied", actor_id=provider_worker.pk)
    assert denied.subject_person_id == stranger_child.pk and denied.outcome == "denied"
    assert set(access.visible_persons(provider_worker)) == {child}
    contract = AuditEvent.objects.get(action="privacy.processor_case_contract")
    assert contract.subject_person_id == child.pk


def test_the_case_goes_when_the_contract_ends_or_the_case_is_ended(
    provider, provider_worker, contracted, child, team_manager
):
    assert contracted.end_date == provider.contract_end + dt.timedelta(days=1)
    processor_case_end(actor_user=team_manager, actor=Actor.from_user(team_manager), allocation=contracted)
    assert not access.can_view_person(provider_worker, child.pk)
    assert AuditEvent.objects.filter(action="privacy.processor_case_end", subject_person_id=child.pk).exists()


def test_only_a_manager_holding_the_child_contracts_it_and_only_while_the_contract_runs(
    provider, child, social_worker, team_manager, stranger_child
):
    with pytest.raises(PermissionDenied):  # a worker does not allocate
        processor_case_contract(
            actor_user=social_worker, actor=Actor.from_user(social_worker), processor=provider, person=child
        )
    with pytest.raises(PermissionDenied):  # not the manager's child
        processor_case_contract(
            actor_user=team_manager, actor=Actor.from_user(team_manager), processor=provider, person=stranger_child
        )
    provider.contract_end = timezone.localdate() - dt.timedelta(days=1)
    provider.save(update_fields=["contract_end"])
    with pytest.raises(ValidationError, match="does not run"):
        processor_case_contract(
            actor_user=team_manager, actor=Actor.from_user(team_manager), processor=provider, person=child
        )


def test_processor_staff_cannot_break_glass_nor_learn_who_is_known(provider_worker, contracted, stranger_child):
    assert not access.can_break_glass(provider_worker, stranger_child)
    index.index_people([stranger_child.pk])
    query = MatchQuery(
        first_name=stranger_child.first_name,
        surname=stranger_child.last_name,
        date_of_birth=stranger_child.date_of_birth,
    )
    found = match_for_user(user=provider_worker, actor=Actor.from_user(provider_worker), query=query)
    assert found.visible == [] and found.known_elsewhere == []
