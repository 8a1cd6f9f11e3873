"""The health-needs picture for NHS commissioners: counts of children in need, on child protection
plans and looked after, by age band, sex, ethnicity group and postcode district, and by each health
need the record holds, with small numbers suppressed (`suppression`).

The cohorts partition the children on the day counted, highest level of care first, as the DfE
counts them: looked after (an open period of care), else on a child protection plan, else a child in
need (an open referral episode not closed at referral). Health needs come from the record: disability
codes; the latest SDQ score in the year before (bands 0-13 normal, 14-16 borderline, 17-40 cause for
concern, as NHS England and the DfE band the total difficulties score); health assessments, dental
checks and immunisations recorded in that year; substance misuse from the OC2 items, the health
record and the child's own assessment factors (1A, 2A); mental health (4A), learning disability (5A),
physical disability or illness (6A) and self-harm (15A) from assessments completed in the year.

The builder reads the record directly, set-based (a handful of queries whatever the borough's size),
as the return builders do: it is an aggregate, and only its suppressed tables leave this module.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from opencsc.casework import models as cm
from opencsc.people import models as pm
from opencsc.people.matching.normalise import postcode_district
from opencsc.standard_data.suppression import TOTAL, Edge, SuppressedTable, suppress, suppress_totals_line

COHORTS: list[tuple[str, str]] = [
    ("cin", "Child in need"),
    ("cp", "Child protection plan"),
    ("lac", "Looked after"),
]
SUPPRESSED = "[c]"  # the Government Statistical Service's mark for a confidential count
YEAR = dt.timedelta(days=365)
BATCH = 5000
NOT_RECORDED = "Not recorded"
OTHER_DISTRICTS = "Other districts or not recorded"


def threshold() -> int:
    """Counts below this are suppressed (setting `OPENCSC_HEALTH_NEEDS_THRESHOLD`, default 5)."""
    return max(2, int(getattr(settings, "OPENCSC_HEALTH_NEEDS_THRESHOLD", 5)))


@dataclass
class Child:
    """What the picture needs to know about one child; never leaves this module."""

    cohort: str
    age_band: str = NOT_RECORDED
    sex: str = NOT_RECORDED
    ethnicity: str = NOT_RECORDED
    district: str = NOT_RECORDED
    needs: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    key: str
    title: str
    rows: list[str]
    result: SuppressedTable

    def shown_rows(self) -> list[dict[str, Any]]:
        """Each row's shown counts by cohort and its total; None where suppressed."""
        out = []
        for i, label in enumerate(self.rows):
            counts = [self.result.shown((i, j)) for j in range(len(COHORTS))]
            out.append({"label": label, "counts": counts, "total": self.result.shown((i, TOTAL))})
        return out

    def shown_totals(self) -> dict[str, Any]:
        return {
            "counts": [self.result.shown((TOTAL, j)) for j in range(len(COHORTS))],
            "total": self.result.shown((TOTAL, TOTAL)),
        }

    def as_released(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "rows": self.shown_rows(), "totals": self.shown_totals()}


@dataclass
class Report:
    as_of: dt.date
    threshold: int
    children: int
    tables: list[Table]

    def as_released(self) -> list[dict[str, Any]]:
        return [t.as_released() for t in self.tables]


# ---- Reading the record -------------------------------------------------------------------------


