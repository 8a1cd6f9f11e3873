"""No label in a genogram touches a line or another label, across every family of a seeded demo
borough (issue 11): the boxes are the ones the drawing code keeps its text inside, the lines are read
back from the SVG it produced."""

from __future__ import annotations

import datetime as dt
import re
from itertools import combinations

import pytest

from opencsc.demo.borough import seed_borough
from opencsc.people.genogram import Box, label_box, layout, load_family, render_svg
from opencsc.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 31)
Segment = tuple[float, float, float, float]


def _segments(svg: str) -> list[Segment]:
    """Every straight piece of the lines group (M, L, H and V commands, absolute)."""
    lines = re.search(r'<g fill="none"[^>]*>(.*?)</g>', svg, re.S)
    assert lines is not None
    found: list[Segment] = []
    for d in re.findall(r'<path d="([^"]+)"', lines.group(1)):
        x = y = 0.0
        for command, args in re.findall(r"([MLHV])([^MLHV]*)", d):
            numbers = [float(n) for n in args.split()]
            nx, ny = x, y
            if command in "ML":
                nx, ny = numbers
            elif command == "H":
                nx = numbers[0]
            else:
                ny = numbers[0]
            if command != "M":
                found.append((x, y, nx, ny))
            x, y = nx, ny
    return found


def _crosses(segment: Segment, box: Box) -> bool:
    """Whether a segment enters a box (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = segment
    left, top, right, bottom = box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_no_label_meets_a_line_or_another_label_in_any_demo_family():
    seed_borough(children=60, seed=2026, as_of=TODAY)
    problems: list[str] = []
    families = 0
    for subject_id in Person.objects.filter(is_child=True).values_list("pk", flat=True):
        family = load_family(subject_id, user=None)
        if len(family.members) < 2:
            continue
        families += 1
        plan = layout(family)
        svg = str(render_svg(family, plan, today=TODAY))
        boxes = {pk: label_box(m, plan, pk == subject_id, TODAY) for pk, m in family.members.items()}
        for segment in _segments(svg):
            for pk, box in boxes.items():
                if _crosses(segment, box):
                    problems.append(f"family of {subject_id}: line {segment} crosses the label of {pk}")
        for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
            if _overlap(box_a, box_b):
                problems.append(f"family of {subject_id}: labels of {a} and {b} overlap")
    assert families > 30
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


def test_a_lone_parents_line_starts_below_her_name():
    """The bug the issue reported: the mother's line drawn through her name."""
    from opencsc.people.genogram import Family, Link, Member

    mother = Member(1, "Pamela", "Harrison", "F", False, born=dt.date(1987, 3, 22))
    child = Member(2, "Stephen", "Harrison", "M", True, born=dt.date(2021, 5, 15))
    family = Family(subject_id=2, members={1: mother, 2: child}, links=[Link(1, 2, "parent")])
    plan = layout(family)
    svg = str(render_svg(family, plan, today=TODAY))
    box = label_box(mother, plan, False, TODAY)
    assert not any(_crosses(segment, box) for segment in _segments(svg))
