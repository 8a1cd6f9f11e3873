"""Processors (Art 28) are recorded apart from recipients and appear as processors in the public
notice and the Article 30 record, with their contract terms."""

from __future__ import annotations

import pytest

from opencsc.demo.partners import seed_processors
from opencsc.privacy.models import Processor
from opencsc.privacy.selectors import ROPA_COLUMNS, record_of_processing

pytestmark = pytest.mark.django_db


def test_processors_appear_in_the_notice_and_the_article_30_record(client):
    seed_processors()
    hosting = Processor.objects.get(code="hosting-supplier")
    notice = client.get("/privacy-notice/").content.decode()
    assert "Organisations that work for us" in notice and hosting.name in notice
    column = ROPA_COLUMNS.index("Processors acting for the council (Article 28)")
    safeguarding = next(row for row in record_of_processing() if "Example Cloud Hosting Ltd" in row[column])
    text = safeguarding[column]
    assert "sub-processors: Example Backup Storage Ltd" in text and "at the end: delete everything" in text
    assert "1 April 2024 to 31 March 2027" in text
    recipients = safeguarding[ROPA_COLUMNS.index("Categories of recipients")]
    assert hosting.name not in recipients  # a processor is not a recipient


def test_ig_keeps_the_register_of_processors(client_for, ig_officer, social_worker):
    seed_processors()
    page = client_for(ig_officer).get("/privacy/register/").content.decode()
    assert "Processors (acting on the council" in page and "Example Cloud Hosting Ltd" in page
    assert client_for(social_worker).get("/privacy/register/").status_code == 403
