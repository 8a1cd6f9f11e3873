"""The case notes page shows a screenful at a time: a child with years of notes does not get them
all decrypted and rendered on every visit."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.casework import models as cm

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(child, social_worker):
    first = dt.date(2020, 1, 1)
    cm.CaseNote.objects.bulk_create(
        [
            cm.CaseNote(
                child=child,
                recorded_by=social_worker,
                note_date=first + dt.timedelta(days=i),
                subject=f"Note number {i:03d}",
                body="Synthetic",
            )
            for i in range(120)
        ]
    )


def test_notes_come_fifty_a_page_newest_first(client_for, social_worker, child, notes, django_assert_max_num_queries):
    client = client_for(social_worker)
    with django_assert_max_num_queries(20):
        body = client.get(f"/casework/{child.pk}/notes/").content.decode()
    assert body.count('class="govuk-summary-card__title"') == 50
    assert "Note number 119" in body and "Note number 070" in body and "Note number 069" not in body
    assert "Notes 1 to 50 of 120" in body and 'aria-label="Case notes pages"' in body
    last = client.get(f"/casework/{child.pk}/notes/?page=3").content.decode()
    assert last.count('class="govuk-summary-card__title"') == 20 and "Note number 000" in last
    assert client.get(f"/casework/{child.pk}/notes/?page=99").status_code == 200  # the last page
