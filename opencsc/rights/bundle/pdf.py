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

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

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


_REGULAR, _BOLD = "Vera", "VeraBd"
_SIZE, _LEADING = 9.5, 12.5
_LEFT, _RIGHT, _TOP, _BOTTOM = 20 * mm, 190 * mm, 279 * mm, 20 * mm


@dataclass(frozen=True)
class _Token:
    text: str
    font: str = _REGULAR
    box: bool = False  # a redaction box: white code on black, never split
    newline: bool = False


class _Writer:
    """Lays text out line by line straight onto the canvas: a word's width from the font metrics
    (reportlab's C accelerator), a new line when the next word does not fit, a new page at the
    bottom margin. Far cheaper than a Paragraph per field for a bundle of thousands of entries, and
    simple enough to see that a redacted span is never drawn: only its box token exists."""

    def __init__(self, canvas: rl_canvas.Canvas) -> None:
        self.c = canvas
        self.y = _TOP
        self.space = pdfmetrics.stringWidth(" ", _REGULAR, _SIZE)

    def _need(self, height: float) -> None:
        if self.y - height < _BOTTOM:
            self.c.showPage()
            self.y = _TOP

    def gap(self, height: float) -> None:
        self.y -= height

    def title(self, text: str, size: float = 15) -> None:
        self._need(size * 2)
        self.y -= size * 1.4
        self.c.setFont(_BOLD, size)
        self.c.drawString(_LEFT, self.y, text[:120])
        self.y -= size * 0.4

    def flow(self, tokens: Sequence[_Token], *, indent: float = 0) -> None:
        left, x = _LEFT + indent, _LEFT + indent
        line: list[tuple[float, _Token, float]] = []

        def emit() -> None:
            self._need(_LEADING)
            self.y -= _LEADING
            for at, token, width in line:
                if token.box:
                    self.c.setFillColor(colors.black)
                    self.c.rect(at - 1, self.y - 2.5, width + 2, _SIZE + 3, stroke=0, fill=1)
                    self.c.setFillColor(colors.white)
                    self.c.setFont(_BOLD, _SIZE)
                    self.c.drawString(at, self.y, token.text)
                    self.c.setFillColor(colors.black)
                else:
                    self.c.setFont(token.font, _SIZE)
                    self.c.drawString(at, self.y, token.text)

        for token in tokens:
            if token.newline:
                emit()
                line, x = [], left
                continue
            width = pdfmetrics.stringWidth(token.text, _BOLD if token.box else token.font, _SIZE)
            if x + width > _RIGHT and line:
                emit()
                line, x = [], left
            while width > _RIGHT - left and not token.box:  # a word wider than the page: cut it
                cut = max(1, int(len(token.text) * (_RIGHT - left) / width) - 1)
                head = _Token(token.text[:cut], token.font)
                line.append((x, head, 0))
                emit()
                line, x = [], left
                token = _Token(token.text[cut:], token.font)
                width = pdfmetrics.stringWidth(token.text, token.font, _SIZE)
            line.append((x, token, width))
            x += width + self.space + (3 if token.box else 0)
        if line:
            emit()

    def para(self, text: str, *, font: str = _REGULAR, indent: float = 0) -> None:
        self.flow(_words(text, font), indent=indent)


def _words(text: str, font: str = _REGULAR) -> list[_Token]:
    tokens: list[_Token] = []
    for i, row in enumerate(text.split("\n")):
        if i:
            tokens.append(_Token("", newline=True))
        tokens += [_Token(word, font) for word in row.split()]
    return tokens


def burned_tokens(text: str, spans: Sequence[Span]) -> list[_Token]:
    """The words of `text` with every span replaced by one box token holding only its code. The
    redacted characters are dropped here, before anything is drawn."""
    tokens: list[_Token] = []
    at = 0
    for span in _merge(spans):
        tokens += _words(text[at : span.start])
        tokens.append(_Token(f"[{span.code}]", box=True))
        at = span.end
    tokens += _words(text[at:])
    return tokens


def _letter(w: _Writer, letter: Letter, used: set[str]) -> None:
    w.title(letter.council, 16)
    w.para(f"Our reference: {letter.reference}")
    w.para(letter.date_text)
    w.gap(14)
    w.para(f"Dear {letter.requester},")
    for para in letter.body.split("\n\n"):
        w.gap(5)
        w.para(para.strip())
    if used:
        w.gap(5)
        w.para("Where we have removed information, a black box shows one of these codes:")
        for code in sorted(used):
            w.flow([_Token(f"[{code}]", box=True), *_words(meaning(code))], indent=6 * mm)
    w.c.showPage()
    w.y = _TOP


def _entry(w: _Writer, entry: Entry, spans: dict[str, list[Span]]) -> None:
    when = f"{entry.when:%d %b %Y}" if entry.when else "Undated"
    w.gap(4)
    w.para(f"{when} · {entry.category} · {entry.title}", font=_BOLD)
    for line in entry.lines:
        w.flow([*_words(f"{line.label}:", _BOLD), *burned_tokens(line.text, spans.get(line.key, []))], indent=6 * mm)


def _schedule(w: _Writer, bundle: Bundle, spans: dict[str, list[Span]], reasons: dict[str, str]) -> None:
    w.c.showPage()
    w.y = _TOP
    w.title("Schedule of redactions")
    w.para(
        "Each row is one entry of the bundle where information was removed, with how many boxes and why. "
        "The removed words themselves are not listed."
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
            f"{n} x {code}" + (f" ({reasons[code]})" if code in reasons else "") for code, n in sorted(counts.items())
        )
        w.para(f"{rows}. {when}, {entry.title}: {detail}", indent=6 * mm)
    if rows == 0:
        w.para("Nothing was removed.")
    w.gap(8)
    for code in Exemption.values:
        w.flow([_Token(f"[{code}]", box=True), *_words(meaning(code))])


def render(
    bundle: Bundle,
    spans: dict[str, list[Span]],
    letter: Letter,
    *,
    reasons: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The whole PDF: covering letter, the bundle oldest first, then the schedule of redactions."""
    _fonts()
    buffer = io.BytesIO()
    canvas_class = type("BundleCanvas", (_NumberedCanvas,), {"reference": letter.reference})
    canvas = canvas_class(buffer, pagesize=A4)
    canvas.setTitle(f"Subject access bundle {letter.reference}")
    canvas.setAuthor(letter.council)
    w = _Writer(canvas)
    _letter(w, letter, {s.code for line_spans in spans.values() for s in line_spans})
    w.title(f"Information we hold about {bundle.person.full_name}")
    total = len(bundle.entries)
    for i, entry in enumerate(bundle.entries, 1):
        _entry(w, entry, spans)
        if progress is not None and (i % 250 == 0 or i == total):
            progress(i, total)
    _schedule(w, bundle, spans, reasons or {})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
