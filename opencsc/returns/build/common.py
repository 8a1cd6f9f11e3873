"""What the return builders share: the collection period, the council's codes, progress reporting.

The builders read the live record (casework and people) set-based, a handful of queries per return
whatever its size, and hand the engines' table structures to the engines' writers. Nothing is copied
into a second store: a return is a view of the record as it stood on the collection's reference date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from opencsc.core.codelists import SUPPORTED_YEARS, year_end

Progress = Callable[[int, int], None]
"""Called as progress(done, total) while a builder works through its children."""

DEFAULT_LA_NUMBER = "209"  # the demo borough's DfE LA number (CIN header LEA, UPN characters 2-4)
DEFAULT_LA_ONS_CODE = "E09000023"  # the same council's ONS code (903 placement-distance rules)
PROGRESS_EVERY = 250


def la_number() -> str:
    """The council's 3-digit DfE LA number (setting `OPENCSC_LA_NUMBER`)."""
    return str(getattr(settings, "OPENCSC_LA_NUMBER", "") or DEFAULT_LA_NUMBER)


def la_ons_code() -> str:
    """The council's ONS code (setting `OPENCSC_LA_ONS_CODE`)."""
    return str(getattr(settings, "OPENCSC_LA_ONS_CODE", "") or DEFAULT_LA_ONS_CODE)


@dataclass(frozen=True)
class Period:
    """A collection year: 1 April to 31 March (the reference date)."""

    year: str
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, year: str) -> Period:
        end = year_end(year)
        return cls(year, dt.date(end - 1, 4, 1), dt.date(end, 3, 31))

    def cut(self, day: dt.date | None) -> dt.date | None:
        """The date as the return sees it on the reference date: a date after it has not happened yet."""
        return day if day is not None and day <= self.end else None

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """True when something running from `start` to `end` (None: still running) was live in the year."""
        return start is not None and start <= self.end and (end is None or end >= self.start)


def year_of(day: dt.date) -> str:
    """The collection year ("2025-26") containing `day`."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{str(first + 1)[2:]}"


def current_year(today: dt.date | None = None) -> str:
    """The collection year in progress (clamped to the years the engines support)."""
    year = year_of(today or timezone.localdate())
    if year in SUPPORTED_YEARS:
        return year
    return SUPPORTED_YEARS[-1] if year > SUPPORTED_YEARS[-1] else SUPPORTED_YEARS[0]


def child_code(la_child_id: str | None, pk: int) -> str:
    """The id a return carries for a child: the LA child id, or the record number when none is set."""
    return la_child_id or str(pk)


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday_in(born: dt.date, age: int) -> dt.date:
    """The `age`th birthday (29 February births have theirs on 28 February in common years)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return dt.date(born.year + age, 2, 28)


class Ticker:
    """Calls `progress` every `PROGRESS_EVERY` children and once at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        if progress is not None:
            progress(0, total)

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None and (self.done % PROGRESS_EVERY == 0 or self.done == self.total):
            self.progress(self.done, self.total)


R = TypeVar("R", bound=Mapping[str, Any])


def group_by(rows: Iterable[R], key: str) -> dict[Any, list[R]]:
    """Rows (dicts, or the typed dicts of a `.values()` query) grouped by the value of `key`."""
    out: dict[Any, list[R]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out
