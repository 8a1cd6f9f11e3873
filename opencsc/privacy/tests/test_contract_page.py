"""The page where a team manager contracts a child's case to a processor (ADR 0031's service, ADR 0032):
start date chosen, end from the contract or at once, audited, and shown on the child's summary."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.audit.models import AuditEvent
from opencsc.demo.partners import seed_processors
from opencsc.privacy.models import Processor

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db):
    seed_processors()
    processor = Processor.objects.get(code="family-support-provider")
    processor.team = TeamFactory(name=processor.name, kind=TeamKind.PROCESSOR)
    processor.save(update_fields=["team"])
    return processor


def _date(day):
    return {"start_date_0": str(day.day), "start_date_1": str(day.month), "start_date_2": str(day.year)}


def test_a_manager_contracts_the_case_it_shows_on_the_summary_and_ends_it(client_for, team_manager, child, provider):
    client = client_for(team_manager)
    page = client.get(f"/privacy/children/{child.pk}/processors/")
    assert page.status_code == 200 and provider.name in page.content.decode()
    response = client.post(
        f"/privacy/children/{child.pk}/processors/", {"processor": provider.pk, **_date(timezone.localdate())}
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get(person=child, kind=AllocationKind.CONTRACTED)
    assert allocation.team == provider.team
    assert AuditEvent.objects.filter(action="privacy.processor_case_contract", subject_person_id=child.pk).exists()
    summary = client.get(f"/people/{child.pk}/").content.decode()
    assert "Contracted to a processor" in summary and provider.name in summary
    worker = UserFactory(username="provider.worker", role=Role.SOCIAL_WORKER, team=provider.team)
    assert client_for(worker).get(f"/people/{child.pk}/").status_code == 200
    ended = client.post(f"/privacy/children/{child.pk}/processors/{allocation.pk}/end/")
    assert ended.status_code == 302
    assert AuditEvent.objects.filter(action="privacy.processor_case_end", subject_person_id=child.pk).exists()
    assert client_for(worker).get(f"/people/{child.pk}/").status_code == 404
    assert "Contracted to a processor" not in client.get(f"/people/{child.pk}/").content.decode()


def test_the_form_says_what_is_missing(client_for, team_manager, child, provider):
    response = client_for(team_manager).post(f"/privacy/children/{child.pk}/processors/", {})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Select the processor to contract the case to" in body
    assert not Allocation.objects.filter(kind=AllocationKind.CONTRACTED).exists()


@pytest.mark.parametrize("role", ["social_worker", "outsider", "mash_practitioner", "partner", "ig_officer"])
def test_only_a_manager_holding_the_child_contracts_it(client_for, request, role, child, provider):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(f"/privacy/children/{child.pk}/processors/").status_code == 404
    response = client.post(
        f"/privacy/children/{child.pk}/processors/", {"processor": provider.pk, **_date(timezone.localdate())}
    )
    assert response.status_code == 404
    assert not Allocation.objects.filter(kind=AllocationKind.CONTRACTED).exists()
