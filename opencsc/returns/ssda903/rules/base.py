"""How a 903 rule is declared: its code, what it flags, and a check over the prepared return.

A check receives the `Ctx` (read-only) and returns, per table, the `_row` numbers it flags. Helpers
here give polars expressions the null handling the DfE rules mean: a blank is never "in" a code
list, a comparison with a blank date is never true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from opencsc.returns.findings import Severity

from ..context import Ctx

Hits = Mapping[str, pl.Series]
Check = Callable[[Ctx], Hits]
Scope = Literal["child", "return"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One DfE rule. `fields` maps each table it can flag to the field shown to the worker.

    `needs` lists the tables the rule reads (a name ending `_last` is last year's table, and
    "providers" the Ofsted provider list); the engine skips a rule whose tables are absent, as the DfE
    tool does. `scope` is "return" for rules comparing children with each other (these do not run on
    the single-child fast path).
    """

    code: str
    message: str
    fields: Mapping[str, str]
    needs: tuple[str, ...]
    check: Check
    severity: Severity = Severity.ERROR
    scope: Scope = "child"
    # Set for single-table mask rules, so the engine can evaluate many of them in one pass.
    mask: Callable[[Ctx], pl.Expr] | None = None
    view: Callable[[Ctx], pl.DataFrame] | None = None


CATALOGUE: dict[str, Rule] = {}


def rule(
    code: str,
    message: str,
    *,
    needs: Iterable[str],
    fields: Mapping[str, str],
    severity: Severity = Severity.ERROR,
    scope: Scope = "child",
) -> Callable[[Check], Check]:
    """Register `check` in the catalogue under `code` (codes are unique across the catalogue)."""

    def register(check: Check) -> Check:
        if code in CATALOGUE:
            raise ValueError(f"Rule {code} is declared twice")
        CATALOGUE[code] = Rule(code, message, dict(fields), tuple(needs), check, severity, scope)
        return check

    return register


# ---- expression helpers -------------------------------------------------------------------------


def c(name: str) -> pl.Expr:
    return pl.col(name)


def true(expr: pl.Expr) -> pl.Expr:
    """True only where `expr` is definitely true (null counts as false)."""
    return expr.fill_null(False)


def isin(name: str, values: Iterable[str]) -> pl.Expr:
    """The column holds one of `values` (a blank does not)."""
    return pl.col(name).is_in(list(values)).fill_null(False)


def notin(name: str, values: Iterable[str]) -> pl.Expr:
    """The column does not hold one of `values` (a blank does not, so it counts here)."""
    return ~isin(name, values)


def present(name: str) -> pl.Expr:
    return pl.col(name).is_not_null()


def blank(name: str) -> pl.Expr:
    return pl.col(name).is_null()


def differs(a: str | pl.Expr, b: str | pl.Expr) -> pl.Expr:
    """Values differ, treating two blanks as equal and a blank against a value as different."""
    left = pl.col(a) if isinstance(a, str) else a
    right = pl.col(b) if isinstance(b, str) else b
    return left.ne_missing(right)


def plus_years(expr: pl.Expr | str, years: int) -> pl.Expr:
    """A date `years` later (29 February becomes 28 February, as the DfE counts birthdays)."""
    base = pl.col(expr) if isinstance(expr, str) else expr
    return base.dt.offset_by(f"{years}y")


def plus_days(expr: pl.Expr | str, days: int) -> pl.Expr:
    base = pl.col(expr) if isinstance(expr, str) else expr
    return base.dt.offset_by(f"{days}d")


def rows(frame: pl.DataFrame, mask: pl.Expr | None = None, column: str = "_row") -> pl.Series:
    """The distinct `_row` numbers of `frame` where `mask` is true (all rows when None)."""
    picked = frame if mask is None else frame.filter(true(mask))
    return picked.get_column(column).drop_nulls().unique(maintain_order=True).alias("_row")


def only(table: str, frame: pl.DataFrame, mask: pl.Expr | None = None) -> Hits:
    """Hits in one table."""
    return {table: rows(frame, mask)}


def mask_rule(
    code: str,
    message: str,
    table: str,
    field: str,
    mask: Callable[[Ctx], pl.Expr],
    *,
    also_needs: Iterable[str] = (),
    severity: Severity = Severity.ERROR,
    frame: Callable[[Ctx], pl.DataFrame] | None = None,
) -> None:
    """Declare a rule that flags each row of one table where `mask(ctx)` holds.

    `frame` gives the rows to test (default: the table itself); it must keep the table's `_row`.
    """

    def check(ctx: Ctx) -> Hits:
        rows_to_test = ctx.t(table) if frame is None else frame(ctx)
        return only(table, rows_to_test, mask(ctx))

    rule(code, message, needs=(table, *also_needs), fields={table: field}, severity=severity)(check)
    declared = CATALOGUE[code]
    CATALOGUE[code] = Rule(
        declared.code, declared.message, declared.fields, declared.needs, check, severity, "child", mask, frame
    )


def valid_date_text(name: str) -> pl.Expr:
    """The text parses as a DD/MM/YYYY date."""
    return pl.col(f"{name}_dt").is_not_null()


def bad_date(name: str) -> pl.Expr:
    """A value is present but is not a DD/MM/YYYY date."""
    return present(name) & pl.col(f"{name}_dt").is_null()