def _open_on(day: dt.date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


def cohorts_on(day: dt.date) -> dict[int, str]:
    """{child id: cohort} on the day: looked after, else CP plan, else child in need."""
    found: dict[int, str] = {}
    for child_id in cm.ReferralEpisode.objects.filter(
        _open_on(day, "referral_date", "closure_date"), referral_nfa=False
    ).values_list("child_id", flat=True):
        found[child_id] = "cin"
    for child_id in cm.ChildProtectionPlan.objects.filter(_open_on(day, "start_date", "end_date")).values_list(
        "child_id", flat=True
    ):
        found[child_id] = "cp"
    for child_id in cm.PeriodOfCare.objects.filter(_open_on(day, "start_date", "end_date")).values_list(
        "child_id", flat=True
    ):
        found[child_id] = "lac"
    return found


def age_band(person: pm.Person, day: dt.date) -> str:
    if person.date_of_birth is None:
        return "Unborn" if person.expected_date_of_birth else NOT_RECORDED
    age = person.age_on(day) or 0
    for upper, label in ((1, "Under 1"), (5, "1 to 4"), (10, "5 to 9"), (16, "10 to 15"), (18, "16 to 17")):
        if age < upper:
            return label
    return "18 and over"


AGE_BANDS = ["Unborn", "Under 1", "1 to 4", "5 to 9", "10 to 15", "16 to 17", "18 and over", NOT_RECORDED]
SEXES = {"M": "Male", "F": "Female", "U": "Not known or not recorded"}
ETHNIC_GROUPS = {
    "W": "White",
    "M": "Mixed or multiple ethnic groups",
    "A": "Asian or Asian British",
    "B": "Black, Black British, Caribbean or African",
    "C": "Other ethnic group",  # CHNE: the DfE's "Chinese" sits in "Other ethnic group" for these tables
    "O": "Other ethnic group",
}
REFUSED = "Refused or not yet obtained"


def ethnic_group(code: str) -> str:
    if code in ("REFU", "NOBT"):
        return REFUSED
    return ETHNIC_GROUPS.get(code[:1], NOT_RECORDED) if code else NOT_RECORDED


def sdq_band(score: str) -> str:
    try:
        value = int(score)
    except (TypeError, ValueError):
        return "No score in the year"
    if value <= 13:
        return "Normal (0 to 13)"
    return "Borderline (14 to 16)" if value <= 16 else "Cause for concern (17 to 40)"


def _children(ids: Iterable[int], day: dt.date, cohorts: dict[int, str]) -> dict[int, Child]:
    people = pm.Person.objects.filter(pk__in=list(ids)).only(
        "pk", "sex", "date_of_birth", "expected_date_of_birth", "ethnicity"
    )
    children = {}
    for p in people.iterator(chunk_size=2000):
        children[p.pk] = Child(
            cohort=cohorts[p.pk],
            age_band=age_band(p, day),
            sex=SEXES.get(p.sex, NOT_RECORDED),
            ethnicity=ethnic_group(p.ethnicity),
        )
    addresses = pm.Address.objects.filter(
        Q(person_id__in=children.keys()), Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day)
    ).order_by("person_id", "start_date")
    for a in addresses.only("person_id", "postcode").iterator(chunk_size=2000):
        children[a.person_id].district = postcode_district(a.postcode) or NOT_RECORDED
    return children


def _needs(children: dict[int, Child], day: dt.date) -> None:
    ids = list(children)
    since = day - YEAR
    flags: dict[int, set[str]] = defaultdict(set)
    disability: dict[int, set[str]] = defaultdict(set)
    for d in pm.Disability.objects.filter(person_id__in=ids).only("person_id", "code").iterator(chunk_size=2000):
        disability[d.person_id].add(d.code)
    latest_sdq: dict[int, tuple[dt.date, str]] = {}
    checks = cm.HealthCheck.objects.filter(child_id__in=ids, check_date__gt=since, check_date__lte=day)
    for h in checks.only("child_id", "kind", "check_date", "sdq_score").iterator(chunk_size=2000):
        flags[h.child_id].add(h.kind)
        if (
            h.kind == cm.HealthCheckKind.SDQ
            and h.sdq_score
            and h.check_date >= latest_sdq.get(h.child_id, (dt.date.min, ""))[0]
        ):
            latest_sdq[h.child_id] = (h.check_date, h.sdq_score)
    info = pm.HealthInformation.objects.filter(person_id__in=ids, recorded_on__gt=since, recorded_on__lte=day)
    for i in info.only("person_id", "kind").iterator(chunk_size=2000):
        flags[i.person_id].add(f"info:{i.kind}")
    assessments = cm.Assessment.objects.filter(child_id__in=ids).filter(
        Q(completed_date__gt=since, completed_date__lte=day) | Q(completed_date__isnull=True, start_date__lte=day)
    )
    for child_id, factors in assessments.values_list("child_id", "factors").iterator(chunk_size=2000):
        flags[child_id].update(f"factor:{code}" for code in factors or [])
    for child_id, child in children.items():
        child.needs = _child_needs(flags[child_id], disability.get(child_id, set()), latest_sdq.get(child_id))


