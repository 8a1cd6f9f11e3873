"""Read a CIN census XML file into `CINTables`, and write tables back as the DfE specification expects.

Reading is streamed (lxml ``iterparse`` on each ``<Child>``, cleared once read) so a national file of
650,000 children fits in memory and reads in seconds. It is hostile-safe: a file with a DTD (the
carrier of entity expansion bombs, external entities and parameter entities) or with XInclude is
refused with `UnsafeXMLError` before any of it is interpreted, and the parser is told never to resolve
entities, load a DTD or touch the network. A file that is not a CIN message raises `CINFormatError`.
Values that cannot be read (a date not in YYYY-MM-DD form) are kept as missing and listed in
`CINTables.problems`, which validation reports under ``SCHEMA``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import itertools
import multiprocessing
import re
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from lxml import etree

from opencsc.returns.cin.tables import COLUMNS, DATE_FIELDS, CINTables, TablesBuilder, concat

XINCLUDE_NS = "http://www.w3.org/2001/XInclude"
_PROLOG_BYTES = 1 << 16


class UnsafeXMLError(ValueError):
    """The file uses XML features that can attack the reader (DTD, entities, XInclude): refused."""


class CINFormatError(ValueError):
    """The file is not well-formed XML or not a CIN census message."""


Source = str | Path | bytes | IO[bytes]


def read_cin_xml(source: Source, workers: int = 1) -> CINTables:
    """Read a CIN census file (a path, the bytes, or a binary file object) into tables.

    Raises `UnsafeXMLError` for a DTD or XInclude and `CINFormatError` for anything that is not a
    well-formed ``<Message>`` (with no namespace) holding ``<Children>``. With `workers` > 1 a large
    UTF-8 file on disk is split between ``<Child>`` elements and read by that many processes; the
    result is the same as reading it in one.
    """
    with _open(source) as stream:
        head = stream.read(_PROLOG_BYTES)
        _refuse_doctype(head)
        if workers > 1 and isinstance(source, str | Path) and _splittable(head, Path(source)):
            try:
                return _read_in_parts(Path(source), workers)
            except CINFormatError:
                pass  # a split that does not fall between children: read it whole for the exact error
        return _parse(_Prefixed(head, stream))


@contextmanager
def _open(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    elif isinstance(source, str | Path):
        with open(source, "rb") as fh:
            yield fh
    else:
        yield source


_SPLIT_BYTES = 32 << 20  # below this a file is read in one process


def _splittable(head: bytes, path: Path) -> bool:
    encoding = re.search(rb"""encoding=["']([A-Za-z0-9_-]+)""", head[:200])
    plain = encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8", b"us-ascii", b"ascii")
    forked = "fork" in multiprocessing.get_all_start_methods()
    return plain and forked and not head.startswith(codecs.BOM_UTF8) and path.stat().st_size > _SPLIT_BYTES


