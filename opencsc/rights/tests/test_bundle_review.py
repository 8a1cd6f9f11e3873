"""Reviewing a bundle for a request: decisions kept and re-applied, manual redactions and exemptions,
release as a disclosure to the data subject (audited), and the released PDF's extracted text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework.models import CaseNote
from opencsc.rights import services
from opencsc.rights.bundle import review
from opencsc.rights.models import BundleRedaction, RedactionDecision
from opencsc.rights.tests.bundle_fixtures import busy_record
from opencsc.sharing.models import Disclosure, DisclosureKind

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).lower().split())


@pytest.fixture
def sar(make_request, child, social_worker, ig_officer):
    busy_record(child, social_worker)
    request = make_request(identity_needed=False, subject_name=child.full_name)
    return services.subject_link(actor=Actor.from_user(ig_officer), request=request, person_id=child.pk)


def test_decisions_are_kept_and_reapplied_when_the_bundle_is_compiled_again(sar, ig_officer, child, social_worker):
    actor = Actor.from_user(ig_officer)
    first = review.bundle_compile(actor=actor, request=sar)
    assert first.pending == len({(f.line_key, f.text.lower()) for f in first.findings}) > 0
    neighbour = next(r for r in BundleRedaction.objects.filter(request=sar) if r.text.lower() == "thaddeus brackwater")
    review.redaction_decide(
        actor_user=ig_officer, actor=actor, redaction=neighbour, decision="rejected", reason="Known to the requester"
    )
    CaseNote.objects.create(
        child=child,
        recorded_by=social_worker,
        note_date=first.bundle.entries[-1].when,
        subject="New",
        body="Marigold Quenby rang",
    )
    again = review.bundle_compile(actor=actor, request=sar)
    neighbour.refresh_from_db()
    assert neighbour.decision == RedactionDecision.REJECTED  # not proposed again as pending
    assert again.pending == first.pending - 1 + 1  # the new note's name is a new proposal
    spans = review.spans_for(again.bundle, again.redactions)
    lines = {ln.key: ln.text for ln in again.bundle.lines()}
    shown = {lines[k][s.start : s.end].lower() for k, v in spans.items() for s in v}
    assert "thaddeus brackwater" not in shown


def test_serious_harm_needs_the_professionals_opinion(sar, ig_officer):
    actor = Actor.from_user(ig_officer)
    bundle = review.bundle_compile(actor=actor, request=sar).bundle
    line = next(ln for ln in bundle.lines() if "CANARY-SCHOOL" in ln.text)
    with pytest.raises(services.RightsError, match="professional's opinion"):
        review.redaction_add(
            actor_user=ig_officer,
            actor=actor,
            request=sar,
            line_key=line.key,
            text="CANARY-SCHOOL",
            exemption="SH",
            reason="x",
        )
    with pytest.raises(services.RightsError, match="not in that line"):
        review.redaction_add(
            actor_user=ig_officer,
            actor=actor,
            request=sar,
            line_key=line.key,
            text="not there",
            exemption="CR",
            reason="x",
        )
    added = review.redaction_add(
        actor_user=ig_officer,
        actor=actor,
        request=sar,
        line_key=line.key,
        text="CANARY-SCHOOL",
        exemption="SH",
        reason="Would distress the child",
        opinion="Dr Example, consultant psychiatrist, 1 May 2025",
    )
    assert added.decision == RedactionDecision.ACCEPTED and added.source == "manual"


def test_release_is_refused_while_proposals_are_undecided(sar, ig_officer):
    actor = Actor.from_user(ig_officer)
    review.bundle_compile(actor=actor, request=sar)
    with pytest.raises(services.RightsError, match="not decided yet"):
        review.bundle_release(actor_user=ig_officer, actor=actor, request=sar)
    assert not Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS).exists()


def test_release_records_a_disclosure_to_the_data_subject_and_burns_in_the_redactions(sar, ig_officer, child):
    actor = Actor.from_user(ig_officer)
    review.bundle_compile(actor=actor, request=sar)
    review.redactions_accept_pending(actor_user=ig_officer, actor=actor, request=sar)
    release, content = review.bundle_release(actor_user=ig_officer, actor=actor, request=sar)
    text = _text(content)
    for redaction in BundleRedaction.objects.filter(request=sar):
        assert " ".join(redaction.text.lower().split()) not in text, redaction.text
    assert "marigold" not in text and "07700 900481" not in text
    assert child.full_name.lower() in text and sar.reference.lower() in text
    disclosure = Disclosure.objects.get(kind=DisclosureKind.SUBJECT_ACCESS, person=child)
    assert disclosure.pack_digest == release.digest and disclosure.transfer_reference == sar.reference
    assert AuditEvent.objects.filter(action="rights.bundle_release", subject_person_id=child.pk).count() == 1
    assert AuditEvent.objects.filter(action="sharing.disclosure", subject_person_id=child.pk).count() == 1


def test_the_bundle_pages_work_for_ig_and_no_one_else(sar, ig_officer, client_for, social_worker):
    assert client_for(social_worker).get(f"/rights/{sar.pk}/bundle/").status_code == 404
    client = client_for(ig_officer)
    assert client.post(f"/rights/{sar.pk}/bundle/compile/").status_code == 302
    page = client.get(f"/rights/{sar.pk}/bundle/").content.decode()
    assert "not decided yet" in page
    assert "Case note " in page and ", body" in page  # where each proposal is, in plain words
    assert client.post(f"/rights/{sar.pk}/bundle/release/").status_code == 302  # refused: pending
    assert not Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS).exists()
    redaction = BundleRedaction.objects.filter(request=sar).first()
    bad = client.post(
        f"/rights/{sar.pk}/bundle/redactions/{redaction.pk}/",
        {f"r{redaction.pk}-decision": "accepted", f"r{redaction.pk}-exemption": "LP"},
    )
    assert bad.status_code == 400 and "Give the reason" in bad.content.decode()
    assert client.post(f"/rights/{sar.pk}/bundle/accept-all/").status_code == 302
    preview = client.get(f"/rights/{sar.pk}/bundle/preview.pdf")
    assert preview["Content-Type"] == "application/pdf" and "marigold" not in _text(preview.content)
    released = client.post(f"/rights/{sar.pk}/bundle/release/")
    assert released["Content-Type"] == "application/pdf"
    assert Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS).count() == 1
    assert AuditEvent.objects.filter(action="rights.bundle_view").exists()