def _yes(flag: bool, yes: str = "Yes", no: str = "No") -> str:
    return yes if flag else no


def _child_needs(flags: set[str], disability: set[str], sdq: tuple[dt.date, str] | None) -> dict[str, str]:
    K = cm.HealthCheckKind
    has = flags.__contains__
    disabled = bool(disability - {"NONE"})
    return {
        "disability": "Has a disability" if disabled else ("No disability" if disability else NOT_RECORDED),
        "sdq": sdq_band(sdq[1] if sdq else ""),
        "health_assessment": _yes(has(K.HEALTH_ASSESSMENT) or has("info:assessment")),
        "dental": _yes(has(K.TEETH_CHECK) or has("info:dental")),
        "immunisations": _yes(has(K.IMMUNISATIONS) or has("info:immunisation"), "Recorded up to date", NOT_RECORDED),
        "substance": _yes(
            has(K.SUBSTANCE_MISUSE) or has("info:substance") or has("factor:1A") or has("factor:2A"),
            "Identified",
            "Not identified",
        ),
        "mental_health": _yes(has("factor:4A") or has("info:mental_health"), "Identified", "Not identified"),
        "learning_disability": _yes(has("factor:5A"), "Identified", "Not identified"),
        "physical_health": _yes(has("factor:6A") or has("info:condition"), "Identified", "Not identified"),
        "self_harm": _yes(has("factor:15A"), "Identified", "Not identified"),
    }


# ---- The tables ---------------------------------------------------------------------------------

YES_NO = ["Yes", "No"]
IDENTIFIED = ["Identified", "Not identified"]
BREAKDOWNS: list[tuple[str, str, list[str] | None, Callable[[Child], str]]] = [
    ("age_band", "Age band", AGE_BANDS, lambda c: c.age_band),
    ("sex", "Sex", list(SEXES.values()), lambda c: c.sex),
    (
        "ethnicity",
        "Ethnicity group",
        [*dict.fromkeys(ETHNIC_GROUPS.values()), REFUSED, NOT_RECORDED],
        lambda c: c.ethnicity,
    ),
    ("district", "Postcode district of home address", None, lambda c: c.district),
    ("disability", "Disability", ["Has a disability", "No disability", NOT_RECORDED], lambda c: c.needs["disability"]),
    (
        "sdq",
        "Strengths and difficulties questionnaire (latest score in the year)",
        ["Normal (0 to 13)", "Borderline (14 to 16)", "Cause for concern (17 to 40)", "No score in the year"],
        lambda c: c.needs["sdq"],
    ),
    ("health_assessment", "Health assessment in the year", YES_NO, lambda c: c.needs["health_assessment"]),
    ("dental", "Dental check in the year", YES_NO, lambda c: c.needs["dental"]),
    ("immunisations", "Immunisations", ["Recorded up to date", NOT_RECORDED], lambda c: c.needs["immunisations"]),
    ("substance", "Substance misuse by the child", IDENTIFIED, lambda c: c.needs["substance"]),
    ("mental_health", "Mental health of the child", IDENTIFIED, lambda c: c.needs["mental_health"]),
    ("learning_disability", "Learning disability of the child", IDENTIFIED, lambda c: c.needs["learning_disability"]),
    (
        "physical_health",
        "Physical disability or illness of the child",
        IDENTIFIED,
        lambda c: c.needs["physical_health"],
    ),
    ("self_harm", "Self-harm", IDENTIFIED, lambda c: c.needs["self_harm"]),
]


