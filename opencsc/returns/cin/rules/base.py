"""The rule registry and the context every rule reads the return through.

A rule is a function of a `Context` returning the rows it flags: an int is a row of the rule's own
table (flagged on its first field); a `(table, row, field)` tuple names another table, and a fourth
item adds detail to the message. Rules read
whole columns and loop over them, so the same function validates a national return and a single
child's record (the tables then hold one child). Rules never change the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, Union

from opencsc.core.codelists import year_end
from opencsc.returns.cin.tables import CINTables
from opencsc.returns.findings import Severity

# a row of the rule's table, or (table, row, field), or (table, row, field, detail for the message)
Hit = Union[int, tuple[str, int | None, str], tuple[str, int | None, str, str]]  # noqa: UP007
Check = Callable[["Context"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One DfE validation rule: its code, what it flags, the message and the check."""

    code: str
    table: str
    fields: tuple[str, ...]
    message: str
    check: Check
    scope: Literal["child", "return"] = "child"

    @property
    def severity(self) -> Severity:
        return Severity.QUERY if self.code.endswith("Q") else Severity.ERROR


BASE_RULES: dict[str, Rule] = {}


def rule(
    code: str,
    table: str,
    fields: tuple[str, ...] | str,
    message: str,
    scope: Literal["child", "return"] = "child",
) -> Callable[[Check], Check]:
    """Register the decorated check as rule `code` in the base ruleset (2024-25)."""
    if isinstance(fields, str):
        fields = (fields,)

    def register(check: Check) -> Check:
        if code in BASE_RULES:
            raise ValueError(f"Rule {code} is registered twice")
        BASE_RULES[code] = Rule(code, table, fields, message, check, scope)
        return check

    return register


class Context:
    """The return being validated, its census period and cached per-parent row ranges."""

    def __init__(self, tables: CINTables, year: str) -> None:
        self.tables = tables
        self.t = tables.tables
        self.year = year
        end_year = year_end(year)
        self.period_end = dt.date(end_year, 3, 31)  # the ReferenceDate
        self.period_start = dt.date(end_year - 1, 4, 1)
        self._ranges: dict[tuple[str, str], list[range]] = {}
        self.cache: dict[str, Any] = {}  # values several rules derive from the tables

    def col(self, table: str, name: str) -> list[Any]:
        return self.t[table][name]

    def n(self, table: str) -> int:
        return len(self.t[table]["LAchildID"])

    @cached_property
    def n_children(self) -> int:
        return self.n("ChildIdentifiers")

    def ranges(self, table: str, link: str) -> list[range]:
        """For each parent row (child or episode or plan), the range of `table` rows linked to it."""
        key = (table, link)
        if key not in self._ranges:
            parents = {
                "_child": self.n_children,
                "_ep": self.n("CINdetails"),
                "_cpp": self.n("ChildProtectionPlans"),
            }[link]
            self._ranges[key] = _ranges(self.t[table][link], parents)
        return self._ranges[key]

    def in_period(self, day: dt.date) -> bool:
        return self.period_start <= day <= self.period_end


def _ranges(links: list[int], parents: int) -> list[range]:
    """Ranges of equal values in a non-decreasing link column, one per parent (empty when none)."""
    starts = [0] * (parents + 1)
    for value in links:
        starts[value + 1] += 1
    for i in range(parents):
        starts[i + 1] += starts[i]
    return [range(starts[i], starts[i + 1]) for i in range(parents)]
