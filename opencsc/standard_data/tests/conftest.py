from __future__ import annotations

import datetime as dt

import pytest

from opencsc.casework import models as cm
from opencsc.casework.tests.factories import CareEpisodeFactory, CPPlanFactory, EpisodeFactory, PeriodFactory
from opencsc.people import models as pm
from opencsc.people.tests.factories import ChildFactory
from opencsc.privacy.models import Category, LawfulBasis, Purpose, RecipientType
from opencsc.sharing.models import Agency, SharingAgreement

AS_OF = dt.date(2026, 3, 31)


@pytest.fixture
def icb(db):
    """An NHS commissioner with a current agreement that covers health information."""
    agency = Agency.objects.create(
        name="NHS Exampleton Integrated Care Board", recipient_type=RecipientType.objects.get(code="health")
    )
    agreement = SharingAgreement.objects.create(
        name="Health-needs picture",
        reference="ISA-ICB-HN",
        agency=agency,
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        special_condition=LawfulBasis.objects.get(code="art9-2h-sch1-p2-health-social-care"),
        valid_from=dt.date(2024, 4, 1),
    )
    agreement.categories.set(Category.objects.filter(code__in=["health", "date_of_birth"]))
    agreement.purposes.set(Purpose.objects.filter(code="support-and-protect"))
    return agency


@pytest.fixture
def hospital_without_health(db):
    return Agency.objects.create(
        name="Exampleton Hospital Estates", recipient_type=RecipientType.objects.get(code="hospital")
    )


def _address(child: pm.Person, postcode: str) -> None:
    pm.Address.objects.create(
        person=child, line1="1 Test Street", town="Exampleton", postcode=postcode, start_date=dt.date(2020, 1, 1)
    )


@pytest.fixture
def borough(db):
    """A hand-built borough on 31 March 2026: 12 children in need, 6 on CP plans, 3 looked after,
    plus a closed case and a referral closed at referral that count nowhere. Returns the children."""
    kids: dict[str, list[pm.Person]] = {"cin": [], "cp": [], "lac": []}
    for n in range(12):
        child = ChildFactory(date_of_birth=dt.date(2016, 5, 1), sex="M" if n < 8 else "F", ethnicity="WBRI")
        EpisodeFactory(child=child, referral_date=dt.date(2025, 9, 1))
        _address(child, "ZZ1 1AA" if n < 10 else "ZZ9 9ZZ")
        kids["cin"].append(child)
    for n in range(6):
        child = ChildFactory(date_of_birth=dt.date(2023, 1, 10), sex="F", ethnicity="BAFR")
        episode = EpisodeFactory(child=child, referral_date=dt.date(2025, 6, 1))
        CPPlanFactory(episode=episode, start_date=dt.date(2025, 7, 1))
        _address(child, "ZZ1 1AB")
        pm.Disability.objects.create(person=child, code="AUT" if n < 2 else "NONE")
        kids["cp"].append(child)
    for n in range(3):
        child = ChildFactory(date_of_birth=dt.date(2011, 2, 2), sex="M", ethnicity="APKN")
        EpisodeFactory(child=child, referral_date=dt.date(2024, 1, 1))
        CareEpisodeFactory(period=PeriodFactory(child=child, start_date=dt.date(2024, 2, 1)))
        _address(child, "ZZ2 2AA")
        cm.HealthCheck.objects.create(child=child, kind="health_assessment", check_date=dt.date(2025, 10, 1))
        cm.HealthCheck.objects.create(
            child=child, kind="sdq", check_date=dt.date(2025, 10, 1), sdq_score=str(12 + 3 * n)
        )
        kids["lac"].append(child)
    closed = ChildFactory()
    EpisodeFactory(
        child=closed, referral_date=dt.date(2025, 1, 1), closure_date=dt.date(2025, 2, 1), closure_reason="RC7"
    )
    nfa = ChildFactory()
    EpisodeFactory(child=nfa, referral_date=dt.date(2025, 1, 1), referral_nfa=True)
    kids["nowhere"] = [closed, nfa]
    return kids
