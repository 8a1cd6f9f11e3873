"""Synthetic CIN census returns: valid by construction, plus "breakers" that break one rule each.

`synthetic_records(n, year, seed)` builds n children deterministically from the seed: referrals that
end in no further action, assessments with factors, CIN plans, section 47 enquiries with and without
a conference, child protection plans with reviews, episodes carried over from last year, second
referrals, closures, deaths and unborn children. UPNs carry correct check letters and LA child ids
look like ``DEMO000123``. Nothing is real and there are no names: the CIN census has none.

`BREAKERS` maps a rule code to a mutation that makes one child break exactly that rule (other rules
may fire on the same child as a consequence, as they would in real data). `broken_return` applies
each breaker to a different child to build a corpus of deliberately broken records.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opencsc.core.codelists import codes, year_end
from opencsc.core.working_days import add_months, add_working_days
from opencsc.people.identifiers import upn_check_letter
from opencsc.returns.cin.tables import CINTables, TablesBuilder

Record = dict[str, Any]
DAY = dt.timedelta(days=1)
LEA = "209"  # a real LA number is needed for UPNs (rule 1530); the data are still synthetic


def header_for(year: str, lea: str = LEA) -> dict[str, Any]:
    end = year_end(year)
    return {
        "Collection": "CIN",
        "Year": str(end),
        "ReferenceDate": dt.date(end, 3, 31),
        "SourceLevel": "L",
        "LEA": lea,
        "SoftwareCode": "openCSC",
        "Release": "0.1",
        "SerialNo": "1",
        "DateTime": f"{end}-04-02T09:00:00",
    }


def make_upn(number: int, lea: str = LEA) -> str:
    """A permanent UPN with a correct check letter, unique for each `number` below 10**8."""
    body = f"{lea}{number:09d}"
    return upn_check_letter(body) + body


def synthetic_return(n: int, year: str = "2025-26", seed: int = 1) -> CINTables:
    """A valid return of `n` children (no errors and no child-level queries)."""
    return records_to_tables(synthetic_records(n, year, seed), year)


def records_to_tables(records: list[Record], year: str) -> CINTables:
    builder = TablesBuilder(header_for(year))
    for record in records:
        builder.add_child(record)
    return builder.build()


def synthetic_records(n: int, year: str = "2025-26", seed: int = 1, prefix: str = "DEMO") -> list[Record]:
    gen = _Generator(year, random.Random(seed))  # noqa: S311 (synthetic data, not security)
    return [gen.child(i, f"{prefix}{i:06d}") for i in range(n)]


class _Generator:
    """Draws one child at a time; every date respects the rules' ordering and census-year limits."""

    def __init__(self, year: str, rng: random.Random) -> None:
        self.rng, self.year = rng, year
        self.end = dt.date(year_end(year), 3, 31)
        self.start = dt.date(year_end(year) - 1, 4, 1)
        self.sources = sorted(codes("cin_referral_source", year))
        self.needs = sorted(codes("cin_primary_need", year) - {"N0"})
        self.factors = sorted(codes("cin_assessment_factors", year) - {"21"})
        self.disabilities = sorted(codes("disability", year) - {"NONE"})
        self.ethnicities = sorted(codes("ethnicity", year))
        self.categories = sorted(codes("cin_category_of_abuse", year))

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def child(self, i: int, la_id: str) -> Record:
        rng = self.rng
        unborn = rng.random() < 0.04
        kind = rng.choices(
            ("nfa", "assessed", "cin_plan", "cp", "s47_nfa", "carried_cin", "carried_cp", "two"),
            weights=(22, 22, 18, 14, 5, 8, 6, 5),
        )[0]
        due = self.end + dt.timedelta(days=rng.randint(10, 240)) if unborn else None
        born = None if unborn else self.end - dt.timedelta(days=rng.randint(60, 17 * 365))
        if kind in ("carried_cin", "carried_cp", "two") and (
            born is None or born > self.start - dt.timedelta(days=400)
        ):
            kind = "assessed"  # carried-over and repeat referrals need a child born well before the year
        if due is not None:
            earliest = max(self.start, due - dt.timedelta(days=270))
        elif born is not None:
            earliest = max(self.start, born + DAY)
        else:  # pragma: no cover (a child is either born or expected)
            raise ValueError("a synthetic child needs a date of birth or an expected one")
        episodes = self.episodes(kind, earliest)
        record: Record = {
            "ChildIdentifiers": self.identifiers(i, la_id, born, due),
            "Ethnicity": rng.choice(self.ethnicities),
            "Disabilities": [],
            "CINdetails": episodes,
        }
        if born is not None and any(e["ReferralNFA"] is False for e in episodes):
            record["Disabilities"] = (
                ["NONE"] if rng.random() < 0.8 else rng.sample(self.disabilities, rng.randint(1, 3))
            )
        if born is not None and rng.random() < 0.01:
            self.died(record)
        return record

    def identifiers(self, i: int, la_id: str, born: dt.date | None, due: dt.date | None) -> Record:
        school_age = born is not None and born <= dt.date(self.end.year - 6, 8, 31)
        ident: Record = {
            "LAchildID": la_id,
            "PersonBirthDate": born,
            "ExpectedPersonBirthDate": due,
            "Sex": "U" if born is None else self.rng.choice("MF"),
        }
        if school_age:
            ident["UPN"] = make_upn(i)
            if self.rng.random() < 0.03:
                ident["FormerUPN"] = make_upn(i + 50_000_000)
        else:
            ident["UPNunknown"] = "UN1"
        return ident

    def died(self, record: Record) -> None:
        """The child died on the day the last episode closed (after all its activity): reason RC2."""
        last = record["CINdetails"][-1]
        if last.get("CINclosureDate") is not None and last["ReasonForClosure"] not in ("RC8", "RC9"):
            record["ChildIdentifiers"]["PersonDeathDate"] = last["CINclosureDate"]
            last["ReasonForClosure"] = "RC2"

    # --- episodes ---------------------------------------------------------------------------------

    def episodes(self, kind: str, earliest: dt.date) -> list[Record]:
        if kind == "two":
            first = self.assessed(self.referral(earliest, self.end - dt.timedelta(days=150)), close=True)
            if first.get("CINclosureDate") is None:
                return [first]
            second_from = first["CINclosureDate"] + dt.timedelta(days=self.rng.randint(1, 60))
            return [first, self.assessed(self.referral(min(second_from, self.end), self.end), close=False)]
        if kind == "carried_cin":
            return [self.carried(cp=False)]
        if kind == "carried_cp":
            return [self.carried(cp=True)]
        episode = self.referral(earliest, self.end, nfa=kind == "nfa")
        build: dict[str, Callable[[Record], Record]] = {
            "nfa": self.nfa,
            "assessed": lambda e: self.assessed(e, close=None),
            "cin_plan": self.cin_plan,
            "cp": self.child_protection,
            "s47_nfa": self.s47_not_required,
        }
        return [build[kind](episode)]

    def referral(self, first: dt.date, last: dt.date, nfa: bool = False) -> Record:
        day = self.day_between(first, max(first, last))
        return {
            "CINreferralDate": day,
            "ReferralSource": self.rng.choice(self.sources),
            "PrimaryNeedCode": None if nfa else self.rng.choice(self.needs),
            "ReferralNFA": nfa,
        }

    def nfa(self, episode: Record) -> Record:
        episode["CINclosureDate"], episode["ReasonForClosure"] = episode["CINreferralDate"], "RC7"
        return episode

    def assessment(self, after: dt.date) -> Record:
        start = min(add_working_days(after, self.rng.randint(0, 3)), self.end)
        done = add_working_days(start, self.rng.randint(5, 40))
        if done > self.end:
            return {"AssessmentActualStartDate": start, "AssessmentFactors": None}
        chosen = self.rng.sample(self.factors, self.rng.randint(1, 4))
        return {
            "AssessmentActualStartDate": start,
            "AssessmentAuthorisationDate": done,
            "AssessmentFactors": chosen,
        }

    def close(self, episode: Record, reason: str, after: dt.date) -> Record:
        day = after + dt.timedelta(days=self.rng.randint(0, 20))
        if day <= self.end:
            episode["CINclosureDate"], episode["ReasonForClosure"] = day, reason
        return episode

    def assessed(self, episode: Record, close: bool | None) -> Record:
        """An assessment and then either closure (RC8/RC9) or, while it is open, nothing more."""
        assessment = self.assessment(episode["CINreferralDate"])
        episode["Assessments"] = [assessment]
        done = assessment.get("AssessmentAuthorisationDate")
        if done is not None and (close or (close is None and self.rng.random() < 0.7)):
            self.close(episode, self.rng.choice(("RC8", "RC9")), done)
            if episode.get("CINclosureDate") is not None and self.rng.random() < 0.2:
                assessment["AssessmentFactors"] = ["21"]
        return episode

    def cin_plan(self, episode: Record) -> Record:
        assessment = self.assessment(episode["CINreferralDate"])
        episode["Assessments"] = [assessment]
        done = assessment.get("AssessmentAuthorisationDate")
        if done is None:
            return episode
        plan_start = done + dt.timedelta(days=self.rng.randint(0, 5))
        if plan_start > self.end:
            return episode
        plan_end = plan_start + dt.timedelta(days=self.rng.randint(20, 200))
        episode["CINPlanDates"] = [
            {"CINPlanStartDate": plan_start, "CINPlanEndDate": plan_end if plan_end <= self.end else None}
        ]
        if plan_end <= self.end:
            self.close(episode, self.rng.choice(("RC1", "RC3", "RC4", "RC5", "RC6", "RC7")), plan_end)
        return episode

    def section47(self, episode: Record) -> Record:
        start = min(add_working_days(episode["CINreferralDate"], self.rng.randint(0, 2)), self.end)
        conference = add_working_days(start, self.rng.randint(5, 15))
        s47: Record = {
            "S47ActualStartDate": start,
            "InitialCPCtarget": add_working_days(start, 15),
            "ICPCnotRequired": False,
        }
        if conference <= self.end:
            s47["DateOfInitialCPC"] = conference
        return s47

    def child_protection(self, episode: Record) -> Record:
        episode["Assessments"] = [self.assessment(episode["CINreferralDate"])]
        s47 = self.section47(episode)
        episode["Section47"] = [s47]
        conference = s47.get("DateOfInitialCPC")
        if conference is None:
            return episode
        plan = self.cp_plan(conference)
        episode["ChildProtectionPlans"] = [plan]
        ended = plan.get("CPPendDate")
        open_assessment = any(a.get("AssessmentAuthorisationDate") is None for a in episode["Assessments"])
        if ended is not None and not open_assessment:
            self.close(episode, "RC7", ended)
        return episode

    def cp_plan(self, start: dt.date, ends_from: dt.date | None = None) -> Record:
        plan: Record = {
            "CPPstartDate": start,
            "InitialCategoryOfAbuse": self.rng.choice(self.categories),
            "LatestCategoryOfAbuse": self.rng.choice(self.categories),
            "NumberOfPreviousCPP": self.rng.choice((0, 0, 0, 1, 2)),
            "Reviews": [],
        }
        review = add_working_days(add_months(start, 3), -self.rng.randint(0, 5))
        while review <= self.end:
            plan["Reviews"].append(review)
            review = add_working_days(add_months(review, 6), -self.rng.randint(0, 5))
        end = add_working_days(start, self.rng.randint(60, 300))
        if (ends_from or start) <= end <= self.end and self.rng.random() < 0.6:
            plan["CPPendDate"] = end
            plan["Reviews"] = [r for r in plan["Reviews"] if r < end]
        return plan

    def s47_not_required(self, episode: Record) -> Record:
        assessment = self.assessment(episode["CINreferralDate"])
        episode["Assessments"] = [assessment]
        s47 = {"S47ActualStartDate": assessment["AssessmentActualStartDate"], "ICPCnotRequired": True}
        episode["Section47"] = [s47]
        if assessment.get("AssessmentAuthorisationDate"):
            self.close(episode, "RC7", assessment["AssessmentAuthorisationDate"])
        return episode

    def carried(self, cp: bool) -> Record:
        """An episode referred last year and still open on 1 April, with a CIN plan or a CP plan."""
        referral = self.start - dt.timedelta(days=self.rng.randint(60, 360))
        episode = {
            "CINreferralDate": referral,
            "ReferralSource": self.rng.choice(self.sources),
            "PrimaryNeedCode": self.rng.choice(self.needs),
            "ReferralNFA": False,
        }
        began = self.day_between(referral + dt.timedelta(days=30), self.start - DAY)
        if cp:
            plan = self.cp_plan(began, ends_from=self.start)
            episode["ChildProtectionPlans"] = [plan]
            ended = plan.get("CPPendDate")
        else:
            ended = began + dt.timedelta(days=self.rng.randint(30, 500))
            ended = ended if self.start <= ended <= self.end else None
            episode["CINPlanDates"] = [{"CINPlanStartDate": began, "CINPlanEndDate": ended}]
        if ended is not None and ended >= self.start:
            self.close(episode, "RC7", ended)
        return episode


