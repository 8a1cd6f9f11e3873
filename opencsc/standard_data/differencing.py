"""The differencing guard: a release must not reveal, by comparison with an earlier one, what either
hides.

Each release is protected on its own (`suppression`). Two releases counted a few days apart, though,
differ only by the few children who joined or left a cohort, and subtracting one from the other can
pin a count one of them hides: a count hidden in the first release may be bounded above by what the
second shows and below by what the first shows, until one value is left (the two-release attack in
`tests/test_differencing.py`). Before a release, its true counts are compared with every earlier
release to any body counted within `OPENCSC_HEALTH_NEEDS_DIFFERENCING_DAYS` (default 365) of it, and
a count is hidden (then protected like any small count, with its complements) when:

* the earlier release hid it (a hidden count stays hidden while the earlier release is in the
  window: showing it now would give the attacker the other end of the bound); or
* the earlier release showed it and the difference is from 1 to threshold - 1 (the difference is
  itself a count of a few children, as the ONS's guidance on differencing treats it).

Positions are matched by table, row label and cohort, so a row new to this release (a postcode
district that reached the threshold) has nothing to be compared with; the pooled "other districts"
row is compared like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from opencsc.standard_data.health_needs import COHORTS, Counted, Forced
from opencsc.standard_data.suppression import TOTAL, Edge

# A position in the released tables: (table key, row label or TOTALS, cohort key or TOTALS).
Position = tuple[str, str, str]
TOTALS = "__total__"


def window_days() -> int:
    return max(0, int(getattr(settings, "OPENCSC_HEALTH_NEEDS_DIFFERENCING_DAYS", 365)))


def released_positions(tables: list[dict[str, Any]]) -> dict[Position, int | None]:
    """The shown counts of a release as stored (`HealthNeedsRelease.tables`): None where hidden."""
    out: dict[Position, int | None] = {}
    keys = [key for key, _ in COHORTS]
    for table in tables:
        lines = [(row["label"], row) for row in table["rows"]] + [(TOTALS, table["totals"])]
        for label, line in lines:
            for key, value in zip(keys, line["counts"], strict=True):
                out[(table["key"], label, key)] = value
            out[(table["key"], label, TOTALS)] = line["total"]
    return out


def _true_positions(counted: Counted) -> dict[Position, tuple[str, Edge, int]]:
    """Each position of the new picture: its table, its edge in that table, and its true count."""
    keys = [key for key, _ in COHORTS]
    out: dict[Position, tuple[str, Edge, int]] = {}
    for key, _title, rows, cells in counted.tables:
        columns = [sum(col) for col in zip(*cells, strict=True)]
        for i, label in enumerate(rows):
            for j, value in enumerate(cells[i]):
                out[(key, label, keys[j])] = (key, (i, j), value)
            out[(key, label, TOTALS)] = (key, (i, TOTAL), sum(cells[i]))
        for j, value in enumerate(columns):
            out[(key, TOTALS, keys[j])] = (key, (TOTAL, j), value)
        out[(key, TOTALS, TOTALS)] = (key, (TOTAL, TOTAL), sum(columns))
    return out


def must_hide(true: int, earlier: int | None, limit: int) -> bool:
    if earlier is None:
        return True
    return 0 < abs(true - earlier) < limit


def forced_by(counted: Counted, earlier_releases: Iterable[list[dict[str, Any]]]) -> Forced:
    """What the new picture must hide because of the earlier releases' tables."""
    forced = Forced()
    positions = _true_positions(counted)
    for tables in earlier_releases:
        for position, shown in released_positions(tables).items():
            found = positions.get(position)
            if found is None or not must_hide(found[2], shown, counted.threshold):
                continue
            key, (i, j), _value = found
            if i == TOTAL and j == TOTAL:
                forced.grand = True
            elif i == TOTAL:
                forced.cohorts.add(j)
            else:
                forced.cells.setdefault(key, set()).add((i, j))
    return forced


def in_window(as_of: dt.date, other: dt.date) -> bool:
    return abs((as_of - other).days) <= window_days()
