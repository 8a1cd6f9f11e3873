"""The subject access bundle: everything held, third-party information found before anyone reads it,
and a PDF whose extracted text (pypdf, independent of reportlab) holds none of the redacted strings."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from opencsc.audit.models import AuditEvent
from opencsc.rights.bundle import third_party
from opencsc.rights.bundle.build import build_all_accepted
from opencsc.rights.bundle.compile import compile_bundle
from opencsc.rights.tests.bundle_fixtures import busy_record

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_bundle_holds_every_category_disclosures_and_who_opened_the_record(child, social_worker):
    busy_record(child, social_worker)
    bundle = compile_bundle(child)
    text = "\n".join(line.text for line in bundle.lines())
    assert child.first_name in text and child.last_name in text
    assert "12 Orchard Way" in text  # their own address
    assert "CANARY-SCHOOL" in text  # information from other agencies
    assert "Moved to Orchard Way" in text  # chronology
    assert "Opened by sw (social worker), once" in text  # the audit log
    assert any(e.category == "Relationships" for e in bundle.entries)
    dated = [e.when for e in bundle.entries[1:] if e.when]
    assert dated == sorted(dated)


def test_third_party_strings_are_proposed_but_the_subjects_own_are_not(child, social_worker):
    others = busy_record(child, social_worker)
    findings = third_party.propose(compile_bundle(child))
    found = {_squash(f.text) for f in findings}
    for expected in [
        "marigold quenby",
        "7 larch close",
        "zz9 9zz",
        "07700 900481",
        "thaddeus brackwater",
        "3 heron row",
        "01632 960123",
        others["sibling"].la_child_id.lower(),
        others["neighbour"].nhs_number,
    ]:
        assert expected in found, expected
    assert any(f.kind == "passage" and "PASSAGE-FLAGGED" in f.text for f in findings)
    assert child.last_name.lower() not in found  # shared with the sibling, but the child's own
    assert "12 orchard way" not in found and "zz1 1zz" not in found  # shared address: theirs too


def test_with_every_proposal_accepted_no_third_party_string_survives_in_the_pdf(child, social_worker):
    busy_record(child, social_worker)
    built = build_all_accepted(child, reference="ASK-TEST-0001")
    text = _squash(_text(built.pdf))
    assert _squash(child.full_name) in text
    assert "page 1 of" in text and "schedule of redactions" in text
    assert "[tp]" in text
    survivors = [s for s in third_party.known_strings(child) if s and _squash(s) in text]
    assert survivors == []
    for finding in built.findings:
        assert _squash(finding.text) not in text, finding.text
    assert "passage-flagged-third-party" not in text
    assert "canary-school" in text  # what is theirs is still there


def test_the_command_writes_the_bundle_with_progress(child, social_worker, tmp_path, capsys):
    busy_record(child, social_worker)
    out = tmp_path / "bundle.pdf"
    call_command("subject_access_bundle", str(child.pk), "--out", str(out))
    text = _squash(_text(out.read_bytes()))
    assert "marigold" not in text and "brackwater" not in text
    captured = capsys.readouterr()
    assert "redactions" in captured.out and "subject access bundle" in captured.err
    assert AuditEvent.objects.filter(action="rights.bundle_render", subject_person_id=child.pk).count() == 1


def test_the_command_refuses_a_person_who_does_not_exist(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No person has id 999999"):
        call_command("subject_access_bundle", "999999", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
