"""The upload: the three cohorts only, ended plans with their end dates, the unborn plan against the
mother with nothing about the unborn child, and nothing in the file beyond the minimum."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from lxml import etree

from opencsc.casework.tests.factories import CPPlanFactory
from opencsc.cpis import message, selectors, services
from opencsc.cpis.models import PlanType, Upload, UploadRecord
from opencsc.cpis.tests.conftest import (
    care_period,
    cin_plan,
    cp_plan,
    days_ago,
    unborn_with_mother,
    verified_child,
)
from opencsc.demo.identifiers import test_nhs_number as synthetic_nhs_number
from opencsc.people.identifiers import normalise_nhs_number
from opencsc.people.models import Address, Person
from opencsc.people.services import nhs_number_index
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory
from opencsc.sharing.models import Disclosure

NS = {"h": message.HL7_NS}


def _build(actor):
    return services.upload_build(actor_user=None, actor=actor)


def _records(content: bytes) -> list[dict]:
    root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    out = []
    for record in root.findall("h:record", NS):
        subject = record.find("h:subject/*", NS)
        info = record.find("h:pertinentInformation/*", NS)
        out.append(
            {
                "subject": etree.QName(subject).localname,
                "nhs": subject.find("h:id", NS).get("extension"),
                "template": etree.QName(info).localname,
                "dates": {etree.QName(d).localname: d.get("value") for d in info},
            }
        )
    return out


# --- Property-style: nobody outside the three cohorts --------------------------------------------------

# state -> (who is expected in the file: "child", "mother" or None)
STATES = {
    "cin_only": None,
    "referral_only": None,
    "cp_open": "child",
    "cp_ended_3_months": "child",
    "cp_ended_13_months": None,
    "cp_starts_next_week": None,
    "lac_open": "child",
    "lac_ended_11_months": "child",
    "lac_ended_13_months": None,
    "lac_short_breaks_only": None,
    "prebirth": "mother",
    "prebirth_no_mother": None,
    "prebirth_unverified_mother": None,
    "cp_unverified": None,
    "adult": None,
    "parent_of_cp_child": "child",
}


def _make(state: str, rng: random.Random) -> tuple[Person | None, Person | None]:
    """Create one child (and family) in `state`; return (the person expected in the file, or None;
    a person who must NOT be in it, or None)."""
    start = days_ago(rng.randrange(60, 700))
    if state == "cin_only":
        child = verified_child()
        cin_plan(child, days_ago(30))
        return None, child
    if state == "referral_only":
        child = verified_child()
        from opencsc.cpis.tests.conftest import episode_for

        episode_for(child, days_ago(10))
        return None, child
    if state == "cp_open":
        child = verified_child()
        cp_plan(child, start)
        return child, None
    if state == "cp_ended_3_months":
        child = verified_child()
        cp_plan(child, days_ago(500), days_ago(90))
        return child, None
    if state == "cp_ended_13_months":
        child = verified_child()
        cp_plan(child, days_ago(800), days_ago(13 * 31))
        return None, child
    if state == "cp_starts_next_week":
        child = verified_child()
        cp_plan(child, days_ago(-7))
        return None, child
    if state == "lac_open":
        child = verified_child()
        care_period(child, start)
        return child, None
    if state == "lac_ended_11_months":
        child = verified_child()
        care_period(child, days_ago(900), days_ago(11 * 30))
        return child, None
    if state == "lac_ended_13_months":
        child = verified_child()
        care_period(child, days_ago(900), days_ago(13 * 31))
        return None, child
    if state == "lac_short_breaks_only":
        child = verified_child()
        care_period(child, start, legal_status=rng.choice(["V3", "V4"]))
        return None, child
    if state == "prebirth":
        mother, unborn, _ = unborn_with_mother()
        return mother, unborn
    if state == "prebirth_no_mother":
        from opencsc.people.tests.factories import UnbornChildFactory

        unborn = UnbornChildFactory()
        cp_plan(unborn, days_ago(20), pre_birth=True)
        return None, unborn
    if state == "prebirth_unverified_mother":
        mother, unborn, _ = unborn_with_mother(verified=False)
        return None, mother
    if state == "cp_unverified":
        child = ChildFactory(nhs_number_verified=False)
        cp_plan(child, start)
        return None, child
    if state == "adult":
        return None, PersonFactory(nhs_number_verified=True)
    if state == "parent_of_cp_child":
        child = verified_child()
        parent = PersonFactory(sex="F", nhs_number_verified=True)
        RelationshipFactory(person=parent, relative=child)
        cp_plan(child, start)
        return child, parent
    raise AssertionError(state)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nobody_outside_the_three_cohorts_is_ever_in_the_file(seed, system_actor):
    rng = random.Random(seed)
    expected, excluded = set(), set()
    for state in [rng.choice(list(STATES)) for _ in range(24)] + list(STATES):
        inside, outside = _make(state, rng)
        if inside is not None:
            expected.add(normalise_nhs_number(inside.nhs_number))
        if outside is not None and outside.nhs_number:
            excluded.add(normalise_nhs_number(outside.nhs_number))
    content = _build(system_actor).content
    sent = {r["nhs"] for r in _records(content)}
    assert sent == expected
    assert not sent & excluded
    root = etree.fromstring(content)
    assert root.find("h:transmissionQuantity", NS).get("value") == str(len(_records(content)))


@pytest.mark.django_db
def test_ended_plans_carry_their_end_dates(system_actor):
    cp_child, lac_child = verified_child(), verified_child()
    cp_plan(cp_child, dt.date(2024, 1, 8), days_ago(40))
    care_period(lac_child, dt.date(2023, 5, 2), days_ago(100))
    open_child = verified_child()
    cp_plan(open_child, days_ago(200))
    by_nhs = {r["nhs"]: r for r in _records(_build(system_actor).content)}
    cp = by_nhs[normalise_nhs_number(cp_child.nhs_number)]
    assert cp["template"] == "ChildProtectionPlanInformationUpload"
    assert cp["dates"] == {"CPPStartDate": "20240108", "CPPEndDate": days_ago(40).strftime("%Y%m%d")}
    lac = by_nhs[normalise_nhs_number(lac_child.nhs_number)]
    assert lac["template"] == "LookedAfterChildInformationUpload"
    assert lac["dates"] == {"LACStartDate": "20230502", "LACEndDate": days_ago(100).strftime("%Y%m%d")}
    assert "CPPEndDate" not in by_nhs[normalise_nhs_number(open_child.nhs_number)]["dates"]


@pytest.mark.django_db
def test_unborn_plan_uses_the_mothers_number_and_nothing_about_the_unborn_child(system_actor):
    mother, unborn, _ = unborn_with_mother(plan_start=days_ago(25))
    content = _build(system_actor).content
    (record,) = _records(content)
    assert record["subject"] == "UnbornChildSubject"
    assert record["nhs"] == normalise_nhs_number(mother.nhs_number)
    assert record["template"] == "UnbornChildPlanInformationUpload"
    assert record["dates"] == {"UCPStartDate": days_ago(25).strftime("%Y%m%d")}
    text = content.decode()
    unborn_items = (
        unborn.last_name,
        unborn.la_child_id,
        unborn.expected_date_of_birth.strftime("%Y%m%d"),
        unborn.expected_date_of_birth.isoformat(),
    )
    for value in unborn_items:
        assert value not in text
    stored = UploadRecord.objects.get()
    assert stored.subject == mother and stored.child_ids == [unborn.pk]


@pytest.mark.django_db
def test_twins_share_one_unborn_record_and_birth_ends_it(system_actor):
    mother, twin_a, _ = unborn_with_mother(plan_start=days_ago(40))
    from opencsc.people.tests.factories import UnbornChildFactory

    twin_b = UnbornChildFactory()
    RelationshipFactory(person=mother, relative=twin_b)
    cp_plan(twin_b, days_ago(35), pre_birth=True)
    (record,) = _records(_build(system_actor).content)
    assert record["dates"] == {"UCPStartDate": days_ago(40).strftime("%Y%m%d")}
    # Twin A is born: the same plan carries on as a child protection plan; the unborn plan for the
    # mother stays open while twin B is unborn.
    twin_a.date_of_birth, twin_a.expected_date_of_birth, twin_a.nhs_number_verified = days_ago(2), None, True
    twin_a.nhs_number = synthetic_nhs_number(random.Random(99))
    twin_a.nhs_number_index = nhs_number_index(twin_a.nhs_number)
    twin_a.save()
    planned = {(p.plan_type, p.nhs_number): p for p in selectors.planned_records()}
    child_record = planned[(PlanType.CPP, normalise_nhs_number(twin_a.nhs_number))]
    assert child_record.start_date == days_ago(2)  # from the birth: CP-IS holds the child from then
    assert planned[(PlanType.UCP, normalise_nhs_number(mother.nhs_number))].end_date is None


# --- Nothing beyond the minimum ----------------------------------------------------------------------


@pytest.mark.django_db
def test_no_item_beyond_the_minimum_appears(system_actor):
    rng = random.Random(7)
    for state in list(STATES) * 2:
        _make(state, rng)
    for person in Person.objects.all():
        Address.objects.create(
            person=person,
            line1=f"{rng.randrange(10, 99)} Canary Road",
            town="Canaryton",
            postcode=f"ZZ{rng.randrange(1, 9)} {rng.randrange(1, 9)}ZZ",
            start_date=dt.date(2020, 1, 1),
        )
    content = _build(system_actor).content
    root = etree.fromstring(content)
    elements = {etree.QName(el).localname for el in root.iter()}
    attributes = {name for el in root.iter() for name in el.attrib}
    assert elements <= message.ALLOWED_ELEMENTS
    assert attributes <= message.ALLOWED_ATTRIBUTES
    assert {el.nsmap.get(None) for el in root.iter()} == {message.HL7_NS}
    texts = {etree.QName(el).localname for el in root.iter() if (el.text or "").strip()}
    assert texts == {"name"}  # the council's name; everything else is in attributes
    assert root.find("h:communicationFunctionSnd/h:organisation/h:name", NS).text == services.council().name
    sent_dates = {d for r in _records(content) for d in r["dates"].values()}
    text = content.decode()
    for person in Person.objects.all():
        for value in (person.first_name, person.last_name, person.la_child_id, person.upn, person.preferred_name):
            if value and len(value) > 2:
                assert value not in text, f"{value!r} leaked into the CP-IS file"
        for day in (person.date_of_birth, person.expected_date_of_birth):
            if day is None:
                continue
            assert day.isoformat() not in text and day.strftime("%d/%m/%Y") not in text
            assert day.strftime("%Y%m%d") not in sent_dates, "a date of birth went out as a plan date"
    for address in Address.objects.all():
        for value in (address.line1, address.town, address.postcode):
            assert value not in text


@pytest.mark.django_db
def test_council_contact_numbers_are_in_the_header(system_actor, settings):
    settings.OPENCSC_CPIS_OFFICE_HOURS_PHONE = "01632 960123"
    settings.OPENCSC_CPIS_OUT_OF_HOURS_PHONE = "01632 960999"
    cp_plan(verified_child(), days_ago(10))
    root = etree.fromstring(_build(system_actor).content)
    telecoms = {t.get("use"): t.get("value") for t in root.iterfind(".//h:telecom", NS)}
    assert telecoms == {"WP": "tel:01632960123", "EC": "tel:01632960999"}


# --- Sequence, disclosures, delete records ---------------------------------------------------------


@pytest.mark.django_db
def test_each_build_is_audited_and_one_disclosure_per_person(system_actor):
    child = verified_child()
    cp_plan(child, days_ago(300))
    care_period(child, days_ago(100))  # on a plan and looked after: two records, one disclosure
    mother, unborn, _ = unborn_with_mother()
    first = _build(system_actor).upload
    assert first.sequence == 1 and first.record_count == 3
    disclosures = Disclosure.objects.filter(transfer_reference="CP-IS upload 1")
    assert sorted(disclosures.values_list("person_id", flat=True)) == sorted([child.pk, mother.pk, unborn.pk])
    assert len(disclosures.get(person=child).records) == 2
    assert disclosures.get(person=unborn).categories == ["referral"]
    assert set(disclosures.get(person=mother).categories) == {"nhs_number", "referral"}
    from opencsc.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="cpis.upload_build").count() == 1
    assert _build(system_actor).upload.sequence == 2


@pytest.mark.django_db
def test_nothing_to_send_is_refused(system_actor):
    cp_plan(ChildFactory(nhs_number_verified=False), days_ago(10))
    with pytest.raises(services.UploadRefused):
        _build(system_actor)
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_expired_agreement_refuses_the_build_and_writes_nothing(system_actor):
    from opencsc.sharing.models import SharingAgreement

    SharingAgreement.objects.filter(reference="STAT-NHS-CPIS").update(valid_until=days_ago(1))
    cp_plan(verified_child(), days_ago(10))
    with pytest.raises(services.UploadRefused, match="expired"):
        _build(system_actor)
    assert not Upload.objects.exists() and not UploadRecord.objects.exists()
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_plan_removed_in_error_or_number_changed_gets_a_delete_date(system_actor):
    wrong, renumbered, aged = verified_child(), verified_child(), verified_child()
    wrong_plan = cp_plan(wrong, days_ago(30))
    cp_plan(renumbered, days_ago(30))
    care_period(aged, days_ago(800), days_ago(360))
    old_number = normalise_nhs_number(renumbered.nhs_number)
    _build(system_actor)
    # The plan was recorded in error and removed; the child's NHS number was corrected; the care
    # period passed the 12-month window.
    wrong_plan.delete()
    renumbered.nhs_number = "9990000018" if old_number != "9990000018" else "9990000026"
    renumbered.nhs_number_index = nhs_number_index(renumbered.nhs_number)
    renumbered.save()
    import time_machine

    with time_machine.travel(dt.datetime.combine(days_ago(-10), dt.time(12)), tick=False):
        records = _records(_build(system_actor).content)
    deletes = {r["nhs"]: r["dates"] for r in records if any(k.endswith("DeleteDate") for k in r["dates"])}
    assert set(deletes) == {normalise_nhs_number(wrong.nhs_number), old_number}
    assert deletes[old_number]["CPPDeleteDate"] == days_ago(-10).strftime("%Y%m%d")
    live = {r["nhs"] for r in records} - set(deletes)
    assert normalise_nhs_number(renumbered.nhs_number) in live
    assert normalise_nhs_number(aged.nhs_number) not in live | set(deletes)  # aged out: no delete
    # A third upload does not repeat the deletes.
    third = _records(_build(system_actor).content)
    assert not [r for r in third if any(k.endswith("DeleteDate") for k in r["dates"])]


def test_months_before_handles_short_months():
    assert selectors.months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert selectors.months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert selectors.months_before(dt.date(2025, 1, 15), 12) == dt.date(2024, 1, 15)


@pytest.mark.django_db
def test_plan_factory_defaults_are_not_in_cohort_without_a_verified_number(system_actor):
    CPPlanFactory()  # the factory child has a valid but unverified number
    assert all(not r.sendable for r in selectors.cohort())