def _dates_in(episode: Record) -> list[dt.date]:
    """Every date recorded on an episode and the groups under it."""
    found = [v for v in episode.values() if isinstance(v, dt.date)]
    for key in ("Assessments", "CINPlanDates", "Section47", "ChildProtectionPlans"):
        for group in episode.get(key) or ():
            found += [v for v in group.values() if isinstance(v, dt.date)]
            found += list(group.get("Reviews") or ())
    return found


# --- breakers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breaker:
    """Breaks rule `code` on a child whose record `fits`; `apply` mutates the record in place."""

    code: str
    fits: Callable[[Record], bool]
    apply: Callable[[Record, dt.date], None]


BREAKERS: dict[str, Breaker] = {}


def breaker(code: str, fits: Callable[[Record], bool] | None = None) -> Callable:
    def register(apply: Callable[[Record, dt.date], None]) -> Callable:
        BREAKERS[code] = Breaker(code, fits or (lambda r: True), apply)
        return apply

    return register


def broken_return(
    n: int,
    year: str = "2025-26",
    seed: int = 1,
    codes_: list[str] | None = None,
) -> tuple[CINTables, dict[str, str]]:
    """A return of `n` children where each breaker (or those in `codes_`) broke one different child.

    Returns the tables and, per rule code, the LA child id of the child broken for it.
    """
    records = synthetic_records(n, year, seed)
    end = dt.date(year_end(year), 3, 31)
    used: set[int] = set()
    broken: dict[str, str] = {}
    for code in codes_ or sorted(BREAKERS):
        b = BREAKERS[code]
        index = next((i for i, r in enumerate(records) if i not in used and b.fits(r)), None)
        if index is None:
            continue
        used.add(index)
        b.apply(records[index], end)
        if code == "1520":  # a duplicate needs a second child: take another child's UPN
            others = (r["ChildIdentifiers"].get("UPN") for i, r in enumerate(records) if i != index)
            records[index]["ChildIdentifiers"]["UPN"] = next(u for u in others if u)
        broken[code] = records[index]["ChildIdentifiers"]["LAchildID"] or f"#{index}"
    return records_to_tables(records, year), broken


