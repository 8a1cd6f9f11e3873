"""The differencing guard: a two-release attack recovers a count the first release hid when the second
is released on its own, and cannot once the second is protected against the first. Then the same
through the release service: the second release records what it was compared with and hides more."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from opencsc.audit.services import Actor
from opencsc.casework.tests.factories import EpisodeFactory
from opencsc.people.tests.factories import ChildFactory
from opencsc.standard_data import differencing, health_needs, services
from opencsc.standard_data.health_needs import Counted, protect
from opencsc.standard_data.suppression import TOTAL

LIMIT = 5
Grid = list[list[int]]


def _counted(cells: Grid, day: dt.date) -> Counted:
    sizes = [sum(col) for col in zip(*cells, strict=True)]
    return Counted(
        as_of=day,
        threshold=LIMIT,
        children=sum(sizes),
        sizes=sizes,
        tables=[("self_harm", "Self-harm", ["Identified", "Not identified"], cells)],
    )


def _published(released: list[dict]) -> dict[tuple[int, int], int | None]:
    """The released table as the attacker reads it: (row, column) -> shown count or None."""
    table = released[0]
    out: dict[tuple[int, int], int | None] = {}
    for i, row in enumerate(table["rows"]):
        out.update({(i, j): v for j, v in enumerate(row["counts"])})
        out[(i, TOTAL)] = row["total"]
    out.update({(TOTAL, j): v for j, v in enumerate(table["totals"]["counts"])})
    out[(TOTAL, TOTAL)] = table["totals"]["total"]
    return out


def _consistent(published: dict[tuple[int, int], int | None], cap: int) -> list[Grid]:
    """Every whole-number 2 x 3 table that gives the published counts (hidden cells up to `cap`)."""
    hidden = [(i, j) for i in range(2) for j in range(3) if published[(i, j)] is None]
    found = []
    for values in itertools.product(range(cap + 1), repeat=len(hidden)):
        grid = [[published[(i, j)] or 0 for j in range(3)] for i in range(2)]
        for (i, j), v in zip(hidden, values, strict=True):
            grid[i][j] = v
        totals = {(i, TOTAL): sum(grid[i]) for i in range(2)}
        totals |= {(TOTAL, j): grid[0][j] + grid[1][j] for j in range(3)}
        totals[(TOTAL, TOTAL)] = sum(map(sum, grid))
        if all(published[k] is None or published[k] == v for k, v in totals.items()):
            found.append(grid)
    return found


def _attack(first: list[dict], second: list[dict], cap: int) -> set[int]:
    """Every value the first release's hidden (Identified, child in need) count can take, for an
    attacker who knows both releases and that between them children only joined (each count of the
    second is at least the first's): the strongest side knowledge a short interval gives."""
    earlier = _consistent(_published(first), cap)
    later = _consistent(_published(second), cap)
    return {a[0][0] for a in earlier for b in later if all(b[i][j] >= a[i][j] for i in range(2) for j in range(3))}


# Two children joined the child-in-need cohort between the releases, both with self-harm identified.
FIRST = [[3, 6, 6], [10, 7, 8]]
SECOND = [[5, 6, 6], [10, 7, 8]]
DAY = dt.date(2026, 3, 31)


def test_the_first_release_hides_the_small_count_and_withstands_attack_on_its_own():
    first = protect(_counted(FIRST, DAY)).as_released()
    assert _published(first)[(0, 0)] is None
    assert len({a[0][0] for a in _consistent(_published(first), 20)}) > 1


def test_without_the_guard_two_releases_recover_the_hidden_count():
    first = protect(_counted(FIRST, DAY)).as_released()
    second = protect(_counted(SECOND, DAY + dt.timedelta(days=7))).as_released()
    assert all(v is not None for v in _published(second).values())  # nothing small: all shown
    assert _attack(first, second, cap=20) == {3}  # the hidden 3, worked out exactly


def test_with_the_guard_the_hidden_count_cannot_be_recovered():
    first = protect(_counted(FIRST, DAY)).as_released()
    later = _counted(SECOND, DAY + dt.timedelta(days=7))
    forced = differencing.forced_by(later, [first])
    second = protect(later, forced).as_released()
    shown = _published(second)
    assert shown[(0, 0)] is None and shown[(0, TOTAL)] is None and shown[(TOTAL, 0)] is None
    values = _attack(first, second, cap=20)
    assert 3 in values and len(values) > 1
    # Nothing shown in the second release is a small difference from the first.
    before = _published(first)
    for position, value in shown.items():
        if value is not None and before[position] is not None:
            assert not 0 < abs(value - before[position]) < LIMIT, position


def test_a_release_outside_the_window_is_not_compared(settings):
    settings.OPENCSC_HEALTH_NEEDS_DIFFERENCING_DAYS = 30
    assert differencing.in_window(DAY, DAY - dt.timedelta(days=30))
    assert not differencing.in_window(DAY, DAY - dt.timedelta(days=31))


@pytest.mark.django_db
def test_the_second_release_is_compared_with_the_first_to_any_body(borough, icb, ig_officer):
    actor = Actor.from_user(ig_officer)
    first = services.health_needs_release(actor=actor, actor_user=ig_officer, agency=icb, as_of=dt.date(2026, 3, 31))
    assert first.release.differencing_hidden == 0 and not first.release.compared_with.exists()
    for _ in range(2):  # two children join the child-in-need cohort a week later
        EpisodeFactory(child=ChildFactory(date_of_birth=dt.date(2016, 5, 1)), referral_date=dt.date(2026, 4, 2))
    second = services.health_needs_release(actor=actor, actor_user=ig_officer, agency=icb, as_of=dt.date(2026, 4, 7))
    assert list(second.release.compared_with.all()) == [first.release]
    assert second.release.differencing_hidden > 0
    alone = health_needs.build(dt.date(2026, 4, 7))
    cin_alone = alone.as_released()[0]["totals"]["counts"][0]
    assert cin_alone == 14  # shown when the picture stands alone (12 + 2)
    assert second.release.tables[0]["totals"]["counts"][0] is None  # a difference of 2: hidden
