"""Rules on the child: identifiers, UPN, dates of birth and death, sex, ethnicity, disability."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from opencsc.core.codelists import codes
from opencsc.core.working_days import add_months
from opencsc.people.identifiers import UPN_LETTERS, upn_check_letter
from opencsc.returns.cin.identifiers import is_upn_la_code
from opencsc.returns.cin.rules.base import Context, Hit, rule

CI, CHAR, DIS, CIN = "ChildIdentifiers", "ChildCharacteristics", "Disabilities", "CINdetails"
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_UPN_BODY = re.compile(r"[0-9]{11}[0-9A-Z]")


def _present(c: Context, table: str, name: str) -> Iterator[tuple[int, Any]]:
    """(row, value) for each present value of a column (the value's type is the column's: str, date...)."""
    return ((i, v) for i, v in enumerate(c.col(table, name)) if v is not None)


@rule("8500", CI, "LAchildID", "LA child ID is missing: every child needs the council's own child ID.")
def r8500(c: Context) -> list[Hit]:
    return [i for i, v in enumerate(c.col(CI, "LAchildID")) if v is None]


@rule(
    "8510",
    CI,
    "LAchildID",
    "More than one child in the return has this LA child ID: each child needs "
    "their own ID (merge the records if they are the same child).",
)
def r8510(c: Context) -> list[Hit]:
    ids = c.col(CI, "LAchildID")
    counts = Counter(v for v in ids if v is not None)
    return [i for i, v in enumerate(ids) if v is not None and counts[v] > 1]


@rule("1570", CI, "LAchildID", "LA child ID is longer than 20 characters.")
def r1570(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "LAchildID") if len(v) > 20]


@rule(
    "1580",
    CI,
    "LAchildID",
    "LA child ID may contain only letters and digits (no spaces, dashes or other characters).",
)
def r1580(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "LAchildID") if not _ALNUM.fullmatch(v)]


@rule(
    "1510",
    CI,
    "UPN",
    "UPN is invalid: the check letter (character 1) does not match the other "
    "characters, or the UPN is not 13 characters (a letter, 11 digits, a digit or letter). Check it "
    "against the school's records.",
)
def r1510(c: Context) -> list[Hit]:
    hits: list[Hit] = []
    for i, upn in _present(c, CI, "UPN"):
        body = upn[1:]
        malformed = len(upn) != 13 or not _UPN_BODY.fullmatch(body) or body[-1] in "IOS"
        if malformed or upn[0] != upn_check_letter(body):
            hits.append(i)
    return hits


@rule("1520", CI, "UPN", "More than one child in the return has this UPN: check which child it belongs to.")
def r1520(c: Context) -> list[Hit]:
    upns = c.col(CI, "UPN")
    counts = Counter(v for v in upns if v is not None)
    return [i for i, v in enumerate(upns) if v is not None and counts[v] > 1]


@rule("1530", CI, "UPN", "UPN is invalid: characters 2-4 are not a recognised LA code.")
def r1530(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "UPN") if len(v) == 13 and not is_upn_la_code(v[1:4])]


@rule("1540", CI, "UPN", "UPN is invalid: characters 5-12 must all be digits.")
def r1540(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "UPN") if not (v[4:12].isdigit() and v[4:12].isascii())]


@rule("1550", CI, "UPN", "UPN is invalid: character 13 must be a digit or a letter other than I, O or S.")
def r1550(c: Context) -> list[Hit]:
    return [
        i for i, v in _present(c, CI, "UPN") if len(v) == 13 and not (v[12] in "0123456789" or v[12] in UPN_LETTERS)
    ]


@rule(
    "1560Q",
    CI,
    "FormerUPN",
    "Former UPN is wrongly formatted: it should be a letter followed by 12 "
    "characters (11 digits, then a digit or a letter).",
)
def r1560q(c: Context) -> list[Hit]:
    shape = re.compile(r"[A-Za-z][0-9]{11}[0-9A-Za-z]")
    return [i for i, v in _present(c, CI, "FormerUPN") if not shape.fullmatch(v)]


@rule("4180", CI, "Sex", "Sex is missing or invalid: record M, F or U (U for an unborn child).")
def r4180(c: Context) -> list[Hit]:
    valid = codes("cin_sex", c.year)
    return [i for i, v in enumerate(c.col(CI, "Sex")) if v not in valid]


@rule("8750", CI, "Sex", "Sex must be U for an unborn child (expected date of birth and no date of birth).")
def r8750(c: Context) -> list[Hit]:
    rows = zip(c.col(CI, "PersonBirthDate"), c.col(CI, "ExpectedPersonBirthDate"), c.col(CI, "Sex"), strict=True)
    return [i for i, (dob, edob, sex) in enumerate(rows) if dob is None and edob is not None and sex != "U"]


@rule("8520", CI, "PersonBirthDate", "Date of birth is after the end of the census year.")
def r8520(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "PersonBirthDate") if v > c.period_end]


@rule("8525Q", CI, "PersonBirthDate", "Give either a date of birth or an expected date of birth (but not both).")
def r8525q(c: Context) -> list[Hit]:
    rows = zip(c.col(CI, "PersonBirthDate"), c.col(CI, "ExpectedPersonBirthDate"), strict=True)
    return [i for i, (dob, edob) in enumerate(rows) if (dob is None) == (edob is None)]


@rule(
    "8530Q",
    CI,
    "ExpectedPersonBirthDate",
    "Expected date of birth is outside the expected range for "
    "this census (from 30 days before to 9 months after 31 March): check it.",
)
def r8530q(c: Context) -> list[Hit]:
    low, high = c.period_end - dt.timedelta(days=30), add_months(c.period_end, 9)
    return [i for i, v in _present(c, CI, "ExpectedPersonBirthDate") if v <= low or v >= high]


@rule(
    "8535Q",
    CI,
    "PersonDeathDate",
    "Date of death is before the date of birth, or there is a date of death without a date of birth.",
)
def r8535q(c: Context) -> list[Hit]:
    rows = zip(c.col(CI, "PersonBirthDate"), c.col(CI, "PersonDeathDate"), strict=True)
    return [i for i, (dob, dod) in enumerate(rows) if dod is not None and (dob is None or dob > dod)]


@rule("8545Q", CI, "PersonDeathDate", "Date of death is outside the census year: check it.")
def r8545q(c: Context) -> list[Hit]:
    return [i for i, v in _present(c, CI, "PersonDeathDate") if not c.in_period(v)]


def _episodes_nfa(c: Context) -> list[list[bool | None]]:
    """Per child, the Referral NFA flags of their episodes (computed once per validation)."""
    cached = c.cache.get("episodes_nfa")
    if cached is None:
        nfa = c.col(CIN, "ReferralNFA")
        cached = c.cache["episodes_nfa"] = [[nfa[e] for e in r] for r in c.ranges(CIN, "_child")]
    return cached


@rule(
    "8770Q",
    CI,
    "UPNunknown",
    "UPN is missing, or the reason it is missing is UN1, for a child of "
    "school age: record the UPN or the reason (UN2-UN7).",
)
def r8770q(c: Context) -> list[Hit]:
    # born on or before 31 August six years before the census's 31 August (school age)
    cutoff = dt.date(c.period_end.year - 6, 8, 31)
    unknown = c.col(CI, "UPNunknown")
    upn, dob = c.col(CI, "UPN"), c.col(CI, "PersonBirthDate")
    acceptable = codes("cin_upn_unknown", c.year) - {"UN1"}
    hits: list[Hit] = []
    for i, episodes in enumerate(_episodes_nfa(c)):
        school_age = dob[i] is not None and dob[i] <= cutoff
        reason_ok = (unknown[i] or "").upper() in acceptable
        if school_age and upn[i] is None and False in episodes and not reason_ok:
            hits.append(i)
    return hits


@rule(
    "8772",
    CI,
    "UPNunknown",
    "UPN unknown reason is UN7 (referral with no further action) but at least "
    "one episode is not a referral with no further action.",
)
def r8772(c: Context) -> list[Hit]:
    unknown = c.col(CI, "UPNunknown")
    return [
        i
        for i, episodes in enumerate(_episodes_nfa(c))
        if unknown[i] == "UN7" and (not episodes or any(v is not True for v in episodes))
    ]


@rule(
    "8775Q",
    CI,
    "PersonBirthDate",
    "Child is over 25 years old and has an episode open after their 25th birthday: check the date of birth.",
)
def r8775q(c: Context) -> list[Hit]:
    dob, closure = c.col(CI, "PersonBirthDate"), c.col(CIN, "CINclosureDate")
    hits: list[Hit] = []
    for i, episodes in enumerate(c.ranges(CIN, "_child")):
        born = dob[i]
        if born is None or born >= _years_before(c.period_end, 25):
            continue
        birthday25 = _years_after(born, 25)
        if any(closure[e] is None or closure[e] > birthday25 for e in episodes):
            hits.append(i)
    return hits


def _years_before(day: dt.date, years: int) -> dt.date:
    return add_months(day, -12 * years)


def _years_after(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@rule(
    "8590",
    CI,
    "LAchildID",
    "Child has no CIN episode (CINdetails): every child in the return needs at least one referral.",
)
def r8590(c: Context) -> list[Hit]:
    return [i for i, r in enumerate(c.ranges(CIN, "_child")) if not r]


@rule("4220", CHAR, "Ethnicity", "Ethnicity is missing or not a valid code (see the ethnicity table).")
def r4220(c: Context) -> list[Hit]:
    valid = codes("ethnicity", c.year)
    return [i for i, v in enumerate(c.col(CHAR, "Ethnicity")) if v not in valid]


@rule(
    "8540",
    DIS,
    "Disability",
    "Disability is missing or not a valid code: record each disability "
    "(or NONE) for a born child whose referral led to further action.",
)
def r8540(c: Context) -> list[Hit]:
    valid = codes("disability", c.year)
    hits: list[Hit] = [i for i, v in enumerate(c.col(DIS, "Disability")) if v not in valid]
    dob = c.col(CI, "PersonBirthDate")
    char_rows = c.ranges(CHAR, "_child")
    for i, (dis, episodes) in enumerate(zip(c.ranges(DIS, "_child"), _episodes_nfa(c), strict=True)):
        if not dis and dob[i] is not None and False in episodes and char_rows[i]:
            hits.append((CHAR, char_rows[i][0], "Disabilities"))
    return hits


@rule("8790", DIS, "Disability", "Disability includes both NONE and other codes: remove NONE or the others.")
def r8790(c: Context) -> list[Hit]:
    codes_ = c.col(DIS, "Disability")
    hits: list[Hit] = []
    for rows in c.ranges(DIS, "_child"):
        values = [(codes_[r] or "").upper() for r in rows]
        if "NONE" in values and any(v != "NONE" for v in values):
            hits.extend(r for r, v in zip(rows, values, strict=True) if v != "NONE")
    return hits


@rule("8794", DIS, "Disability", "Child has the same disability code more than once.")
def r8794(c: Context) -> list[Hit]:
    codes_ = c.col(DIS, "Disability")
    hits: list[Hit] = []
    for rows in c.ranges(DIS, "_child"):
        if len(rows) > 1:
            counts = Counter(codes_[r] for r in rows)
            hits.extend(r for r in rows if counts[codes_[r]] > 1)
    return hits
