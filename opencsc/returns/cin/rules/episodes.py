"""Rules on CIN episodes (CINdetails): referral, need, closure, NFA, overlaps and activity."""

from __future__ import annotations

import datetime as dt

from opencsc.core.codelists import codes
from opencsc.core.working_days import add_working_days
from opencsc.returns.cin.rules.base import Context, Hit, rule

CI, CIN = "ChildIdentifiers", "CINdetails"
ASS, PLAN, S47, CPP = "Assessments", "CINplanDates", "Section47", "ChildProtectionPlans"
_SOURCE_FROM = dt.date(2013, 4, 1)


@rule("8600", CIN, "CINreferralDate", "Referral date is missing or after the end of the census year.")
def r8600(c: Context) -> list[Hit]:
    end = c.period_end
    return [i for i, v in enumerate(c.col(CIN, "CINreferralDate")) if v is None or v > end]


@rule("8866", CIN, "ReferralSource", "Source of referral is missing or not a valid code.")
def r8866(c: Context) -> list[Hit]:
    valid = codes("cin_referral_source", c.year)
    rows = zip(c.col(CIN, "CINreferralDate"), c.col(CIN, "ReferralSource"), strict=True)
    return [i for i, (ref, src) in enumerate(rows) if ref is not None and ref >= _SOURCE_FROM and src not in valid]


@rule("8650", CIN, "PrimaryNeedCode", "Primary need code is not a valid code (N0-N9).")
def r8650(c: Context) -> list[Hit]:
    valid = codes("cin_primary_need", c.year)
    return [i for i, v in enumerate(c.col(CIN, "PrimaryNeedCode")) if v is not None and v not in valid]


@rule("8610", CIN, "PrimaryNeedCode", "Primary need code is missing for a referral that led to further action.")
def r8610(c: Context) -> list[Hit]:
    rows = zip(c.col(CIN, "ReferralNFA"), c.col(CIN, "PrimaryNeedCode"), strict=True)
    return [i for i, (nfa, need) in enumerate(rows) if nfa is False and need is None]


@rule("8568", CIN, "ReferralNFA", "Referral NFA flag is missing or invalid: record true or false.")
def r8568(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CIN, "ReferralNFA")) if v is None]


@rule(
    "8569Q",
    CIN,
    "ReferralNFA",
    "A referral made before the last working day before the census year "
    "must not be flagged as no further action: check the referral date and the NFA flag.",
)
def r8569q(c: Context) -> list[Hit]:
    limit = add_working_days(c.period_start, -1)
    rows = zip(c.col(CIN, "CINreferralDate"), c.col(CIN, "ReferralNFA"), strict=True)
    return [i for i, (ref, nfa) in enumerate(rows) if ref is not None and ref < limit and nfa is not False]


@rule("8620", CIN, "CINclosureDate", "CIN closure date is outside the census year.")
def r8620(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CIN, "CINclosureDate")) if v is not None and not c.in_period(v)]


@rule("8630", CIN, "CINclosureDate", "CIN closure date is before the referral date of the same episode.")
def r8630(c: Context) -> list[Hit]:
    rows = zip(c.col(CIN, "CINreferralDate"), c.col(CIN, "CINclosureDate"), strict=True)
    return [i for i, (ref, end) in enumerate(rows) if ref is not None and end is not None and end < ref]


@rule("8640", CIN, "ReasonForClosure", "Reason for closure is not a valid code (RC1-RC9).")
def r8640(c: Context) -> list[Hit]:
    valid = codes("cin_reason_for_closure", c.year)
    return [i for i, v in enumerate(c.col(CIN, "ReasonForClosure")) if v is not None and v not in valid]


@rule("8805", CIN, "ReasonForClosure", "The episode has a closure date but no reason for closure.")
def r8805(c: Context) -> list[Hit]:
    rows = zip(c.col(CIN, "CINclosureDate"), c.col(CIN, "ReasonForClosure"), strict=True)
    return [i for i, (end, why) in enumerate(rows) if end is not None and why is None]


@rule("8810", CIN, "CINclosureDate", "The episode has a reason for closure but no closure date.")
def r8810(c: Context) -> list[Hit]:
    rows = zip(c.col(CIN, "CINclosureDate"), c.col(CIN, "ReasonForClosure"), strict=True)
    return [i for i, (end, why) in enumerate(rows) if end is None and why is not None]


