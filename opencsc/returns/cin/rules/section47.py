"""Rules on section 47 enquiries and initial child protection conferences."""

from __future__ import annotations

from opencsc.core.working_days import add_working_days
from opencsc.returns.cin.rules.base import Context, Hit, rule

CIN, S47 = "CINdetails", "Section47"


def _referral_of(c: Context) -> list:
    ref = c.col(CIN, "CINreferralDate")
    return [ref[e] for e in c.col(S47, "_ep")]


@rule("2889", S47, "S47ActualStartDate", "The section 47 enquiry start date is before the referral date.")
def r2889(c: Context) -> list[Hit]:
    rows = zip(c.col(S47, "S47ActualStartDate"), _referral_of(c), strict=True)
    return [i for i, (start, ref) in enumerate(rows) if start is not None and ref is not None and start < ref]


@rule(
    "1104",
    S47,
    "DateOfInitialCPC",
    "The initial child protection conference date is before the referral date.",
)
def r1104(c: Context) -> list[Hit]:
    rows = zip(c.col(S47, "DateOfInitialCPC"), _referral_of(c), strict=True)
    return [i for i, (icpc, ref) in enumerate(rows) if icpc is not None and ref is not None and icpc < ref]


@rule(
    "8615",
    S47,
    "S47ActualStartDate",
    "The section 47 enquiry start date is missing or later than the initial child protection conference.",
)
def r8615(c: Context) -> list[Hit]:
    rows = zip(c.col(S47, "S47ActualStartDate"), c.col(S47, "DateOfInitialCPC"), strict=True)
    return [i for i, (start, icpc) in enumerate(rows) if icpc is not None and (start is None or start > icpc)]


@rule(
    "8715",
    S47,
    "DateOfInitialCPC",
    "The initial child protection conference date is outside the census year.",
)
def r8715(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(S47, "DateOfInitialCPC")) if v is not None and not c.in_period(v)]


def _awaiting_icpc(c: Context) -> list[bool]:
    rows = zip(c.col(S47, "DateOfInitialCPC"), c.col(S47, "ICPCnotRequired"), strict=True)
    return [icpc is None and not_req is False for icpc, not_req in rows]


@rule(
    "8740",
    S47,
    "S47ActualStartDate",
    "A section 47 enquiry with no initial conference by the end of the "
    "census year must have started in the census year.",
)
def r8740(c: Context) -> list[Hit]:
    waiting = _awaiting_icpc(c)
    return [
        i
        for i, start in enumerate(c.col(S47, "S47ActualStartDate"))
        if waiting[i] and start is not None and not c.in_period(start)
    ]


@rule(
    "8675Q",
    S47,
    "DateOfInitialCPC",
    "The section 47 enquiry started more than 15 working days before the "
    "end of the census year and has no initial conference date: add the conference or the ICPC-not-required "
    "flag.",
)
def r8675q(c: Context) -> list[Hit]:
    limit, waiting = add_working_days(c.period_end, -15), _awaiting_icpc(c)
    return [
        i
        for i, start in enumerate(c.col(S47, "S47ActualStartDate"))
        if waiting[i] and start is not None and start < limit
    ]


@rule(
    "8839",
    S47,
    "DateOfInitialCPC",
    "This episode has two or more open section 47 enquiries (no conference and no ICPC-not-required flag).",
)
def r8839(c: Context) -> list[Hit]:
    icpc, not_req = c.col(S47, "DateOfInitialCPC"), c.col(S47, "ICPCnotRequired")
    hits: list[Hit] = []
    for rows in c.ranges(S47, "_ep"):
        if len(rows) > 1 and sum(icpc[r] is None and not_req[r] is not True for r in rows) > 1:
            hits.extend(r for r in rows if icpc[r] is None)
    return hits


@rule(
    "8870Q",
    S47,
    "InitialCPCtarget",
    "The target date for the initial child protection conference is a Saturday or Sunday: check it.",
)
def r8870q(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(S47, "InitialCPCtarget")) if v is not None and v.weekday() >= 5]


@rule(
    "8890",
    S47,
    "S47ActualStartDate",
    "A section 47 enquiry starts while another on the same episode is still going on: check the dates.",
)
def r8890(c: Context) -> list[Hit]:
    start, icpc, not_req = (c.col(S47, f) for f in ("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"))
    hits: set[int] = set()
    for rows in c.ranges(S47, "_ep"):
        if len(rows) < 2:
            continue
        for a in rows:
            for b in rows:
                if start[a] is None or start[b] is None or (start[a] == start[b] and icpc[a] == icpc[b]):
                    continue
                if start[a] >= start[b] and (
                    (icpc[b] is not None and start[a] <= icpc[b])
                    or (icpc[b] is None and start[a] <= c.period_end and not_req[b] is not True)
                ):
                    hits.update((a, b))
    return sorted(hits)