def break_record(record: Record, code: str, year: str = "2025-26") -> Record:
    """A copy of `record` with the breaker for `code` applied (the record must fit it)."""
    result = copy.deepcopy(record)
    BREAKERS[code].apply(result, dt.date(year_end(year), 3, 31))
    return result


def _ident(r: Record) -> Record:
    return r["ChildIdentifiers"]


def _ep(r: Record, n: int = 0) -> Record:
    return r["CINdetails"][n]


def _has(key: str, test: Callable[[Record], bool] = lambda g: True) -> Callable[[Record], bool]:
    return lambda r: any(test(g) for e in r["CINdetails"] for g in e.get(key) or ())


def _first(r: Record, key: str, test: Callable[[Record], bool] = lambda g: True) -> tuple[Record, Record]:
    return next((e, g) for e in r["CINdetails"] for g in e.get(key) or () if test(g))


def _born(r: Record) -> bool:
    return _ident(r).get("PersonBirthDate") is not None


def _upn(r: Record) -> bool:
    return _ident(r).get("UPN") is not None


def _closed(r: Record) -> bool:
    return _ep(r).get("CINclosureDate") is not None


def _further_action(r: Record) -> bool:
    return any(e["ReferralNFA"] is False for e in r["CINdetails"])


def _completed(g: Record) -> bool:
    return g.get("AssessmentAuthorisationDate") is not None


