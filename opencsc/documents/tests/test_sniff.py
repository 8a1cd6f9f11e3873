"""The type of an upload comes from its content, and hostile files are refused with a message the
sender can act on (ADR 0032)."""

from __future__ import annotations

import pytest

from opencsc.documents.sniff import DocumentRefused, sniff
from opencsc.documents.tests import factories as f


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (f.PDF, "letter.pdf", "pdf"),
        (f.png(), "photo.PNG", "png"),
        (f.jpeg(), "photo.jpg", "jpeg"),
        (f.jpeg(), "photo.jpeg", "jpeg"),
        (f.docx(), "report.docx", "docx"),
        (f.xlsx(), "log.xlsx", "xlsx"),
        (f.odt(), "note.odt", "odt"),
    ],
)
def test_each_accepted_type_is_known_by_its_content(data, name, kind):
    assert sniff(data, name=name) == kind


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (f.png(), "report.pdf", "named .pdf but it is a PNG image"),
        (f.PDF, "report.docx", "named .docx but it is a PDF document"),
        (f.PDF, "report", "without an extension"),
        (f.pdf_zip_polyglot(), "report.pdf", "also another kind of file"),
        (f.pdf_html_polyglot(), "report.pdf", "also another kind of file"),
        (f.png() + f.PDF, "photo.png", "also a PDF"),
        (b"<html><body>hello</body></html>", "page.pdf", "not a type openCSC accepts"),
        (b"MZ\x90\x00 an executable", "setup.pdf", "not a type openCSC accepts"),
        (b"", "empty.pdf", "is empty"),
        (b"%PDF-1.4\n truncated", "cut.pdf", "not a complete PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png", "not a complete image"),
        (f.zip_bomb(), "bomb.docx", "zip bomb"),
        (f.docx([("word/vbaProject.bin", b"macro", 8)]), "macro.docx", "macros"),
        (f.odt(mimetype=b"application/zip"), "fake.odt", "not a real"),
        (f.odt(method=8), "fake.odt", "not a real"),
        (b"PK\x03\x04" + b"\0" * 100, "broken.docx", "not a real"),
        (f._zip([("a.txt", b"x", 8)]), "plain.docx", "not a real"),
    ],
)
def test_hostile_or_wrong_files_are_refused_with_a_reason(data, name, words):
    with pytest.raises(DocumentRefused) as refused:
        sniff(data, name=name)
    assert words in str(refused.value)


def test_declared_unpacked_size_over_the_limit_is_a_bomb_without_unpacking(settings):
    settings.OPENCSC_DOCUMENTS_MAX_UNPACKED_BYTES = 1000
    with pytest.raises(DocumentRefused, match="zip bomb"):
        sniff(f.docx([("word/big.xml", b"<x>" + b"y" * 2000 + b"</x>", 0)]), name="big.docx")
