"""The looked-after record pages (health, dental and SDQ checks; convictions; adoption milestones;
social-worker episodes; UASC status; care-leaver contacts) through the Django client: each saves
through its service with a status row and an audit event, and each refusal comes back as a GOV.UK
error on the same page with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.audit.models import AuditEvent
from opencsc.casework import models as cm
from opencsc.casework.tests.factories import CareEpisodeFactory, PeriodFactory
from opencsc.casework.tests.pages import d, refused

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)


def saved(client, url: str, data: dict, action: str) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEvent.objects.filter(action=action).exists()


@pytest.fixture
def period(child):
    period = PeriodFactory(child=child, start_date=dt.date(2025, 1, 6))
    CareEpisodeFactory(period=period)
    return period


@pytest.fixture
def sw(client_for, social_worker):
    return client_for(social_worker)


@time_machine.travel(NOW, tick=False)
def test_every_new_page_renders_with_its_form(sw, child, period):
    base = f"/casework/{child.pk}/record"
    for url, heading in (
        (f"{base}/health-check/", "Record a health, dental or SDQ check"),
        (f"{base}/conviction/", "Record a conviction or final warning"),
        (f"{base}/adoption/{period.pk}/", "Adoption milestones"),
        (f"{base}/sw-episode/", "Change of social worker"),
        (f"{base}/uasc/", "Unaccompanied asylum-seeking child status"),
        (f"{base}/care-leaver/", "Record contact with a care leaver"),
    ):
        response = sw.get(url)
        assert response.status_code == 200, url
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.content.decode()
    overview = sw.get(f"/casework/{child.pk}/").content.decode()
    for slug in ("health-check", "conviction", f"adoption/{period.pk}", "sw-episode", "uasc"):
        assert f"/casework/{child.pk}/record/{slug}/" in overview


@time_machine.travel(NOW, tick=False)
def test_sdq_score_out_of_range_is_refused(sw, child, period):
    url = f"/casework/{child.pk}/record/health-check/"
    refused(
        sw,
        url,
        {"kind": "sdq", **d("check_date", dt.date(2025, 5, 1)), "sdq_score": "41"},
        "Enter the SDQ score as a whole number from 0 to 40",
    )
    assert not cm.HealthCheck.objects.exists()
    saved(
        sw,
        url,
        {"kind": "sdq", **d("check_date", dt.date(2025, 5, 1)), "sdq_score": "17"},
        "casework.health_check_record",
    )
    check = cm.HealthCheck.objects.get(child=child)
    assert (check.kind, check.sdq_score) == ("sdq", "17")
    assert cm.StatusChange.objects.filter(child=child, note="Strengths and difficulties questionnaire").exists()


@time_machine.travel(NOW, tick=False)
def test_dental_check_in_the_future_is_refused_against_its_date(sw, child, period):
    body = refused(
        sw,
        f"/casework/{child.pk}/record/health-check/",
        {"kind": "teeth_check", **d("check_date", dt.date(2025, 7, 1))},
        "The date must be today or in the past",
    )
    assert 'href="#id_check_date' in body  # the summary links to the date field
    assert not cm.HealthCheck.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_conviction_needs_the_age_of_criminal_responsibility(sw, child, period):
    url = f"/casework/{child.pk}/record/conviction/"
    refused(
        sw,
        url,
        {**d("convicted_on", dt.date(2024, 1, 10)), "summary": "Theft"},
        "A child under 10 cannot be convicted",
    )
    assert not cm.YouthConviction.objects.exists()
    saved(
        sw,
        url,
        {**d("convicted_on", dt.date(2025, 3, 10)), "summary": "Final warning"},
        "casework.youth_conviction_record",
    )
    assert cm.YouthConviction.objects.get(child=child).summary == "Final warning"


@time_machine.travel(NOW, tick=False)
def test_adoption_milestones_in_order_then_added_to(sw, child, period):
    url = f"/casework/{child.pk}/record/adoption/{period.pk}/"
    refused(
        sw,
        url,
        {**d("decision_date", dt.date(2025, 3, 3)), **d("match_date", dt.date(2025, 2, 3))},
        "Adoption milestones must be in order: decision, match, placement, order",
    )
    refused(
        sw,
        url,
        {**d("decision_date", dt.date(2024, 12, 2))},
        "The adoption decision cannot be before the child became looked after",
    )
    assert not cm.AdoptionRecord.objects.exists()
    saved(sw, url, {**d("decision_date", dt.date(2025, 3, 3))}, "casework.adoption_record")
    body = sw.get(url).content.decode()
    assert 'value="3"' in body  # the saved decision date is shown for the next update
    saved(
        sw,
        url,
        {**d("decision_date", dt.date(2025, 3, 3)), **d("match_date", dt.date(2025, 5, 12)), "number_of_adopters": "2"},
        "casework.adoption_record",
    )
    record = cm.AdoptionRecord.objects.get(period=period)  # one record, added to
    assert (record.match_date, record.number_of_adopters) == (dt.date(2025, 5, 12), 2)
    assert cm.StatusChange.objects.filter(child=child, note="Adoption milestones updated").count() == 1


@time_machine.travel(NOW, tick=False)
def test_social_worker_episode_cannot_start_before_the_current_one(sw, child, social_worker, team_manager):
    url = f"/casework/{child.pk}/record/sw-episode/"
    saved(
        sw,
        url,
        {"worker": social_worker.pk, **d("start_date", dt.date(2025, 3, 1)), "reason": "MANAGE"},
        "casework.sw_episode_start",
    )
    refused(
        sw,
        url,
        {"worker": team_manager.pk, **d("start_date", dt.date(2025, 2, 1)), "reason": "MANAGE"},
        "The new social worker cannot start before the current one did",
    )
    saved(
        sw,
        url,
        {"worker": team_manager.pk, **d("start_date", dt.date(2025, 4, 1)), "reason": "MANAGE"},
        "casework.sw_episode_start",
    )
    first, second = cm.SocialWorkerEpisode.objects.filter(child=child)
    assert (first.end_date, second.end_date, second.worker) == (dt.date(2025, 4, 1), None, team_manager)


@time_machine.travel(NOW, tick=False)
def test_uasc_status_cannot_end_before_it_began(sw, child):
    url = f"/casework/{child.pk}/record/uasc/"
    refused(
        sw,
        url,
        {**d("start_date", dt.date(2025, 3, 1)), **d("ceased_date", dt.date(2025, 2, 1))},
        "UASC status cannot end before it began",
    )
    assert not cm.UascStatus.objects.exists()
    saved(sw, url, {**d("start_date", dt.date(2025, 3, 1))}, "casework.uasc_record")
    refused(sw, url, {**d("start_date", dt.date(2025, 4, 1))}, "This child already has open UASC status")


@time_machine.travel(NOW, tick=False)
def test_care_leaver_contact_needs_to_have_left_care(sw, child, period):
    refused(
        sw,
        f"/casework/{child.pk}/record/care-leaver/",
        {**d("contact_date", dt.date(2025, 6, 2)), "in_touch": "YES"},
        "This young person has not left care",
    )
    assert not cm.CareLeaverContact.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_outsider_gets_404_on_the_new_pages(client_for, outsider, child, period):
    client = client_for(outsider)
    for slug in ("health-check", "conviction", f"adoption/{period.pk}", "sw-episode", "uasc"):
        assert client.get(f"/casework/{child.pk}/record/{slug}/").status_code == 404
