from __future__ import annotations

import pytest

from opencsc.privacy.models import RecipientType
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.models import Agency, AgencyContact, SharingAgreement
from opencsc.sharing.selectors import agencies_that_can_receive

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_agency_that_can_receive_for_every_recipient_type():
    seed_agencies()
    receivers = set(agencies_that_can_receive().values_list("recipient_type__code", flat=True))
    assert set(RecipientType.objects.values_list("code", flat=True)) == receivers
    assert not Agency.objects.exclude(code__in=["dfe", "nhs-cpis"]).filter(contacts__isnull=True).exists()


def test_seeding_twice_changes_nothing():
    seed_agencies()
    counts = (Agency.objects.count(), AgencyContact.objects.count(), SharingAgreement.objects.count())
    seed_agencies()
    assert (Agency.objects.count(), AgencyContact.objects.count(), SharingAgreement.objects.count()) == counts


def test_agency_contacts_are_synthetic():
    seed_agencies()
    assert all(email.endswith(".example") for email in AgencyContact.objects.values_list("email", flat=True))
