"""The CP-IS pages and commands: IG builds, downloads and imports; a social worker cannot; the
completeness report counts the cohort and lists LA child ids with what is missing."""

from __future__ import annotations

import html
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from opencsc.casework.models import Task
from opencsc.cpis.models import InboundMessage, Upload
from opencsc.cpis.tests.conftest import (
    BILLION_LAUGHS,
    access_xml,
    allocate,
    cp_plan,
    days_ago,
    unborn_with_mother,
    verified_child,
)
from opencsc.people.identifiers import normalise_nhs_number
from opencsc.people.tests.factories import ChildFactory

ROLES_REFUSED = [
    "social_worker",
    "team_manager",
    "mash_practitioner",
    "conference_chair",
    "analyst",
    "partner",
    "system_admin",
    "outsider",
]


@pytest.fixture
def on_plan(db, east_team, social_worker):
    child = verified_child()
    allocate(child, east_team, social_worker)
    cp_plan(child, days_ago(60))
    return child


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_only_information_governance_can_build_download_or_import(request, role, on_plan, client_for):
    client = client_for(request.getfixturevalue(role))
    for name in ("cpis:index", "cpis:upload", "cpis:import"):
        assert client.get(reverse(name)).status_code in (403, 404), name
    assert client.post(reverse("cpis:upload"), {"confirm": "on"}).status_code in (403, 404)
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_ig_officer_builds_and_downloads_the_upload(ig_officer, on_plan, client_for):
    client = client_for(ig_officer)
    page = client.get(reverse("cpis:upload"))
    assert page.status_code == 200 and b"Records in the file" in page.content
    refused = client.post(reverse("cpis:upload"), {})
    assert refused.status_code == 200 and b"There is a problem" in refused.content
    assert not Upload.objects.exists()
    response = client.post(reverse("cpis:upload"), {"confirm": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cpis-upload-000001.xml"'
    assert normalise_nhs_number(on_plan.nhs_number).encode() in response.content
    upload = Upload.objects.get()
    assert upload.built_by == ig_officer and upload.disclosures == 1
    assert client.get(reverse("cpis:index")).status_code == 200


@pytest.mark.django_db
def test_import_page_shows_an_error_summary_and_changes_nothing(ig_officer, on_plan, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(ig_officer)
    assert client.get(reverse("cpis:import")).status_code == 200
    bad = client.post(reverse("cpis:import"), {"file": SimpleUploadedFile("evil.xml", BILLION_LAUGHS)})
    assert bad.status_code == 200
    assert b"There is a problem" in bad.content and b"document type" in bad.content
    assert not InboundMessage.objects.exists() and not Task.objects.exists()
    missing = client.post(reverse("cpis:import"), {})
    assert b"Choose the CP-IS file to import" in missing.content
    client.post(reverse("cpis:upload"), {"confirm": "on"})
    good = SimpleUploadedFile("asn.xml", access_xml(normalise_nhs_number(on_plan.nhs_number)))
    done = client.post(reverse("cpis:import"), {"file": good}, follow=True)
    assert b"1 task and 1 chronology entry created" in done.content
    assert Task.objects.get().person == on_plan


@pytest.mark.django_db
def test_completeness_report_counts_and_lists_what_is_missing(
    ig_officer, team_manager, social_worker, east_team, on_plan, client_for
):
    mine = ChildFactory(nhs_number="", nhs_number_index="")
    allocate(mine, east_team, social_worker)
    cp_plan(mine, days_ago(30))
    elsewhere = ChildFactory(nhs_number_verified=False)
    cp_plan(elsewhere, days_ago(30))
    unborn_with_mother(verified=False)

    ig_page = client_for(ig_officer).get(reverse("cpis:completeness"))
    text = html.unescape(ig_page.content.decode())
    assert "25.0% matched" in text and "1 of 4 records" in text and "below the 95.0%" in text
    for la_child_id in (mine.la_child_id, elsewhere.la_child_id):
        assert la_child_id in text
    assert "No NHS number on the child's record" in text
    assert "has not been verified on the NHS Spine" in text
    assert "The mother's NHS number has not been verified" in text
    assert "Open the record" not in text  # IG cannot open person records
    assert mine.last_name not in text and elsewhere.last_name not in text

    tm_text = client_for(team_manager).get(reverse("cpis:completeness")).content.decode()
    assert mine.la_child_id in tm_text and elsewhere.la_child_id not in tm_text
    assert reverse("people:detail", args=[mine.pk]) in tm_text

    assert client_for(social_worker).get(reverse("cpis:completeness")).status_code == 403


@pytest.mark.django_db
def test_commands_build_import_and_report(on_plan, tmp_path):
    out = tmp_path / "upload.xml"
    stdout = io.StringIO()
    call_command("build_cpis_upload", "--out", str(out), stdout=stdout, stderr=io.StringIO())
    assert "Upload 1: 1 records" in stdout.getvalue()
    assert normalise_nhs_number(on_plan.nhs_number) in out.read_text()
    notice = tmp_path / "asn.xml"
    notice.write_bytes(access_xml(normalise_nhs_number(on_plan.nhs_number)))
    stdout = io.StringIO()
    call_command("import_cpis", str(notice), stdout=stdout)
    call_command("import_cpis", str(notice), stdout=stdout)
    assert "already imported" in stdout.getvalue()
    assert Task.objects.count() == 1
    evil = tmp_path / "evil.xml"
    evil.write_bytes(BILLION_LAUGHS)
    with pytest.raises(CommandError, match="refused"):
        call_command("import_cpis", str(evil), stdout=io.StringIO(), stderr=io.StringIO())
    report = io.StringIO()
    call_command("cpis_completeness", stdout=report)
    assert "Match rate 100.0%" in report.getvalue()
