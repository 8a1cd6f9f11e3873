"""The agency register and agreements: readable by staff, edited by information governance only, every
change audited; an agreement covering special category data without its condition is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.privacy.models import Category, LawfulBasis, Purpose, RecipientType
from opencsc.sharing.models import Agency, AgencyContact, SharingAgreement

pytestmark = pytest.mark.django_db


def test_staff_read_the_register_and_only_ig_can_change_it(agencies, social_worker, ig_officer, client_for):
    assert client_for(social_worker).get(reverse("sharing:agencies")).status_code == 200
    assert client_for(social_worker).get(reverse("sharing:agency_add")).status_code == 403
    page = client_for(ig_officer).get(reverse("sharing:agencies")).content.decode()
    assert "Exampleton Constabulary Public Protection Unit" in page and "ISA-POLICE" in page
    assert "no agency can receive" not in page


def test_an_ig_officer_adds_an_agency_and_a_contact(ig_officer, client_for):
    client = client_for(ig_officer)
    response = client.post(
        reverse("sharing:agency_add"),
        {
            "name": "Test Advocacy Project",
            "recipient_type": RecipientType.objects.get(code="advocacy").pk,
            "channel": "secure_email",
            "channel_address": "x@test.example",
            "address": "",
            "country": "United Kingdom",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Test Advocacy Project")
    client.post(
        reverse("sharing:contact_add", args=[agency.pk]),
        {"name": "A Contact", "job_title": "Lead", "email": "a@test.example", "phone": ""},
    )
    assert AgencyContact.objects.filter(agency=agency).count() == 1
    assert AuditEvent.objects.filter(action="sharing.agency_change").count() == 2


def _agreement_data(**overrides):
    data = {
        "name": "Test agreement",
        "reference": "ISA-TEST",
        "agency": "",
        "recipient_type": RecipientType.objects.get(code="mentor").pk,
        "purposes": [Purpose.objects.get(code="children-in-care").pk],
        "categories": [Category.objects.get(code="name").pk, Category.objects.get(code="health").pk],
        "lawful_basis": LawfulBasis.objects.get(code="art6-1e-public-task").pk,
        "special_condition": LawfulBasis.objects.get(code="art9-2h-sch1-p2-health-social-care").pk,
        "criminal_condition": "",
        "valid_from_0": "1",
        "valid_from_1": "4",
        "valid_from_2": "2025",
        "valid_until_0": "",
        "valid_until_1": "",
        "valid_until_2": "",
        "dpia_reference": "DPIA-T",
    }
    return {**data, **overrides}


def test_an_ig_officer_adds_an_agreement(ig_officer, client_for):
    response = client_for(ig_officer).post(reverse("sharing:agreement_add"), _agreement_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = SharingAgreement.objects.get(reference="ISA-TEST")
    assert set(agreement.categories.values_list("code", flat=True)) == {"name", "health"}
    assert AuditEvent.objects.filter(action="sharing.agreement_change", object_id=str(agreement.pk)).count() == 1


def test_special_category_without_a_condition_is_refused(ig_officer, client_for):
    response = client_for(ig_officer).post(reverse("sharing:agreement_add"), _agreement_data(special_condition=""))
    assert response.status_code == 200
    assert "Select the Article 9 condition" in response.content.decode()
    assert not SharingAgreement.objects.filter(reference="ISA-TEST").exists()


def test_an_agreement_is_for_an_agency_or_a_type_not_both(agencies, ig_officer, client_for):
    police = Agency.objects.get(name="Exampleton Constabulary Public Protection Unit")
    response = client_for(ig_officer).post(reverse("sharing:agreement_add"), _agreement_data(agency=police.pk))
    assert "Choose either one agency or a recipient type, not both" in response.content.decode()


def test_the_processing_register_pages_render_for_ig(ig_officer, client_for):
    client = client_for(ig_officer)
    assert client.get(reverse("privacy:register")).status_code == 200
    purpose = Purpose.objects.first()
    assert client.get(reverse("privacy:register_edit", args=["purposes", purpose.pk])).status_code == 200
    assert client.get(reverse("privacy:register_edit", args=["controller", 1])).status_code == 200
    assert client.get(reverse("privacy:register_add", args=["categories"])).status_code == 404
