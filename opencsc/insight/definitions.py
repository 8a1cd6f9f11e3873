"""Every indicator, defined once: what it counts (numerator, denominator, period, exclusions), the
public source of that definition, and how it is computed from the record.

Sources are the ones `shared/docs/domain-reference.md` §7 cites ([S..] there): DfE statistics and
COLLECT's key indicators from the CIN census and SSDA903, the former national indicators (NI 63, 65),
Working Together 2023 and the Care Planning Regulations 2010. Where openCSC had to choose (a month as
the period, a child's team), the choice is written in the definition.

National comparison: no national or statistical-neighbour figure is shipped. The issue asks for
them "with their source and year". The domain reference (§7 and §2) was checked for them: it names
where national figures are published (DfE Explore Education Statistics, LAIT, LG Inform) but gives no
figure with its year; the one number in §7, a 2006/07 performance band of 10-15% for repeat CP plans,
is a band for a former indicator, not a national figure. So `national` is None for every indicator and
the pages say so. Adding one is a `National(...)` value with the publication and year, read from the
publication; never a remembered number.

Each indicator's `cases(record, window)` returns the cases behind one month's figure: for a
percentage, every member of the denominator with `counted` saying whether it is in the numerator;
for a rate, the children counted; for caseloads, the children allocated. Cases depend only on the
child's own rows (see `record.py`), which is what lets the drill-down recompute a figure for the
children a user may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from opencsc.casework.models import ContactDecision, VisitKind
from opencsc.core.working_days import add_months, working_days_between
from opencsc.insight.record import Record, Window


class Kind(StrEnum):
    PERCENT = "percent"  # numerator / denominator, as a percentage
    RATE = "rate"  # children per 10,000 children in the borough (OPENCSC_CHILD_POPULATION)
    AVERAGE = "average"  # numerator / denominator, as a number (children per worker)


class Polarity(StrEnum):
    HIGH = "high"  # higher is better
    LOW = "low"  # lower is better
    NONE = "none"  # neither: context, not a target


@dataclass(frozen=True)
class Case:
    """One child behind a figure: in the denominator, and `counted` in the numerator or not. `day`
    is the date that put them there (the referral, the plan's end...), for the drill-down.
    `worker_id` is set only where the case itself names the worker (caseloads)."""

    child_id: int
    counted: bool
    day: dt.date
    worker_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class National:
    """A published national figure: value, the year it is for, and where it was published."""

    value: float
    year: str
    source: str


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    theme: str
    kind: Kind
    numerator: str
    denominator: str
    period: str
    exclusions: str
    source: str
    polarity: Polarity
    cases: Callable[[Record, Window], list[Case]]
    also_in_return: str = ""  # the statutory return that measures the same thing, if any
    national: National | None = None
    by_team: bool = True  # rates per 10,000 are for the borough only

    @property
    def unit(self) -> str:
        return {"percent": "%", "rate": "per 10,000", "average": "children per worker"}[self.kind]


THEMES = (
    "Front door and assessment",
    "Child protection",
    "Children looked after",
    "Care leavers",
    "Workforce",
)


# --- the front door and assessment ------------------------------------------------------------------


def _contacts_to_referrals(rec: Record, w: Window) -> list[Case]:
    return [
        Case(child, decision == ContactDecision.REFERRAL, decided)
        for child, _, decision, decided in rec.in_window("contacts", 3, w)
    ]


def _decisions_in_one_day(rec: Record, w: Window) -> list[Case]:
    return [
        Case(child, working_days_between(received, decided) <= 1, decided)
        for child, received, _, decided in rec.in_window("contacts", 3, w)
    ]


def _re_referrals(rec: Record, w: Window) -> list[Case]:
    cases = []
    for _, child, day, _, _ in rec.in_window("referrals", 2, w):
        year_before = add_months(day, -12)
        earlier = [d for d in rec.referral_dates.get(child, []) if year_before <= d < day]
        cases.append(Case(child, bool(earlier), day))
    return cases


def _assessments_45(rec: Record, w: Window) -> list[Case]:
    return [
        Case(child, working_days_between(referred, authorised) <= 45, authorised)
        for child, referred, authorised in rec.in_window("assessments", 2, w)
    ]


def _icpc_15(rec: Record, w: Window) -> list[Case]:
    return [
        Case(child, working_days_between(strategy, held) <= 15, held)
        for child, strategy, held in rec.in_window("initial_conferences", 2, w)
    ]


# --- child protection --------------------------------------------------------------------------------


def _plans_started_in(category: str) -> Callable[[Record, Window], list[Case]]:
    def cases(rec: Record, w: Window) -> list[Case]:
        return [Case(child, cat == category, start) for _, child, start, _, cat in rec.in_window("cp_plans", 2, w)]

    return cases


def _repeat_plans(within_years: int | None) -> Callable[[Record, Window], list[Case]]:
    def cases(rec: Record, w: Window) -> list[Case]:
        found = []
        for plan, child, start, _, _ in rec.in_window("cp_plans", 2, w):
            since = None if within_years is None else add_months(start, -12 * within_years)
            earlier = [
                p
                for p in rec.cp_plans_by_child.get(child, [])
                if p[0] != plan and p[3] is not None and p[3] <= start and (since is None or p[3] >= since)
            ]
            found.append(Case(child, bool(earlier), start))
        return found

    return cases


def _plans_lasting_2y(rec: Record, w: Window) -> list[Case]:
    return [
        Case(child, end >= add_months(start, 24), end) for _, child, start, end, _ in rec.in_window("cp_plans", 3, w)
    ]


def _cp_visits(rec: Record, w: Window) -> list[Case]:
    """Children on a plan at the month's end whose last visit (seen) is within the local standard;
    a plan younger than the standard is not yet due a visit and is left out."""
    limit = settings.OPENCSC_CP_VISIT_WORKING_DAYS
    cases = []
    for _, child, start, end, _ in rec.cp_plans:
        if not w.open_at_end(start, end) or working_days_between(start, w.end) <= limit:
            continue
        last = rec.last_visit(VisitKind.CP, child, w.end)
        cases.append(Case(child, last is not None and working_days_between(last, w.end) <= limit, w.end))
    return cases


def _cin_children(rec: Record, w: Window) -> list[Case]:
    seen: set[int] = set()
    for _, child, referred, nfa, closed in rec.referrals:
        if not nfa and w.open_at_end(referred, closed):
            seen.add(child)
    return [Case(child, True, w.end) for child in sorted(seen)]


def _cp_children(rec: Record, w: Window) -> list[Case]:
    children = {child for _, child, start, end, _ in rec.cp_plans if w.open_at_end(start, end)}
    return [Case(child, True, w.end) for child in sorted(children)]


def _lac_children(rec: Record, w: Window) -> list[Case]:
    children = {child for _, child, start, end in rec.periods if w.open_at_end(start, end)}
    return [Case(child, True, w.end) for child in sorted(children)]


# --- children looked after ---------------------------------------------------------------------------

SHORT_BREAKS = frozenset({"V3", "V4"})
Episode = tuple[dt.date, dt.date | None, str, str, str]  # start, end, RNE, legal status, placement type
# Reasons for a new episode that keep the child with the same carers: L (legal status only), T and U
# (a new placement with the same carers). NI 63 counts "the same placement or the same carer".
SAME_CARERS = frozenset({"L", "T", "U"})
PLACED_FOR_ADOPTION = frozenset({"A3", "A4", "A5", "A6"})


def _looked_after_at_end(rec: Record, w: Window) -> list[tuple[int, int, dt.date]]:
    """(period, child, period start) for periods open at the window's end, short breaks left out."""
    found = []
    for period, child, start, end in rec.periods:
        if not w.open_at_end(start, end):
            continue
        current = [e for e in rec.care_episodes.get(child, []) if w.open_at_end(e[0], e[1])]
        if current and current[-1][3] in SHORT_BREAKS:
            continue
        found.append((period, child, start))
    return found


def placements_between(episodes: list[Episode], lo: dt.date, hi: dt.date) -> int:
    """Placements a child had between `lo` and `hi`: each episode live then that began a placement
    (any reason but L, a change of legal status only), plus the placement an L episode continues
    when it is the first one live then (that placement began earlier)."""
    live = [e for e in episodes if e[0] <= hi and (e[1] is None or e[1] > lo)]
    if not live:
        return 0
    return sum(1 for e in live if e[2] != "L") + (1 if live[0][2] == "L" else 0)


def _three_placements(rec: Record, w: Window) -> list[Case]:
    lo = add_months(w.end, -12)
    return [
        Case(child, placements_between(rec.care_episodes.get(child, []), lo, w.end) >= 3, w.end)
        for _, child, _ in _looked_after_at_end(rec, w)
    ]


def current_placement_start(episodes: list[Episode], on: dt.date) -> dt.date | None:
    """When the placement the child is in on `on` began: back through episodes that changed only
    the legal status (L)."""
    live = [e for e in episodes if e[0] <= on]
    if not live:
        return None
    i = len(live) - 1
    while i > 0 and live[i][2] == "L" and live[i - 1][1] == live[i][0]:
        i -= 1
    return live[i][0]


def _back_through_same_carers(live: list[Episode], i: int) -> int:
    """The first episode of the arrangement episode `i` belongs to: back through contiguous episodes
    that changed only the legal status or kept the same carers."""
    while i > 0 and live[i][2] in SAME_CARERS and live[i - 1][1] == live[i][0]:
        i -= 1
    return i


def stable_since(episodes: list[Episode], on: dt.date) -> dt.date | None:
    """Since when the child has lived where they live on `on`, as NI 63 counts it: the same placement
    or the same carers (through L, T and U episodes); and when the child is placed for adoption
    (A3-A6), the adoptive placement together with the placement just before it."""
    live = [e for e in episodes if e[0] <= on]
    if not live:
        return None
    i = _back_through_same_carers(live, len(live) - 1)
    adoptive = live[-1][4] in PLACED_FOR_ADOPTION
    if adoptive and i > 0 and live[i - 1][1] == live[i][0]:
        i = _back_through_same_carers(live, i - 1)
    return live[i][0]


def _long_term_stability(rec: Record, w: Window) -> list[Case]:
    """The DfE's long-term stability (former NI 63), applied in full: children under 16 looked after
    continuously for 2.5 years or more at the month's end, of whom those living in the same placement
    or with the same carers for 2 years or more, or placed for adoption with the adoptive and
    previous placements together lasting 2 years or more."""
    cases = []
    for _, child, start in _looked_after_at_end(rec, w):
        born = rec.born.get(child)
        if born is None or add_months(born, 12 * 16) <= w.end or add_months(start, 30) > w.end:
            continue
        since = stable_since(rec.care_episodes.get(child, []), w.end)
        cases.append(Case(child, since is not None and add_months(since, 24) <= w.end, w.end))
    return cases


def _lac_reviews(rec: Record, w: Window) -> list[Case]:
    """Each review held in the month against the due date the reviews before it set (20 working
    days, then 3 months, then 6-monthly: `casework.timescales.lac_review_due`)."""
    from opencsc.casework.timescales import lac_review_due

    cases = []
    for period, child, start, _ in rec.periods:
        held = rec.lac_reviews.get(period, [])
        for i, day in enumerate(held):
            if w.contains(day):
                cases.append(Case(child, day <= lac_review_due(start, held[:i]), day))
    return cases


def _lac_visits(rec: Record, w: Window) -> list[Case]:
    """Children looked after at the month's end, not placed in the last week, whose last visit
    (seen) was within OPENCSC_LAC_VISIT_WEEKS weeks (the regulation 28 default frequency)."""
    weeks = dt.timedelta(weeks=settings.OPENCSC_LAC_VISIT_WEEKS)
    cases = []
    for _, child, _ in _looked_after_at_end(rec, w):
        placed = current_placement_start(rec.care_episodes.get(child, []), w.end)
        if placed is None or (w.end - placed).days <= 7:
            continue
        last = rec.last_visit(VisitKind.LAC, child, w.end)
        cases.append(Case(child, last is not None and last >= w.end - weeks, w.end))
    return cases


def _continuously_12_months(rec: Record, w: Window) -> list[tuple[int, int, dt.date]]:
    return [row for row in _looked_after_at_end(rec, w) if add_months(row[2], 12) <= w.end]


def _health_item(kind: str) -> Callable[[Record, Window], list[Case]]:
    def cases(rec: Record, w: Window) -> list[Case]:
        since = add_months(w.end, -12)
        found = []
        for _, child, _ in _continuously_12_months(rec, w):
            days = rec.health_checks.get(kind, {}).get(child, [])
            found.append(Case(child, any(since < d <= w.end for d in days), w.end))
        return found

    return cases


def _missing(rec: Record, w: Window) -> list[Case]:
    went = {child for child, start in rec.missing if w.contains(start)}
    looked_after = {child for _, child, start, end in rec.periods if start <= w.end and (end is None or end >= w.start)}
    return [Case(child, child in went, w.end) for child in sorted(looked_after)]


# --- care leavers ---------------------------------------------------------------------------------

EET = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"})


def _care_leaver(test: Callable[[str, str, bool | None], bool]) -> Callable[[Record, Window], list[Case]]:
    def cases(rec: Record, w: Window) -> list[Case]:
        return [
            Case(child, test(touch, activity, suitable), day)
            for child, day, touch, activity, suitable in rec.in_window("care_leaver_contacts", 1, w)
        ]

    return cases


# --- workforce ---------------------------------------------------------------------------------------


def _caseloads(rec: Record, w: Window) -> list[Case]:
    cases = []
    for child, holders in rec.holders.items():
        for h in holders:
            if h.worker_id is not None and w.open_at_end(h.start, h.end):
                cases.append(Case(child, True, w.end, worker_id=h.worker_id, team_id=h.team_id))
    return cases


# --- the list ----------------------------------------------------------------------------------------

_MONTH_FLOW = "Each calendar month (the current month so far)"
_MONTH_END = "The last day of each month (or today, for the current month)"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        key="contacts-to-referrals",
        title="Contacts that became referrals",
        theme=THEMES[0],
        kind=Kind.PERCENT,
        numerator="Contacts decided in the month whose decision was a referral to children's social care",
        denominator="Contacts decided in the month",
        period=_MONTH_FLOW + ", by the date of the decision",
        exclusions="Contacts not yet decided",
        source="DfE CIN census guidance (contact and referral definitions); Ofsted Annex A list 1",
        polarity=Polarity.NONE,
        cases=_contacts_to_referrals,
    ),
    Indicator(
        key="decisions-in-one-working-day",
        title="Contact decisions within 1 working day",
        theme=THEMES[0],
        kind=Kind.PERCENT,
        numerator="Contacts decided no more than 1 working day after the contact date (England and Wales bank "
        "holidays and weekends are not working days)",
        denominator="Contacts decided in the month",
        period=_MONTH_FLOW + ", by the date of the decision",
        exclusions="Contacts not yet decided",
        source="Working Together to Safeguard Children 2023 (decision within one working day)",
        polarity=Polarity.HIGH,
        cases=_decisions_in_one_day,
    ),
    Indicator(
        key="re-referrals",
        title="Re-referrals within 12 months",
        theme=THEMES[0],
        kind=Kind.PERCENT,
        numerator="Referrals where the child had an earlier referral in the 12 months before (on or after the "
        "same date a year earlier); every repeat counts",
        denominator="Referrals received in the month",
        period=_MONTH_FLOW + ", by referral date",
        exclusions="Adults' records",
        source="DfE Characteristics of children in need, re-referrals (CIN census)",
        polarity=Polarity.LOW,
        cases=_re_referrals,
        also_in_return="CIN census",
    ),
    Indicator(
        key="assessments-in-45-working-days",
        title="Assessments completed within 45 working days",
        theme=THEMES[0],
        kind=Kind.PERCENT,
        numerator="Assessments authorised no more than 45 working days after the referral date",
        denominator="Assessments authorised in the month",
        period=_MONTH_FLOW + ", by authorisation date",
        exclusions="Assessments not yet authorised",
        source="DfE COLLECT CIN census 'assessment working days'; Working Together 2023",
        polarity=Polarity.HIGH,
        cases=_assessments_45,
        also_in_return="CIN census",
    ),
    Indicator(
        key="icpc-in-15-working-days",
        title="Initial conferences within 15 working days",
        theme=THEMES[1],
        kind=Kind.PERCENT,
        numerator="Initial child protection conferences held no more than 15 working days after the strategy "
        "discussion that started the section 47 enquiry",
        denominator="Initial conferences following a section 47 enquiry held in the month",
        period=_MONTH_FLOW + ", by conference date",
        exclusions="Transfer-in and pre-birth conferences (reported separately by the DfE)",
        source="DfE COLLECT CIN census 'ICPC working days summary'; Working Together 2023",
        polarity=Polarity.HIGH,
        cases=_icpc_15,
        also_in_return="CIN census",
    ),
    *(
        Indicator(
            key=f"cp-plans-{code.lower()}",
            title=f"Child protection plans started: {label.lower()}",
            theme=THEMES[1],
            kind=Kind.PERCENT,
            numerator=f"Plans started in the month whose initial category of abuse was {label.lower()}",
            denominator="Child protection plans started in the month",
            period=_MONTH_FLOW + ", by plan start date",
            exclusions="None",
            source="DfE Characteristics of children in need, table D (CIN census initial category of abuse)",
            polarity=Polarity.NONE,
            cases=_plans_started_in(code),
            also_in_return="CIN census",
        )
        for code, label in (
            ("NEG", "Neglect"),
            ("PHY", "Physical abuse"),
            ("SAB", "Sexual abuse"),
            ("EMO", "Emotional abuse"),
            ("MUL", "Multiple"),
        )
    ),
    Indicator(
        key="repeat-cp-plans-2-years",
        title="Repeat child protection plans within 2 years",
        theme=THEMES[1],
        kind=Kind.PERCENT,
        numerator="Plans started where an earlier plan of the child's ended in the 2 years before",
        denominator="Child protection plans started in the month",
        period=_MONTH_FLOW + ", by plan start date",
        exclusions="None",
        source="Local measure used alongside DfE table D3 (domain reference §7)",
        polarity=Polarity.LOW,
        cases=_repeat_plans(2),
    ),
    Indicator(
        key="repeat-cp-plans-ever",
        title="Second or later child protection plans",
        theme=THEMES[1],
        kind=Kind.PERCENT,
        numerator="Plans started where the child had ever had an earlier plan that ended",
        denominator="Child protection plans started in the month",
        period=_MONTH_FLOW + ", by plan start date",
        exclusions="Earlier plans recorded in another authority's system are not known here",
        source="DfE Characteristics of children in need, table D3 (former NI 65)",
        polarity=Polarity.LOW,
        cases=_repeat_plans(None),
    ),
    Indicator(
        key="cp-plans-lasting-2-years",
        title="Plans ending that had lasted 2 years or more",
        theme=THEMES[1],
        kind=Kind.PERCENT,
        numerator="Plans ended in the month that had lasted 2 years or more (end on or after the 2nd anniversary "
        "of the start); each plan of a child counts",
        denominator="Child protection plans ended in the month",
        period=_MONTH_FLOW + ", by plan end date",
        exclusions="None",
        source="DfE Characteristics of children in need, table D7 (duration of plans ending)",
        polarity=Polarity.LOW,
        cases=_plans_lasting_2y,
        also_in_return="CIN census",
    ),
    Indicator(
        key="cp-visits-on-time",
        title="Children on a plan visited on time",
        theme=THEMES[1],
        kind=Kind.PERCENT,
        numerator="Children whose last child protection visit at which they were seen was within "
        "OPENCSC_CP_VISIT_WORKING_DAYS working days of the month's end",
        denominator="Children on a child protection plan at the month's end",
        period=_MONTH_END,
        exclusions="Plans that started less than OPENCSC_CP_VISIT_WORKING_DAYS working days before (not yet due)",
        source="Local standard (no national frequency: domain reference §1.6); Ofsted Annex A list 7",
        polarity=Polarity.HIGH,
        cases=_cp_visits,
    ),
    Indicator(
        key="cin-rate",
        title="Children in need per 10,000 children",
        theme=THEMES[1],
        kind=Kind.RATE,
        numerator="Children with an open referral episode (not closed as no further action at referral)",
        denominator="Children aged 0 to 17 living in the borough (OPENCSC_CHILD_POPULATION)",
        period=_MONTH_END,
        exclusions="Referrals closed with no further action at referral",
        source="DfE Characteristics of children in need (rate per 10,000); LAIT",
        polarity=Polarity.NONE,
        cases=_cin_children,
        also_in_return="CIN census",
        by_team=False,
    ),
    Indicator(
        key="cp-rate",
        title="Children on a child protection plan per 10,000 children",
        theme=THEMES[1],
        kind=Kind.RATE,
        numerator="Children on a child protection plan",
        denominator="Children aged 0 to 17 living in the borough (OPENCSC_CHILD_POPULATION)",
        period=_MONTH_END,
        exclusions="None",
        source="DfE Characteristics of children in need (rate per 10,000); LAIT",
        polarity=Polarity.NONE,
        cases=_cp_children,
        also_in_return="CIN census",
        by_team=False,
    ),
    Indicator(
        key="lac-rate",
        title="Children looked after per 10,000 children",
        theme=THEMES[2],
        kind=Kind.RATE,
        numerator="Children in a period of care",
        denominator="Children aged 0 to 17 living in the borough (OPENCSC_CHILD_POPULATION)",
        period=_MONTH_END,
        exclusions="None",
        source="DfE Children looked after in England (rate per 10,000); LAIT",
        polarity=Polarity.NONE,
        cases=_lac_children,
        also_in_return="SSDA903",
        by_team=False,
    ),
    Indicator(
        key="three-or-more-placements",
        title="Children looked after with 3 or more placements in the year",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children with 3 or more placements in the 12 months to the month's end (a change of legal "
        "status alone is not a new placement)",
        denominator="Children looked after at the month's end",
        period=_MONTH_END + "; at 31 March this is the DfE's annual figure",
        exclusions="Children on short breaks (legal status V3, V4)",
        source="DfE Children looked after in England, placement stability (short term)",
        polarity=Polarity.LOW,
        cases=_three_placements,
        also_in_return="SSDA903",
    ),
    Indicator(
        key="long-term-placement-stability",
        title="Long-term placement stability",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children who have lived in the same placement or with the same carers for at least 2 years, "
        "or who are placed for adoption and whose adoptive and previous placements together have lasted at "
        "least 2 years",
        denominator="Children under 16 looked after continuously for at least 2.5 years at the month's end",
        period=_MONTH_END,
        exclusions="Children on short breaks",
        source="DfE Children looked after in England, placement stability (long term; former NI 63)",
        polarity=Polarity.HIGH,
        cases=_long_term_stability,
        also_in_return="SSDA903",
    ),
    Indicator(
        key="lac-reviews-on-time",
        title="Looked-after reviews on time",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Reviews held on or before their due date (20 working days after the child became looked after, "
        "then 3 months, then every 6 months)",
        denominator="Looked-after reviews held in the month",
        period=_MONTH_FLOW + ", by review date",
        exclusions="Reviews not yet held (an overdue review shows on the work tray)",
        source="Care Planning, Placement and Case Review (England) Regulations 2010, reg 33",
        polarity=Polarity.HIGH,
        cases=_lac_reviews,
    ),
    Indicator(
        key="lac-visits-on-time",
        title="Children looked after visited on time",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children whose last statutory visit at which they were seen was within OPENCSC_LAC_VISIT_WEEKS "
        "weeks of the month's end",
        denominator="Children looked after at the month's end",
        period=_MONTH_END,
        exclusions="Children on short breaks; placements begun in the last week (first visit not yet due)",
        source="Care Planning Regulations 2010, reg 28",
        polarity=Polarity.HIGH,
        cases=_lac_visits,
    ),
    Indicator(
        key="health-assessments",
        title="Health assessments up to date",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children with a health assessment in the 12 months to the month's end",
        denominator="Children looked after continuously for 12 months or more at the month's end",
        period=_MONTH_END + "; at 31 March this is the OC2 cohort",
        exclusions="Children on short breaks",
        source="DfE SSDA903 OC2 (outcomes for children looked after)",
        polarity=Polarity.HIGH,
        cases=_health_item("health_assessment"),
        also_in_return="SSDA903",
    ),
    Indicator(
        key="dental-checks",
        title="Dental checks up to date",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children with a dental check in the 12 months to the month's end",
        denominator="Children looked after continuously for 12 months or more at the month's end",
        period=_MONTH_END + "; at 31 March this is the OC2 cohort",
        exclusions="Children on short breaks",
        source="DfE SSDA903 OC2 (outcomes for children looked after)",
        polarity=Polarity.HIGH,
        cases=_health_item("teeth_check"),
        also_in_return="SSDA903",
    ),
    Indicator(
        key="missing",
        title="Children looked after who went missing or away",
        theme=THEMES[2],
        kind=Kind.PERCENT,
        numerator="Children with a missing or away-from-placement episode that began in the month",
        denominator="Children looked after at any time in the month",
        period=_MONTH_FLOW,
        exclusions="None",
        source="DfE SSDA903 Missing table; Ofsted Annex A",
        polarity=Polarity.NONE,
        cases=_missing,
        also_in_return="SSDA903",
    ),
    Indicator(
        key="care-leavers-in-touch",
        title="Care leavers in touch",
        theme=THEMES[3],
        kind=Kind.PERCENT,
        numerator="Contacts recording the young person in touch (YES)",
        denominator="Care leaver contacts (OC3) recorded in the month",
        period=_MONTH_FLOW + ", by contact date",
        exclusions="None",
        source="DfE SSDA903 OC3 (care leavers)",
        polarity=Polarity.HIGH,
        cases=_care_leaver(lambda touch, _a, _s: touch == "YES"),
        also_in_return="SSDA903",
    ),
    Indicator(
        key="care-leavers-suitable-accommodation",
        title="Care leavers in suitable accommodation",
        theme=THEMES[3],
        kind=Kind.PERCENT,
        numerator="Contacts recording accommodation judged suitable",
        denominator="Care leaver contacts (OC3) recorded in the month",
        period=_MONTH_FLOW + ", by contact date",
        exclusions="None (accommodation not known counts as not suitable)",
        source="DfE SSDA903 OC3 (care leavers)",
        polarity=Polarity.HIGH,
        cases=_care_leaver(lambda _t, _a, suitable: suitable is True),
        also_in_return="SSDA903",
    ),
    Indicator(
        key="care-leavers-eet",
        title="Care leavers in education, employment or training",
        theme=THEMES[3],
        kind=Kind.PERCENT,
        numerator="Contacts recording education, training or employment (activity F1, P1, F2, P2, F4, P4, F5, P5)",
        denominator="Care leaver contacts (OC3) recorded in the month",
        period=_MONTH_FLOW + ", by contact date",
        exclusions="None (activity not known counts as not in education, employment or training)",
        source="DfE SSDA903 OC3 (care leavers)",
        polarity=Polarity.HIGH,
        cases=_care_leaver(lambda _t, activity, _s: activity in EET),
        also_in_return="SSDA903",
    ),
    Indicator(
        key="caseloads",
        title="Children per allocated worker",
        theme=THEMES[4],
        kind=Kind.AVERAGE,
        numerator="Children allocated to a named worker",
        denominator="Workers with at least one child allocated",
        period=_MONTH_END,
        exclusions="Children allocated to a team with no named worker",
        source="DfE children's social work workforce census (caseloads); SSD ssd_professionals",
        polarity=Polarity.NONE,
        cases=_caseloads,
    ),
)

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}


def get(key: str) -> Indicator | None:
    return BY_KEY.get(key)
