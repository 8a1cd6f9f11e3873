"""The health-needs page: analysts and IG see it (counts, no child); only IG can release; everyone
else is refused; a release downloads the workbook and lists it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Person
from opencsc.standard_data import pictures
from opencsc.standard_data.health_needs import SUPPRESSED
from opencsc.standard_data.models import HealthNeedsPicture, HealthNeedsRelease

pytestmark = pytest.mark.django_db
URL = reverse("standard_data:health_needs")


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "mash_practitioner", "partner", "system_admin"])
def test_other_roles_are_refused(role, request, client_for, borough):
    user = request.getfixturevalue(role)
    assert client_for(user).get(URL).status_code == 403


def test_the_analyst_sees_suppressed_counts_and_no_child(analyst, client_for, borough, icb, settings):
    settings.OPENCSC_HEALTH_NEEDS_RUN_INLINE = True
    client_for(analyst).post(f"{URL}?as_of=2026-03-31", {"recompute": "1"})
    page = client_for(analyst).get(URL, {"as_of": "2026-03-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Health-needs picture for the NHS" in html and SUPPRESSED in html
    assert "Release and download" not in html  # analysts prepare, IG releases
    for person in Person.objects.all():
        assert person.last_name not in html and (person.la_child_id or "@@") not in html
    assert AuditEvent.objects.filter(action="health_needs.view", actor_id=analyst.pk).exists()


def test_an_analyst_cannot_release(analyst, client_for, borough, icb):
    assert client_for(analyst).post(URL, {"agency": icb.pk}).status_code == 403
    assert not HealthNeedsRelease.objects.exists()


def test_ig_releases_and_downloads(ig_officer, client_for, borough, icb):
    response = client_for(ig_officer).post(f"{URL}?as_of=2026-03-31", {"agency": icb.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="health-needs-2026-03-31')
    assert response.content[:2] == b"PK"  # an .xlsx workbook
    release = HealthNeedsRelease.objects.get()
    assert release.released_by == ig_officer
    page = client_for(ig_officer).get(URL)
    assert release.reference in page.content.decode()


def test_release_without_a_body_shows_an_error_summary(ig_officer, client_for, borough, icb):
    page = client_for(ig_officer).post(URL, {"agency": ""})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "Select the NHS body" in html


def test_a_future_date_is_refused_with_a_message(analyst, client_for, borough):
    page = client_for(analyst).get(URL, {"as_of": "2999-01-01"})
    assert "The date must be today or in the past" in page.content.decode()


def test_a_release_for_a_bad_date_releases_nothing(ig_officer, client_for, borough, icb):
    page = client_for(ig_officer).post(f"{URL}?as_of=2999-01-01", {"agency": icb.pk})
    assert page.status_code == 400
    assert "The date must be today or in the past" in page.content.decode()
    assert not HealthNeedsRelease.objects.exists()


def test_the_page_reads_the_stored_picture_and_says_when_it_was_computed(analyst, client_for, borough):
    call_command("compute_health_needs", "--as-of", "2026-03-31", "--no-progress", stdout=io.StringIO())
    picture = HealthNeedsPicture.objects.get()
    assert picture.status == "done" and picture.children == 21 and picture.total and picture.done == picture.total
    client = client_for(analyst)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL, {"as_of": "2026-03-31"}).content.decode()
    assert "Computed " in html and "Counted on 31 March 2026" in html and SUPPRESSED in html
    # No child's row is read to show the page: only the stored picture (and the releases).
    assert not any("people_person" in q["sql"] or "casework_" in q["sql"] for q in queries.captured_queries)
    assert HealthNeedsPicture.objects.count() == 1
    # The newest picture of any day is shown without a date.
    assert "Counted on 31 March 2026" in client.get(URL).content.decode()


def test_a_date_not_yet_computed_says_so_and_offers_to_compute_it(analyst, client_for, borough, settings):
    page = client_for(analyst).get(URL, {"as_of": "2026-01-31"}).content.decode()
    assert "has not been computed yet" in page and "Recompute now for 31 January 2026" in page
    settings.OPENCSC_HEALTH_NEEDS_RUN_INLINE = True
    response = client_for(analyst).post(f"{URL}?as_of=2026-01-31", {"recompute": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?as_of=2026-01-31")
    assert HealthNeedsPicture.objects.get().as_of == dt.date(2026, 1, 31)


def test_a_computation_under_way_shows_its_progress_and_refreshes(analyst, client_for, borough):
    HealthNeedsPicture.objects.create(as_of=dt.date(2026, 3, 31), actor_repr="system:test", done=1, total=4)
    html = client_for(analyst).get(URL, {"as_of": "2026-03-31"}).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "25% done (step 1 of 4)" in html
    assert "Recompute now" not in html  # one computation at a time


def test_a_silent_computation_is_marked_failed(borough):
    stale = HealthNeedsPicture.objects.create(as_of=dt.date(2026, 3, 31), actor_repr="system:test")
    HealthNeedsPicture.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert pictures.running() is None
    stale.refresh_from_db()
    assert stale.status == "failed"
