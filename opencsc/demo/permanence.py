"""Previous permanence (SSDA903 PrevPerm) for the demo journeys' periods of care.

Most children who become looked after had no previous permanence option (Z1); a few had been adopted
or were under a special guardianship, residence or child arrangements order, arranged by another
council, some with only the month or year of the order known. Values obey the entry checks of
`opencsc.casework.invariants.check_previous_permanence` (a valid option and LA, an order before the
child became looked after and after birth), so the SSDA903 built from the demo passes rules 630-635.

Kept apart from `journeys.py` (one call from its `write`), and drawn from a generator seeded per period,
not the journey builder's: adding it does not change any other generated value.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from opencsc.casework import models as cm

if TYPE_CHECKING:
    from opencsc.demo.journeys import JourneyBuilder

OPTIONS = {"Z1": 80, "P2": 8, "P3": 7, "P1": 4, "P4": 1}
OTHER_COUNCILS = ("209", "210", "203", "305", "306", "886")


def previous_permanence(period: cm.PeriodOfCare) -> cm.PreviousPermanence:
    child = period.child
    rng = random.Random(f"prevperm:{child.la_child_id or child.pk}:{period.start_date.isoformat()}")
    option = rng.choices(list(OPTIONS), weights=list(OPTIONS.values()))[0]
    born = child.date_of_birth
    latest = period.start_date - dt.timedelta(days=60)
    if option == "Z1" or born is None or latest <= born + dt.timedelta(days=30):
        return cm.PreviousPermanence(child=child, period=period, option="Z1")
    when = born + dt.timedelta(days=rng.randint(30, (latest - born).days))
    day: int | None = when.day
    month: int | None = when.month
    year: int | None = when.year
    known = rng.random()
    if known < 0.25:
        day = None  # only the month is known
    elif known < 0.3 and when.year < period.start_date.year:
        day = month = None  # only the year
    elif known < 0.32:
        day = month = year = None  # not known at all
    return cm.PreviousPermanence(
        child=child,
        period=period,
        option=option,
        la_code=rng.choice(OTHER_COUNCILS),
        order_day=day,
        order_month=month,
        order_year=year,
    )


def record_previous_permanence(builder: JourneyBuilder) -> None:
    """Give every period of care the builder made its previous permanence (call before writing)."""
    for period in [p for p in builder.batches["episodes"] if isinstance(p, cm.PeriodOfCare)]:
        record = builder.add("assessments", previous_permanence(period))
        note = f"Previous permanence recorded ({record.option})"
        builder.event(period.child, record, "", "completed", period.start_date, note)