def _in_year_plan(r: Record) -> bool:
    return _has(
        "ChildProtectionPlans",
        lambda g: (
            g["CPPstartDate"].month != 3
            and "CPPendDate" in g
            and g["CPPstartDate"] > g["CPPendDate"] - dt.timedelta(days=400)
        ),
    )(r) and _has("Section47")(r)


def _set(path: Callable[[Record], Record], key: str, value: Any) -> Callable[[Record, dt.date], None]:
    def apply(r: Record, end: dt.date) -> None:
        path(r)[key] = value(r, end) if callable(value) else value

    return apply


# identifiers
breaker("8500")(_set(_ident, "LAchildID", None))
breaker("1570")(_set(_ident, "LAchildID", lambda r, e: "DEMO" + "9" * 17))
breaker("1580")(
    _set(
        _ident,
        "LAchildID",
        lambda r, e: r["ChildIdentifiers"]["LAchildID"][:4] + "-" + r["ChildIdentifiers"]["LAchildID"][4:],
    )
)
breaker("1510", _upn)(
    _set(
        _ident,
        "UPN",
        lambda r, e: ("B" if r["ChildIdentifiers"]["UPN"][0] == "A" else "A") + r["ChildIdentifiers"]["UPN"][1:],
    )
)
breaker("1530", _upn)(_set(_ident, "UPN", lambda r, e: make_upn(int(r["ChildIdentifiers"]["UPN"][4:]), "999")))
breaker("1540", _upn)(
    _set(_ident, "UPN", lambda r, e: r["ChildIdentifiers"]["UPN"][:5] + "X" + r["ChildIdentifiers"]["UPN"][6:])
)
breaker("1550", _upn)(_set(_ident, "UPN", lambda r, e: r["ChildIdentifiers"]["UPN"][:12] + "I"))
breaker("1560Q")(_set(_ident, "FormerUPN", "12345"))
breaker("4180", _born)(_set(_ident, "Sex", "X"))
breaker("8750", lambda r: not _born(r))(_set(_ident, "Sex", "F"))
breaker("8520", _born)(_set(_ident, "PersonBirthDate", lambda r, e: e + dt.timedelta(days=3)))
breaker("8525Q", _born)(_set(_ident, "ExpectedPersonBirthDate", lambda r, e: e + dt.timedelta(days=40)))
breaker("8530Q", lambda r: not _born(r))(
    _set(
        _ident,
        "ExpectedPersonBirthDate",
        lambda r, e: (
            _ep(r)["CINreferralDate"] + dt.timedelta(days=275)
            if _ep(r)["CINreferralDate"] + dt.timedelta(days=275) <= e - dt.timedelta(days=30)
            else e + dt.timedelta(days=300)
        ),
    )
)
breaker("8535Q", _born)(_set(_ident, "PersonDeathDate", lambda r, e: r["ChildIdentifiers"]["PersonBirthDate"] - DAY))
breaker("8545Q", _born)(_set(_ident, "PersonDeathDate", lambda r, e: e + dt.timedelta(days=5)))
breaker("8772", _further_action)(_set(_ident, "UPNunknown", "UN7"))
breaker("8590")(_set(lambda r: r, "CINdetails", []))
breaker("4220")(_set(lambda r: r, "Ethnicity", "WXYZ"))
breaker("8540", lambda r: _born(r) and _further_action(r))(_set(lambda r: r, "Disabilities", ["XYZ"]))
breaker("8790", lambda r: r["Disabilities"] == ["NONE"])(_set(lambda r: r, "Disabilities", ["NONE", "MOB"]))
breaker("8794", lambda r: r["Disabilities"] == ["NONE"])(_set(lambda r: r, "Disabilities", ["HAND", "HAND"]))


@breaker("1520", _upn)
def _b1520(r: Record, end: dt.date) -> None:
    """Give the child the UPN of child number 0 (`broken_return` uses another child's UPN instead)."""
    _ident(r)["UPN"] = make_upn(0)


@breaker("8510")
def _b8510(r: Record, end: dt.date) -> None:
    _ident(r)["LAchildID"] = "DEMO000000"


@breaker("8770Q", lambda r: _upn(r) and _further_action(r))
def _b8770q(r: Record, end: dt.date) -> None:
    _ident(r)["UPN"], _ident(r)["UPNunknown"] = None, "UN1"


@breaker("8775Q", lambda r: _born(r) and not _closed(r))
def _b8775q(r: Record, end: dt.date) -> None:
    _ident(r)["PersonBirthDate"] = dt.date(end.year - 30, 1, 15)
    _ident(r)["UPN"], _ident(r)["UPNunknown"] = make_upn(99_000_000), None