def _district_rows(children: Iterable[Child], limit: int) -> tuple[list[str], Callable[[Child], str]]:
    """Districts with fewer children than the threshold are pooled, so the table is not mostly [c]."""
    sizes = Counter(c.district for c in children)
    kept = sorted(d for d, n in sizes.items() if n >= limit and d != NOT_RECORDED)
    keep = set(kept)
    return [*kept, OTHER_DISTRICTS], lambda c: c.district if c.district in keep else OTHER_DISTRICTS


@dataclass
class Counted:
    """The picture's true counts before suppression. Held in memory only: what is stored or released
    is always a `Report`'s suppressed tables."""

    as_of: dt.date
    threshold: int
    children: int
    sizes: list[int]  # the cohort sizes, in COHORTS order
    tables: list[tuple[str, str, list[str], list[list[int]]]]  # key, title, row labels, cells


@dataclass
class Forced:
    """Counts the differencing guard hides whatever their size: cells and row totals by table, cohort
    sizes (shared by every table) and the grand total."""

    cells: dict[str, set[Edge]] = field(default_factory=dict)
    cohorts: set[int] = field(default_factory=set)
    grand: bool = False

    def __len__(self) -> int:
        return sum(len(v) for v in self.cells.values()) + len(self.cohorts) + self.grand


Progress = Callable[[int, int], None]


def count(as_of: dt.date | None = None, limit: int | None = None, progress: Progress | None = None) -> Counted:
    """Count the children and tabulate them (nothing suppressed yet). `progress(done, total)` is
    called after each batch of children read."""
    day = as_of or timezone.localdate()
    limit = limit or threshold()
    cohorts = cohorts_on(day)
    everyone: list[Child] = []
    ids = sorted(cohorts)
    batches = max(1, -(-len(ids) // BATCH))
    for n, start in enumerate(range(0, len(ids), BATCH), start=1):  # bounded IN lists (SQLite caps parameters)
        children = _children(ids[start : start + BATCH], day, cohorts)
        _needs(children, day)
        everyone.extend(children.values())
        if progress is not None:
            progress(n, batches + 1)
    sizes = [sum(1 for c in everyone if c.cohort == key) for key, _ in COHORTS]
    column = {key: j for j, (key, _) in enumerate(COHORTS)}
    tables = []
    for key, title, rows, pick in BREAKDOWNS:
        if rows is None:
            rows, pick = _district_rows(everyone, limit)
        index = {label: i for i, label in enumerate(rows)}
        cells = [[0] * len(COHORTS) for _ in rows]
        for child in everyone:
            cells[index[pick(child)]][column[child.cohort]] += 1
        tables.append((key, title, rows, cells))
    if progress is not None:
        progress(batches + 1, batches + 1)
    return Counted(as_of=day, threshold=limit, children=len(everyone), sizes=sizes, tables=tables)


def protect(counted: Counted, forced: Forced | None = None) -> Report:
    """Suppress every table. The cohort sizes are suppressed once and hidden the same way in every
    table, so no two tables can show what the other hides; `forced` adds the differencing guard's."""
    forced = forced or Forced()
    limit = counted.threshold
    if sum(counted.sizes) >= limit:
        hidden_cohorts, grand = suppress_totals_line(counted.sizes, limit, forced.cohorts, forced.grand)
    else:
        hidden_cohorts, grand = set(range(len(COHORTS))), True
    tables = []
    for key, title, rows, cells in counted.tables:
        extra = set(forced.cells.get(key, set())) | ({(TOTAL, TOTAL)} if grand else set())
        tables.append(Table(key, title, rows, suppress(cells, limit, hidden_cohorts, extra)))
    return Report(as_of=counted.as_of, threshold=limit, children=counted.children, tables=tables)


def build(as_of: dt.date | None = None, limit: int | None = None) -> Report:
    """Count, tabulate and suppress: the picture on its own, before any comparison with releases."""
    return protect(count(as_of, limit))
