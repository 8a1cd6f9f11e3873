"""The rule: no agreement, an expired one, a purpose or a category outside it, or special category and
criminal data without their condition: refused, with a reason a practitioner can act on."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.core.categories import DataCategory as C
from opencsc.privacy.models import LawfulBasis, Purpose, RecipientType
from opencsc.sharing import rules
from opencsc.sharing.models import Agency, SharingAgreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def lonely_agency(db):
    return Agency.objects.create(name="Unagreed Mentoring Ltd", recipient_type=RecipientType.objects.get(code="mentor"))


def test_no_agreement_is_refused_saying_so(lonely_agency, safeguarding):
    decision = rules.evaluate(agency=lonely_agency, purpose=safeguarding, categories=[C.NAME])
    assert not decision.allowed
    assert "no sharing agreement with Unagreed Mentoring Ltd" in decision.reasons[0]


def test_expired_agreement_is_refused_with_its_end_date(lonely_agency, safeguarding):
    agreement = SharingAgreement.objects.create(
        name="Old mentoring agreement",
        reference="ISA-OLD",
        agency=lonely_agency,
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2024, 3, 31),
    )
    agreement.purposes.add(safeguarding)
    with pytest.raises(rules.SharingRefused) as refused:
        rules.require(agency=lonely_agency, purpose=safeguarding, categories=[C.NAME])
    assert "ISA-OLD" in refused.value.reasons[0]
    assert "expired on 31 March 2024" in refused.value.reasons[0]


def test_agreement_not_yet_started_is_refused(lonely_agency, safeguarding):
    agreement = SharingAgreement.objects.create(
        name="Future",
        reference="ISA-FUT",
        agency=lonely_agency,
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        valid_from=dt.date(2099, 1, 1),
    )
    agreement.purposes.add(safeguarding)
    decision = rules.evaluate(agency=lonely_agency, purpose=safeguarding, categories=[C.NAME])
    assert "does not start until 1 January 2099" in decision.reasons[0]


def test_category_outside_the_agreement_is_refused(school, safeguarding):
    with pytest.raises(rules.SharingRefused) as refused:
        rules.require(agency=school, purpose=safeguarding, categories=[C.NAME, C.CRIMINAL])
    assert refused.value.reasons == ["Agreement ISA-EDUCATION does not allow sharing Criminal and police records"]


def test_purpose_outside_the_agreement_is_refused(school):
    crime = Purpose.objects.get(code="crime")
    decision = rules.evaluate(agency=school, purpose=crime)
    assert "do not cover the purpose 'Prevent and detect crime'" in decision.reasons[0]


def test_special_category_needs_an_article_9_condition(lonely_agency, safeguarding):
    from opencsc.privacy.models import Category

    agreement = SharingAgreement.objects.create(
        name="No condition",
        reference="ISA-NOCOND",
        agency=lonely_agency,
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        valid_from=dt.date(2020, 1, 1),
    )
    agreement.purposes.add(safeguarding)
    agreement.categories.add(Category.objects.get(code="health"))
    decision = rules.evaluate(agency=lonely_agency, purpose=safeguarding, categories=[C.HEALTH])
    assert "names no Article 9 condition" in decision.reasons[0]


def test_inactive_agency_is_refused(police, safeguarding):
    police.is_active = False
    police.save()
    assert "no longer an active agency" in rules.evaluate(agency=police, purpose=safeguarding).reasons[0]


def test_allowed_share_names_its_agreement_and_categories(police, safeguarding):
    decision = rules.require(agency=police, purpose=safeguarding, categories=[C.NAME, C.CRIMINAL])
    assert decision.agreement.reference == "ISA-POLICE"
    assert C.CRIMINAL in decision.allowed_categories and C.HEALTH not in decision.allowed_categories
