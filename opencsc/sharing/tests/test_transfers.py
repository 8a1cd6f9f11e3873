"""Statutory transfers: a built DfE return or CP-IS file is a disclosure of each of its children, in the
same log as every other disclosure. Tested with a fake build standing in for the returns and CP-IS code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencsc.audit.events import Kind
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.core.categories import DataCategory as C
from opencsc.people.tests.factories import ChildFactory
from opencsc.privacy.models import Purpose
from opencsc.sharing.models import Agency, Disclosure
from opencsc.sharing.rules import SharingRefused
from opencsc.sharing.services import disclosure_record_transfer

pytestmark = pytest.mark.django_db


def fake_cin_census_build(children: list[int]) -> int:
    """What a return builder does once the file is built and sent."""
    return disclosure_record_transfer(
        actor=Actor.system("build_return"),
        agency=Agency.objects.get(code="dfe"),
        purpose=Purpose.objects.get(code="statutory-returns"),
        person_ids=children,
        categories=[C.NAME, C.DATE_OF_BIRTH, C.ETHNICITY, C.HEALTH, C.REFERRAL, C.UPN],
        reference="CIN census 2025-26, build 7",
    )


def test_a_return_is_one_disclosure_per_child(child):
    others = [ChildFactory().pk for _ in range(2)]
    before = AuditEvent.objects.count()
    assert fake_cin_census_build([child.pk, *others, child.pk]) == 3
    assert Disclosure.objects.filter(kind="transfer").count() == 3
    events = AuditEvent.objects.filter(seq__gt=before)
    assert sorted(events.values_list("subject_person_id", flat=True)) == sorted([child.pk, *others])
    assert set(events.values_list("kind", "action")) == {(Kind.DISCLOSURE.value, "sharing.transfer")}
    disclosure = Disclosure.objects.get(person=child)
    assert disclosure.lawful_basis.code == "art6-1c-legal-obligation"
    assert disclosure.condition.code == "art9-2g-sch1-p6-statutory-purposes"
    assert disclosure.agreement.reference == "STAT-DFE-RETURNS"


def test_the_transfer_appears_in_the_childs_disclosure_log(social_worker, child, client_for):
    fake_cin_census_build([child.pk])
    page = client_for(social_worker).get(reverse("sharing:disclosure_log", args=[child.pk])).content.decode()
    assert "Department for Education" in page and "CIN census 2025-26, build 7" in page


def test_cp_is_upload_is_recorded_against_nhs_england(child):
    written = disclosure_record_transfer(
        actor=Actor.system("build_cpis"),
        agency=Agency.objects.get(code="nhs-cpis"),
        purpose=Purpose.objects.get(code="health-protection"),
        person_ids=[child.pk],
        categories=[C.NHS_NUMBER, C.REFERRAL],
        reference="CP-IS upload 000123",
    )
    assert written == 1
    assert Disclosure.objects.get().agency.code == "nhs-cpis"


def test_a_transfer_beyond_the_statutory_agreement_writes_nothing(child):
    with pytest.raises(SharingRefused) as refused:
        disclosure_record_transfer(
            actor=Actor.system("build_cpis"),
            agency=Agency.objects.get(code="nhs-cpis"),
            purpose=Purpose.objects.get(code="health-protection"),
            person_ids=[child.pk],
            categories=[C.NHS_NUMBER, C.ADDRESS],
            reference="CP-IS upload 000124",
        )
    assert "does not allow sharing Address" in refused.value.reasons[0]
    assert Disclosure.objects.count() == 0


def test_an_unknown_person_id_writes_nothing(child):
    with pytest.raises(ValueError, match="Not persons"):
        fake_cin_census_build([child.pk, 987654321])
    assert Disclosure.objects.count() == 0
    assert not AuditEvent.objects.filter(action="sharing.transfer").exists()
