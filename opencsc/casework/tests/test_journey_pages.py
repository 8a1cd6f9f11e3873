"""The whole journey through the pages, with the Django test client: contact, MASH, referral,
assessment and authorisation, strategy discussion, section 47, ICPC, CP plan, review, closure,
checking the tray and the chronology as it goes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.casework.models import (
    Assessment,
    ChildProtectionPlan,
    Contact,
    MashCheck,
    ReferralEpisode,
    Section47,
    Task,
)
from opencsc.people.models import PoliceInformation
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 17, 10, tzinfo=dt.UTC)


def d(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def post_ok(client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def tray_titles(client) -> str:
    response = client.get("/casework/tray/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def new_child(mash_practitioner):
    child = ChildFactory(date_of_birth=dt.date(2016, 4, 2))
    AllocationFactory(
        person=child,
        team=mash_practitioner.team,
        worker=mash_practitioner,
        kind=AllocationKind.ALLOCATED_WORKER,
        start_date=dt.date(2015, 1, 1),
    )
    return child


@time_machine.travel(NOW, tick=False)
def test_page_journey_from_contact_to_closure(
    client_for, mash_practitioner, social_worker, team_manager, east_team, new_child
):
    mash, sw, tm = client_for(mash_practitioner), client_for(social_worker), client_for(team_manager)
    base = f"/casework/{new_child.pk}/record"

    post_ok(
        mash,
        f"{base}/contact/",
        {
            **d("contact_date", dt.date(2025, 1, 6)),
            "source": "2A",
            "reason": "School reports bruising",
            "consent_given": "yes",
        },
    )
    contact = Contact.objects.get(child=new_child)
    assert "Decide on the contact" in tray_titles(mash)

    post_ok(
        mash,
        f"{base}/triage/{contact.pk}/",
        {
            "rag": "amber",
            "rationale": "Injury",
            "agencies": ["police", "health"],
            **d("triaged_on", dt.date(2025, 1, 6)),
        },
    )
    police = MashCheck.objects.get(agency="police")
    post_ok(
        mash,
        f"{base}/check-reply/{contact.pk}/",
        {"check": police.pk, "summary": "One prior call-out", **d("replied_on", dt.date(2025, 1, 7))},
    )
    assert PoliceInformation.objects.filter(person=new_child).count() == 1
    post_ok(
        mash,
        f"{base}/decision/{contact.pk}/",
        {
            "decision": "referral",
            **d("decision_date", dt.date(2025, 1, 7)),
            "decision_rationale": "Needs assessment",
            "primary_need": "N1",
            "team": east_team.pk,
            "worker": social_worker.pk,
        },
    )
    assert "Decide on the contact" not in tray_titles(mash)
    assert mash.get(f"/casework/{new_child.pk}/").status_code == 404  # the front door let go of the child
    assert "Complete the assessment" in tray_titles(sw)

    post_ok(sw, f"{base}/assessment/", {**d("start_date", dt.date(2025, 1, 8))})
    assessment = Assessment.objects.get(child=new_child)
    post_ok(
        sw,
        f"{base}/assessment-complete/{assessment.pk}/",
        {**d("completed_date", dt.date(2025, 1, 20)), "factors": ["16A", "3A"], "outcome": "strategy"},
    )
    assert "Authorise the assessment" in tray_titles(tm)
    post_ok(tm, f"{base}/assessment-authorise/{assessment.pk}/", {**d("authorised_date", dt.date(2025, 1, 21))})
    assert "Authorise the assessment" not in tray_titles(tm)
    assert "Complete the assessment" not in tray_titles(sw)

    post_ok(
        sw,
        f"{base}/strategy/",
        {**d("discussion_date", dt.date(2025, 1, 22)), "start_section47": "yes", "police_present": "on"},
    )
    assert Section47.objects.get(child=new_child).icpc_target == dt.date(2025, 2, 12)
    assert "Hold the initial child protection conference" in tray_titles(sw)

    post_ok(
        sw,
        f"{base}/conference/",
        {
            "kind": "initial",
            **d("conference_date", dt.date(2025, 2, 5)),
            "outcome": "plan",
            "category": "NEG",
            "quorate": "on",
        },
    )
    plan = ChildProtectionPlan.objects.get(child=new_child)
    tray = tray_titles(sw)
    assert "Hold the core group" in tray and "Hold the review conference" in tray
    assert "Hold the initial child protection conference" not in tray

    post_ok(
        sw,
        f"{base}/visit/",
        {"kind": "cp", **d("visit_date", dt.date(2025, 2, 10)), "seen": "yes", "seen_alone": "yes"},
    )
    post_ok(sw, f"{base}/core-group/{plan.pk}/", {**d("meeting_date", dt.date(2025, 2, 12))})
    post_ok(
        sw,
        f"{base}/cp-review/{plan.pk}/",
        {**d("conference_date", dt.date(2025, 3, 5)), "outcome": "plan", "category": "EMO", "quorate": "on"},
    )
    plan.refresh_from_db()
    assert (plan.initial_category, plan.latest_category) == ("NEG", "EMO")

    chronology = sw.get(f"/casework/{new_child.pk}/chronology/").content.decode()
    for label in (
        "Contact received",
        "Referral received",
        "Assessment authorised",
        "Section 47 enquiry started",
        "Child protection plan started: neglect (NEG)",
        "Review conference",
    ):
        assert label in chronology

    post_ok(sw, f"{base}/closure/", {**d("closure_date", dt.date(2025, 3, 14)), "closure_reason": "RC7"})
    episode = ReferralEpisode.objects.get(child=new_child)
    plan.refresh_from_db()
    assert (episode.closure_date, episode.closure_reason) == (dt.date(2025, 3, 14), "RC7")
    assert plan.end_date == dt.date(2025, 3, 14)
    assert not Task.objects.open().filter(person=new_child).exists()
    assert (
        "Case closed: Services ceased for any other reason, including child no longer in need (RC7)"
        in sw.get(f"/casework/{new_child.pk}/chronology/").content.decode()
    )
    assert new_child.full_name not in tray_titles(sw)


@time_machine.travel(NOW, tick=False)
def test_refused_step_shows_a_govuk_error_and_saves_nothing(client_for, social_worker, child):
    ReferralEpisode.objects.create(child=child, referral_date=dt.date(2025, 2, 3), source="2A")
    client = client_for(social_worker)
    response = client.post(f"/casework/{child.pk}/record/assessment/", {**d("start_date", dt.date(2025, 1, 8))})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "cannot be before the referral date" in body
    assert not Assessment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_overdue_timescale_stands_out_on_the_overview(client_for, social_worker, child):
    episode = ReferralEpisode.objects.create(child=child, referral_date=dt.date(2024, 11, 4), source="2A")
    Assessment.objects.create(
        child=child, episode=episode, start_date=dt.date(2024, 11, 5), due_date=dt.date(2025, 1, 10)
    )
    body = client_for(social_worker).get(f"/casework/{child.pk}/").content.decode()
    assert "Overdue" in body and "opencsc-overdue" in body
