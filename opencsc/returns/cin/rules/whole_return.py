"""Rules on the whole return (header and return-level counts), and unreadable values.

Return-level rules describe the return, not one child: their findings have no child. They do not run
when a single child's record is validated.
"""

from __future__ import annotations

from collections import Counter

from opencsc.core.codelists import codes
from opencsc.returns.cin.rules.base import Context, Hit, rule

HDR, CI, DIS, CIN, S47, CPP = (
    "Header",
    "ChildIdentifiers",
    "Disabilities",
    "CINdetails",
    "Section47",
    "ChildProtectionPlans",
)


@rule(
    "100",
    HDR,
    "ReferenceDate",
    "The header's reference date must be 31 March of the collection year.",
    scope="return",
)
def r100(c: Context) -> list[Hit]:
    header = c.tables.header
    if header.get("ReferenceDate") != c.period_end or str(header.get("Year") or "").strip() != str(c.period_end.year):
        return [(HDR, None, "ReferenceDate")]
    return []


@rule(
    "2883",
    CPP,
    "CPPstartDate",
    "More child protection plans start in the year than initial child protection conferences take place.",
    scope="return",
)
def r2883(c: Context) -> list[Hit]:
    plans = sum(1 for d in c.col(CPP, "CPPstartDate") if d is not None and c.in_period(d))
    conferences = sum(1 for d in c.col(CIN, "DateOfInitialCPC") if d is not None and c.in_period(d))
    conferences += sum(1 for d in c.col(S47, "DateOfInitialCPC") if d is not None and c.in_period(d))
    return [(CPP, None, "CPPstartDate")] if plans > conferences else []


@rule(
    "2886Q",
    CI,
    "Sex",
    "More than 2% of children (not counting unborn children) have no sex recorded or "
    "U: check and record M or F where known.",
    scope="return",
)
def r2886q(c: Context) -> list[Hit]:
    rows = zip(c.col(CI, "Sex"), c.col(CI, "ExpectedPersonBirthDate"), strict=True)
    unknown = sum(1 for sex, edob in rows if sex in (None, "U") and edob is None)
    return [(CI, None, "Sex")] if c.n_children and unknown / c.n_children > 0.02 else []


@rule(
    "2887Q",
    DIS,
    "Disability",
    "Fewer than 8 different disability codes are used in the return: check "
    "that children's disabilities are recorded in full.",
    scope="return",
)
def r2887q(c: Context) -> list[Hit]:
    used = set(c.col(DIS, "Disability")) & (codes("disability", c.year) - {"NONE"})
    return [(DIS, None, "Disability")] if len(used) < 8 else []


@rule(
    "2888Q",
    DIS,
    "Disability",
    "Only one disability code is recorded for every disabled child: record "
    "all of a child's disabilities where there are several.",
    scope="return",
)
def r2888q(c: Context) -> list[Hit]:
    per_child = Counter(
        ch
        for ch, v in zip(c.col(DIS, "_child"), c.col(DIS, "Disability"), strict=True)
        if v is not None and v != "NONE"
    )
    return [(DIS, None, "Disability")] if per_child and max(per_child.values()) <= 1 else []


@rule(
    "SCHEMA",
    CI,
    "",
    "A value is not in the format the DfE specification requires (dates YYYY-MM-DD, "
    "true/false or 1/0 flags, whole numbers); it was read as missing. Correct it in the record.",
)
def schema(c: Context) -> list[Hit]:
    return [(p.table, p.row, p.field, f"({p.field} was {p.raw!r})") for p in c.tables.problems]
