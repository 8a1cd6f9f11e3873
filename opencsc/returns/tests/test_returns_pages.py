"""The Returns page (performance analysts and IG only), the team readiness page (team managers), the
per-child findings include, and their audit trail."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ReferralEpisode
from opencsc.returns.build import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _returns_dir(tmp_path, settings):
    settings.OPENCSC_RETURNS_DIR = str(tmp_path / "returns")
    settings.OPENCSC_RETURNS_RUN_INLINE = True


@pytest.fixture
def referred(child):
    """The cast's child with a referral in 2025-26 and no primary need (rule 8610 breaks)."""
    ReferralEpisode.objects.create(child=child, referral_date=dt.date(2025, 6, 2), source="1A")
    return child


@pytest.mark.parametrize(
    "role", ["social_worker", "team_manager", "mash_practitioner", "conference_chair", "partner", "system_admin"]
)
def test_only_analysts_and_ig_use_the_returns_page(request, role, client_for):
    user = request.getfixturevalue(role)
    assert client_for(user).get(reverse("returns:index")).status_code == 403


def test_analyst_builds_checks_and_downloads_the_cin_census(analyst, referred, client_for):
    client = client_for(analyst)
    page = client.get(reverse("returns:index"))
    assert page.status_code == 200 and b"Statutory returns" in page.content
    assert b">Returns<" in page.content  # in the navigation
    response = client.post(reverse("returns:index"), {"kind": "cin", "year": "2025-26"})
    job = jobs.recent()[0]
    assert response.status_code == 302 and response["Location"] == reverse("returns:job", args=[job.id])
    assert job.status == "done" and job.children == 1 and job.errors >= 1
    detail = client.get(reverse("returns:job", args=[job.id]))
    assert b'http-equiv="refresh"' not in detail.content and b"Download CIN_census_2025-26.xml" in detail.content
    findings = client.get(reverse("returns:findings", args=[job.id]))
    text = findings.content.decode()
    assert "8610" in text and referred.la_child_id in text
    # The child is named nowhere (the surname carries a unique suffix; a first name alone may be the
    # signed-in analyst's own, shown in the header, or an ordinary word).
    assert referred.last_name not in text and referred.full_name not in text
    download = client.post(reverse("returns:download", args=[job.id]))
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    assert referred.la_child_id.encode() in download.content and referred.last_name.encode() not in download.content
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"return.build", "return.check", "return.download"} <= actions
    transfers = AuditEvent.objects.filter(action__in=["sharing.transfer", "return.transfer"])
    assert list(transfers.values_list("subject_person_id", "kind")) == [(referred.pk, "disclosure")]


def test_903_download_is_a_zip_of_the_dfe_tables(ig_officer, client_for):
    client = client_for(ig_officer)
    client.post(reverse("returns:index"), {"kind": "903", "year": "2025-26"})
    job = jobs.recent()[0]
    assert job.status == "done"
    archive = zipfile.ZipFile(BytesIO(client.post(reverse("returns:download", args=[job.id])).content))
    assert {"Header.csv", "Episodes.csv", "SWEpisodes.csv", "OC3.csv"} <= set(archive.namelist())


def test_annex_a_workbook_has_the_eleven_lists_and_no_formulas(analyst, referred, client_for):
    from openpyxl import load_workbook

    from opencsc.people.models import Person

    Person.objects.filter(pk=referred.pk).update(la_child_id="EVIL1")
    client = client_for(analyst)
    client.post(reverse("returns:index"), {"kind": "annex-a", "as_of": "2025-09-30"})
    job = jobs.recent()[0]
    assert job.status == "done", job.message
    book = load_workbook(BytesIO(client.post(reverse("returns:download", args=[job.id])).content))
    assert len(book.sheetnames) == 11 and book.sheetnames[0].startswith("List 1")
    sheet = book["List 3 Referrals"]
    assert [c.value for c in sheet[1]][:6] == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Date of referral",
    ]
    assert sheet.cell(2, 1).value == "EVIL1"
    assert all(not (isinstance(c.value, str) and c.value.startswith("=")) for row in sheet.iter_rows() for c in row)


def test_a_build_in_progress_refreshes_itself_without_javascript(analyst, client_for, settings):
    settings.OPENCSC_RETURNS_RUN_INLINE = False
    job = jobs.Job(
        id="00000000-0000-4000-8000-000000000001",
        kind="cin",
        year="2025-26",
        as_of=None,
        started_by=analyst.pk,
        started_by_name="analyst",
        started_at="2026-01-01T00:00:00+00:00",
        status="running",
        done=250,
        total=1000,
    )
    job.path().mkdir(parents=True)
    job.save()
    page = client_for(analyst).get(reverse("returns:job", args=[job.id]))
    assert b'<meta http-equiv="refresh" content="2">' in page.content and b"250 of 1000" in page.content


def test_unknown_build_is_not_found(analyst, client_for):
    assert client_for(analyst).get(reverse("returns:job", args=["not-a-job"])).status_code == 404


def test_team_manager_sees_the_teams_children_with_findings(team_manager, referred, client_for):
    page = client_for(team_manager).get(reverse("returns:readiness"))
    assert page.status_code == 200
    text = page.content.decode()
    assert referred.la_child_id in text and "8610" in text
    assert AuditEvent.objects.filter(action="return.readiness_view").exists()


def test_readiness_is_for_team_managers(social_worker, analyst, client_for):
    assert client_for(social_worker).get(reverse("returns:readiness")).status_code == 403
    assert client_for(analyst).get(reverse("returns:readiness")).status_code == 403


def test_child_findings_include_shows_the_broken_rule(social_worker, referred, outsider):
    template = Template("{% load returns_tags %}{% child_return_findings person %}")
    request = RequestFactory().get("/")
    request.user = social_worker
    html = template.render(Context({"request": request, "person": referred}))
    assert "8610" in html and "would break" in html
    request.user = outsider  # cannot see the child: nothing is shown
    assert "8610" not in template.render(Context({"request": request, "person": referred}))


@override_settings(OPENCSC_RETURNS_KEEP_DAYS=0)
def test_old_builds_are_purged(analyst, client_for):
    client_for(analyst).post(reverse("returns:index"), {"kind": "cin", "year": "2025-26"})
    assert jobs.purge(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == 1
    assert jobs.recent() == []


def test_the_findings_page_lists_every_rule_not_checked_and_why(analyst, client_for):
    client = client_for(analyst)
    client.post(reverse("returns:index"), {"kind": "903", "year": "2025-26"})
    job = jobs.recent()[0]
    assert job.status == "done"
    assert {"169", "179", "392a", "1015", "392c", "1008"} <= set(job.extra["not_checked"])
    detail = client.get(reverse("returns:job", args=[job.id])).content.decode()
    assert "could not be run in full" in detail
    text = client.get(reverse("returns:findings", args=[job.id])).content.decode()
    assert "Rules not checked" in text and "manage.py import_postcodes FILE" in text
    assert "The placement LA cannot be worked out" in text  # rule 169 in plain words
    assert "manage.py import_ofsted_providers FILE" in text