# episodes
breaker("8600")(_set(_ep, "CINreferralDate", None))
breaker("8866")(_set(_ep, "ReferralSource", "99"))
breaker("8650", lambda r: _ep(r)["ReferralNFA"] is False)(_set(_ep, "PrimaryNeedCode", "N12"))
breaker("8610", lambda r: _ep(r)["ReferralNFA"] is False)(_set(_ep, "PrimaryNeedCode", None))
breaker("8568")(_set(_ep, "ReferralNFA", None))
breaker("8620", _closed)(_set(_ep, "CINclosureDate", lambda r, e: e + dt.timedelta(days=2)))
breaker("8640", _closed)(_set(_ep, "ReasonForClosure", "RC0"))
breaker("8805", _closed)(_set(_ep, "ReasonForClosure", None))
breaker("8810", lambda r: not _closed(r))(_set(_ep, "ReasonForClosure", "RC7"))
breaker("8585Q", lambda r: _closed(r) and len(r["CINdetails"]) == 1)(_set(_ep, "ReasonForClosure", "RC2"))


@breaker("8569Q", lambda r: _ep(r)["ReferralNFA"] is True)
def _b8569q(r: Record, end: dt.date) -> None:
    day = dt.date(end.year - 1, 2, 10)
    _ep(r)["CINreferralDate"], _ep(r)["CINclosureDate"] = day, None
    _ep(r)["ReasonForClosure"] = None


@breaker("8630", lambda r: _closed(r) and not _ep(r).get("Assessments"))
def _b8630(r: Record, end: dt.date) -> None:
    _ep(r)["CINreferralDate"] = _ep(r)["CINclosureDate"] + dt.timedelta(days=3)


@breaker("8555Q", lambda r: _born(r) and len(r["CINdetails"]) == 1 and not _ep(r).get("Assessments"))
def _b8555q(r: Record, end: dt.date) -> None:
    _ident(r)["PersonDeathDate"] = _ep(r)["CINreferralDate"] - DAY


@breaker("8606", lambda r: not _born(r) and _ep(r)["CINreferralDate"].month not in (3,))
def _b8606(r: Record, end: dt.date) -> None:
    _ident(r)["ExpectedPersonBirthDate"] = _ep(r)["CINreferralDate"] + dt.timedelta(days=290)


@breaker(
    "8815",
    lambda r: (
        not _closed(r) and _ep(r)["ReferralNFA"] is False and len(r["CINdetails"]) == 1 and not _ep(r).get("Section47")
    ),
)
def _b8815(r: Record, end: dt.date) -> None:
    later = dict(_ep(r), Assessments=[], CINPlanDates=[], Section47=[], ChildProtectionPlans=[])
    later["CINreferralDate"] = _ep(r)["CINreferralDate"]
    r["CINdetails"].append(later)


@breaker("8816", lambda r: len(r["CINdetails"]) == 2 and not _ep(r, 1).get("Section47"))
def _b8816(r: Record, end: dt.date) -> None:
    for key in ("CINclosureDate", "ReasonForClosure"):
        _ep(r)[key] = None
    _ep(r)["Assessments"] = []


@breaker("8820", lambda r: len(r["CINdetails"]) == 2)
def _b8820(r: Record, end: dt.date) -> None:
    _ep(r, 1)["CINreferralDate"] = _ep(r)["CINclosureDate"] - DAY
    for group in ("Assessments",):
        for g in _ep(r, 1).get(group) or ():
            g["AssessmentActualStartDate"] = max(g["AssessmentActualStartDate"], _ep(r, 1)["CINreferralDate"])


@breaker("8825Q", lambda r: _ep(r).get("ReasonForClosure") in ("RC8", "RC9") and len(r["CINdetails"]) == 1)
def _b8825q(r: Record, end: dt.date) -> None:
    _ep(r)["Assessments"] = []


@breaker("2990", lambda r: _ep(r).get("ReasonForClosure") in ("RC8", "RC9") and len(r["CINdetails"]) == 1)
def _b2990(r: Record, end: dt.date) -> None:
    a = _ep(r)["Assessments"][0]
    _ep(r)["CINPlanDates"] = [
        {
            "CINPlanStartDate": a["AssessmentAuthorisationDate"],
            "CINPlanEndDate": _ep(r)["CINclosureDate"] + DAY * 0,
        }
    ]
    if a["AssessmentFactors"] == ["21"]:
        a["AssessmentFactors"] = ["1A"]


@breaker("8831", lambda r: _ep(r)["ReferralNFA"] is True and _born(r))
def _b8831(r: Record, end: dt.date) -> None:
    day = _ep(r)["CINreferralDate"]
    _ep(r)["Assessments"] = [
        {"AssessmentActualStartDate": day, "AssessmentAuthorisationDate": day, "AssessmentFactors": ["1A"]}
    ]


@breaker("8832", lambda r: _ep(r)["ReferralNFA"] is True and _ep(r)["CINreferralDate"] < dt.date(2100, 1, 1))
def _b8832(r: Record, end: dt.date) -> None:
    day = _ep(r)["CINreferralDate"]
    _ep(r)["ChildProtectionPlans"] = [
        {
            "CPPstartDate": day,
            "CPPendDate": day + DAY * 0 + dt.timedelta(days=0),
            "InitialCategoryOfAbuse": "NEG",
            "LatestCategoryOfAbuse": "NEG",
            "NumberOfPreviousCPP": 0,
        }
    ]
    _ep(r)["ChildProtectionPlans"][0].pop("CPPendDate")


@breaker("4000", lambda r: _ep(r)["ReferralNFA"] is True)
def _b4000(r: Record, end: dt.date) -> None:
    day = _ep(r)["CINreferralDate"]
    _ep(r)["CINPlanDates"] = [{"CINPlanStartDate": day, "CINPlanEndDate": _ep(r)["CINclosureDate"]}]


