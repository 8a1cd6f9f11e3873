"""Validate an SSDA903 return (or one child's part of it) against the DfE rules of a collection year.

`validate_903` runs every rule of the year over the whole return; `validate_child` runs the
child-level rules over one child's rows only, fast enough to run when a worker records a looked-after
event. Each rule reads the same immutable prepared tables (see `context`), so no rule can change what
another sees, and the result does not depend on the order the rules run in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from opencsc.returns.findings import Finding

from .context import LAST, Ctx
from .postcodes import PostcodeLookup
from .rules import rules_for_year
from .rules.base import Rule

DEFAULT_LA_CODE = "E09000023"  # the demo borough (Lewisham's ONS code), overridden by settings in use
NO_PROVIDERS = (
    "not checked: needs Ofsted's provider lists, and no provider register is loaded "
    "(manage.py import_ofsted_providers FILE)"
)
NO_PREVIOUS = "not checked: needs last year's return"
NO_POSTCODES = (
    "checked only for the few postcodes openCSC knows without the ONS postcode directory, and none loaded "
    "(manage.py import_postcodes FILE)"
)
POSTCODE_FORMAT_ONLY = (
    "checked for the postcode's form only: needs the ONS postcode directory to know whether it exists "
    "(manage.py import_postcodes FILE)"
)
# The rules that read what the postcode directory derives (placement LA, in or out of area, distance).
POSTCODE_RULES = frozenset(
    {"164", "169", "179", "218", "241", "243", "392a", "406", "411", "420", "452", "453", "454"}
    | {"503G", "503H", "503J", "1015"}
)


class Findings(list[Finding]):
    """The findings of a run (a list), and `not_checked`: each rule of the year the run could not
    check, with why (no Ofsted provider register, no last year's return), so a report can say so."""

    def __init__(self, found: list[Finding] = (), not_checked: Mapping[str, str] | None = None) -> None:  # type: ignore[assignment]
        super().__init__(found)
        self.not_checked: dict[str, str] = dict(not_checked or {})


def validate_903(
    tables: Mapping[str, pl.DataFrame],
    year: str,
    *,
    la_code: str = DEFAULT_LA_CODE,
    previous: Mapping[str, pl.DataFrame] | None = None,
    postcodes: PostcodeLookup | None = None,
    providers: pl.DataFrame | None = None,
    only: tuple[str, ...] | None = None,
    as_of: dt.date | None = None,
) -> Findings:
    """Every (rule, child, table, field, row) the year's rules flag, sorted by rule, table and row.

    `previous` is last year's return (rules comparing the years are skipped without it); `postcodes`
    the lookup for the placement-location rules (default: the built-in synthetic set, incomplete);
    `providers` Ofsted's provider register (`providers.providers_frame`; the URN rules are skipped
    without it); `only` restricts the run to some rule codes. The input tables are not modified.
    The result's `not_checked` names the rules skipped for want of the register or last year's return.
    `as_of` is the day the tables stand at during the year (default: 31 March): an open episode has lasted
    until then, so a check in December does not count an emergency order begun last week to 31 March.
    """
    ctx = Ctx(tables, year, la_code=la_code, previous=previous, postcodes=postcodes, providers=providers, as_of=as_of)
    rules = [r for r in rules_for_year(year) if only is None or r.code in only]
    return _run(ctx, rules)


def validate_child(
    tables: Mapping[str, pl.DataFrame],
    child_id: str,
    year: str,
    *,
    la_code: str = DEFAULT_LA_CODE,
    previous: Mapping[str, pl.DataFrame] | None = None,
    postcodes: PostcodeLookup | None = None,
    providers: pl.DataFrame | None = None,
    as_of: dt.date | None = None,
) -> Findings:
    """The findings for one child, from that child's rows only (return-level rules, such as duplicate
    UPNs across children, are left to the full run). Rows are numbered as in the full tables."""
    mine, positions = _child_rows(tables, child_id)
    last = _child_rows(previous, child_id)[0] if previous is not None else None
    ctx = Ctx(mine, year, la_code=la_code, previous=last, postcodes=postcodes, providers=providers, as_of=as_of)
    findings = _run(ctx, [r for r in rules_for_year(year) if r.scope == "child"])
    return Findings([_renumber(f, positions) for f in findings], findings.not_checked)


def _child_rows(
    tables: Mapping[str, pl.DataFrame], child_id: str
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.Series]]:
    mine, positions = {}, {}
    for name, frame in tables.items():
        hit = frame.get_column("CHILD") == child_id
        positions[name] = hit.arg_true()
        mine[name] = frame.filter(hit)
    return mine, positions


