"""Suppression: no shown count below the threshold, and no hidden count can be recovered from the
counts shown, tried the way an attacker would (exact linear algebra, and every whole-number solution)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from opencsc.standard_data.suppression import TOTAL, Edge, SuppressedTable, bridges, suppress, suppress_line

THRESHOLD = 5


def _positions(table: SuppressedTable) -> list[Edge]:
    n_rows, n_cols = len(table.cells), len(table.cells[0])
    return [(i, j) for i in [*range(n_rows), TOTAL] for j in [*range(n_cols), TOTAL]]


def _equations(table: SuppressedTable) -> list[dict[Edge, int]]:
    """Every line of the published table: the counts of a row (or column) minus its total is 0."""
    n_rows, n_cols = len(table.cells), len(table.cells[0])
    lines = []
    for i in [*range(n_rows), TOTAL]:
        lines.append({**{(i, j): 1 for j in range(n_cols)}, (i, TOTAL): -1})
    for j in [*range(n_cols), TOTAL]:
        lines.append({**{(i, j): 1 for i in range(n_rows)}, (TOTAL, j): -1})
    return lines


def _determined_linearly(table: SuppressedTable) -> set[Edge]:
    """Hidden counts fixed by the equations alone: those whose unit vector lies in the row space of
    the equations restricted to the hidden unknowns (Gaussian elimination over the rationals)."""
    unknowns = sorted(table.hidden)
    index = {e: k for k, e in enumerate(unknowns)}
    rows = [[Fraction(line.get(e, 0)) for e in unknowns] for line in _equations(table)]
    rows = [r for r in rows if any(r)]
    basis: list[list[Fraction]] = []
    pivots: list[int] = []
    for row in rows:
        row = row[:]
        for b, p in zip(basis, pivots, strict=True):
            if row[p]:
                factor = row[p] / b[p]
                row = [x - factor * y for x, y in zip(row, b, strict=True)]
        nz = next((k for k, x in enumerate(row) if x), None)
        if nz is not None:
            basis.append(row)
            pivots.append(nz)
    found = set()
    for e in unknowns:
        target = [Fraction(0)] * len(unknowns)
        target[index[e]] = Fraction(1)
        for b, p in zip(basis, pivots, strict=True):
            if target[p]:
                factor = target[p] / b[p]
                target = [x - factor * y for x, y in zip(target, b, strict=True)]
        if not any(target):
            found.add(e)
    return found


def _feasible_values(table: SuppressedTable) -> dict[Edge, set[int]]:
    """Every value each hidden count takes over all non-negative whole-number tables that agree with
    what is shown (backtracking, forcing any line left with one unknown)."""
    unknowns = sorted(table.hidden)
    shown = {e: table.value(e) for e in _positions(table) if e not in table.hidden}
    bound = table.grand_total if (TOTAL, TOTAL) not in table.hidden else sum(shown.values()) + 50
    lines = _equations(table)
    values: dict[Edge, set[int]] = {e: set() for e in unknowns}

    def residual(line: dict[Edge, int], assign: dict[Edge, int]) -> tuple[int, list[Edge]]:
        total, free = 0, []
        for e, coef in line.items():
            if e in shown:
                total += coef * shown[e]
            elif e in assign:
                total += coef * assign[e]
            else:
                free.append(e)
        return total, free

    def solve(assign: dict[Edge, int]) -> None:
        changed = True
        assign = dict(assign)
        while changed:
            changed = False
            for line in lines:
                total, free = residual(line, assign)
                if not free:
                    if total != 0:
                        return
                elif len(free) == 1:
                    value = -total * line[free[0]]
                    if value < 0 or value > bound:
                        return
                    assign[free[0]] = value
                    changed = True
        rest = [e for e in unknowns if e not in assign]
        if not rest:
            for e, v in assign.items():
                values[e].add(v)
            return
        for v in range(bound + 1):
            solve({**assign, rest[0]: v})

    solve({})
    return values


def _check(cells: list[list[int]]) -> SuppressedTable:
    table = suppress(cells, THRESHOLD)
    for e in _positions(table):
        shown = table.shown(e)
        assert shown is None or not (0 < shown < THRESHOLD), f"{e} shows {shown}"
    assert not bridges(table.hidden)
    assert not _determined_linearly(table)
    return table


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_its_column() -> None:
    cells = [[20, 3, 40], [30, 25, 50], [12, 18, 60]]
    table = _check(cells)
    assert (0, 1) in table.primary
    assert sum(1 for j in range(3) if (0, j) in table.hidden) >= 2
    assert sum(1 for i in range(3) if (i, 1) in table.hidden) >= 2


def test_hidden_counts_cannot_be_recovered_by_trying_every_table() -> None:
    cells = [[20, 3, 40], [30, 25, 50], [12, 18, 60], [2, 9, 7]]
    table = _check(cells)
    for edge, possible in _feasible_values(table).items():
        assert len(possible) > 1, f"{edge} can only be {possible}"


def test_a_small_row_total_is_hidden_and_protected() -> None:
    cells = [[1, 1, 1], [30, 25, 50], [12, 18, 60]]
    table = _check(cells)
    assert (0, TOTAL) in table.hidden
    assert sum(1 for i in [0, 1, 2] if (i, TOTAL) in table.hidden) >= 2


def test_a_bridge_between_two_protected_blocks_is_closed() -> None:
    # Two 2x2 blocks of small cells joined by one more small cell: every line has two hidden counts,
    # but the joining cell is a bridge until a complement puts it on a cycle.
    cells = [[1, 2, 30, 30], [3, 4, 30, 30], [30, 1, 2, 30], [30, 30, 3, 4], [40, 40, 40, 40]]
    _check(cells)


def test_too_few_children_hides_the_whole_table_but_zeros() -> None:
    table = suppress([[1, 0], [2, 0]], THRESHOLD)
    assert table.shown((0, 1)) == 0
    assert table.shown((0, 0)) is None and table.shown((TOTAL, TOTAL)) is None


def test_the_cohort_line_hides_a_partner_for_a_small_cohort() -> None:
    assert suppress_line([3, 40, 60], THRESHOLD) == {0, 1}
    assert suppress_line([30, 40, 60], THRESHOLD) == set()
    assert suppress_line([3, 2, 60], THRESHOLD) == {0, 1}


small_tables = st.integers(min_value=2, max_value=4).flatmap(
    lambda rows: st.lists(
        st.lists(st.integers(min_value=0, max_value=9), min_size=3, max_size=3), min_size=rows, max_size=rows
    )
)


@given(small_tables)
def test_no_hidden_count_is_ever_recoverable(cells: list[list[int]]) -> None:
    table = suppress(cells, THRESHOLD)
    for e in _positions(table):
        shown = table.shown(e)
        assert shown is None or not (0 < shown < THRESHOLD)
    assert not _determined_linearly(table)


@given(
    st.lists(
        st.lists(st.sampled_from([0, 1, 2, 3, 6, 8, 15, 30]), min_size=3, max_size=3),
        min_size=8,
        max_size=30,
    )
)
def test_long_tables_like_postcode_districts_stay_protected(cells: list[list[int]]) -> None:
    table = suppress(cells, THRESHOLD)
    assert not _determined_linearly(table)


def test_the_attacker_would_catch_a_lone_hidden_cell() -> None:
    # The oracles themselves: one hidden cell in a full table is recovered by both.
    table = SuppressedTable(cells=[[20, 3, 40], [30, 25, 50]], hidden={(0, 1)})
    assert _determined_linearly(table) == {(0, 1)}
    assert _feasible_values(table) == {(0, 1): {3}}
    assert bridges({(0, 1)}) == [(0, 1)]


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=7), min_size=3, max_size=3),
        min_size=2,
        max_size=3,
    )
)
def test_every_whole_number_solution_leaves_each_hidden_count_open(cells: list[list[int]]) -> None:
    table = suppress(cells, THRESHOLD)
    if (TOTAL, TOTAL) in table.hidden:
        return  # the whole table is hidden
    for edge, possible in _feasible_values(table).items():
        assert len(possible) > 1, f"{cells}: {edge} can only be {possible}"