def _read_in_parts(path: Path, workers: int) -> CINTables:
    size = path.stat().st_size
    cuts = [0] + [_next_child(path, size * k // workers) for k in range(1, workers)] + [size]
    cuts = sorted(set(cuts))
    ranges = list(itertools.pairwise(cuts))
    with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
        parts = pool.starmap(
            _read_part, [(str(path), a, b, i == 0, i == len(ranges) - 1) for i, (a, b) in enumerate(ranges)]
        )
    return concat([_unpack(part) for part in parts])


def _next_child(path: Path, offset: int) -> int:
    """The offset of the first "<Child>" at or after `offset` (the file size when there is none)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        carry = b""
        while chunk := fh.read(1 << 20):
            window = carry + chunk
            found = window.find(b"<Child>")
            if found >= 0:
                return offset - len(carry) + found
            offset += len(chunk)
            carry = window[-6:]
    return path.stat().st_size


def _read_part(path: str, start: int, stop: int, first: bool, last: bool) -> CINTables:
    """Parse bytes [start, stop) of the file as a message of their own (the children in that range)."""
    prefix = b"" if first else b"<Message><Children>"
    suffix = b"" if last else b"</Children></Message>"
    with open(path, "rb") as fh:
        fh.seek(start)
        return _pack(_parse(_Prefixed(prefix, _Limited(fh, stop - start, suffix))))


def _pack(tables: CINTables) -> CINTables:
    """Date columns as arrays of day numbers (0 for missing): pickled to the parent ten times faster."""
    for columns in tables.tables.values():
        for name in columns:
            if name in DATE_FIELDS:
                # An array, not a list, only while crossing to the parent process (`_unpack` restores it).
                columns[name] = array("l", [d.toordinal() if d is not None else 0 for d in columns[name]])  # type: ignore[assignment]
    return tables


def _unpack(tables: CINTables) -> CINTables:
    cache: dict[int, dt.date | None] = {0: None}
    for columns in tables.tables.values():
        for name, values in columns.items():
            if isinstance(values, array):
                for v in set(values) - cache.keys():
                    cache[v] = dt.date.fromordinal(v)
                columns[name] = [cache[v] for v in values]
    return tables


class _Limited(io.RawIOBase):
    """At most `limit` bytes of a stream, then `suffix`."""

    def __init__(self, stream: IO[bytes], limit: int, suffix: bytes) -> None:
        self._stream, self._left, self._suffix = stream, limit, suffix

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._left > 0:
            chunk = self._stream.read(self._left if size < 0 else min(size, self._left))
            self._left = self._left - len(chunk) if chunk else 0
            if chunk:
                return chunk
        chunk, self._suffix = (self._suffix, b"") if size < 0 else (self._suffix[:size], self._suffix[size:])
        return chunk


class _Prefixed(io.RawIOBase):
    """A stream that replays the bytes already read for the prolog check, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes] | io.RawIOBase) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk = self._head if size < 0 else self._head[:size]
            self._head = self._head[len(chunk) :]
            return chunk
        return self._rest.read(size) or b""  # a raw stream may return None (no data yet): none here


def _refuse_doctype(head: bytes) -> None:
    """Refuse a document type declaration, which can only appear before the root element."""
    text = _decode_prolog(head)
    root_at = _first_element(text)
    if "<!DOCTYPE" in text[: root_at if root_at >= 0 else len(text)] or "<!ENTITY" in text:
        raise UnsafeXMLError("The file declares a DTD or entities; CIN census files must not (refused)")


