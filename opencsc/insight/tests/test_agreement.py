"""An indicator that a statutory return also measures agrees with the return built from the same
record for the same year: the indicator's twelve monthly figures, added up, against the same
definition applied to the return's own tables (CIN census, SSDA903) on a seeded borough."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from opencsc.core.working_days import add_months, working_days_between
from opencsc.insight import definitions
from opencsc.insight.record import Record, Window, month_windows
from opencsc.returns.build.cin import build_cin
from opencsc.returns.build.common import Period
from opencsc.returns.build.ssda903 import build_903

pytestmark = pytest.mark.django_db

YEAR = "2025-26"


@pytest.fixture
def borough():
    call_command("seed_demo", children=40, seed=7, stdout=io.StringIO())


def year_total(key: str, period: Period) -> tuple[int, int]:
    indicator, rec = definitions.BY_KEY[key], Record()
    counted = total = 0
    for w in month_windows(period.end, 12):
        cases = indicator.cases(rec, w)
        counted += sum(c.counted for c in cases)
        total += len(cases)
    return counted, total


def _date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text) if "-" in text else dt.datetime.strptime(text, "%d/%m/%Y").date()


def test_referrals_assessments_and_plans_agree_with_the_cin_census(borough):
    period = Period.of(YEAR)
    cin = build_cin(YEAR)
    referred = {
        (child, ep): _date(day)
        for child, ep, day in zip(
            cin.column("CINdetails", "LAchildID"),
            cin.column("CINdetails", "CINdetailsID"),
            cin.column("CINdetails", "CINreferralDate"),
            strict=True,
        )
    }
    referrals_in_year = sum(1 for day in referred.values() if period.contains(day))
    assert year_total("re-referrals", period)[1] == referrals_in_year > 0

    in_time = total = 0
    for child, ep, authorised in zip(
        cin.column("Assessments", "LAchildID"),
        cin.column("Assessments", "CINdetailsID"),
        cin.column("Assessments", "AssessmentAuthorisationDate"),
        strict=True,
    ):
        day = _date(authorised)
        if period.contains(day):
            total += 1
            in_time += working_days_between(referred[(child, ep)], day) <= 45  # type: ignore[arg-type,operator]
    assert year_total("assessments-in-45-working-days", period) == (in_time, total)
    assert total > 0

    started: dict[str, int] = defaultdict(int)
    lasting = ended = 0
    for start, end, category in zip(
        cin.column("ChildProtectionPlans", "CPPstartDate"),
        cin.column("ChildProtectionPlans", "CPPendDate"),
        cin.column("ChildProtectionPlans", "InitialCategoryOfAbuse"),
        strict=True,
    ):
        start_day, end_day = _date(start), _date(end)
        if period.contains(start_day):
            started[category] += 1
        if period.contains(end_day):
            ended += 1
            lasting += end_day >= add_months(start_day, 24)  # type: ignore[arg-type,operator]
    assert sum(started.values()) > 0
    for code in ("NEG", "PHY", "SAB", "EMO", "MUL"):
        assert year_total(f"cp-plans-{code.lower()}", period) == (started[code], sum(started.values()))
    assert year_total("cp-plans-lasting-2-years", period) == (lasting, ended)


def test_three_placements_at_31_march_agree_with_the_903(borough):
    period = Period.of(YEAR)
    episodes = build_903(YEAR)["Episodes"]
    by_child: dict[str, list[tuple[dt.date, dt.date | None, str, str]]] = defaultdict(list)
    for row in episodes.iter_rows(named=True):
        by_child[row["CHILD"]].append((_date(row["DECOM"]), _date(row["DEC"]), row["RNE"], row["LS"]))  # type: ignore[arg-type]
    counted = cohort = 0
    for rows in by_child.values():
        rows.sort(key=lambda r: r[0])
        current = [r for r in rows if r[1] is None or r[1] > period.end]
        if not current or current[-1][3] in definitions.SHORT_BREAKS:
            continue
        cohort += 1
        counted += definitions.placements_between(rows, period.start - dt.timedelta(days=1), period.end) >= 3
    march = Window(dt.date(period.end.year, 3, 1), period.end)
    cases = definitions.BY_KEY["three-or-more-placements"].cases(Record(), march)
    assert (sum(c.counted for c in cases), len(cases)) == (counted, cohort)
    assert cohort > 0
