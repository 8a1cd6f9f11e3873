"""Validate a CIN census return, or one child's record, against a collection year's ruleset.

`validate_cin` runs every rule of the year over the whole return. `validate_child` runs the
child-level rules over one child's tables, the same code, so a worker sees an error on the child's
record as soon as an event is recorded (rules that compare children with each other, such as
duplicate UPNs, and return-level rules need the whole return and are left to `validate_cin`).
"""

from __future__ import annotations

from collections.abc import Iterable

from opencsc.returns.cin.rules import Context, Rule, ruleset
from opencsc.returns.cin.tables import CINTables
from opencsc.returns.findings import Finding

_CROSS_CHILD = frozenset({"8510", "1520"})


def validate_cin(tables: CINTables, year: str, codes: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the year's rules (or only `codes`) on the return, ordered by rule then row."""
    wanted = set(codes) if codes is not None else None
    rules = [r for r in ruleset(year) if wanted is None or r.code in wanted]
    return _run(Context(tables, year), rules)


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
