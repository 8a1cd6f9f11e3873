"""Sample files, made here (synthetic): each accepted type, and hostile ones."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\nCANARY-PDF-CONTENT\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (20, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def _zip(parts: list[tuple[str, bytes, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in parts:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def _types(main: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main}"/>{extra}</Types>'
    ).encode()


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
D = zipfile.ZIP_DEFLATED


def docx(extra_parts: list[tuple[str, bytes, int]] | None = None) -> bytes:
    return _zip(
        [("[Content_Types].xml", _types(WORD), D), ("word/document.xml", b"<w>CANARY-WORD</w>", D)]
        + (extra_parts or [])
    )


def xlsx() -> bytes:
    return _zip([("[Content_Types].xml", _types(EXCEL), D), ("xl/workbook.xml", b"<wb/>", D)])


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text", method: int = zipfile.ZIP_STORED) -> bytes:
    return _zip([("mimetype", mimetype, method), ("content.xml", b"<office/>", D)])


def zip_bomb(size: int = 8 * 1024 * 1024) -> bytes:
    """A docx whose one part is `size` zero bytes (compresses about 1000 times)."""
    return docx([("word/media/zeros.bin", b"\0" * size, D)])


def pdf_zip_polyglot() -> bytes:
    return PDF + docx()


def pdf_html_polyglot() -> bytes:
    return b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + PDF[9:]
