"""Read queries whose SQL the ORM builds once per process, then run for each request with that
request's id (issue 11, "Measured": a page has about 10 ms of CPU at 50 users on two cores).

Building and compiling a queryset is Python work that repeats on every request although only a
parameter changes: the person record's and the casework page's "which kinds of row does this
person have" queries (thirteen EXISTS each) cost about 3 ms of CPU to build and 0.1 ms to run.
`rows` builds the queryset once with a stand-in id, keeps its SQL and parameters, and afterwards
only swaps the real id in. The queryset must depend on the id through its parameters alone (no
dates of today, no user): the stored SQL is reused for every call under the same key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# An id no row has (ids are positive): where it appears in the compiled parameters, the real id goes.
_STAND_IN = -7_654_321_987


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]


_compiled: dict[tuple[str, str], _Compiled] = {}


def rows(key: str, build: Callable[[int], QuerySet[Any]], pk: int) -> list[dict[str, Any]]:
    """`list(build(pk))` for a `.values(...)` queryset, as dicts keyed by its column names, with the
    SQL compiled on the first call for `key` only."""
    compiled = _compiled.get((key, connection.vendor))
    if compiled is None:
        sql, built = build(_STAND_IN).query.sql_with_params()
        slots = tuple(i for i, value in enumerate(built) if value == _STAND_IN)
        if not slots:
            raise ValueError(f"{key}: the query does not depend on its id through a parameter")
        compiled = _compiled[(key, connection.vendor)] = _Compiled(sql, tuple(built), slots)
    params = list(compiled.params)
    for slot in compiled.slots:
        params[slot] = pk
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def first_row(key: str, build: Callable[[int], QuerySet[Any]], pk: int) -> dict[str, Any] | None:
    """The first of `rows` (`build(pk)` should select one row), or None."""
    found = rows(key, lambda stand_in: build(stand_in)[:1], pk)
    return found[0] if found else None
