"""The Article 30 record: for information governance only, generated from the register and the field
registry, downloadable as CSV that a spreadsheet cannot turn into a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from opencsc.audit.models import AuditEvent
from opencsc.privacy.exports import safe_cell, to_csv
from opencsc.privacy.models import Purpose
from opencsc.privacy.selectors import ROPA_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "analyst", "partner", "system_admin"])
def test_only_information_governance_sees_the_record(request, role, client_for):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("privacy:record_of_processing")).status_code == 403
    assert client.get(reverse("privacy:record_of_processing_csv")).status_code == 403


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("privacy:record_of_processing"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_page_lists_every_purpose_with_its_fields(ig_officer, client_for):
    page = client_for(ig_officer).get(reverse("privacy:record_of_processing")).content.decode()
    for purpose in Purpose.objects.all():
        assert purpose.name in page
    assert "people.PoliceInformation.summary" in page
    assert "Fields hold categories the register does not describe" not in page
    assert AuditEvent.objects.filter(action="privacy.ropa_view").count() == 1


def test_the_csv_has_a_row_per_purpose_and_the_article_30_columns(ig_officer, client_for):
    response = client_for(ig_officer).get(reverse("privacy:record_of_processing_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ROPA_COLUMNS
    assert len(rows) - 1 == Purpose.objects.count()
    cpis = next(r for r in rows if r[0].startswith("Help NHS services"))
    assert "NHS England (Child Protection Information Sharing)" in cpis[ROPA_COLUMNS.index("Categories of recipients")]
    assert AuditEvent.objects.filter(action="privacy.ropa_export").count() == 1


def test_a_formula_in_the_register_reaches_the_csv_as_text(ig_officer, client_for):
    purpose = Purpose.objects.first()
    purpose.name = '=HYPERLINK("http://evil.example","x")'
    purpose.data_subjects = "@SUM(1+1)"
    purpose.save()
    body = client_for(ig_officer).get(reverse("privacy:record_of_processing_csv")).content.decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@given(first=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\0"]), rest=st.text(max_size=30))
def test_every_dangerous_first_character_is_neutralised(first, rest):
    assert safe_cell(first + rest) == "'" + first + rest
    body = to_csv(["h"], [[first + rest]])
    cell = next(iter(csv.reader(io.StringIO(body.replace("\0", "")))))
    assert cell  # parsable


def test_ordinary_text_is_left_alone():
    assert safe_cell("Children and families") == "Children and families"
    assert safe_cell(None) == ""
