"""DfE and NHS code lists, versioned by collection year.

The lists themselves are data (`data/dfe-codelists.json`, each with its public source). A collection
year changes a list by adding or retiring codes in `YEAR_CHANGES`, so next year's changes are data, not
code. Every part of openCSC that needs a code list (model choices, validation at entry, the returns and
their validators) asks this module, so there is exactly one copy.

Collection years are written as the DfE writes them: "2025-26" is the year ending 31 March 2026.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CURRENT_YEAR = "2025-26"
SUPPORTED_YEARS = ("2024-25", "2025-26", "2026-27")

_DATA = Path(__file__).with_name("data") / "dfe-codelists.json"

# Per collection year, codes that year adds to or retires from the base list in the JSON file
# (the JSON holds the 2025-26 lists).
YEAR_CHANGES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "903_placement_type": {
        # H5, P2 and Z1 were retired at the end of 2024-25 (replaced by K3 and Z11-Z14). K3 itself was
        # introduced in 2024-25 alongside H5 (DfE 2024-25 rules 146, 371, 503D), so it stays valid then.
        "2024-25": {"add": ("H5", "P2", "Z1"), "remove": ("Z11", "Z12", "Z13", "Z14")},
    },
}
_RETIRED_DESCRIPTIONS = {
    ("903_placement_type", "H5"): "Semi-independent living accommodation not subject to children's homes regulations",
    ("903_placement_type", "P2"): "Independent living, for example in a flat, lodgings, bedsit, B&B or with friends",
    ("903_placement_type", "Z1"): "Other placements",
}


class UnknownCodeList(KeyError):
    pass


@cache
def _raw() -> dict[str, dict]:
    with _DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def year_end(year: str) -> int:
    """2025-26 -> 2026 (the calendar year in which the collection year ends)."""
    if year not in SUPPORTED_YEARS:
        raise ValueError(f"Collection year {year!r} is not supported; use one of {', '.join(SUPPORTED_YEARS)}")
    return int(year[:4]) + 1


@cache
def entries(name: str, year: str = CURRENT_YEAR) -> tuple[tuple[str, str], ...]:
    """(code, description) pairs of one list in one collection year, in the published order."""
    try:
        base = _raw()[name]
    except KeyError as exc:
        raise UnknownCodeList(name) from exc
    change = YEAR_CHANGES.get(name, {}).get(year, {})
    removed = set(change.get("remove", ()))
    result = [(c["code"], c["description"]) for c in base["codes"] if c["code"] not in removed]
    result += [(code, _RETIRED_DESCRIPTIONS.get((name, code), code)) for code in change.get("add", ())]
    return tuple(result)


@cache
def codes(name: str, year: str = CURRENT_YEAR) -> frozenset[str]:
    return frozenset(code for code, _ in entries(name, year))


def choices(name: str, year: str = CURRENT_YEAR) -> list[tuple[str, str]]:
    """Choices for a form or model field: value is the official code, label in plain words with the
    code after it, "Police (6)" (so `get_FOO_display()` reads the same everywhere)."""
    return [(code, f"{plain_description(description)} ({code})") for code, description in entries(name, year)]


def plain_description(description: str) -> str:
    """The DfE's capitalised heads in sentence case: "HEALTH SERVICES - health visitor" becomes
    "Health services: health visitor", "POLICE" becomes "Police". Short capitals (LA, GP) stay."""
    head, sep, rest = description.partition(" - ")
    if head != head.upper() or not any(ch.isalpha() for ch in head):
        return description
    words = [w if len(w) <= 2 or not w.isalpha() else w.lower() for w in head.split()]
    if words and words[0].islower():
        words[0] = words[0].capitalize()
    return " ".join(words) + (f": {rest}" if sep else "")


def meaning(name: str, code: str, year: str = CURRENT_YEAR) -> str:
    """A code in plain words with the code after it, "Abuse or neglect (N1)"; a code the list does
    not hold is shown as "Unknown code (X9)" (never bare)."""
    if not code:
        return ""
    description = dict(entries(name, year)).get(code)
    return f"{plain_description(description)} ({code})" if description else f"Unknown code ({code})"


def describe(name: str, code: str, year: str = CURRENT_YEAR) -> str:
    return dict(entries(name, year)).get(code, code)


def source(name: str) -> str:
    return _raw()[name]["source"]


def list_names() -> list[str]:
    return sorted(_raw())
