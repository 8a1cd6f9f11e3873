"""The health-needs page: analysts and IG see it (counts, no child); only IG can release; everyone
else is refused; a release downloads the workbook and lists it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Person
from opencsc.standard_data.health_needs import SUPPRESSED
from opencsc.standard_data.models import HealthNeedsRelease

pytestmark = pytest.mark.django_db
URL = reverse("standard_data:health_needs")


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "mash_practitioner", "partner", "system_admin"])
def test_other_roles_are_refused(role, request, client_for, borough):
    user = request.getfixturevalue(role)
    assert client_for(user).get(URL).status_code == 403


def test_the_analyst_sees_suppressed_counts_and_no_child(analyst, client_for, borough, icb):
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
