"""What an uploaded file really is, and whether openCSC will keep it (ADR 0032).

The type comes from the content: `puremagic` (pure Python, no system library) names the family from
the magic bytes at the very start, then a check of the structure of that family decides. A file is
refused, with a message the sender can act on, when it is

* not one of the accepted types (PDF, PNG, JPEG, Word .docx, Excel .xlsx, OpenDocument .odt);
* named with an extension that does not match what it is (a PNG called report.pdf);
* a polyglot: a PDF or image that is also a zip archive, or carries HTML or script near its start
  where a browser's sniffer would look, or an image that is also a PDF;
* an Office file that is not a real one (no `[Content_Types].xml` naming the main part, or an ODT
  whose first entry is not its `mimetype`), is macro-enabled or encrypted, or a zip bomb: the
  declared unpacked sizes are summed and each entry's compression ratio bounded before anything is
  accepted (nothing is unpacked but the small manifest, and that with a bounded read);
* an image of absurd dimensions (a decompression bomb), or empty, or over the size limit (the size
  is checked by the reader before this module sees the bytes: `core.uploads.read_upload`).
"""

from __future__ import annotations

import io
import os
import zipfile

import puremagic
from defusedxml import ElementTree
from django.conf import settings
from PIL import Image

from opencsc.core.uploads import FileRefused
from opencsc.documents.models import EXTENSIONS, DocumentKind

ACCEPTED = "a PDF, a PNG or JPEG image, or a Word (.docx), Excel (.xlsx) or OpenDocument (.odt) file"
MAX_ZIP_ENTRIES = 5000
MAX_RATIO = 100  # a real Office part compresses 5-20 times; bombs compress thousands of times
MAX_MANIFEST = 1024 * 1024
MAX_PIXELS = 80_000_000
HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<iframe", b"<svg", b"<head", b"<a ", b"<img")
MAIN_PARTS = {
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


class DocumentRefused(FileRefused):
    """The upload cannot be kept; the message says why."""


def sniff(data: bytes, *, name: str) -> str:
    """The `DocumentKind` of `data`, or `DocumentRefused`."""
    label = os.path.basename(name) or "The file"
    if not data:
        raise DocumentRefused(f"{label} is empty: choose the file again")
    kind = _family(data, label)
    if kind in (DocumentKind.PDF, DocumentKind.PNG, DocumentKind.JPEG):
        _not_a_polyglot(data, label, kind)
        if kind != DocumentKind.PDF:
            _image(data, label)
        elif b"%%EOF" not in data[-2048:]:
            raise DocumentRefused(f"{label} is not a complete PDF (it has no end): save it again and retry")
    else:
        kind = _office(data, label)
    extension = os.path.splitext(label)[1].lower()
    if extension not in EXTENSIONS[kind]:
        raise DocumentRefused(
            f"{label} is named {extension or 'without an extension'} but it is a {DocumentKind(kind).label}: "
            f"rename it to {EXTENSIONS[kind][0]} if that is right, or choose the right file"
        )
    return kind


def _family(data: bytes, label: str) -> str:
    try:
        found = {m.extension for m in puremagic.magic_string(data[:4096]) if m.offset == 0}
    except puremagic.PureError:
        found = set()
    if ".pdf" in found and data.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if ".png" in found and data.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentKind.PNG
    if found & {".jpg", ".jpeg"} and data.startswith(b"\xff\xd8\xff"):
        return DocumentKind.JPEG
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    raise DocumentRefused(f"{label} is not a type openCSC accepts: send {ACCEPTED}")


def _not_a_polyglot(data: bytes, label: str, kind: str) -> None:
    head = data[:1024].lower()
    if zipfile.is_zipfile(io.BytesIO(data)) or any(marker in head for marker in HTML_MARKERS):
        raise DocumentRefused(
            f"{label} is a {DocumentKind(kind).label} that is also another kind of file (an archive or a web page), "
            "which can hide harmful content: save it again from the program that made it (print to PDF), and retry"
        )
    if kind != DocumentKind.PDF and b"%pdf-" in head:
        raise DocumentRefused(f"{label} is an image that is also a PDF: save it again as a plain image and retry")


def _image(data: bytes, label: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DocumentRefused(f"{label} is {width} by {height} pixels, too large an image: make it smaller")
            image.verify()
    except DocumentRefused:
        raise
    except Exception as exc:  # Pillow raises many types for a broken or hostile image
        raise DocumentRefused(f"{label} is not a complete image: save it again and retry") from exc


def _office(data: bytes, label: str) -> str:
    broken = DocumentRefused(f"{label} is not a real Word, Excel or OpenDocument file: save it again and retry")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise broken from exc
    _not_a_bomb(entries, label)
    names = {e.filename for e in entries}
    if entries and entries[0].filename == "mimetype":
        if entries[0].compress_type != zipfile.ZIP_STORED or _read(archive, "mimetype").strip() != ODT_MIMETYPE:
            raise broken
        return DocumentKind.ODT
    if "[Content_Types].xml" not in names:
        raise broken
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise DocumentRefused(f"{label} contains macros, which openCSC does not accept: save it without macros")
    try:
        types = ElementTree.fromstring(_read(archive, "[Content_Types].xml"))
    except Exception as exc:  # defusedxml refuses entities and external references; anything else is broken
        raise broken from exc
    declared = {el.get("ContentType", "") for el in types.iter() if el.tag.endswith("Override")}
    for kind, main in MAIN_PARTS.items():
        if main in declared:
            return kind
    raise DocumentRefused(f"{label} is not a type openCSC accepts: send {ACCEPTED}")


def _not_a_bomb(entries: list[zipfile.ZipInfo], label: str) -> None:
    limit = settings.OPENCSC_DOCUMENTS_MAX_UNPACKED_BYTES
    bomb = DocumentRefused(
        f"{label} would unpack to far more than its size (a 'zip bomb'), which openCSC refuses: "
        "if it is a real document, save it again and retry"
    )
    if not entries or len(entries) > MAX_ZIP_ENTRIES:
        raise bomb
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise DocumentRefused(f"{label} is password-protected: send it without a password")
        if entry.filename.startswith(("/", "\\")) or ".." in entry.filename.split("/"):
            raise bomb
        total += entry.file_size
        if total > limit or entry.file_size > MAX_RATIO * max(entry.compress_size, 1) + 1024:
            raise bomb


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        data = part.read(MAX_MANIFEST + 1)
    if len(data) > MAX_MANIFEST:
        raise DocumentRefused("The file's manifest is too large to be real")
    return data