def _renumber(finding: Finding, positions: Mapping[str, pl.Series]) -> Finding:
    if finding.row is None or finding.table not in positions:
        return finding
    row = int(positions[finding.table][finding.row])
    return Finding(finding.rule, finding.child_id, finding.table, finding.field, row, finding.message, finding.severity)


def _run(ctx: Ctx, rules: list[Rule]) -> Findings:
    runnable = [rule for rule in rules if _can_flag(ctx, rule)]
    hits = _mask_hits(ctx, [rule for rule in runnable if rule.mask is not None])
    findings = Findings(not_checked=_not_checked(ctx, rules))
    for rule in runnable:
        found = hits[rule.code] if rule.mask is not None else rule.check(ctx)
        findings.extend(_findings(ctx, rule, found))
    return findings


def _not_checked(ctx: Ctx, rules: list[Rule]) -> dict[str, str]:
    """The rules that cannot run (or run only in part) for want of the provider register, last year's
    return or the postcode directory."""
    out = {}
    for rule in rules:
        if "providers" in rule.needs and ctx.providers is None:
            out[rule.code] = NO_PROVIDERS
        elif any(need.endswith(LAST) and not ctx.has(need) for need in rule.needs):
            out[rule.code] = NO_PREVIOUS
        elif not ctx.postcodes.complete and rule.code in POSTCODE_RULES:
            out[rule.code] = NO_POSTCODES
        elif not ctx.postcodes.complete and rule.code == "392c":
            out[rule.code] = POSTCODE_FORMAT_ONLY
    return out


def _can_flag(ctx: Ctx, rule: Rule) -> bool:
    """The rule's tables (and the provider register, if it needs it) are present, and at least one
    table it flags has rows."""
    if "providers" in rule.needs and ctx.providers is None:
        return False
    if not ctx.has(*(need for need in rule.needs if need != "providers")):
        return False
    return not all(ctx.has(table) and ctx.t(table).height == 0 for table in rule.fields)


def _mask_hits(ctx: Ctx, rules: list[Rule]) -> dict[str, Mapping[str, pl.Series]]:
    """Evaluate single-table mask rules together: one pass over each table (or view) for all of them.

    Each mask is the rule's own expression over the same immutable frame, so the result is exactly
    what running the rule alone gives (tested).
    """
    groups: dict[tuple[str, object], list[Rule]] = {}
    for rule in rules:
        groups.setdefault((next(iter(rule.fields)), rule.view), []).append(rule)
    out: dict[str, Mapping[str, pl.Series]] = {}
    for (table, view), group in groups.items():
        frame = ctx.t(table) if view is None else view(ctx)  # type: ignore[operator]
        picked = frame.select(
            [
                pl.col("_row").filter(rule.mask(ctx).fill_null(False)).unique().implode().alias(f"r{i}")  # type: ignore[misc]
                for i, rule in enumerate(group)
            ]
        )
        for i, rule in enumerate(group):
            out[rule.code] = {table: pl.Series("_row", picked.item(0, f"r{i}"), dtype=pl.UInt32)}
    return out


def _findings(ctx: Ctx, rule: Rule, hits: Mapping[str, pl.Series]) -> list[Finding]:
    out: list[Finding] = []
    for table, rows in hits.items():
        if rows is None or len(rows) == 0 or table.endswith(LAST):
            continue
        ordered = rows.cast(pl.Int64).unique().sort()
        children = ctx.t(table).get_column("CHILD").gather(ordered)
        field = rule.fields.get(table, next(iter(rule.fields.values())))
        out.extend(
            Finding(rule.code, child, table, field, int(row), rule.message, rule.severity)
            for row, child in zip(ordered.to_list(), children.to_list(), strict=True)
        )
    return out