@breaker(
    "8867",
    lambda r: (
        _closed(r)
        and _has("Assessments", _completed)(r)
        and len(r["CINdetails"]) == 1
        and not _has("Assessments", lambda g: g["AssessmentFactors"] == ["21"])(r)
    ),
)
def _b8867(r: Record, end: dt.date) -> None:
    _, a = _first(r, "Assessments", _completed)
    a["AssessmentAuthorisationDate"], a["AssessmentFactors"] = None, None


@breaker("8868", lambda r: _closed(r) and _has("Section47", lambda g: g.get("ICPCnotRequired") is True)(r))
def _b8868(r: Record, end: dt.date) -> None:
    _first(r, "Section47")[1]["ICPCnotRequired"] = False


@breaker("8565", lambda r: _closed(r) and _has("Assessments", _completed)(r) and len(r["CINdetails"]) == 1)
def _b8565(r: Record, end: dt.date) -> None:
    a = _first(r, "Assessments", _completed)[1]
    _ep(r)["CINclosureDate"] = a["AssessmentAuthorisationDate"] - DAY
    a["AssessmentActualStartDate"] = min(a["AssessmentActualStartDate"], _ep(r)["CINclosureDate"])
    _ep(r)["CINreferralDate"] = min(_ep(r)["CINreferralDate"], a["AssessmentActualStartDate"])


