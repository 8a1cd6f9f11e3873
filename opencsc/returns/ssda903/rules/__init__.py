"""The SSDA903 rules, by collection year (see `registry`)."""

from __future__ import annotations

from .base import CATALOGUE, Rule
from .registry import NOT_RUN, rules_for_year, ruleset_codes

__all__ = ["CATALOGUE", "NOT_RUN", "Rule", "rules_for_year", "ruleset_codes"]
