"""Documents a partner attaches (ADR 0032): stored encrypted outside the web root, shown on the child's
record with provenance, served only through the access check, and hostile uploads refused with a
problem document or a form error and nothing stored."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.core import crypto
from opencsc.documents import storage
from opencsc.documents.models import Document
from opencsc.documents.tests import factories as f
from opencsc.partners import credentials
from opencsc.sharing.models import CheckStatus
from opencsc.sharing.portal_services import check_send

pytestmark = pytest.mark.django_db
SCOPES = ["checks:read", "checks:answer", "referrals:read", "referrals:submit"]


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    settings.OPENCSC_DOCUMENTS_DIR = str(tmp_path / "documents")


@pytest.fixture
def sent(mash_practitioner, triaged, police, police_user):
    return check_send(
        actor_user=mash_practitioner,
        actor=Actor.from_user(mash_practitioner),
        contact=triaged,
        agency=police,
        urgency="amber",
        question="CANARY-QUESTION",
    )


def _file(data: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _stored_files() -> list[Path]:
    return [p for p in Path(settings.OPENCSC_DOCUMENTS_DIR).rglob("*") if p.is_file()]


def _api(agency) -> Client:
    _, key = credentials.credential_issue(actor=Actor.system("tests"), agency=agency, label="RMS", scopes=SCOPES)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_partner_attaches_a_document_to_the_answer_and_the_mash_opens_it(
    client_for, sent, police_user, mash_practitioner, triaged
):
    response = client_for(police_user).post(
        f"/partners/checks/{sent.pk}/", {"summary": "CANARY-ANSWER", "file": _file(f.PDF, "Incident log.pdf")}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == "pdf" and document.check_request == sent and document.category == "criminal"
    assert document.person_id == triaged.child_id and document.uploaded_by == police_user
    # On disk: encrypted, under a name that is not the content's plain hash, outside the project's static files.
    (path,) = _stored_files()
    on_disk = path.read_bytes()
    assert b"CANARY-PDF-CONTENT" not in on_disk and on_disk.startswith(storage.MAGIC)
    assert path.name == document.blob != hashlib.sha256(f.PDF).hexdigest()
    assert "Incident log" not in path.name
    # On the child's record beside the answer, with provenance; opened through the access check.
    page = client_for(mash_practitioner).get(f"/casework/{triaged.child_id}/record/decision/{triaged.pk}/")
    body = page.content.decode()
    assert (
        f"/documents/{document.pk}/" in body
        and "Incident log.pdf" in body
        and escape(police_user.get_full_name()) in body
    )
    download = client_for(mash_practitioner).get(f"/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == f.PDF
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and document.reference in download["Content-Disposition"]
    )
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
    viewed = AuditEvent.objects.filter(
        action="person.view", subject_person_id=triaged.child_id, actor_id=mash_practitioner.pk
    )
    assert any(e.detail.get("purpose") == "document" for e in viewed)
    assert AuditEvent.objects.filter(action="documents.open", subject_person_id=triaged.child_id).count() == 1
    # The partner can fetch their own organisation's upload back.
    assert client_for(police_user).get(f"/partners/documents/{document.pk}/").content == f.PDF


def test_staff_outside_the_childs_scope_and_other_organisations_get_404_audited(
    client_for, sent, police_user, health_user, outsider, triaged
):
    client_for(police_user).post(f"/partners/checks/{sent.pk}/", {"summary": "x", "file": _file(f.png(), "a.png")})
    document = Document.objects.get()
    assert client_for(outsider).get(f"/documents/{document.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="person.access_denied", actor_id=outsider.pk).exists()
    assert client_for(health_user).get(f"/partners/documents/{document.pk}/").status_code == 404
    assert client_for(health_user).get("/partners/documents/999999/").status_code == 404
    refused = AuditEvent.objects.filter(action="documents.partner_refused", actor_id=health_user.pk)
    assert refused.count() == 2 and refused.first().outcome == "denied"
    assert client_for(police_user).get(f"/documents/{document.pk}/").status_code == 404  # partners: no record access


@pytest.mark.parametrize(
    ("data", "name"),
    [(f.pdf_zip_polyglot(), "a.pdf"), (f.zip_bomb(), "b.docx"), (f.png(), "c.pdf"), (b"<html></html>", "d.pdf")],
)
def test_a_hostile_upload_on_the_page_answers_nothing_and_stores_nothing(client_for, sent, police_user, data, name):
    response = client_for(police_user).post(f"/partners/checks/{sent.pk}/", {"summary": "x", "file": _file(data, name)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and 'href="#id_file"' in body
    sent.refresh_from_db()
    assert sent.status == CheckStatus.SENT and not Document.objects.exists() and not _stored_files()
    assert AuditEvent.objects.filter(action="documents.refused").count() == 1


class _Unreadable(io.RawIOBase):
    def read(self, *args):  # pragma: no cover - reaching it fails the test
        raise AssertionError("the body was read")

    readinto = read


def test_a_200_mb_upload_is_refused_before_its_body_is_read(client_for, sent, police_user):
    response = client_for(police_user).generic(
        "POST",
        f"/partners/checks/{sent.pk}/",
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413 and "allowed for a document" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == CheckStatus.SENT and not Document.objects.exists()


def test_a_file_over_the_limit_without_a_declared_size_is_dropped_while_received(
    client_for, sent, police_user, settings
):
    settings.OPENCSC_DOCUMENTS_MAX_BYTES = 1000
    big = f.PDF + b"%" * 5000 + b"\n%%EOF\n"
    response = client_for(police_user).post(
        f"/partners/checks/{sent.pk}/", {"summary": "x", "file": _file(big, "big.pdf")}
    )
    assert response.status_code == 200 and "allowed for a document" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == CheckStatus.SENT and not Document.objects.exists()


def test_a_request_for_support_carries_its_document(client_for, police_user, mash_practitioner):
    from opencsc.partners.tests.test_referrals import FORM  # the valid form of the referral tests

    response = client_for(police_user).post("/partners/referrals/new/", {**FORM, "file": _file(f.docx(), "Notes.docx")})
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.referral is not None and document.kind == "docx" and document.category == "referral"
    page = client_for(police_user).get(response["Location"])
    assert "Notes.docx" in page.content.decode()


# --- The API --------------------------------------------------------------------------------------


def _post(client: Client, url: str, data: bytes, name: str, key: str = "d-1", **extra):
    return client.post(url, {"file": _file(data, name), **extra}, HTTP_IDEMPOTENCY_KEY=key)


def test_the_api_attaches_lists_and_replays_without_a_second_document(sent, police):
    client = _api(police)
    url = f"/api/v1/checks/{sent.pk}/documents/"
    first = _post(client, url, f.jpeg(), "photo.jpg")
    assert first.status_code == 201 and first.json()["type"] == "jpeg"
    again = _post(client, url, f.jpeg(), "photo.jpg")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = _post(client, url, f.png(), "photo.png")  # same key, another file: refused
    assert other.status_code == 422
    assert Document.objects.count() == 1 and len(_stored_files()) == 1
    listed = client.get(url).json()
    assert [d["reference"] for d in listed] == [first.json()["reference"]]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"content": json.dumps({"file": "x"}), "content_type": "application/json"}, 415, None),
        ({"data": {}}, 400, "file"),
        ({"data": {"file": _file(f.PDF, "a.pdf"), "colour": "red"}}, 400, "colour"),
        ({"data": {"file": _file(f.pdf_zip_polyglot(), "a.pdf")}}, 400, "file"),
        ({"data": {"file": _file(f.zip_bomb(), "a.docx")}}, 400, "file"),
        ({"data": {"file": _file(f.png(), "a.pdf")}}, 400, "file"),
    ],
)
def test_bad_api_input_is_a_problem_document_and_stores_nothing(sent, police, body, status, field):
    client = _api(police)
    url = f"/api/v1/checks/{sent.pk}/documents/"
    if "content" in body:
        response = client.post(url, body["content"], content_type=body["content_type"], HTTP_IDEMPOTENCY_KEY="k")
    else:
        response = client.post(url, body["data"], HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    if field:
        assert field in response.json()["errors"]
    assert not Document.objects.exists() and not _stored_files()


def test_the_api_refuses_an_oversize_upload_with_413(sent, police, settings):
    settings.OPENCSC_DOCUMENTS_MAX_BYTES = 1000
    response = _post(_api(police), f"/api/v1/checks/{sent.pk}/documents/", f.PDF + b"%" * 5000 + b"\n%%EOF\n", "a.pdf")
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert not Document.objects.exists()


def test_another_organisation_cannot_attach_to_or_list_a_check(sent, health):
    client = _api(health)
    url = f"/api/v1/checks/{sent.pk}/documents/"
    assert _post(client, url, f.PDF, "a.pdf").status_code == 404
    assert client.get(url).status_code == 404
    assert not Document.objects.exists()


def test_documents_are_listed_in_the_subject_access_bundle(sent, police, triaged):
    from opencsc.rights.bundle.compile import compile_bundle

    _post(_api(police), f"/api/v1/checks/{sent.pk}/documents/", f.PDF, "Custody record.pdf")
    bundle = compile_bundle(triaged.child)
    texts = [line.text for line in bundle.lines()]
    assert any("Custody record.pdf" in t for t in texts)
    assert any("information governance" in t.lower() for t in texts)


def test_the_stored_file_goes_with_its_last_row(sent, police, django_capture_on_commit_callbacks):
    _post(_api(police), f"/api/v1/checks/{sent.pk}/documents/", f.PDF, "a.pdf")
    document = Document.objects.get()
    assert storage.exists(document.blob)
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert not storage.exists(document.blob)


def test_the_api_refuses_a_200_mb_upload_before_reading_it(sent, police):
    response = _api(police).generic(
        "POST",
        f"/api/v1/checks/{sent.pk}/documents/",
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        HTTP_IDEMPOTENCY_KEY="big",
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert not Document.objects.exists()


def test_matrix_organisation_a_never_sees_organisation_bs_documents(
    client_for, sent, police, health, police_user, health_user
):
    """Every portal URL and API endpoint that reaches a document, for organisation B's user and key,
    about what organisation A sent (on a check answer and on a request for support): 404, nothing shown."""
    from django.urls import get_resolver

    from opencsc.partners.tests.test_referrals import FORM

    client_for(police_user).post(f"/partners/checks/{sent.pk}/", {"summary": "x", "file": _file(f.PDF, "A-check.pdf")})
    client_for(police_user).post("/partners/referrals/new/", {**FORM, "file": _file(f.png(), "A-referral.png")})
    on_check, on_referral = Document.objects.order_by("pk")
    referral_id = on_referral.referral_id
    pages = [f"/partners/documents/{on_check.pk}/", f"/partners/documents/{on_referral.pk}/"]
    api = [f"/api/v1/checks/{sent.pk}/documents/", f"/api/v1/referrals/{referral_id}/documents/"]
    downloads = [f"{api[0]}{on_check.pk}/", f"{api[1]}{on_referral.pk}/"]
    routes = {str(p.pattern) for p in get_resolver("opencsc.partners.urls").url_patterns} | {
        str(p.pattern) for p in get_resolver("opencsc.partners.api_urls").url_patterns
    }
    assert {r for r in routes if "document" in r} == {
        "documents/<int:document_id>/",
        "checks/<int:check_id>/documents/",
        "checks/<int:check_id>/documents/<int:document_id>/",
        "referrals/<int:referral_id>/documents/",
        "referrals/<int:referral_id>/documents/<int:document_id>/",
    }, "a new document route must join this matrix"
    b_user, b_key = client_for(health_user), _api(health)
    for url in pages:
        response = b_user.get(url)
        assert response.status_code == 404 and b"A-" not in response.content
    for url in api:
        for response in (b_key.get(url), _post(b_key, url, f.PDF, "intrusion.pdf", key=url)):
            assert response.status_code == 404 and b"A-" not in response.content
    for url in downloads:
        response = b_key.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert b"A-" not in response.content and b"CANARY" not in response.content
    assert b"A-check" not in b_user.get("/partners/").content
    assert Document.objects.count() == 2
    assert not AuditEvent.objects.filter(action="documents.partner_open").exists()
    # Organisation A reaches its own, on the portal and through the API.
    for url in pages:
        assert client_for(police_user).get(url).status_code == 200
    a_key = _api(police)
    for url, document in zip(downloads, (on_check, on_referral), strict=True):
        response = a_key.get(url)
        assert response.status_code == 200 and response["Content-Type"] == document.content_type


def test_a_disposal_takes_the_file_unless_another_row_still_names_it(
    sent, police, triaged, django_capture_on_commit_callbacks
):
    """The disposal (ADR 0030) deletes rows raw, without signals: it collects the documents' files itself."""
    from opencsc.rights.disposal import removal

    client = _api(police)
    _post(client, f"/api/v1/checks/{sent.pk}/documents/", f.PDF, "a.pdf", key="one")
    first = Document.objects.get()
    twin = Document.objects.create(  # the same file sent again (content-addressed: one stored file)
        person=first.person,
        agency=police,
        check_request=sent,
        filename="b.pdf",
        kind="pdf",
        size=1,
        blob=first.blob,
        category="criminal",
    )
    for row, gone in ((first, False), (twin, True)):
        found = removal.Removal()
        found.add(Document, [row.pk])
        files = removal.file_fields(found)
        Document.objects.filter(pk=row.pk)._raw_delete(Document.objects.db)
        with django_capture_on_commit_callbacks(execute=True):
            removal.delete_files_after_commit(files)
        assert storage.exists(first.blob) is not gone


