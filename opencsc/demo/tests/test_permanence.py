"""The demo's previous permanence: every period of care has one, each passes the entry checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from opencsc.casework import invariants
from opencsc.casework import models as cm
from opencsc.demo.borough import DemoBorough
from opencsc.demo.journeys import build_journeys
from opencsc.demo.permanence import previous_permanence
from opencsc.people.models import Person

AS_OF = dt.date(2025, 11, 3)


def test_drawn_values_pass_the_entry_checks_in_lifelike_proportions():
    options: Counter[str] = Counter()
    partial = 0
    for i in range(600):
        born = dt.date(2008, 1, 1) + dt.timedelta(days=7 * i)
        child = Person(pk=i + 1, la_child_id=f"DEMO{i:06d}", date_of_birth=born, is_child=True)
        period = cm.PeriodOfCare(child=child, start_date=born + dt.timedelta(days=400 + 3 * i), primary_need="N1")
        record = previous_permanence(period)
        invariants.check_previous_permanence(
            period, record.option, record.la_code, record.order_day, record.order_month, record.order_year
        )
        assert previous_permanence(period).date_perm == record.date_perm  # deterministic
        options[record.option] += 1
        partial += record.date_perm.startswith("ZZ")
    assert 0.7 < options["Z1"] / 600 < 0.9 and {"P1", "P2", "P3"} <= set(options)
    assert partial > 0


@pytest.mark.django_db
def test_every_demo_period_of_care_has_its_previous_permanence():
    borough = DemoBorough(seed=7, as_of=AS_OF)
    borough.build_families(150, borough.build_staff())
    build_journeys(seed=7, as_of=AS_OF)
    periods = cm.PeriodOfCare.objects.count()
    assert periods > 0
    assert cm.PreviousPermanence.objects.count() == periods
    assert cm.StatusChange.objects.filter(object_type="casework.PreviousPermanence").count() == periods
