"""The CIN census return as tables, held column by column in plain Python lists.

The logical tables are the ones the DfE's rules are written against (and the published validator
builds): Header, ChildIdentifiers, ChildCharacteristics, Disabilities, CINdetails, Assessments,
CINplanDates, Section47, ChildProtectionPlans and Reviews. Each table is a dict of equal-length
column lists. Alongside the published columns every child-level table carries integer link
columns, so rules join by position instead of by value:

* ``_child``: row of the child in ChildIdentifiers (every table but Header);
* ``_ep``: row of the episode in CINdetails (Assessments, CINplanDates, Section47,
  ChildProtectionPlans, Reviews);
* ``_cpp``: row of the plan in ChildProtectionPlans (Reviews).

`TablesBuilder` is the only way rows are added, one whole child at a time, so every table is ordered
by child and then by episode; rules rely on that to find a child's or an episode's rows as a
contiguous range. Values are typed on the way in (dates, booleans, integers); a value that cannot
be read is stored as missing and recorded in `CINTables.problems`, so validation can report it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

HEADER_FIELDS = (
    "Collection",
    "Year",
    "ReferenceDate",
    "SourceLevel",
    "LEA",
    "SoftwareCode",
    "Release",
    "SerialNo",
    "DateTime",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "ChildIdentifiers": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "PersonDeathDate",
    ),
    "ChildCharacteristics": ("LAchildID", "Ethnicity"),
    "Disabilities": ("LAchildID", "Disability"),
    "CINdetails": (
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "Assessments": (
        "LAchildID",
        "CINdetailsID",
        "AssessmentID",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "AssessmentFactors",
    ),
    "CINplanDates": ("LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"),
    "Section47": (
        "LAchildID",
        "CINdetailsID",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "ChildProtectionPlans": (
        "LAchildID",
        "CINdetailsID",
        "CPPID",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "Reviews": ("LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"),
}
TABLE_NAMES = ("Header", *COLUMNS)
EPISODE_TABLES = ("Assessments", "CINplanDates", "Section47", "ChildProtectionPlans", "Reviews")
LINKS: dict[str, tuple[str, ...]] = {
    "ChildIdentifiers": (),
    "ChildCharacteristics": ("_child",),
    "Disabilities": ("_child",),
    "CINdetails": ("_child",),
    "Assessments": ("_child", "_ep"),
    "CINplanDates": ("_child", "_ep"),
    "Section47": ("_child", "_ep"),
    "ChildProtectionPlans": ("_child", "_ep"),
    "Reviews": ("_child", "_ep", "_cpp"),
}

DATE_FIELDS = frozenset(
    {
        "ReferenceDate",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "PersonDeathDate",
        "CINreferralDate",
        "CINclosureDate",
        "DateOfInitialCPC",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "CINPlanStartDate",
        "CINPlanEndDate",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "CPPstartDate",
        "CPPendDate",
        "CPPreviewDate",
    }
)
BOOL_FIELDS = frozenset({"ReferralNFA", "ICPCnotRequired"})
INT_FIELDS = frozenset({"NumberOfPreviousCPP"})
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


@dataclass(frozen=True, slots=True)
class Problem:
    """A value that could not be read as its type (it is held as missing)."""

    table: str
    row: int | None
    field: str
    raw: str


@dataclass
class CINTables:
    """One CIN census return: the header, the ten tables and any unreadable values."""

    header: dict[str, Any]
    tables: dict[str, dict[str, list]]
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        """Number of children."""
        return len(self.tables["ChildIdentifiers"]["LAchildID"])

    def rows(self, table: str) -> int:
        return len(self.tables[table]["LAchildID"])

    def column(self, table: str, name: str) -> list:
        return self.tables[table][name]

    def to_polars(self) -> dict[str, Any]:
        """The tables as polars DataFrames (published columns only), for analysis and export."""
        import polars as pl

        frames = {"Header": pl.DataFrame([self.header])}
        for name, columns in COLUMNS.items():
            data = {c: self.tables[name][c] for c in columns}
            if name == "Assessments":
                data["AssessmentFactors"] = [list(f) if f is not None else None for f in data["AssessmentFactors"]]
            frames[name] = pl.DataFrame(data, strict=False)
        return frames

    def child(self, index: int) -> CINTables:
        """A new return holding only the child at `index` (same header), for per-child validation."""
        builder = TablesBuilder(self.header)
        builder.add_child(self.child_record(index))
        return builder.build()

    def child_record(self, index: int) -> dict[str, Any]:
        """The child at `index` as the nested record `TablesBuilder.add_child` accepts."""
        return _ChildExtractor(self).record(index)


def concat(parts: list[CINTables]) -> CINTables:
    """One return made of several read in parts (in order): rows appended, links and problems shifted."""
    first = next((p for p in parts if any(v is not None for v in p.header.values())), parts[0])
    result = CINTables(dict(first.header), {n: {c: [] for c in (*cols, *LINKS[n])} for n, cols in COLUMNS.items()})
    for part in parts:
        offsets = {name: result.rows(name) for name in COLUMNS}
        shift = {
            "_child": offsets["ChildIdentifiers"],
            "_ep": offsets["CINdetails"],
            "_cpp": offsets["ChildProtectionPlans"],
        }
        for name, columns in part.tables.items():
            for column, values in columns.items():
                if shift.get(column):
                    add = shift[column]
                    values = [v + add for v in values]
                result.tables[name][column].extend(values)
        result.problems += [
            Problem(
                p.table, p.row + offsets[p.table] if p.row is not None and p.table in offsets else p.row, p.field, p.raw
            )
            for p in part.problems
            if p.table != "Header" or part is first
        ]
    return result


def parse_date(raw: str) -> dt.date | None:
    """A strict ISO date (YYYY-MM-DD); None when `raw` is not one."""
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


class TablesBuilder:
    """Adds children to empty tables, typing values and keeping every table ordered by child.

    A child is a nested record (dict): ``ChildIdentifiers`` (dict), ``Ethnicity``, ``Disabilities``
    (list of codes), ``CINdetails`` (list of episode dicts, each with optional ``Assessments``,
    ``CINPlanDates``, ``Section47`` and ``ChildProtectionPlans`` lists; an assessment's
    ``AssessmentFactors`` is a list of codes or None; a plan's ``Reviews`` a list of dates). Values may
    be typed already or be the text read from XML.
    """

    def __init__(self, header: dict[str, Any]) -> None:
        self.problems: list[Problem] = []
        self._date_cache: dict[str, dt.date | None] = {}
        self.set_header(header)
        self.tables: dict[str, dict[str, list]] = {
            name: {c: [] for c in (*cols, *LINKS[name])} for name, cols in COLUMNS.items()
        }
        self._spec = _spec(self.tables)

    def set_header(self, header: dict[str, Any]) -> None:
        """Use this header (Collection, Year, ReferenceDate, Source...): text stripped, the date typed."""
        self.header = {k: _text(header.get(k)) if k != "ReferenceDate" else header.get(k) for k in HEADER_FIELDS}
        self.header["ReferenceDate"] = self._typed("Header", None, "ReferenceDate", header.get("ReferenceDate"))

    def build(self) -> CINTables:
        return CINTables(self.header, self.tables, self.problems)

    def add_child(self, record: dict[str, Any]) -> int:
        """Append one child and all its rows; returns the child's row in ChildIdentifiers."""
        ident = record.get("ChildIdentifiers") or {}
        child = len(self.tables["ChildIdentifiers"]["LAchildID"])
        la_id = _text(ident.get("LAchildID"))
        self._append("ChildIdentifiers", ident, (la_id,), ())
        self._append("ChildCharacteristics", {"Ethnicity": record.get("Ethnicity")}, (la_id,), (child,))
        for code in record.get("Disabilities") or ():
            self._append("Disabilities", {"Disability": code}, (la_id,), (child,))
        for number, episode in enumerate(record.get("CINdetails") or (), start=1):
            self._add_episode(episode, la_id, child, number)
        return child

    def _add_episode(self, episode: dict[str, Any], la_id: str | None, child: int, number: int) -> None:
        ep = self._append("CINdetails", episode, (la_id, number), (child,))
        links = (child, ep)
        for n, assessment in enumerate(episode.get("Assessments") or (), start=1):
            self._append("Assessments", assessment, (la_id, number, n), links)
        for plan in episode.get("CINPlanDates") or ():
            self._append("CINplanDates", plan, (la_id, number), links)
        for s47 in episode.get("Section47") or ():
            self._append("Section47", s47, (la_id, number), links)
        for n, cpp in enumerate(episode.get("ChildProtectionPlans") or (), start=1):
            row = self._append("ChildProtectionPlans", cpp, (la_id, number, n), links)
            for review in cpp.get("Reviews") or ():
                self._append("Reviews", {"CPPreviewDate": review}, (la_id, number, n), (child, ep, row))

    def _append(self, table: str, values: dict[str, Any], ids: tuple, links: tuple) -> int:
        """Append one row: the id columns, the typed values, then the link columns."""
        id_columns, value_columns, link_columns = self._spec[table]
        row = len(id_columns[0])
        for column, ident in zip(id_columns, ids, strict=True):
            column.append(ident)
        get = values.get
        for name, column, kind in value_columns:
            value: Any = get(name)  # str from XML, or already typed (date, bool, int, factor list) when built
            if value.__class__ is str:
                value = value.strip() or None
                if kind and value is not None:
                    value = self._convert(table, row, name, kind, value)
            elif kind == _FACTORS and value is not None:
                value = tuple((f.strip() if f.__class__ is str else f) or "" for f in value)
            column.append(value)
        for column, value in zip(link_columns, links, strict=True):
            column.append(value)
        return row

    def _convert(self, table: str, row: int | None, name: str, kind: int, value: str) -> Any:
        """Text read from XML as a date, flag or number; unreadable text becomes None and a `Problem`."""
        parsed: dt.date | bool | int | None
        if kind == _DATE:
            parsed = self._date_cache.get(value, False)
            if parsed is False:
                parsed = self._date_cache[value] = parse_date(value)
        elif kind == _BOOL:
            low = value.lower()
            parsed = True if low in _TRUE else False if low in _FALSE else None
        elif kind == _INT:
            parsed = int(value) if value.lstrip("-").isdigit() else None
        else:
            return value
        if parsed is None:
            self.problems.append(Problem(table, row, name, value))
        return parsed

    def _typed(self, table: str, row: int | None, name: str, value: Any) -> Any:
        """One value as its column's type (the slow path, for the header)."""
        if not isinstance(value, str):
            return value
        value = value.strip()
        kind = _kind(name)
        return self._convert(table, row, name, kind, value) if value and kind in (_DATE, _BOOL, _INT) else value or None


_TEXT, _DATE, _BOOL, _INT, _FACTORS = range(5)
_IDS = ("LAchildID", "CINdetailsID", "AssessmentID", "CPPID")


def _kind(name: str) -> int:
    if name in DATE_FIELDS:
        return _DATE
    if name in BOOL_FIELDS:
        return _BOOL
    if name in INT_FIELDS:
        return _INT
    return _FACTORS if name == "AssessmentFactors" else _TEXT


def _spec(tables: dict[str, dict[str, list]]) -> dict[str, tuple[list, list, list]]:
    """Per table: the id column lists, (name, list, kind) for the value columns, the link column lists."""
    spec = {}
    for name, columns in COLUMNS.items():
        cols = tables[name]
        ids = [cols[c] for c in columns if c in _IDS]
        values = [(c, cols[c], _kind(c)) for c in columns if c not in _IDS]
        spec[name] = (ids, values, [cols[link] for link in LINKS[name]])
    return spec


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


class _ChildExtractor:
    """Rebuilds one child's nested record from the tables (the inverse of `TablesBuilder.add_child`)."""

    def __init__(self, tables: CINTables) -> None:
        self.t = tables.tables

    def _rows(self, table: str, link: str, value: int) -> range:
        column = self.t[table][link]  # link columns never decrease: rows are added child by child
        return range(bisect_left(column, value), bisect_right(column, value))

    def _values(self, table: str, row: int, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        return {c: self.t[table][c][row] for c in COLUMNS[table] if c not in skip}

    def record(self, child: int) -> dict[str, Any]:
        chars = self._rows("ChildCharacteristics", "_child", child)
        return {
            "ChildIdentifiers": self._values("ChildIdentifiers", child),
            "Ethnicity": self.t["ChildCharacteristics"]["Ethnicity"][chars[0]] if chars else None,
            "Disabilities": [
                self.t["Disabilities"]["Disability"][r] for r in self._rows("Disabilities", "_child", child)
            ],
            "CINdetails": [self._episode(ep) for ep in self._rows("CINdetails", "_child", child)],
        }

    def _episode(self, ep: int) -> dict[str, Any]:
        ids = ("LAchildID", "CINdetailsID", "AssessmentID", "CPPID")
        record = self._values("CINdetails", ep, ids)
        record["Assessments"] = [self._values("Assessments", r, ids) for r in self._rows("Assessments", "_ep", ep)]
        record["CINPlanDates"] = [self._values("CINplanDates", r, ids) for r in self._rows("CINplanDates", "_ep", ep)]
        record["Section47"] = [self._values("Section47", r, ids) for r in self._rows("Section47", "_ep", ep)]
        plans = []
        for r in self._rows("ChildProtectionPlans", "_ep", ep):
            plan = self._values("ChildProtectionPlans", r, ids)
            plan["Reviews"] = [self.t["Reviews"]["CPPreviewDate"][v] for v in self._rows("Reviews", "_cpp", r)]
            plans.append(plan)
        record["ChildProtectionPlans"] = plans
        return record