def test_an_oversize_post_from_someone_signed_out_goes_to_sign_in_unread(sent):
    response = Client().generic(
        "POST",
        f"/partners/checks/{sent.pk}/",
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 302  # to the sign-in page, not a 413 page
    sent.refresh_from_db()
    assert sent.status == CheckStatus.SENT and not Document.objects.exists()


# --- Key rotation re-encrypts the stored files (manage.py rotate_field_keys) -------------------------

NEW_KEY = "new2:" + base64.b64encode(b"n" * 32).decode()


def _three_documents(sent, police) -> dict[int, bytes]:
    client = _api(police)
    sent_files = {"a.pdf": f.PDF, "b.png": f.png(), "c.jpg": f.jpeg()}
    for n, (name, data) in enumerate(sent_files.items()):
        assert _post(client, f"/api/v1/checks/{sent.pk}/documents/", data, name, key=f"r-{n}").status_code == 201
    return {d.pk: sent_files[d.filename] for d in Document.objects.all()}


def test_key_rotation_re_encrypts_every_document_which_then_needs_the_new_key(sent, police, settings):
    from opencsc.core.management.commands.rotate_field_keys import rotate

    contents = _three_documents(sent, police)
    old = settings.OPENCSC_FIELD_KEYS
    old_id = crypto.keyring().primary_id
    assert set(Document.objects.values_list("key_id", flat=True)) == {old_id}
    settings.OPENCSC_FIELD_KEYS = f"{NEW_KEY},{old}"
    assert rotate()["documents.Document files"] == 3
    assert rotate()["documents.Document files"] == 0  # resumable: nothing left the second time
    assert set(Document.objects.values_list("key_id", flat=True)) == {"new2"}
    assert {storage.key_of(p.name) for p in _stored_files()} == {"new2"} and not list(
        Path(settings.OPENCSC_DOCUMENTS_DIR).rglob("*.part")
    )
    settings.OPENCSC_FIELD_KEYS = NEW_KEY  # the old key removed, as for the fields
    for document in Document.objects.all():
        assert storage.read(document.blob) == contents[document.pk]
    settings.OPENCSC_FIELD_KEYS = old  # the old key alone no longer opens them
    for blob in Document.objects.values_list("blob", flat=True):
        with pytest.raises(crypto.DecryptionError):
            storage.read(blob)


def test_a_crash_mid_rotation_leaves_every_document_readable_and_the_next_run_finishes(
    sent, police, settings, monkeypatch
):
    from opencsc.core.management.commands.rotate_field_keys import rotate

    contents = _three_documents(sent, police)
    old = settings.OPENCSC_FIELD_KEYS
    settings.OPENCSC_FIELD_KEYS = f"{NEW_KEY},{old}"
    real_replace, renamed = os.replace, []

    def power_cut_on_the_second_file(src, dst):
        if renamed:
            raise OSError("power cut")
        renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", power_cut_on_the_second_file)
    with pytest.raises(OSError, match="power cut"):
        rotate()
    monkeypatch.undo()
    assert sorted(storage.key_of(p.name) for p in _stored_files()).count("new2") == 1
    assert not list(Path(settings.OPENCSC_DOCUMENTS_DIR).rglob("*.part"))  # no half-written file left
    for document in Document.objects.all():
        assert storage.read(document.blob) == contents[document.pk]
    # A crash after a file's rename but before its row's update: the row names the old key, the file
    # (whose header names its key) still reads, and the next run only records it.
    Document.objects.update(key_id="")
    assert rotate()["documents.Document files"] == 2
    assert set(Document.objects.values_list("key_id", flat=True)) == {"new2"}
    settings.OPENCSC_FIELD_KEYS = NEW_KEY
    for document in Document.objects.all():
        assert storage.read(document.blob) == contents[document.pk]


# --- Downloads through the API ------------------------------------------------------------------------


def test_the_api_downloads_the_organisations_own_document_as_an_attachment_audited(sent, police, triaged):
    client = _api(police)
    uploaded = _post(client, f"/api/v1/checks/{sent.pk}/documents/", f.PDF, 'x/Custody "log"; x=y.pdf').json()
    response = client.get(f"/api/v1/checks/{sent.pk}/documents/{uploaded['id']}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.content == f.PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and uploaded["reference"] in disposition
    assert "x/" not in disposition and '\\"log\\"; x=y.pdf"' in disposition  # their quotes escaped, no path
    assert "no-store" in response["Cache-Control"] and "sandbox" in response["Content-Security-Policy"]
    opened = AuditEvent.objects.get(action="documents.partner_open")
    assert opened.subject_person_id == triaged.child_id and opened.object_id == str(uploaded["id"])
    call = AuditEvent.objects.filter(action="partners.api_call").latest("seq")
    assert call.detail["status"] == 200 and call.detail["agency"] == police.pk


def test_an_api_download_needs_its_scope_and_the_check_it_is_attached_to(
    sent, police, social_worker, mash_practitioner, triaged
):
    from django.utils import timezone

    from opencsc.casework import services as casework

    client = _api(police)
    uploaded = _post(client, f"/api/v1/checks/{sent.pk}/documents/", f.png(), "a.png").json()
    _, views_only = credentials.credential_issue(
        actor=Actor.system("tests"), agency=police, label="views", scopes=["views:read"]
    )
    url = f"/api/v1/checks/{sent.pk}/documents/{uploaded['id']}/"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {views_only}").get(url).status_code == 403
    assert Client().get(url).status_code == 401
    # Another check of the same organisation (it may read it) does not lead to this document.
    today, mash = timezone.localdate(), Actor.from_user(mash_practitioner)
    contact = casework.contact_create(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        child=triaged.child,
        contact_date=today,
        source="1B",
        reason="Second concern",
        consent_given=True,
    )
    casework.mash_triage_record(
        actor_user=mash_practitioner,
        actor=mash,
        contact=contact,
        rag="amber",
        rationale="x",
        triaged_on=today,
        agencies=[],
    )
    other = check_send(
        actor_user=mash_practitioner, actor=mash, contact=contact, agency=police, urgency="green", question="Q"
    )
    for wrong in (
        f"/api/v1/checks/{other.pk}/documents/{uploaded['id']}/",
        f"/api/v1/checks/{sent.pk}/documents/{uploaded['id'] + 1000}/",
    ):
        response = client.get(wrong)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(action="documents.partner_refused", outcome="denied").count() == 2
    assert client.get(f"/api/v1/referrals/{sent.pk}/documents/{uploaded['id']}/").status_code == 404
    assert not AuditEvent.objects.filter(action="documents.partner_open").exists()
