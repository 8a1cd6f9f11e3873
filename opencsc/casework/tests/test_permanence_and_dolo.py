"""Previous permanence (SSDA903 PrevPerm) and deprivation of liberty orders (SSDA903 DoLo) through the
Django client: each page saves through its service with one audit event and a status row; each DfE
rule broken at entry comes back as a GOV.UK error on the same page, with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import models as cm
from opencsc.casework import services as s
from opencsc.casework.tests.factories import CareEpisodeFactory, PeriodFactory
from opencsc.casework.tests.pages import d, refused

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)
START = dt.date(2025, 1, 6)


def parts(name: str, day: str = "", month: str = "", year: str = "") -> dict[str, str]:
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def period(child):
    period = PeriodFactory(child=child, start_date=START)
    CareEpisodeFactory(period=period, placement_type="K2", placement_provider="PR4", urn="SC123456")
    return period


@pytest.fixture
def sw(client_for, social_worker):
    return client_for(social_worker)


def who(user) -> dict:
    return {"actor_user": user, "actor": Actor.from_user(user)}


# --- previous permanence -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_pages_render_and_the_overview_links_them(sw, child, period):
    base = f"/casework/{child.pk}/record"
    for url, heading in (
        (f"{base}/previous-permanence/{period.pk}/", "Previous permanence"),
        (f"{base}/dolo/{period.pk}/", "Record a deprivation of liberty order"),
    ):
        response = sw.get(url)
        assert response.status_code == 200, url
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.content.decode()
    overview = sw.get(f"/casework/{child.pk}/").content.decode()
    assert f"{base}/previous-permanence/{period.pk}/" in overview
    assert f"{base}/dolo/{period.pk}/" in overview
    assert "Not recorded" in overview


@time_machine.travel(NOW, tick=False)
def test_previous_permanence_with_a_partial_date_is_saved_audited_and_shown(sw, child, period):
    url = f"/casework/{child.pk}/record/previous-permanence/{period.pk}/"
    response = sw.post(url, {"option": "P2", "la_code": "209", **parts("order_date", "", "5", "2019")})
    assert response.status_code == 302, response.content.decode()[:3000]
    record = cm.PreviousPermanence.objects.get(period=period)
    assert (record.option, record.la_code, record.order_day, record.order_month, record.order_year) == (
        "P2",
        "209",
        None,
        5,
        2019,
    )
    assert record.date_perm == "ZZ/05/2019"
    assert events("casework.previous_permanence_record") == 1
    event = AuditEvent.objects.get(action="casework.previous_permanence_record")
    assert event.subject_person_id == child.pk
    assert cm.StatusChange.objects.filter(
        object_type="casework.PreviousPermanence", note="Previous permanence recorded (P2)", effective_date=START
    ).exists()
    overview = sw.get(f"/casework/{child.pk}/").content.decode()
    assert "Special guardianship order" in overview and "May 2019" in overview
    chronology = sw.get(f"/casework/{child.pk}/chronology/").content.decode()
    assert "Previous permanence recorded (P2)" in chronology


@time_machine.travel(NOW, tick=False)
def test_no_previous_permanence_and_a_wholly_unknown_date(sw, child, period):
    url = f"/casework/{child.pk}/record/previous-permanence/{period.pk}/"
    assert sw.post(url, {"option": "Z1", **parts("order_date")}).status_code == 302
    assert cm.PreviousPermanence.objects.get(period=period).date_perm == ""
    # A correction: the option was in fact an adoption, date not known.
    assert sw.post(url, {"option": "P1", "la_code": "nuk", **parts("order_date")}).status_code == 302
    record = cm.PreviousPermanence.objects.get(period=period)
    assert (record.option, record.la_code, record.date_perm) == ("P1", "NUK", "ZZ/ZZ/ZZZZ")
    assert events("casework.previous_permanence_record") == 2
    assert AuditEvent.objects.filter(action="casework.previous_permanence_record").first().detail["changed"] == [
        "la_code",
        "option",
    ]
    # The form shows what is recorded; saving it unchanged says so.
    page = sw.get(url).content.decode()
    assert 'value="NUK"' in page
    refused(sw, url, {"option": "P1", "la_code": "NUK", **parts("order_date")}, "Nothing has changed")
    assert events("casework.previous_permanence_record") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select before this period of care"),
        ({"option": "Z1", "la_code": "209"}, "There was no previous permanence option (Z1)"),
        ({"option": "Z1", **parts("order_date", "", "", "2019")}, "There was no previous permanence option (Z1)"),
        ({"option": "P2"}, "Enter the local authority that arranged the previous permanence"),  # 630
        ({"option": "P2", "la_code": "99X"}, "99X is not a DfE local authority number"),  # 633
        ({"option": "P3", "la_code": "209", **parts("order_date", "4", "", "2019")}, "Enter the month as well"),
        ({"option": "P3", "la_code": "209", **parts("order_date", "", "13", "2019")}, "from 1 to 12"),
        ({"option": "P3", "la_code": "209", **parts("order_date", "31", "2", "2019")}, "must be a real date"),
        ({"option": "P3", "la_code": "209", **parts("order_date", "x", "2", "2019")}, "Enter the day as a number"),
        # 632: a date known only in part counts as its latest day: January 2025 may be after 6 January.
        ({"option": "P3", "la_code": "209", **parts("order_date", "", "1", "2025")}, "before the child became"),
        ({"option": "P3", "la_code": "209", **parts("order_date", "", "", "2010")}, "before the child was born"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_previous_permanence_refusals_save_nothing(sw, child, period, data, message):
    url = f"/casework/{child.pk}/record/previous-permanence/{period.pk}/"
    refused(sw, url, {**parts("order_date"), **data}, message)
    assert not cm.PreviousPermanence.objects.exists()
    assert events("casework.previous_permanence_record") == 0
    assert not cm.StatusChange.objects.filter(object_type="casework.PreviousPermanence").exists()


# --- deprivation of liberty orders ---------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_dolo_is_recorded_shown_and_ended(sw, child, period):
    url = f"/casework/{child.pk}/record/dolo/{period.pk}/"
    response = sw.post(url, {**d("start_date", dt.date(2025, 2, 10)), **parts("end_date")})
    assert response.status_code == 302, response.content.decode()[:3000]
    order = cm.DeprivationOfLibertyOrder.objects.get(period=period)
    assert (order.start_date, order.end_date, order.child) == (dt.date(2025, 2, 10), None, child)
    assert events("casework.dolo_record") == 1
    overview = sw.get(f"/casework/{child.pk}/").content.decode()
    assert "From 10 Feb 2025, continuing" in overview
    end_url = f"/casework/{child.pk}/record/dolo-end/{order.pk}/"
    assert end_url in overview
    refused(sw, end_url, d("end_date", dt.date(2025, 2, 10)), "must end after the day it started")
    assert sw.post(end_url, d("end_date", dt.date(2025, 5, 1))).status_code == 302
    order.refresh_from_db()
    assert order.end_date == dt.date(2025, 5, 1)
    assert events("casework.dolo_end") == 1
    notes = list(
        cm.StatusChange.objects.filter(object_type="casework.DeprivationOfLibertyOrder").values_list(
            "to_status", "effective_date"
        )
    )
    assert notes == [("open", dt.date(2025, 2, 10)), ("ended", dt.date(2025, 5, 1))]
    assert "From 10 Feb 2025 to 1 May 2025" in sw.get(f"/casework/{child.pk}/").content.decode()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(2024, 12, 1), None, "an order is recorded from a day within the period of care"),  # 707
        (dt.date(2025, 3, 1), dt.date(2025, 3, 1), "must end after the day it started"),  # 702
        (dt.date(2025, 3, 1), dt.date(2025, 7, 1), "must be today or in the past"),
        (dt.date(2025, 4, 1), None, "would overlap the order from 01 February 2025"),  # 705
        (dt.date(2025, 1, 10), dt.date(2025, 2, 2), "would overlap the order from 01 February 2025"),  # 705
    ],
)
@time_machine.travel(NOW, tick=False)
def test_dolo_refusals_save_nothing(sw, child, period, start, end, message):
    cm.DeprivationOfLibertyOrder.objects.create(
        child=child, period=period, start_date=dt.date(2025, 2, 1), end_date=dt.date(2025, 4, 2)
    )
    url = f"/casework/{child.pk}/record/dolo/{period.pk}/"
    data = {**d("start_date", start), **(d("end_date", end) if end else parts("end_date"))}
    refused(sw, url, data, message)
    assert cm.DeprivationOfLibertyOrder.objects.count() == 1
    assert events("casework.dolo_record") == 0


@time_machine.travel(NOW, tick=False)
def test_an_order_that_starts_the_day_the_last_ended_is_allowed(sw, child, period):
    cm.DeprivationOfLibertyOrder.objects.create(
        child=child, period=period, start_date=dt.date(2025, 2, 1), end_date=dt.date(2025, 4, 2)
    )
    url = f"/casework/{child.pk}/record/dolo/{period.pk}/"
    assert sw.post(url, {**d("start_date", dt.date(2025, 4, 2)), **parts("end_date")}).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_dolo_over_a_placement_it_cannot_be_in_is_refused(sw, social_worker, child, period):
    """709/710: the child moved to foster care (U6) on 1 March; an order over that day is refused,
    one ending the day before is not, and no move out of K2 is allowed while an order lasts."""
    s.care_episode_change(
        **who(social_worker),
        period=period,
        change_date=dt.date(2025, 3, 1),
        values={"placement_type": "U6", "placement_provider": "PR1", "urn": "", "carer": "FC-9"},
        reason_place_change="CARPL",
    )
    url = f"/casework/{child.pk}/record/dolo/{period.pk}/"
    refused(
        sw,
        url,
        {**d("start_date", dt.date(2025, 2, 1)), **d("end_date", dt.date(2025, 3, 1))},
        "the placement must be K2, Z12 or Z13",
    )
    assert not cm.DeprivationOfLibertyOrder.objects.exists()
    response = sw.post(url, {**d("start_date", dt.date(2025, 2, 1)), **d("end_date", dt.date(2025, 2, 28))})
    assert response.status_code == 302
    assert cm.DeprivationOfLibertyOrder.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_open_order_blocks_a_move_out_of_k2_and_leaving_care(social_worker, child, period):
    order = s.dolo_record(**who(social_worker), period=period, start_date=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError, match="the placement must be K2, Z12 or Z13"):
        s.care_episode_change(
            **who(social_worker),
            period=period,
            change_date=dt.date(2025, 3, 1),
            values={"placement_type": "U6", "placement_provider": "PR1", "urn": "", "carer": "FC-9"},
            reason_place_change="CARPL",
        )
    with pytest.raises(ValidationError, match="record the date it ended first"):
        s.care_period_end(**who(social_worker), period=period, end_date=dt.date(2025, 5, 1), reason_ceased="E4A")
    s.dolo_end(**who(social_worker), order=order, end_date=dt.date(2025, 4, 30))
    s.care_period_end(**who(social_worker), period=period, end_date=dt.date(2025, 5, 1), reason_ceased="E4A")
    period.refresh_from_db()
    assert period.end_date == dt.date(2025, 5, 1)
    # After care ended, an order is recorded only with its end, inside the period.
    with pytest.raises(ValidationError, match="enter the date the order ended"):
        s.dolo_record(**who(social_worker), period=period, start_date=dt.date(2025, 1, 10))


@time_machine.travel(NOW, tick=False)
def test_outsider_gets_404_and_nothing_is_saved(client_for, outsider, child, period):
    order = cm.DeprivationOfLibertyOrder.objects.create(child=child, period=period, start_date=dt.date(2025, 2, 1))
    client = client_for(outsider)
    base = f"/casework/{child.pk}/record"
    posts = {
        f"{base}/previous-permanence/{period.pk}/": {"option": "Z1", **parts("order_date")},
        f"{base}/dolo/{period.pk}/": {**d("start_date", dt.date(2025, 5, 1)), **parts("end_date")},
        f"{base}/dolo-end/{order.pk}/": d("end_date", dt.date(2025, 5, 1)),
    }
    for url, data in posts.items():
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert not cm.PreviousPermanence.objects.exists()
    order.refresh_from_db()
    assert order.end_date is None and cm.DeprivationOfLibertyOrder.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_services_refuse_a_user_who_cannot_change_the_child(outsider, child, period):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        s.previous_permanence_record(**who(outsider), period=period, option="Z1")
    with pytest.raises(PermissionDenied):
        s.dolo_record(**who(outsider), period=period, start_date=dt.date(2025, 2, 1))