def _decode_prolog(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    if head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00") or head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        return head.decode("utf-32", errors="replace") if head[:2] in (b"\x00\x00", b"\xff\xfe") else ""
    return head.decode("latin-1")  # every ASCII-compatible encoding spells the markup the same way


def _first_element(text: str) -> int:
    """Index of the first start tag (not <? ... ?>, <!-- ... -->, or <!DOCTYPE), or -1."""
    i = 0
    while (i := text.find("<", i)) >= 0:
        nxt = text[i + 1 : i + 2]
        if nxt not in ("?", "!", ""):
            return i
        i += 1
    return -1


def _parse(stream: IO[bytes] | io.RawIOBase) -> CINTables:
    builder = TablesBuilder({})
    context = etree.iterparse(
        stream,
        events=("start", "end", "start-ns"),
        tag=("Message", "Header", "Child"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, el in context:
            if event == "start-ns":
                if el[1] == XINCLUDE_NS:
                    raise UnsafeXMLError("The file uses XInclude; CIN census files must not (refused)")
            elif event == "start":
                if el.tag == "Message" and el.getparent() is None:
                    _check_root(el)
            elif el.tag == "Child" and _is_top_level_child(el):
                builder.add_child(_child(el))
                _release(el)
            elif el.tag == "Header" and _is_root(el.getparent()):
                builder.set_header(_header(el))
                _release(el)
    except etree.XMLSyntaxError as exc:
        raise CINFormatError(f"The file is not well-formed XML: {exc}") from exc
    _check_root(context.root)
    return builder.build()


def _is_root(el: Any) -> bool:
    return el is not None and el.getparent() is None


def _is_top_level_child(el: Any) -> bool:
    parent = el.getparent()
    return parent is not None and parent.tag == "Children" and _is_root(parent.getparent())


def _check_root(root: Any) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXMLError("The file declares a DTD; CIN census files must not (refused)")
    if root.tag != "Message":
        raise CINFormatError(f"The root element is <{root.tag}>; a CIN census file has <Message> with no namespace")


def _release(el: Any) -> None:
    """Free a read element and the siblings before it, so memory stays flat however long the file."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    while el.getprevious() is not None:
        del parent[0]


def _fields(el: Any) -> dict[str, str | None]:
    return {e.tag: e.text for e in el}


def _header(el: Any) -> dict[str, Any]:
    header: dict[str, Any] = {}
    for block in el:
        if block.tag in ("CollectionDetails", "Source"):
            header.update(_fields(block))
    return header


def _child(el: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"ChildIdentifiers": {}, "Ethnicity": None, "Disabilities": [], "CINdetails": []}
    for block in el:
        tag = block.tag
        if tag == "ChildIdentifiers":
            record["ChildIdentifiers"] = _fields(block)
        elif tag == "ChildCharacteristics":
            for item in block:
                if item.tag == "Ethnicity":
                    record["Ethnicity"] = item.text
                elif item.tag == "Disabilities":
                    record["Disabilities"] = [d.text for d in item if d.tag == "Disability"]
        elif tag == "CINdetails":
            record["CINdetails"].append(_episode(block))
    return record


def _episode(el: Any) -> dict[str, Any]:
    episode: dict[str, Any] = {
        "Assessments": [],
        "CINPlanDates": [],
        "Section47": [],
        "ChildProtectionPlans": [],
    }
    for item in el:
        tag = item.tag
        if tag == "Assessments":
            episode["Assessments"].append(_assessment(item))
        elif tag in ("CINPlanDates", "Section47"):
            episode[tag].append(_fields(item))
        elif tag == "ChildProtectionPlans":
            plan: dict[str, Any] = {"Reviews": []}
            for x in item:
                if x.tag == "Reviews":
                    plan["Reviews"].extend(r.text for r in x if r.tag == "CPPreviewDate")
                else:
                    plan[x.tag] = x.text
            episode["ChildProtectionPlans"].append(plan)
        else:
            episode[tag] = item.text
    return episode


def _assessment(el: Any) -> dict[str, Any]:
    assessment: dict[str, Any] = {"AssessmentFactors": None}
    for x in el:
        if x.tag == "FactorsIdentifiedAtAssessment":
            assessment["AssessmentFactors"] = [f.text for f in x if f.tag == "AssessmentFactors"]
        else:
            assessment[x.tag] = x.text
    return assessment


# --- writing ---------------------------------------------------------------------------------------

_IDENTIFIERS = COLUMNS["ChildIdentifiers"]
_EPISODE = (
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
)
_SECTION47 = ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
_PLAN = (
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
)


def write_cin_xml(tables: CINTables, target: str | Path | IO[str]) -> None:
    """Write the return as a CIN census XML file (UTF-8): root ``<Message>`` with no namespace, the
    header, then each child in the order of the tables. Dates are YYYY-MM-DD, flags true/false and
    missing values are left out."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            _write(tables, fh)
    else:
        _write(tables, target)


def cin_xml_bytes(tables: CINTables) -> bytes:
    buffer = io.StringIO()
    _write(tables, buffer)
    return buffer.getvalue().encode("utf-8")


def _write(tables: CINTables, out: IO[str]) -> None:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<Message>\n')
    out.write(_header_xml(tables.header))
    out.write("<Children>\n")
    writer = _ChildWriter(tables)
    batch: list[str] = []
    for child in range(len(tables)):
        batch.append(writer.child(child))
        if len(batch) >= 1000:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))
    out.write("</Children>\n</Message>\n")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape(str(value))


def _elements(values: dict[str, Any] | Any, names: tuple[str, ...], get: Any = None) -> str:
    get = get or values.get
    return "".join(f"<{n}>{_value(v)}</{n}>" for n in names if (v := get(n)) is not None)


def _header_xml(header: dict[str, Any]) -> str:
    collection = _elements(header, ("Collection", "Year", "ReferenceDate"))
    source = _elements(header, ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"))
    return f"<Header><CollectionDetails>{collection}</CollectionDetails><Source>{source}</Source></Header>\n"


class _ChildWriter:
    """Writes one child at a time from the column lists, using the tables' child and episode ranges."""

    def __init__(self, tables: CINTables) -> None:
        from opencsc.returns.cin.rules.base import Context

        self.t = tables.tables
        ctx = Context(tables, "2025-26")  # only its row ranges are used, which do not depend on the year
        self.by_child = {
            name: ctx.ranges(name, "_child") for name in ("ChildCharacteristics", "Disabilities", "CINdetails")
        }
        self.by_ep = {
            name: ctx.ranges(name, "_ep")
            for name in ("Assessments", "CINplanDates", "Section47", "ChildProtectionPlans")
        }
        self.reviews = ctx.ranges("Reviews", "_cpp")

    def _row(self, table: str, row: int, names: tuple[str, ...]) -> str:
        columns = self.t[table]
        return _elements(None, names, lambda n: columns[n][row])

    def child(self, i: int) -> str:
        parts = [
            "<Child><ChildIdentifiers>",
            self._row("ChildIdentifiers", i, _IDENTIFIERS),
            "</ChildIdentifiers>",
            "<ChildCharacteristics>",
        ]
        for r in self.by_child["ChildCharacteristics"][i]:
            parts.append(self._row("ChildCharacteristics", r, ("Ethnicity",)))
        disabilities = self.by_child["Disabilities"][i]
        if disabilities:
            codes = self.t["Disabilities"]["Disability"]
            parts.append(
                "<Disabilities>"
                + "".join(f"<Disability>{_value(codes[r])}</Disability>" for r in disabilities if codes[r] is not None)
                + "</Disabilities>"
            )
        parts.append("</ChildCharacteristics>")
        parts.extend(self._episode(ep) for ep in self.by_child["CINdetails"][i])
        parts.append("</Child>\n")
        return "".join(parts)

    def _episode(self, ep: int) -> str:
        parts = ["<CINdetails>", self._row("CINdetails", ep, _EPISODE)]
        for r in self.by_ep["CINplanDates"][ep]:
            parts.append(
                f"<CINPlanDates>{self._row('CINplanDates', r, ('CINPlanStartDate', 'CINPlanEndDate'))}</CINPlanDates>"
            )
        for r in self.by_ep["Assessments"][ep]:
            parts.append(self._assessment(r))
        for r in self.by_ep["Section47"][ep]:
            parts.append(f"<Section47>{self._row('Section47', r, _SECTION47)}</Section47>")
        for r in self.by_ep["ChildProtectionPlans"][ep]:
            parts.append(self._plan(r))
        parts.append("</CINdetails>")
        return "".join(parts)

    def _assessment(self, r: int) -> str:
        names = ("AssessmentActualStartDate", "AssessmentAuthorisationDate")
        body = self._row("Assessments", r, names)
        factors = self.t["Assessments"]["AssessmentFactors"][r]
        if factors is not None:
            body += (
                "<FactorsIdentifiedAtAssessment>"
                + "".join(f"<AssessmentFactors>{_value(f)}</AssessmentFactors>" for f in factors)
                + "</FactorsIdentifiedAtAssessment>"
            )
        return f"<Assessments>{body}</Assessments>"

    def _plan(self, r: int) -> str:
        body = self._row("ChildProtectionPlans", r, _PLAN)
        dates = self.t["Reviews"]["CPPreviewDate"]
        reviews = "".join(
            f"<CPPreviewDate>{_value(dates[v])}</CPPreviewDate>" for v in self.reviews[r] if dates[v] is not None
        )
        if reviews:
            body += f"<Reviews>{reviews}</Reviews>"
        return f"<ChildProtectionPlans>{body}</ChildProtectionPlans>"
