"""Small-number suppression for the aggregate tables released outside the service.

A table is a grid of counts (rows: a breakdown such as age band; columns: the cohorts) published
with its row totals, column totals and grand total. Two steps, in the terms the ONS and NHS England
use:

- **Primary suppression**: every count from 1 to `threshold - 1` (cells and totals alike) is hidden.
  Zeros are shown: a true zero says nothing about a child.
- **Secondary (complementary) suppression**: enough further counts are hidden that no hidden count
  can be worked out from the ones shown. The table with its totals is a set of linear equations (each
  row sums to its total, each column to its total, the totals to the grand total). Drawn as a graph
  (a node for each row, each column and the two totals lines; an edge for each count), a hidden count
  can be solved for exactly when its edge is a *bridge* of the graph of hidden counts, that is, when
  it lies on no cycle. So we hide counts until every hidden edge lies on a cycle: first every line
  with exactly one hidden count gets a second one, then every remaining bridge is closed with one more
  edge between its two sides. Complements are the smallest non-zero counts available, so as little as
  possible is lost and a hidden count can move along its cycle (a cycle through zeros could pin it).

Column totals are shared by every table of one report (they are the cohort sizes), so they are
suppressed once for the report (`suppress_line`) and passed in as fixed: a complement is never a
column total or the grand total, so no two tables can show what the other hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

# Nodes of the graph: ("r", i) a row, ("c", j) a column, ("r", TOTAL) the totals row, ("c", TOTAL).
TOTAL = -1
Node = tuple[str, int]
Edge = tuple[int, int]  # (row index or TOTAL, column index or TOTAL)


@dataclass
class SuppressedTable:
    """Counts with the set of hidden positions. Position (i, j) is a cell; (i, TOTAL) a row total;
    (TOTAL, j) a column total; (TOTAL, TOTAL) the grand total."""

    cells: list[list[int]]
    hidden: set[Edge] = field(default_factory=set)
    primary: set[Edge] = field(default_factory=set)

    @property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.cells]

    @property
    def column_totals(self) -> list[int]:
        return [sum(col) for col in zip(*self.cells, strict=True)] if self.cells else []

    @property
    def grand_total(self) -> int:
        return sum(self.row_totals)

    def value(self, edge: Edge) -> int:
        i, j = edge
        if i == TOTAL and j == TOTAL:
            return self.grand_total
        if i == TOTAL:
            return self.column_totals[j]
        if j == TOTAL:
            return self.row_totals[i]
        return self.cells[i][j]

    def shown(self, edge: Edge) -> int | None:
        """The published value: None when hidden."""
        return None if edge in self.hidden else self.value(edge)


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_line(values: Sequence[int], threshold: int) -> set[int]:
    """Hide the small values of one line that sums to a published total (the cohort sizes), plus the
    smallest other non-zero value when exactly one would be hidden. Returns the hidden indexes."""
    hidden = {k for k, v in enumerate(values) if _is_small(v, threshold)}
    if len(hidden) == 1:
        others = sorted((v == 0, v, k) for k, v in enumerate(values) if k not in hidden)
        if others:
            hidden.add(others[0][2])
    return hidden


def suppress_totals_line(
    values: Sequence[int], threshold: int, forced: set[int] | frozenset[int] = frozenset(), grand_forced: bool = False
) -> tuple[set[int], bool]:
    """`suppress_line` for the column totals with the grand total (they sum to it), when some of them
    must be hidden whatever their size (`forced`, `grand_forced`: the differencing guard's). Returns
    the hidden indexes and whether the grand total is hidden; never exactly one hidden in the line."""
    hidden = {k for k, v in enumerate(values) if _is_small(v, threshold)} | set(forced)
    grand = grand_forced
    if len(hidden) + grand == 1:
        others = sorted((v == 0, v, k) for k, v in enumerate(values) if k not in hidden)
        if others:
            hidden.add(others[0][2])
        else:
            grand = True
    return hidden, grand


def suppress(
    cells: Sequence[Sequence[int]],
    threshold: int,
    hidden_columns: set[int] | None = None,
    forced: set[Edge] | None = None,
) -> SuppressedTable:
    """Suppress one table. `hidden_columns`: the column totals already hidden for the report (from
    `suppress_line` on the cohort sizes); by default they are worked out from this table alone.
    `forced`: counts to hide whatever their size (cells, row totals, and the grand total when the
    report hides it), as the differencing guard asks; they are treated as primary suppressions."""
    forced = forced or set()
    table = SuppressedTable(cells=[list(row) for row in cells])
    n_rows, n_cols = len(table.cells), len(table.cells[0]) if table.cells else 0
    if n_rows == 0 or n_cols == 0:
        return table
    if _is_small(table.grand_total, threshold):
        # Too few children for any breakdown: hide everything but the zeros' existence.
        table.hidden = {e for e in _all_edges(n_rows, n_cols) if table.value(e) != 0 or e[0] == TOTAL == e[1]}
        table.primary = set(table.hidden)
        return table
    if hidden_columns is None:
        hidden_columns = suppress_line(table.column_totals, threshold)
    table.primary = {e for e in _all_edges(n_rows, n_cols) if e[0] != TOTAL and _is_small(table.value(e), threshold)}
    table.primary |= {e for e in forced if e[0] != TOTAL}
    table.hidden = set(table.primary) | {(TOTAL, j) for j in hidden_columns} | (forced & {(TOTAL, TOTAL)})
    fixed = {(TOTAL, j) for j in range(n_cols)} | {(TOTAL, TOTAL)}
    while True:
        if _fill_single_lines(table, n_rows, n_cols, fixed):
            continue
        if _close_a_bridge(table, n_rows, n_cols, fixed):
            continue
        return table


def _all_edges(n_rows: int, n_cols: int) -> list[Edge]:
    rows = [*range(n_rows), TOTAL]
    cols = [*range(n_cols), TOTAL]
    return [(i, j) for i in rows for j in cols]


def _line(node: Node, n_rows: int, n_cols: int) -> list[Edge]:
    kind, k = node
    if kind == "r":
        return [(k, j) for j in [*range(n_cols), TOTAL]]
    return [(i, k) for i in [*range(n_rows), TOTAL]]


def _cheapest(table: SuppressedTable, candidates: list[Edge], fixed: set[Edge]) -> Edge | None:
    usable = [e for e in candidates if e not in table.hidden and e not in fixed]
    if not usable:
        return None
    # Smallest non-zero first (least information lost, and a cycle through it can move); zeros last.
    return min(usable, key=lambda e: (table.value(e) == 0, table.value(e), e))


def _fill_single_lines(table: SuppressedTable, n_rows: int, n_cols: int, fixed: set[Edge]) -> bool:
    nodes: list[Node] = [("r", i) for i in [*range(n_rows), TOTAL]] + [("c", j) for j in [*range(n_cols), TOTAL]]
    for node in nodes:
        line = _line(node, n_rows, n_cols)
        if sum(1 for e in line if e in table.hidden) == 1:
            choice = _cheapest(table, line, fixed)
            if choice is None:
                raise ValueError(f"Cannot protect line {node}: nothing left to hide")
            table.hidden.add(choice)
            return True
    return False


def _graph(edges: set[Edge]) -> dict[Node, list[tuple[Node, Edge]]]:
    graph: dict[Node, list[tuple[Node, Edge]]] = defaultdict(list)
    for i, j in edges:
        a, b = ("r", i), ("c", j)
        graph[a].append((b, (i, j)))
        graph[b].append((a, (i, j)))
    return graph


def _component(graph: dict[Node, list[tuple[Node, Edge]]], start: Node, without: Edge) -> set[Node]:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for other, edge in graph[node]:
            if edge != without and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def bridges(hidden: set[Edge]) -> list[Edge]:
    """The hidden counts that lie on no cycle: each could be solved for from the published counts."""
    graph = _graph(hidden)
    return [e for e in sorted(hidden) if ("c", e[1]) not in _component(graph, ("r", e[0]), without=e)]


def _close_a_bridge(table: SuppressedTable, n_rows: int, n_cols: int, fixed: set[Edge]) -> bool:
    found = bridges(table.hidden)
    if not found:
        return False
    edge = found[0]
    side = _component(_graph(table.hidden), ("r", edge[0]), without=edge)
    # Any count joining a row on one side to a column on the other puts the bridge on a cycle.
    rows_a = [k for kind, k in side if kind == "r"]
    cols_a = [k for kind, k in side if kind == "c"]
    rows_b = [i for i in [*range(n_rows), TOTAL] if i not in rows_a]
    cols_b = [j for j in [*range(n_cols), TOTAL] if j not in cols_a]
    candidates = [(i, j) for i in rows_a for j in cols_b] + [(i, j) for i in rows_b for j in cols_a]
    choice = _cheapest(table, candidates, fixed)
    if choice is None:
        raise ValueError(f"Cannot protect hidden count {edge}: no count joins its two sides")
    table.hidden.add(choice)
    return True
