"""Validate a CIN census return, or one child's record, against a collection year's ruleset.

`validate_cin` runs every rule of the year over the whole return. `validate_child` runs the
child-level rules over one child's tables, the same code, so a worker sees an error on the child's
record as soon as an event is recorded (rules that compare children with each other, such as
duplicate UPNs, and return-level rules need the whole return and are left to `validate_cin`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from typing import Any

from opencsc.returns.cin.rules import BASE_RULES, Context, Rule, ruleset
from opencsc.returns.cin.tables import CINTables
from opencsc.returns.findings import Finding

_CROSS_CHILD = frozenset({"8510", "1520"})


_PARALLEL_FROM = 50_000  # children; below this, starting processes costs more than it saves
_SHARED: dict[str, Any] = {}


def validate_cin(tables: CINTables, year: str, codes: Iterable[str] | None = None, workers: int = 1) -> list[Finding]:
    """Every finding of the year's rules (or only `codes`) on the return, ordered by rule then row.

    With `workers` > 1 (on a platform that can fork) a large return's rules are shared between that
    many processes, each reading the same tables; the findings are the same as with one.
    """
    wanted = set(codes) if codes is not None else None
    rules = [r for r in ruleset(year) if wanted is None or r.code in wanted]
    if workers <= 1 or len(tables) < _PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return _run(Context(tables, year), rules)
    _SHARED.update(tables=tables, year=year)
    try:
        groups = [[r.code for r in rules[i::workers]] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_run_codes, groups)
    finally:
        _SHARED.clear()
    by_rule: dict[str, list[Finding]] = {}
    for findings in results:
        for finding in findings:
            by_rule.setdefault(finding.rule, []).append(finding)
    return [f for r in rules for f in by_rule.get(r.code, ())]


def _run_codes(codes: list[str]) -> list[Finding]:
    """In a forked worker: run these rules on the tables the parent shared before forking."""
    return _run(Context(_SHARED["tables"], _SHARED["year"]), [BASE_RULES[c] for c in codes])


def validate_child(tables: CINTables, year: str) -> list[Finding]:
    """Findings for a return holding one child's record; return-level and cross-child rules are skipped."""
    rules = [r for r in ruleset(year) if r.scope == "child" and r.code not in _CROSS_CHILD]
    return _run(Context(tables, year), rules)


def _run(ctx: Context, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(_findings(ctx, rule, rule.check(ctx)))
    return findings


def _findings(ctx: Context, rule: Rule, hits: Iterable) -> list[Finding]:
    out: list[Finding] = []
    severity = rule.severity
    for hit in hits:
        if isinstance(hit, int):
            table, row, field, detail = rule.table, hit, rule.fields[0], None
        else:
            table, row, field = hit[0], hit[1], hit[2]
            detail = hit[3] if len(hit) > 3 else None
        child = None
        if row is not None and table != "Header" and rule.scope == "child":
            child = ctx.t[table]["LAchildID"][row]
        message = f"{rule.message} {detail}" if detail else rule.message
        out.append(Finding(rule.code, child, table, field, row, message, severity))
    return out
