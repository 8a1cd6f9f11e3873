"""The CIN census rulesets, versioned by collection year.

The base ruleset is the DfE's 2024-25 set (109 rules, as in the published validator's ``cin2024_25``)
plus ``SCHEMA``, openCSC's own report of values that cannot be read. Each later year is the year before
with the codes in `YEAR_CHANGES` added or removed, so next year's changes are data: register the new
rule's check with `@rule(...)` and list its code under the year that adds it.
"""

from __future__ import annotations

from functools import cache

from opencsc.core.codelists import SUPPORTED_YEARS
from opencsc.returns.cin.rules import assessments, child, episodes, plans, section47, whole_return
from opencsc.returns.cin.rules.base import BASE_RULES, Context, Rule

BASE_YEAR = "2024-25"

# year -> codes added (registered but not in the base year) and codes removed, relative to the year before.
YEAR_CHANGES: dict[str, dict[str, tuple[str, ...]]] = {
    "2025-26": {"add": (), "remove": ()},  # the DfE used the 2024-25 rules unchanged
    "2026-27": {"add": (), "remove": ()},
}
_ADDED_LATER = frozenset(code for change in YEAR_CHANGES.values() for code in change["add"])


@cache
def ruleset(year: str) -> tuple[Rule, ...]:
    """The rules that apply to a collection year ("2025-26"), in code order."""
    if year not in SUPPORTED_YEARS:
        raise ValueError(f"No CIN ruleset for {year!r}; supported: {', '.join(SUPPORTED_YEARS)}")
    codes = {code for code in BASE_RULES if code not in _ADDED_LATER}
    for later in SUPPORTED_YEARS[SUPPORTED_YEARS.index(BASE_YEAR) + 1 : SUPPORTED_YEARS.index(year) + 1]:
        change = YEAR_CHANGES.get(later, {})
        codes |= set(change.get("add", ()))
        codes -= set(change.get("remove", ()))
    return tuple(BASE_RULES[code] for code in sorted(codes, key=_code_order))


def _code_order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else -1, code)


def get_rule(code: str) -> Rule:
    return BASE_RULES[code]


__all__ = [
    "BASE_RULES",
    "Context",
    "Rule",
    "assessments",
    "child",
    "episodes",
    "get_rule",
    "plans",
    "ruleset",
    "section47",
    "whole_return",
]
