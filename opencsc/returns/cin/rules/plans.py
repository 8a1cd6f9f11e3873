"""Rules on CIN plans, child protection plans and their review conferences."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opencsc.core.codelists import codes
from opencsc.returns.cin.rules.base import Context, Hit, rule

CI, CIN, PLAN, CPP, REV = "ChildIdentifiers", "CINdetails", "CINplanDates", "ChildProtectionPlans", "Reviews"
S47 = "Section47"


def _dates(c: Context, table: str, a: str, b: str) -> Iterable[tuple[int, Any, Any]]:
    return ((i, x, y) for i, (x, y) in enumerate(zip(c.col(table, a), c.col(table, b), strict=True)))


def _overlaps(c: Context, rows: range, start: list, end: list) -> set[int]:
    """Rows (of one child) that start on or after another row's start and on or before its end (or by
    the end of the census year when that row is open)."""
    hits: set[int] = set()
    for a in rows:
        for b in rows:
            if a == b or start[a] is None or start[b] is None or start[a] < start[b]:
                continue
            if (end[b] is not None and start[a] <= end[b]) or (end[b] is None and start[a] <= c.period_end):
                hits.update((a, b))
    return hits


# --- CIN plans ------------------------------------------------------------------------------------


@rule("4010", PLAN, "CINPlanStartDate", "CIN plan start date is missing or after the end of the census year.")
def r4010(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(PLAN, "CINPlanStartDate")) if v is None or v > c.period_end]


@rule("4011", PLAN, "CINPlanEndDate", "CIN plan end date is before its start date.")
def r4011(c: Context) -> list[Hit]:
    return [i for i, s, e in _dates(c, PLAN, "CINPlanStartDate", "CINPlanEndDate") if s and e and e < s]


@rule("4012Q", PLAN, "CINPlanEndDate", "CIN plan starts and ends on the same day: check the dates.")
def r4012q(c: Context) -> list[Hit]:
    return [i for i, s, e in _dates(c, PLAN, "CINPlanStartDate", "CINPlanEndDate") if s and s == e]


@rule("4013", PLAN, "CINPlanEndDate", "CIN plan end date is outside the census year.")
def r4013(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(PLAN, "CINPlanEndDate")) if v is not None and not c.in_period(v)]


@rule("4015", PLAN, "CINPlanStartDate", "CIN plan start date is before the referral date.")
def r4015(c: Context) -> list[Hit]:
    ref, ep = c.col(CIN, "CINreferralDate"), c.col(PLAN, "_ep")
    return [
        i
        for i, s in enumerate(c.col(PLAN, "CINPlanStartDate"))
        if s is not None and ref[ep[i]] is not None and s < ref[ep[i]]
    ]


@rule(
    "4004",
    PLAN,
    "CINPlanEndDate",
    "This episode has more than one open CIN plan (no end date): end the earlier plan.",
)
def r4004(c: Context) -> list[Hit]:
    end = c.col(PLAN, "CINPlanEndDate")
    hits: list[Hit] = []
    for rows in c.ranges(PLAN, "_ep"):
        if len(rows) > 1 and sum(end[r] is None for r in rows) > 1:
            hits.extend(rows)
    return hits


@rule(
    "4014",
    PLAN,
    "CINPlanStartDate",
    "This child's CIN plans overlap: a plan starts before the previous one ended.",
)
def r4014(c: Context) -> list[Hit]:
    start, end = c.col(PLAN, "CINPlanStartDate"), c.col(PLAN, "CINPlanEndDate")
    hits: set[int] = set()
    for rows in c.ranges(PLAN, "_child"):
        if len(rows) > 1:
            hits |= _overlaps(c, rows, start, end)
    return sorted(hits)


@rule("4008", PLAN, "CINPlanStartDate", "CIN plan starts after the child's date of death.")
def r4008(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(PLAN, "_child")
    return [
        i
        for i, s in enumerate(c.col(PLAN, "CINPlanStartDate"))
        if s is not None and dod[child[i]] is not None and s > dod[child[i]]
    ]


@rule("4009Q", PLAN, "CINPlanEndDate", "CIN plan ends after the child's date of death: check the dates.")
def r4009q(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(PLAN, "_child")
    return [
        i
        for i, e in enumerate(c.col(PLAN, "CINPlanEndDate"))
        if e is not None and dod[child[i]] is not None and e > dod[child[i]]
    ]


@rule(
    "4001",
    PLAN,
    "CINPlanEndDate",
    "A CIN plan cannot be open at the same time as an open child "
    "protection plan on the same episode: end the CIN plan when the child protection plan starts.",
)
def r4001(c: Context) -> list[Hit]:
    start, end, cpp_end = (
        c.col(PLAN, "CINPlanStartDate"),
        c.col(PLAN, "CINPlanEndDate"),
        c.col(CPP, "CPPendDate"),
    )
    cpp_rows = c.ranges(CPP, "_ep")
    hits: list[Hit] = []
    for ep, rows in enumerate(c.ranges(PLAN, "_ep")):
        if rows and any(cpp_end[r] is None for r in cpp_rows[ep]):
            hits.extend(r for r in rows if start[r] is not None and end[r] is None)
    return hits


def _concurrent(c: Context, first: str, second: str) -> list[Hit]:
    """Rows of `first` starting during a plan in `second` for the same child (CIN plan vs CP plan)."""
    cols = {PLAN: ("CINPlanStartDate", "CINPlanEndDate"), CPP: ("CPPstartDate", "CPPendDate")}
    a_start = c.col(first, cols[first][0])
    b_start, b_end = c.col(second, cols[second][0]), c.col(second, cols[second][1])
    hits: list[Hit] = []
    for a_rows, b_rows in zip(c.ranges(first, "_child"), c.ranges(second, "_child"), strict=True):
        for a in a_rows:
            s = a_start[a]
            if s is not None and any(
                b_start[b] is not None
                and s >= b_start[b]
                and ((b_end[b] is not None and s < b_end[b]) or (b_end[b] is None and s <= c.period_end))
                for b in b_rows
            ):
                hits.append((first, a, cols[first][0]))
    return hits


@rule(
    "4016",
    PLAN,
    "CINPlanStartDate",
    "A CIN plan starts while a child protection plan is open: a child cannot have both at once.",
)
def r4016(c: Context) -> list[Hit]:
    return _concurrent(c, PLAN, CPP)


@rule(
    "4017",
    CPP,
    "CPPstartDate",
    "A child protection plan starts while a CIN plan is open: end the CIN plan when the child protection plan starts.",
)
def r4017(c: Context) -> list[Hit]:
    return _concurrent(c, CPP, PLAN)


# --- Child protection plans ---------------------------------------------------------------------


@rule(
    "8720",
    CPP,
    "CPPstartDate",
    "Child protection plan start date is missing or after the end of the census year.",
)
def r8720(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CPP, "CPPstartDate")) if v is None or v > c.period_end]


@rule("1105", CPP, "CPPstartDate", "Child protection plan start date is before the referral date.")
def r1105(c: Context) -> list[Hit]:
    ref, ep = c.col(CIN, "CINreferralDate"), c.col(CPP, "_ep")
    return [
        i
        for i, s in enumerate(c.col(CPP, "CPPstartDate"))
        if s is not None and ref[ep[i]] is not None and s < ref[ep[i]]
    ]


@rule("8730", CPP, "NumberOfPreviousCPP", "The number of previous child protection plans is missing or invalid.")
def r8730(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CPP, "NumberOfPreviousCPP")) if v is None or v < 0]


@rule("8840", CPP, "CPPendDate", "Child protection plan cannot start and end on the same day.")
def r8840(c: Context) -> list[Hit]:
    return [i for i, s, e in _dates(c, CPP, "CPPstartDate", "CPPendDate") if s and s == e]


@rule("8925", CPP, "CPPendDate", "Child protection plan end date is before its start date.")
def r8925(c: Context) -> list[Hit]:
    return [i for i, s, e in _dates(c, CPP, "CPPstartDate", "CPPendDate") if s and e and e < s]


@rule("8930", CPP, "CPPendDate", "Child protection plan end date is outside the census year.")
def r8930(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CPP, "CPPendDate")) if v is not None and not c.in_period(v)]


def _category(c: Context, name: str) -> list[Hit]:
    valid = codes("cin_category_of_abuse", c.year)
    return [i for i, v in enumerate(c.col(CPP, name)) if v not in valid]


@rule(
    "8905",
    CPP,
    "InitialCategoryOfAbuse",
    "Initial category of abuse is missing or invalid (NEG, PHY, SAB, EMO or MUL).",
)
def r8905(c: Context) -> list[Hit]:
    return _category(c, "InitialCategoryOfAbuse")


@rule(
    "8910",
    CPP,
    "LatestCategoryOfAbuse",
    "Latest category of abuse is missing or invalid (NEG, PHY, SAB, EMO or MUL).",
)
def r8910(c: Context) -> list[Hit]:
    return _category(c, "LatestCategoryOfAbuse")


@rule("8915", CPP, "CPPstartDate", "Child protection plan starts after the child's date of death.")
def r8915(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(CPP, "_child")
    return [
        i
        for i, s in enumerate(c.col(CPP, "CPPstartDate"))
        if s is not None and dod[child[i]] is not None and s > dod[child[i]]
    ]


@rule("8920", CPP, "CPPendDate", "Child protection plan ends after the child's date of death.")
def r8920(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(CPP, "_child")
    return [
        i
        for i, e in enumerate(c.col(CPP, "CPPendDate"))
        if e is not None and dod[child[i]] is not None and e > dod[child[i]]
    ]


@rule(
    "8935",
    CPP,
    "CPPendDate",
    "This child has more than one open child protection plan (no end date): end the earlier plan.",
)
def r8935(c: Context) -> list[Hit]:
    end = c.col(CPP, "CPPendDate")
    hits: list[Hit] = []
    for rows in c.ranges(CPP, "_child"):
        open_rows = [r for r in rows if end[r] is None]
        if len(open_rows) > 1:
            hits.extend(open_rows)
    return hits


@rule(
    "8940",
    CPP,
    "CPPstartDate",
    "This child's child protection plans overlap: a plan starts before the previous one ended.",
)
def r8940(c: Context) -> list[Hit]:
    start, end = c.col(CPP, "CPPstartDate"), c.col(CPP, "CPPendDate")
    hits: set[int] = set()
    for rows in c.ranges(CPP, "_child"):
        if len(rows) > 1:
            hits |= _overlaps(c, rows, start, end)
    return sorted(hits)


@rule(
    "2885",
    CPP,
    "CPPstartDate",
    "Child protection plan starts on a different day from the initial child "
    "protection conference: the plan starts on the day of the conference.",
)
def r2885(c: Context) -> list[Hit]:
    s47_icpc, not_req = c.col(S47, "DateOfInitialCPC"), c.col(S47, "ICPCnotRequired")
    cin_icpc, s47_rows, ep = c.col(CIN, "DateOfInitialCPC"), c.ranges(S47, "_ep"), c.col(CPP, "_ep")
    hits: list[Hit] = []
    for i, start in enumerate(c.col(CPP, "CPPstartDate")):
        if start is None or not c.in_period(start):
            continue
        conferences = [s47_icpc[r] for r in s47_rows[ep[i]] if not_req[r] is not True]
        if start not in (conferences or [cin_icpc[ep[i]]]):
            hits.append(i)
    return hits


# --- Review conferences ---------------------------------------------------------------------------


@rule("8842Q", REV, "CPPreviewDate", "A child protection review is recorded without a date.")
def r8842q(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(REV, "CPPreviewDate")) if v is None]


@rule(
    "8841",
    REV,
    "CPPreviewDate",
    "The review conference date is on or before the child protection plan start date.",
)
def r8841(c: Context) -> list[Hit]:
    start, cpp = c.col(CPP, "CPPstartDate"), c.col(REV, "_cpp")
    return [
        i
        for i, d in enumerate(c.col(REV, "CPPreviewDate"))
        if d is not None and start[cpp[i]] is not None and d <= start[cpp[i]]
    ]


@rule(
    "4003",
    REV,
    "CPPreviewDate",
    "A child protection review conference is shown during an open CIN plan: "
    "a child cannot have a CIN plan and a child protection plan at once.",
)
def r4003(c: Context) -> list[Hit]:
    p_start, p_end = c.col(PLAN, "CINPlanStartDate"), c.col(PLAN, "CINPlanEndDate")
    cpp_end, cpp, child = c.col(CPP, "CPPendDate"), c.col(REV, "_cpp"), c.col(REV, "_child")
    plans = c.ranges(PLAN, "_child")
    hits: list[Hit] = []
    for i, d in enumerate(c.col(REV, "CPPreviewDate")):
        if d is None or d == cpp_end[cpp[i]]:
            continue
        if any(
            p_start[p] is not None and p_start[p] <= d and (p_end[p] is None or d < p_end[p]) for p in plans[child[i]]
        ):
            hits.append(i)
    return hits