@breaker("2884", _in_year_plan)
def _b2884(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47")
    episode["DateOfInitialCPC"] = s47["DateOfInitialCPC"]


@breaker("8875", _has("Section47", lambda g: g.get("DateOfInitialCPC") is not None))
def _b8875(r: Record, end: dt.date) -> None:
    s47 = _first(r, "Section47", lambda g: g.get("DateOfInitialCPC") is not None)[1]
    day = s47["DateOfInitialCPC"]
    s47["DateOfInitialCPC"] = day + dt.timedelta(days=5 - day.weekday())  # the Saturday of that week


# assessments
def _assessed(r: Record) -> bool:
    return _has("Assessments", _completed)(r)


def _assessment(r: Record) -> Record:
    return _first(r, "Assessments", _completed)[1]


def _factors(value: list[str]) -> Callable[[Record, dt.date], None]:
    return _set(_assessment, "AssessmentFactors", value)


breaker("8869", _assessed)(_factors(["21", "1A"]))
breaker("8898", _assessed)(_factors(["1A", "1A"]))
breaker("8897Q", _assessed)(_factors([]))
breaker("8945Q", _assessed)(_factors(["18A"]))
breaker("8950Q", _assessed)(_factors(["19A"]))
breaker("8696", _assessed)(_set(_assessment, "AssessmentAuthorisationDate", lambda r, e: e + DAY))


@breaker("1103", _assessed)
def _b1103(r: Record, end: dt.date) -> None:
    episode, a = _first(r, "Assessments", _completed)
    a["AssessmentActualStartDate"] = episode["CINreferralDate"] - DAY


@breaker("8608", _assessed)
def _b8608(r: Record, end: dt.date) -> None:
    a = _assessment(r)
    a["AssessmentActualStartDate"] = a["AssessmentAuthorisationDate"] + DAY


@breaker("8614", lambda r: _has("Assessments", lambda g: not _completed(g))(r))
def _b8614(r: Record, end: dt.date) -> None:
    _first(r, "Assessments", lambda g: not _completed(g))[1]["AssessmentFactors"] = ["1A"]


@breaker("8670Q", lambda r: not _closed(r) and _assessed(r) and len(r["CINdetails"]) == 1)
def _b8670q(r: Record, end: dt.date) -> None:
    a = _assessment(r)
    a["AssessmentAuthorisationDate"], a["AssessmentFactors"] = None, None
    a["AssessmentActualStartDate"] = max(_ep(r)["CINreferralDate"], a["AssessmentActualStartDate"])
    if a["AssessmentActualStartDate"] >= add_working_days(end, -50):
        a["AssessmentActualStartDate"] = _ep(r)["CINreferralDate"] = add_working_days(end, -60)


@breaker("8736", lambda r: not _closed(r) and _assessed(r) and len(r["CINdetails"]) == 1)
def _b8736(r: Record, end: dt.date) -> None:
    a = _assessment(r)
    a["AssessmentAuthorisationDate"], a["AssessmentFactors"] = None, None
    a["AssessmentActualStartDate"] = _ep(r)["CINreferralDate"] = dt.date(end.year - 1, 3, 3)


@breaker("8896", lambda r: not _closed(r) and _has("Assessments")(r) and len(r["CINdetails"]) == 1)
def _b8896(r: Record, end: dt.date) -> None:
    episode = _ep(r)
    day = episode["CINreferralDate"]
    episode["Assessments"] = [{"AssessmentActualStartDate": day}, {"AssessmentActualStartDate": day + DAY}]


@breaker("8863Q", _assessed)
def _b8863q(r: Record, end: dt.date) -> None:
    episode, a = _first(r, "Assessments", _completed)
    episode["Assessments"].append(dict(a, AssessmentActualStartDate=a["AssessmentAuthorisationDate"]))


@breaker("8873Q", lambda r: _assessed(r) and not _closed(r) and len(r["CINdetails"]) == 1)
def _b8873q(r: Record, end: dt.date) -> None:
    _assessment(r)["AssessmentFactors"] = ["21"]


@breaker("2991Q", _has("Section47"))
def _b2991q(r: Record, end: dt.date) -> None:
    episode, _ = _first(r, "Section47")
    episode["Assessments"] = []
    if episode.get("ReasonForClosure") in ("RC8", "RC9"):
        episode["ReasonForClosure"] = "RC7"


# CIN plans
def _planned(test: Callable[[Record], bool] = lambda g: True) -> Callable[[Record], bool]:
    return _has("CINPlanDates", test)


def _plan(r: Record) -> Record:
    return _first(r, "CINPlanDates")[1]


def _ended(g: Record) -> bool:
    return g.get("CINPlanEndDate") is not None


breaker("4010", _planned())(_set(_plan, "CINPlanStartDate", None))
breaker("4013", _planned(_ended))(
    _set(lambda r: _first(r, "CINPlanDates", _ended)[1], "CINPlanEndDate", lambda r, e: e + DAY)
)


@breaker("4011", _planned(_ended))
def _b4011(r: Record, end: dt.date) -> None:
    plan = _first(r, "CINPlanDates", _ended)[1]
    plan["CINPlanEndDate"] = plan["CINPlanStartDate"] - DAY


@breaker("4012Q", _planned(_ended))
def _b4012q(r: Record, end: dt.date) -> None:
    plan = _first(r, "CINPlanDates", _ended)[1]
    plan["CINPlanEndDate"] = plan["CINPlanStartDate"]


@breaker("4015", _planned(lambda g: g["CINPlanStartDate"] is not None))
def _b4015(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "CINPlanDates")
    plan["CINPlanStartDate"] = episode["CINreferralDate"] - DAY


@breaker("4004", _planned(lambda g: not _ended(g)))
def _b4004(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "CINPlanDates")
    episode["CINPlanDates"].append(dict(plan))


@breaker("4014", _planned(_ended))
def _b4014(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "CINPlanDates", _ended)
    episode["CINPlanDates"].append(dict(plan, CINPlanStartDate=plan["CINPlanEndDate"], CINPlanEndDate=None))
    for key in ("CINclosureDate", "ReasonForClosure"):
        episode[key] = None


@breaker("4008", _planned())
def _b4008(r: Record, end: dt.date) -> None:
    plan = _plan(r)
    _ident(r)["PersonDeathDate"] = plan["CINPlanStartDate"] - DAY


@breaker("4009Q", _planned(_ended))
def _b4009q(r: Record, end: dt.date) -> None:
    plan = _first(r, "CINPlanDates", _ended)[1]
    _ident(r)["PersonDeathDate"] = plan["CINPlanEndDate"] - DAY


def _cp(test: Callable[[Record], bool] = lambda g: True) -> Callable[[Record], bool]:
    return _has("ChildProtectionPlans", test)


def _cpp(r: Record) -> Record:
    return _first(r, "ChildProtectionPlans")[1]


def _cpp_ended(g: Record) -> bool:
    return g.get("CPPendDate") is not None


@breaker("4001", _cp(lambda g: not _cpp_ended(g)))
def _b4001(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans")
    episode["CINPlanDates"] = [{"CINPlanStartDate": plan["CPPstartDate"]}]


@breaker("4016", _cp(_cpp_ended))
def _b4016(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans", _cpp_ended)
    episode["CINPlanDates"] = [{"CINPlanStartDate": plan["CPPendDate"] - DAY, "CINPlanEndDate": plan["CPPendDate"]}]


@breaker("4017", _cp(lambda g: g["CPPstartDate"] > g["CPPstartDate"].replace(day=1)))
def _b4017(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans")
    start = plan["CPPstartDate"]
    episode["CINPlanDates"] = [
        {"CINPlanStartDate": max(start - DAY, episode["CINreferralDate"]), "CINPlanEndDate": start + DAY}
    ]


@breaker("4003", _cp(lambda g: len(g.get("Reviews") or ()) > 0 and _cpp_ended(g)))
def _b4003(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans", lambda g: len(g.get("Reviews") or ()) > 0 and _cpp_ended(g))
    review = plan["Reviews"][0]
    episode["CINPlanDates"] = [{"CINPlanStartDate": review, "CINPlanEndDate": review + DAY}]


# child protection plans and reviews
breaker("8720", _cp())(_set(_cpp, "CPPstartDate", None))
breaker("8730", _cp())(_set(_cpp, "NumberOfPreviousCPP", None))
breaker("8905", _cp())(_set(_cpp, "InitialCategoryOfAbuse", "ABC"))
breaker("8910", _cp())(_set(_cpp, "LatestCategoryOfAbuse", None))
breaker("8930", _cp(_cpp_ended))(
    _set(lambda r: _first(r, "ChildProtectionPlans", _cpp_ended)[1], "CPPendDate", lambda r, e: e + DAY)
)
breaker("8842Q", _cp(lambda g: bool(g.get("Reviews"))))(
    _set(lambda r: _first(r, "ChildProtectionPlans", lambda g: bool(g.get("Reviews")))[1], "Reviews", [None])
)


@breaker("1105", _cp())
def _b1105(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans")
    plan["CPPstartDate"] = episode["CINreferralDate"] - DAY


@breaker("2885", _in_year_plan)
def _b2885(r: Record, end: dt.date) -> None:
    plan = _first(r, "ChildProtectionPlans")[1]
    plan["CPPstartDate"] += DAY


@breaker("8840", _cp(_cpp_ended))
def _b8840(r: Record, end: dt.date) -> None:
    plan = _first(r, "ChildProtectionPlans", _cpp_ended)[1]
    plan["CPPendDate"], plan["Reviews"] = plan["CPPstartDate"], []


@breaker("8925", _cp(_cpp_ended))
def _b8925(r: Record, end: dt.date) -> None:
    plan = _first(r, "ChildProtectionPlans", _cpp_ended)[1]
    plan["CPPendDate"], plan["Reviews"] = plan["CPPstartDate"] - DAY, []


@breaker("8841", _cp(lambda g: bool(g.get("Reviews"))))
def _b8841(r: Record, end: dt.date) -> None:
    plan = _first(r, "ChildProtectionPlans", lambda g: bool(g.get("Reviews")))[1]
    plan["Reviews"][0] = plan["CPPstartDate"]


@breaker("8915", _cp())
def _b8915(r: Record, end: dt.date) -> None:
    _ident(r)["PersonDeathDate"] = _cpp(r)["CPPstartDate"] - DAY


@breaker("8920", _cp(_cpp_ended))
def _b8920(r: Record, end: dt.date) -> None:
    _ident(r)["PersonDeathDate"] = _first(r, "ChildProtectionPlans", _cpp_ended)[1]["CPPendDate"] - DAY


@breaker("8935", _cp(lambda g: not _cpp_ended(g)))
def _b8935(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans", lambda g: not _cpp_ended(g))
    episode["ChildProtectionPlans"].append(dict(plan, Reviews=[]))


@breaker("8940", _cp(_cpp_ended))
def _b8940(r: Record, end: dt.date) -> None:
    episode, plan = _first(r, "ChildProtectionPlans", _cpp_ended)
    episode["ChildProtectionPlans"].append(dict(plan, CPPstartDate=plan["CPPendDate"], CPPendDate=None, Reviews=[]))
    for key in ("CINclosureDate", "ReasonForClosure"):
        episode[key] = None


# section 47 enquiries
def _s47(test: Callable[[Record], bool] = lambda g: True) -> Callable[[Record], bool]:
    return _has("Section47", test)


def _conference(g: Record) -> bool:
    return g.get("DateOfInitialCPC") is not None


@breaker("2889", _s47())
def _b2889(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47")
    s47["S47ActualStartDate"] = episode["CINreferralDate"] - DAY


@breaker("1104", _s47(_conference))
def _b1104(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47", _conference)
    s47["DateOfInitialCPC"] = add_working_days(episode["CINreferralDate"], -1)


@breaker("8615", _s47(_conference))
def _b8615(r: Record, end: dt.date) -> None:
    s47 = _first(r, "Section47", _conference)[1]
    s47["S47ActualStartDate"] = s47["DateOfInitialCPC"] + DAY


@breaker("8715", _s47(_conference))
def _b8715(r: Record, end: dt.date) -> None:
    s47 = _first(r, "Section47", _conference)[1]
    s47["DateOfInitialCPC"] = add_working_days(end, 2)


@breaker("8870Q", _s47(lambda g: g.get("InitialCPCtarget") is not None))
def _b8870q(r: Record, end: dt.date) -> None:
    s47 = _first(r, "Section47", lambda g: g.get("InitialCPCtarget") is not None)[1]
    day = s47["InitialCPCtarget"]
    s47["InitialCPCtarget"] = day + dt.timedelta(days=6 - day.weekday())  # that week's Sunday


def _awaiting(g: Record) -> bool:
    return g.get("ICPCnotRequired") is False


@breaker("8675Q", lambda r: _s47(_awaiting)(r) and not _closed(r) and len(r["CINdetails"]) == 1)
def _b8675q(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47", _awaiting)
    s47.pop("DateOfInitialCPC", None)
    episode["ChildProtectionPlans"] = []
    s47["S47ActualStartDate"] = max(s47["S47ActualStartDate"], episode["CINreferralDate"])
    if s47["S47ActualStartDate"] >= add_working_days(end, -20):
        s47["S47ActualStartDate"] = episode["CINreferralDate"] = add_working_days(end, -30)
        for a in episode.get("Assessments") or ():
            a["AssessmentActualStartDate"] = max(a["AssessmentActualStartDate"], episode["CINreferralDate"])


@breaker("8740", lambda r: _s47(_awaiting)(r) and not _closed(r) and len(r["CINdetails"]) == 1)
def _b8740(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47", _awaiting)
    s47.pop("DateOfInitialCPC", None)
    episode["ChildProtectionPlans"], episode["Assessments"] = [], []
    s47["S47ActualStartDate"] = episode["CINreferralDate"] = dt.date(end.year - 1, 3, 10)


@breaker("8839", _s47(lambda g: not _conference(g) and _awaiting(g)))
def _b8839(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47", lambda g: not _conference(g) and _awaiting(g))
    episode["Section47"].append(dict(s47))


@breaker("8890", _s47(_conference))
def _b8890(r: Record, end: dt.date) -> None:
    episode, s47 = _first(r, "Section47", _conference)
    episode["Section47"].append(
        dict(s47, S47ActualStartDate=s47["DateOfInitialCPC"], DateOfInitialCPC=None, ICPCnotRequired=True)
    )


# values that cannot be read
breaker("SCHEMA")(_set(_ep, "CINreferralDate", lambda r, e: "2025-02-30"))
