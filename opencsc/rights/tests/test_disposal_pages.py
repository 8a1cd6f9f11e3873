"""The disposal pages: only information governance, four eyes on the page, error summaries, the
certificate (ids, rules, dates and categories; no names) and its download."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Person
from opencsc.rights.disposal.models import BatchStatus, DisposalBatch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "analyst", "system_admin"])
def test_only_information_governance_reaches_the_disposal_pages(request, role, client_for, family):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/rights/disposal/").status_code == 403
    assert client.get("/rights/disposal/prepare/").status_code == 403
    assert client.post("/rights/disposal/prepare/", {"confirm": "on"}).status_code == 403
    assert not DisposalBatch.objects.exists()


def test_prepare_approve_carry_out_and_certificate(client_for, ig_officer, second_ig, family):
    preparer, approver = client_for(ig_officer), client_for(second_ig)
    page = preparer.get("/rights/disposal/prepare/").content.decode()
    assert str(family.child.pk) in page and "Child in need record" in page
    assert family.child.full_name not in page  # ids, never names
    unconfirmed = preparer.post("/rights/disposal/prepare/", {}).content.decode()
    assert "govuk-error-summary" in unconfirmed and "Confirm that you have checked the list" in unconfirmed
    response = preparer.post("/rights/disposal/prepare/", {"confirm": "on"})
    batch = DisposalBatch.objects.get()
    assert response["Location"] == f"/rights/disposal/{batch.pk}/"

    own = preparer.get(f"/rights/disposal/{batch.pk}/").content.decode()
    assert "a different information governance officer must approve it" in own and "Approve the batch" not in own
    refused = preparer.post(f"/rights/disposal/{batch.pk}/approve/", {"approve-confirm": "on"}).content.decode()
    assert "govuk-error-summary" in refused and "someone else must approve it" in refused
    assert batch.reference not in preparer.get("/").content.decode()  # not on their own home page...
    assert batch.reference in approver.get("/").content.decode()  # ...but on the other officer's
    approver.post(f"/rights/disposal/{batch.pk}/approve/", {"approve-confirm": "on"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == second_ig

    assert preparer.get(f"/rights/disposal/{batch.pk}/certificate/").status_code == 404  # not yet carried out
    response = preparer.post(f"/rights/disposal/{batch.pk}/carry-out/", {"carry-confirm": "on"})
    assert response["Location"] == f"/rights/disposal/{batch.pk}/certificate/"
    assert not Person.objects.filter(pk=family.child.pk).exists()
    certificate = preparer.get(response["Location"]).content.decode()
    assert "Child in need record" in certificate and "Health information" in certificate
    assert escape(str(ig_officer)) in certificate and escape(str(second_ig)) in certificate  # O'Connor is escaped
    download = preparer.get(f"/rights/disposal/{batch.pk}/certificate.csv")
    text = download.content.decode()
    assert download["Content-Type"].startswith("text/csv") and f"{batch.reference},{family.child.pk}," in text
    assert not any(needle in certificate or needle in text for needle in family.needles)
    assert AuditEvent.objects.filter(action="rights.disposal_view", object_id=str(batch.pk)).exists()
