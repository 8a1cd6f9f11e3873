from __future__ import annotations

import datetime as dt

import pytest

from opencsc.accounts.tests.factories import AllocationFactory, UserFactory
from opencsc.casework import models as cm
from opencsc.casework.tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CINPlanFactory,
    CPPlanFactory,
    EpisodeFactory,
    PeriodFactory,
)
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


@pytest.fixture
def rich_borough(borough):
    """The borough with a row in every SSD table the record can fill, carrying free text and
    identifiers that must never reach a pseudonymised file."""
    child = borough["lac"][0]
    cm.MissingEpisode.objects.create(
        child=child, kind="M", start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 2)
    )
    cm.HealthCheck.objects.create(
        child=child, kind="substance_misuse", check_date=dt.date(2025, 12, 1), note="Told us about cannabis use"
    )
    cm.HealthCheck.objects.create(child=child, kind="immunisations", check_date=dt.date(2025, 12, 1))
    cin = borough["cin"][0]
    AssessmentFactory(episode=cin.referralepisode_set.get(), factors=["4A", "2B"], summary="Free text about the family")
    pm.HealthInformation.objects.create(
        person=cin, kind="mental_health", summary="Anxiety", recorded_on=dt.date(2025, 10, 1)
    )
    episode = cin.referralepisode_set.get()
    cm.Contact.objects.create(
        child=cin,
        contact_date=dt.date(2025, 8, 30),
        source="2A",
        reason="Free text: the school's worry",
        consent_given=True,
        decision="referral",
        decision_date=dt.date(2025, 9, 1),
        status="decided",
        decision_due=dt.date(2025, 9, 1),
    )
    CINPlanFactory(episode=episode, start_date=dt.date(2025, 10, 1))
    talk = cm.StrategyDiscussion.objects.create(child=cin, episode=episode, discussion_date=dt.date(2025, 9, 3))
    s47 = cm.Section47.objects.create(
        child=cin,
        episode=episode,
        strategy_discussion=talk,
        start_date=dt.date(2025, 9, 3),
        icpc_target=dt.date(2025, 9, 24),
        completed_date=dt.date(2025, 9, 20),
        outcome="conference",
    )
    cm.Conference.objects.create(
        child=cin,
        episode=episode,
        section47=s47,
        kind="initial",
        conference_date=dt.date(2025, 9, 23),
        outcome="no_plan",
        summary="Free text minutes",
    )
    period = child.periodofcare_set.get()
    cm.LookedAfterReview.objects.create(
        child=child, period=period, review_date=dt.date(2025, 3, 1), participation="PN1"
    )
    cm.CareLeaverContact.objects.create(child=child, contact_date=dt.date(2026, 2, 1), in_touch="NO")
    cm.CareLeaverContact.objects.create(child=child, contact_date=dt.date(2025, 6, 1), in_touch="YES", activity="F1")
    _fill_the_newer_tables(borough)
    return borough


def _fill_the_newer_tables(borough: dict[str, list[pm.Person]]) -> None:
    """Early help, family, mother, UASC, visits, CP review, placements, legal status, conviction,
    permanence and the workforce tables."""
    worker = UserFactory(username="sw-exampleton-17", first_name="Winifred", last_name="Quillfeather")
    lac, cp, cin = borough["lac"][0], borough["cp"][0], borough["cin"][1]
    only_help = ChildFactory(date_of_birth=dt.date(2015, 7, 7))
    cm.HelpEpisode.objects.create(
        child=only_help,
        start_date=dt.date(2025, 11, 3),
        reason="Free text: help with the morning routine",
        organisation="St Quillon's Primary School",
        lead_practitioner=worker,
    )
    borough["help"] = [only_help]
    cm.HelpEpisode.objects.create(
        child=cin,
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 8, 31),
        end_reason=cm.HelpEndReason.STEPPED_UP,
        reason="Free text: stepped up",
        organisation="Exampleton Family Help",
    )
    family = pm.FamilyGroup.objects.create(name="The Quillfeather household")
    pm.FamilyMembership.objects.create(person=cin, family=family, role="child")
    mum = borough["cin"][10]  # a girl of the borough who is herself a mother
    baby = ChildFactory(date_of_birth=dt.date(2024, 11, 17), sex="F")
    pm.Relationship.objects.create(person=mum, relative=baby, kind=pm.RelationshipKind.PARENT)
    cm.UascStatus.objects.create(child=lac, start_date=dt.date(2024, 2, 1))
    cp_plan = cp.childprotectionplan_set.get()
    cm.Visit.objects.create(
        child=cp, kind="cp", visit_date=dt.date(2025, 8, 1), seen=True, seen_alone=True, summary="Free text visit notes"
    )
    cm.Visit.objects.create(child=cin, kind="cin", visit_date=dt.date(2025, 10, 2), seen=True, seen_alone=False)
    cm.Visit.objects.create(child=lac, kind="lac", visit_date=dt.date(2025, 5, 5), seen=False, seen_alone=False)
    cm.Conference.objects.create(
        child=cp,
        episode=cp_plan.episode,
        plan=cp_plan,
        kind="review",
        conference_date=dt.date(2025, 9, 30),
        target_date=dt.date(2025, 10, 1),
        outcome="plan",
        summary="Free text review minutes",
    )
    period = lac.periodofcare_set.get()
    first = period.episodes.get()
    first.end_date, first.reason_ceased = dt.date(2025, 1, 10), "X1"
    first.save()
    second = CareEpisodeFactory(
        period=period,
        start_date=dt.date(2025, 1, 10),
        end_date=dt.date(2025, 6, 1),
        reason_new_episode="L",
        legal_status="C2",
        reason_ceased="X1",
        placement_postcode="ZZ5 5QQ",
    )
    CareEpisodeFactory(
        period=period,
        start_date=dt.date(2025, 6, 1),
        reason_new_episode="P",
        legal_status="C2",
        placement_type="U1",
        placement_postcode="ZZ6 6QQ",
    )
    second.period.refresh_from_db()
    cm.YouthConviction.objects.create(child=lac, convicted_on=dt.date(2025, 7, 1), summary="Free text offence")
    cm.PreviousPermanence.objects.create(child=lac, period=period, option="Z1")
    cm.AdoptionRecord.objects.create(child=lac, period=period, decision_date=dt.date(2025, 2, 1))
    AllocationFactory(person=cin, worker=worker, team=worker.team, start_date=dt.date(2025, 9, 1))