@rule(
    "8585Q",
    CIN,
    "ReasonForClosure",
    "Episode closed with reason RC2 (died) but the child has no date of death.",
)
def r8585q(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(CIN, "_child")
    return [i for i, v in enumerate(c.col(CIN, "ReasonForClosure")) if v == "RC2" and dod[child[i]] is None]


@rule("8555Q", CIN, "CINreferralDate", "Child is shown as referred after their date of death.")
def r8555q(c: Context) -> list[Hit]:
    dod, child = c.col(CI, "PersonDeathDate"), c.col(CIN, "_child")
    return [
        i
        for i, ref in enumerate(c.col(CIN, "CINreferralDate"))
        if ref is not None and dod[child[i]] is not None and ref > dod[child[i]]
    ]


@rule(
    "8606",
    CIN,
    "CINreferralDate",
    "Referral date is more than 40 weeks before the date of birth or expected date of birth.",
)
def r8606(c: Context) -> list[Hit]:
    dob, edob, child = (
        c.col(CI, "PersonBirthDate"),
        c.col(CI, "ExpectedPersonBirthDate"),
        c.col(CIN, "_child"),
    )
    weeks40 = dt.timedelta(days=280)
    hits: list[Hit] = []
    for i, ref in enumerate(c.col(CIN, "CINreferralDate")):
        if ref is None:
            continue
        born, due = dob[child[i]], edob[child[i]]
        if (born is not None and ref < born - weeks40) or (due is not None and ref < due - weeks40):
            hits.append(i)
    return hits


def _open_non_nfa(c: Context) -> list[bool]:
    rows = zip(c.col(CIN, "CINclosureDate"), c.col(CIN, "ReferralNFA"), strict=True)
    return [end is None and nfa is False for end, nfa in rows]


@rule(
    "8815",
    CIN,
    "CINclosureDate",
    "This child has more than one open episode (no closure date) that is "
    "not a referral with no further action: close the earlier episode.",
)
def r8815(c: Context) -> list[Hit]:
    open_, closure = _open_non_nfa(c), c.col(CIN, "CINclosureDate")
    hits: list[Hit] = []
    for episodes in c.ranges(CIN, "_child"):
        if sum(open_[e] for e in episodes) > 1:
            hits.extend(e for e in episodes if closure[e] is None)
    return hits


@rule(
    "8816",
    CIN,
    "CINreferralDate",
    "An open episode that is not a referral with no further action is "
    "not the latest episode: close it, or check the referral dates.",
)
def r8816(c: Context) -> list[Hit]:
    open_, ref = _open_non_nfa(c), c.col(CIN, "CINreferralDate")
    hits: list[Hit] = []
    for episodes in c.ranges(CIN, "_child"):
        dated = [e for e in episodes if ref[e] is not None]
        if len(dated) < 2:
            continue
        latest = max(dated, key=lambda e: (ref[e], -e))  # the first of the latest referrals
        hits.extend(e for e in dated if open_[e] and e != latest)
    return hits


@rule(
    "8820",
    CIN,
    "CINreferralDate",
    "The dates of this child's CIN episodes overlap: an episode starts before the previous one closed.",
)
def r8820(c: Context) -> list[Hit]:
    ref, end, nfa = c.col(CIN, "CINreferralDate"), c.col(CIN, "CINclosureDate"), c.col(CIN, "ReferralNFA")
    hits: set[int] = set()
    for episodes in c.ranges(CIN, "_child"):
        if len(episodes) < 2:
            continue
        for a in episodes:
            for b in episodes:
                if a == b or ref[a] is None or ref[b] is None or ref[a] < ref[b]:
                    continue
                if (end[b] is not None and ref[a] < end[b]) or (
                    end[b] is None and ref[a] < c.period_end and nfa[b] is False
                ):
                    hits.update((a, b))
    return sorted(hits)


def _episode_has(c: Context, table: str, test: str | None = None) -> list[bool]:
    """For each episode, whether it has a row in `table` (with `test` column present, if given)."""
    has = [False] * c.n(CIN)
    if test is None:
        for ep in c.col(table, "_ep"):
            has[ep] = True
    else:
        for ep, value in zip(c.col(table, "_ep"), c.col(table, test), strict=True):
            if value is not None:
                has[ep] = True
    return has


@rule(
    "8825Q",
    CIN,
    "ReasonForClosure",
    "Reason for closure is RC8 or RC9 (closed after assessment) but the episode has no assessment.",
)
def r8825q(c: Context) -> list[Hit]:
    has = _episode_has(c, ASS)
    return [i for i, v in enumerate(c.col(CIN, "ReasonForClosure")) if v in ("RC8", "RC9") and not has[i]]


@rule(
    "2990",
    CIN,
    "ReasonForClosure",
    "Activity is recorded on an episode closed as RC8 or RC9 (closed "
    "after assessment): remove the CIN plan, section 47 or child protection details, or change the reason.",
)
def r2990(c: Context) -> list[Hit]:
    plan, s47, cpp = _episode_has(c, PLAN), _episode_has(c, S47), _episode_has(c, CPP)
    icpc = c.col(CIN, "DateOfInitialCPC")
    return [
        i
        for i, v in enumerate(c.col(CIN, "ReasonForClosure"))
        if v in ("RC8", "RC9") and (icpc[i] is not None or plan[i] or s47[i] or cpp[i])
    ]


@rule(
    "8831",
    CIN,
    "ReferralNFA",
    "Assessment or section 47 activity is recorded on a referral with no "
    "further action: remove it or set Referral NFA to false.",
)
def r8831(c: Context) -> list[Hit]:
    s47 = [
        a or b
        for a, b in zip(
            _episode_has(c, S47, "S47ActualStartDate"), _episode_has(c, S47, "DateOfInitialCPC"), strict=True
        )
    ]
    ass = [
        a or b
        for a, b in zip(
            _episode_has(c, ASS, "AssessmentActualStartDate"),
            _episode_has(c, ASS, "AssessmentAuthorisationDate"),
            strict=True,
        )
    ]
    icpc = c.col(CIN, "DateOfInitialCPC")
    return [
        i for i, v in enumerate(c.col(CIN, "ReferralNFA")) if v is True and (icpc[i] is not None or s47[i] or ass[i])
    ]


@rule(
    "8832",
    CIN,
    "ReferralNFA",
    "Child protection plan details are recorded on a referral with no further action.",
)
def r8832(c: Context) -> list[Hit]:
    has = _episode_has(c, CPP)
    return [i for i, v in enumerate(c.col(CIN, "ReferralNFA")) if v is True and has[i]]


@rule("4000", CIN, "ReferralNFA", "CIN plan details are recorded on a referral with no further action.")
def r4000(c: Context) -> list[Hit]:
    has = _episode_has(c, PLAN)
    return [i for i, v in enumerate(c.col(CIN, "ReferralNFA")) if v is True and has[i]]


@rule(
    "8867",
    CIN,
    "CINclosureDate",
    "The episode is closed but an assessment on it has no completion (authorisation) date.",
)
def r8867(c: Context) -> list[Hit]:
    auth = c.col(ASS, "AssessmentAuthorisationDate")
    ranges = c.ranges(ASS, "_ep")
    return [
        i
        for i, end in enumerate(c.col(CIN, "CINclosureDate"))
        if end is not None and any(auth[r] is None for r in ranges[i])
    ]


@rule(
    "8868",
    CIN,
    "CINclosureDate",
    "The episode is closed but a section 47 enquiry on it is not completed "
    "by an ICPC date or the ICPC-not-required flag (or has both).",
)
def r8868(c: Context) -> list[Hit]:
    icpc, not_req = c.col(S47, "DateOfInitialCPC"), c.col(S47, "ICPCnotRequired")
    ranges = c.ranges(S47, "_ep")
    return [
        i
        for i, end in enumerate(c.col(CIN, "CINclosureDate"))
        if end is not None and any((icpc[r] is None) == (not_req[r] is not True) for r in ranges[i])
    ]


@rule(
    "8565",
    CIN,
    "CINclosureDate",
    "Activity is shown after the episode was closed: an assessment, "
    "section 47, conference, plan date or CIN plan date is later than the CIN closure date.",
)
def r8565(c: Context) -> list[Hit]:
    closure, icpc = c.col(CIN, "CINclosureDate"), c.col(CIN, "DateOfInitialCPC")
    activity = (
        (ASS, ("AssessmentActualStartDate", "AssessmentAuthorisationDate")),
        (S47, ("S47ActualStartDate", "DateOfInitialCPC")),
        (CPP, ("CPPendDate",)),
        (PLAN, ("CINPlanStartDate", "CINPlanEndDate")),
    )
    hits: list[Hit] = [
        (CIN, i, "DateOfInitialCPC")
        for i, (end, d) in enumerate(zip(closure, icpc, strict=True))
        if end is not None and d is not None and d > end
    ]
    for table, fields in activity:
        columns = [c.col(table, f) for f in fields]
        for r, ep in enumerate(c.col(table, "_ep")):
            end = closure[ep]
            if end is not None:
                late = [f for f, col in zip(fields, columns, strict=True) if col[r] is not None and col[r] > end]
                if late:
                    hits.append((table, r, late[0]))
    return hits


@rule(
    "2884",
    CIN,
    "DateOfInitialCPC",
    "An initial child protection conference is recorded both on the "
    "episode and on the section 47 enquiry: record it in one place only (on the section 47).",
)
def r2884(c: Context) -> list[Hit]:
    s47_icpc = c.col(S47, "DateOfInitialCPC")
    by_child = c.ranges(S47, "_child")
    child = c.col(CIN, "_child")
    return [
        i
        for i, d in enumerate(c.col(CIN, "DateOfInitialCPC"))
        if d is not None and any(s47_icpc[r] == d for r in by_child[child[i]])
    ]


@rule(
    "8875",
    "Section47",
    "DateOfInitialCPC",
    "The date of the initial child protection conference cannot be a Saturday or Sunday.",
)
def r8875(c: Context) -> list[Hit]:
    hits: list[Hit] = [i for i, d in enumerate(c.col(S47, "DateOfInitialCPC")) if d is not None and d.weekday() >= 5]
    hits += [
        (CIN, i, "DateOfInitialCPC")
        for i, d in enumerate(c.col(CIN, "DateOfInitialCPC"))
        if d is not None and d.weekday() >= 5
    ]
    return hits
