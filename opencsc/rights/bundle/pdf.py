"""Render a subject access bundle as a paginated PDF with the redactions burned in.

Burned in means the text under a box is never written to the file: a redacted span is replaced,
before any drawing, by a black box holding only its exemption code, so no text extractor, copy and
paste or removal of an overlay can recover it. The box is as wide as its label, not as the text it
replaces, so the length of a name does not show either. reportlab (docs/adr/0021-subject-access-
bundles-pdf.md) lays out the pages; the font is Bitstream Vera, shipped with reportlab, so any
Unicode name is drawn and nothing is fetched at run time.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from opencsc.rights.bundle.compile import Bundle, Entry
from opencsc.rights.bundle.exemptions import Exemption, meaning

_FONTS = Path(reportlab.__file__).parent / "fonts"
_REGISTERED = False


def _fonts() -> None:
    global _REGISTERED
    if not _REGISTERED:
        pdfmetrics.registerFont(TTFont("Vera", str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", str(_FONTS / "VeraBd.ttf")))
        pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="VeraBd", italic="Vera", boldItalic="VeraBd")
        _REGISTERED = True


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    code: str


@dataclass(frozen=True)
class Letter:
    council: str
    reference: str
    requester: str
    date_text: str
    body: str  # paragraphs separated by blank lines


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.code)
        else:
            merged.append(span)
    return merged


def burn(text: str, spans: Sequence[Span]) -> str:
    """Paragraph markup for `text` with every span replaced by a labelled box. The redacted
    characters are dropped here, before reportlab sees the text."""
    out, at = [], 0
    for span in _merge(spans):
        out.append(escape(text[at : span.start]))
        out.append(f'<font backColor="#000000" color="#FFFFFF">&nbsp;[{escape(span.code)}]&nbsp;</font>')
        at = span.end
    out.append(escape(text[at:]))
    return "".join(out).replace("\n", "<br/>")


class _NumberedCanvas(rl_canvas.Canvas):
    """Writes "Page n of N" and the reference on every page (pages are held until the total is known)."""

    reference = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Vera", 8)
            self.drawString(20 * mm, 10 * mm, f"Subject access bundle {self.reference}")
            self.drawRightString(190 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName="Vera", fontSize=9.5, leading=12.5, spaceAfter=2)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName="VeraBd", fontSize=16, leading=20, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="VeraBd", fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "entry": ParagraphStyle(
            "entry", parent=body, fontName="VeraBd", fontSize=9.5, spaceBefore=6, textColor=colors.HexColor("#0b0c0c")
        ),
        "line": ParagraphStyle("line", parent=body, leftIndent=6 * mm),
    }


def _letter(letter: Letter, styles: dict[str, ParagraphStyle], used: set[str]) -> list[Any]:
    flow: list[Any] = [
        Paragraph(escape(letter.council), styles["title"]),
        Paragraph(f"Our reference: {escape(letter.reference)}", styles["body"]),
        Paragraph(escape(letter.date_text), styles["body"]),
        Spacer(1, 6 * mm),
        Paragraph(f"Dear {escape(letter.requester)},", styles["body"]),
    ]
    for para in letter.body.split("\n\n"):
        flow.append(Paragraph(escape(para.strip()).replace("\n", "<br/>"), styles["body"]))
        flow.append(Spacer(1, 2 * mm))
    if used:
        flow.append(
            Paragraph("Where we have removed information, a black box shows one of these codes:", styles["body"])
        )
        for code in sorted(used):
            flow.append(Paragraph(f"<b>{escape(code)}</b>: {escape(meaning(code))}", styles["line"]))
    flow.append(PageBreak())
    return flow


def _entry_flow(entry: Entry, spans: dict[str, list[Span]], styles: dict[str, ParagraphStyle]) -> list[Any]:
    when = f"{entry.when:%d %b %Y}" if entry.when else "Undated"
    flow: list[Any] = [Paragraph(f"{when} · {escape(entry.category)} · {escape(entry.title)}", styles["entry"])]
    for line in entry.lines:
        text = burn(line.text, spans.get(line.key, []))
        flow.append(Paragraph(f"<b>{escape(line.label)}:</b> {text}", styles["line"]))
    return flow


def _schedule(bundle: Bundle, spans: dict[str, list[Span]], reasons: dict[str, str], styles: Any) -> list[Any]:
    flow: list[Any] = [PageBreak(), Paragraph("Schedule of redactions", styles["title"])]
    flow.append(
        Paragraph(
            "Each row is one entry of the bundle where information was removed, with how many boxes and why. "
            "The removed words themselves are not listed.",
            styles["body"],
        )
    )
    rows = 0
    for entry in bundle.entries:
        counts: dict[str, int] = {}
        for line in entry.lines:
            for span in _merge(spans.get(line.key, [])):
                counts[span.code] = counts.get(span.code, 0) + 1
        if not counts:
            continue
        rows += 1
        when = f"{entry.when:%d %b %Y}" if entry.when else "Undated"
        detail = "; ".join(
            f"{n} x {code}" + (f" ({escape(reasons[code])})" if code in reasons else "")
            for code, n in sorted(counts.items())
        )
        flow.append(Paragraph(f"{rows}. {when}, {escape(entry.title)}: {detail}", styles["line"]))
    if rows == 0:
        flow.append(Paragraph("Nothing was removed.", styles["body"]))
    flow.append(Spacer(1, 4 * mm))
    for code in Exemption.values:
        flow.append(Paragraph(f"<b>{code}</b>: {escape(meaning(code))}", styles["body"]))
    return flow


def render(
    bundle: Bundle,
    spans: dict[str, list[Span]],
    letter: Letter,
    *,
    reasons: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The whole PDF: covering letter, the bundle oldest first, then the schedule of redactions."""
    styles = _styles()
    used = {s.code for line_spans in spans.values() for s in line_spans}
    flow = _letter(letter, styles, used)
    flow.append(Paragraph(f"Information we hold about {escape(bundle.person.full_name)}", styles["title"]))
    total = len(bundle.entries)
    for i, entry in enumerate(bundle.entries, 1):
        flow += _entry_flow(entry, spans, styles)
        if progress is not None and (i % 250 == 0 or i == total):
            progress(i, total)
    flow += _schedule(bundle, spans, reasons or {}, styles)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Subject access bundle {letter.reference}",
        author=letter.council,
    )
    canvas_class = type("BundleCanvas", (_NumberedCanvas,), {"reference": letter.reference})
    doc.build(flow, canvasmaker=canvas_class)
    return buffer.getvalue()
