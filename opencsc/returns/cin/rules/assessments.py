"""Rules on assessments and the factors identified at the end of them."""

from __future__ import annotations

from opencsc.core.codelists import codes
from opencsc.core.working_days import add_working_days
from opencsc.returns.cin.rules.base import Context, Hit, rule

ASS, CIN, S47 = "Assessments", "CINdetails", "Section47"
_RETIRED_FACTORS = frozenset({"18A", "19A"})  # split into 18B/18C and 19B/19C; queried by 8945Q/8950Q


def _referral_of(c: Context, table: str) -> list:
    ref, ep = c.col(CIN, "CINreferralDate"), c.col(table, "_ep")
    return [ref[e] for e in ep]


@rule("1103", ASS, "AssessmentActualStartDate", "The assessment start date is before the referral date.")
def r1103(c: Context) -> list[Hit]:
    rows = zip(c.col(ASS, "AssessmentActualStartDate"), _referral_of(c, ASS), strict=True)
    return [i for i, (start, ref) in enumerate(rows) if start is not None and ref is not None and start < ref]


@rule(
    "8608",
    ASS,
    "AssessmentActualStartDate",
    "The assessment start date is after its completion (authorisation) date.",
)
def r8608(c: Context) -> list[Hit]:
    rows = zip(c.col(ASS, "AssessmentActualStartDate"), c.col(ASS, "AssessmentAuthorisationDate"), strict=True)
    return [i for i, (start, end) in enumerate(rows) if start is not None and end is not None and start > end]


@rule(
    "8614",
    ASS,
    "AssessmentFactors",
    "Factors identified at assessment are recorded for an assessment "
    "that is not completed: add the authorisation date or remove the factors.",
)
def r8614(c: Context) -> list[Hit]:
    rows = zip(c.col(ASS, "AssessmentFactors"), c.col(ASS, "AssessmentAuthorisationDate"), strict=True)
    return [i for i, (factors, end) in enumerate(rows) if factors and end is None]


@rule(
    "8670Q",
    ASS,
    "AssessmentActualStartDate",
    "The assessment started more than 45 working days before "
    "the end of the census year and has no completion date: complete it or check the dates.",
)
def r8670q(c: Context) -> list[Hit]:
    limit = add_working_days(c.period_end, -45)
    rows = zip(c.col(ASS, "AssessmentActualStartDate"), c.col(ASS, "AssessmentAuthorisationDate"), strict=True)
    return [i for i, (start, end) in enumerate(rows) if end is None and start is not None and start < limit]


@rule(
    "8696",
    ASS,
    "AssessmentAuthorisationDate",
    "The assessment completion (authorisation) date is outside the census year.",
)
def r8696(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(ASS, "AssessmentAuthorisationDate")) if v is not None and not c.in_period(v)]


@rule(
    "8736",
    ASS,
    "AssessmentActualStartDate",
    "An assessment that is not completed must have a start date within the census year.",
)
def r8736(c: Context) -> list[Hit]:
    rows = zip(c.col(ASS, "AssessmentActualStartDate"), c.col(ASS, "AssessmentAuthorisationDate"), strict=True)
    return [i for i, (start, end) in enumerate(rows) if end is None and (start is None or not c.in_period(start))]


@rule(
    "8896",
    ASS,
    "AssessmentAuthorisationDate",
    "This episode has two or more open assessments (no authorisation date): complete or remove all but one.",
)
def r8896(c: Context) -> list[Hit]:
    end = c.col(ASS, "AssessmentAuthorisationDate")
    hits: list[Hit] = []
    for rows in c.ranges(ASS, "_ep"):
        if len(rows) > 1 and sum(end[r] is None for r in rows) > 1:
            hits.extend(rows)
    return hits


@rule(
    "8863Q",
    ASS,
    "AssessmentActualStartDate",
    "An assessment starts while another assessment on the same episode is still going on: check the dates.",
)
def r8863q(c: Context) -> list[Hit]:
    start, end = c.col(ASS, "AssessmentActualStartDate"), c.col(ASS, "AssessmentAuthorisationDate")
    hits: set[int] = set()
    for rows in c.ranges(ASS, "_ep"):
        if len(rows) < 2:
            continue
        for a in rows:
            for b in rows:
                if start[a] is None or start[b] is None or (start[a] == start[b] and end[a] == end[b]):
                    continue  # the same assessment, or recorded twice
                if start[a] >= start[b] and (
                    (end[b] is not None and start[a] <= end[b]) or (end[b] is None and start[a] <= c.period_end)
                ):
                    hits.update((a, b))
    return sorted(hits)


@rule(
    "8869",
    ASS,
    "AssessmentFactors",
    "Assessment factor 21 (no factors identified) cannot be recorded with any other factor.",
)
def r8869(c: Context) -> list[Hit]:
    return [i for i, f in enumerate(c.col(ASS, "AssessmentFactors")) if f and "21" in f and any(x != "21" for x in f)]


@rule("8898", ASS, "AssessmentFactors", "The assessment has the same factor code more than once.")
def r8898(c: Context) -> list[Hit]:
    return [i for i, f in enumerate(c.col(ASS, "AssessmentFactors")) if f and len(set(f)) < len(f)]


@rule(
    "8897Q",
    ASS,
    "AssessmentFactors",
    "Factors identified at assessment are missing or not valid codes for an assessment completed in the census year.",
)
def r8897q(c: Context) -> list[Hit]:
    valid = codes("cin_assessment_factors", c.year) | _RETIRED_FACTORS
    rows = zip(c.col(ASS, "AssessmentAuthorisationDate"), c.col(ASS, "AssessmentFactors"), strict=True)
    return [
        i
        for i, (end, f) in enumerate(rows)
        if end is not None and end >= c.period_start and (not f or any(x not in valid for x in f))
    ]


@rule(
    "8945Q",
    ASS,
    "AssessmentFactors",
    "Assessment factor 18A is no longer used: record 18B (child on child) or 18C (adult on child) instead.",
)
def r8945q(c: Context) -> list[Hit]:
    return [i for i, f in enumerate(c.col(ASS, "AssessmentFactors")) if f and any(x.upper() == "18A" for x in f)]


@rule(
    "8950Q",
    ASS,
    "AssessmentFactors",
    "Assessment factor 19A is no longer used: record 19B (child on child) or 19C (adult on child) instead.",
)
def r8950q(c: Context) -> list[Hit]:
    return [i for i, f in enumerate(c.col(ASS, "AssessmentFactors")) if f and any(x.upper() == "19A" for x in f)]


@rule(
    "8873Q",
    ASS,
    "AssessmentFactors",
    "The only assessment on the episode found no factors (code 21), so "
    "the reason for closure should be RC8 or RC9: check the closure reason.",
)
def r8873q(c: Context) -> list[Hit]:
    factors, reason = c.col(ASS, "AssessmentFactors"), c.col(CIN, "ReasonForClosure")
    hits: list[Hit] = []
    for ep, rows in enumerate(c.ranges(ASS, "_ep")):
        if len(rows) == 1 and factors[rows[0]] and "21" in factors[rows[0]] and reason[ep] not in ("RC8", "RC9"):
            hits.append(rows[0])
    return hits


@rule(
    "2991Q",
    S47,
    "S47ActualStartDate",
    "A section 47 enquiry is recorded on an episode with no assessment: check whether an assessment is missing.",
)
def r2991q(c: Context) -> list[Hit]:
    assessed = [bool(r) for r in c.ranges(ASS, "_ep")]
    return [i for i, ep in enumerate(c.col(S47, "_ep")) if not assessed[ep]]
