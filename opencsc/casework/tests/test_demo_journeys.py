"""The demo journeys obey the rules the entry checks enforce, in roughly national proportions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import pairwise

import pytest

from opencsc.casework import models as cm
from opencsc.demo.borough import DemoBorough
from opencsc.demo.journeys import build_journeys

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 11, 3)


@pytest.fixture
def report():
    borough = DemoBorough(seed=7, as_of=AS_OF)
    borough.build_families(150, borough.build_staff())
    return build_journeys(seed=7, as_of=AS_OF)


def _overlaps(spans: list[tuple[dt.date, dt.date | None]]) -> bool:
    spans = sorted(spans)
    return any((a_end is None or a_end > b_start) for (_, a_end), (b_start, _) in pairwise(spans))


def test_journeys_keep_the_rules(report):
    assert report.episodes > 100 and report.assessments > 0.8 * (report.episodes - report.care_leavers) * 0.8
    by_child = Counter(cm.ReferralEpisode.objects.filter(closure_date__isnull=True).values_list("child", flat=True))
    assert max(by_child.values()) == 1
    for child in {e.child_id for e in cm.ReferralEpisode.objects.all()}:
        eps = cm.ReferralEpisode.objects.filter(child_id=child)
        assert not _overlaps([(e.referral_date, e.closure_date) for e in eps])
        plans = [(p.start_date, p.end_date) for p in cm.ChildProtectionPlan.objects.filter(child_id=child)]
        assert not _overlaps(plans)
        for cin in cm.ChildInNeedPlan.objects.filter(child_id=child):
            assert not _overlaps([(cin.start_date, cin.end_date), *plans])
    for a in cm.Assessment.objects.select_related("episode"):
        assert a.start_date >= a.episode.referral_date
        assert a.factors == ["21"] or "21" not in a.factors
    for period in cm.PeriodOfCare.objects.all():
        episodes = list(period.episodes.order_by("start_date"))
        for earlier, later in pairwise(episodes):
            assert earlier.end_date == later.start_date and earlier.reason_ceased == "X1"
        assert all(e.end_date is None or e.end_date > e.start_date for e in episodes)
    for s47 in cm.Section47.objects.all():
        assert s47.icpc_target.weekday() < 5
    for e in cm.ReferralEpisode.objects.filter(closure_reason__in=["RC8", "RC9"]):
        assert e.assessments.exists()
    assert cm.StatusChange.objects.exists() and cm.Task.objects.open().exists()


def test_proportions_are_lifelike(report):
    referrals = report.episodes - report.care_leavers
    assert 0.05 <= report.cp_plans / referrals <= 0.2
    assert 0.1 <= report.section47s / referrals <= 0.35
    assert report.periods_of_care >= report.care_leavers + 1
    rereferred = sum(1 for n in Counter(cm.ReferralEpisode.objects.values_list("child", flat=True)).values() if n > 1)
    assert rereferred > 0
