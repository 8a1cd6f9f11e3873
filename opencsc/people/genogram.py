"""The genogram: a person's family drawn as an accessible inline SVG, with the same facts as text.

Three steps, kept apart so each can be tested and timed on its own:

* `family_for_user` reads the family (the ORM part). It opens the subject through
  `selectors.get_person_for_user`, so access is checked and the read audited like any other (an outsider
  gets the same 404 as for a missing record), then gathers the people near them: members of the subject's
  family groups, and people up to two relationships away. Only people `access.visible_persons` lets the
  user see are kept; a hidden relative is left out entirely, with no empty place that would hint at them.
* `layout` places people in generations (parents above children) and orders each generation so that
  partners stand side by side and children sit under their parents (barycentre ordering, as in a
  layered graph drawing). Pure Python, no database.
* `render_svg` draws it with the usual genogram conventions: squares for males, circles for females,
  diamonds where sex is not known, a triangle for an unborn child, a cross through someone who has
  died, a double outline round the subject, a line between partners (broken by two strokes for former
  partners), and children hanging from their parents' line. Presentation attributes only: the service's
  Content-Security-Policy refuses inline styles, and no script is needed.

No library: the maintained Python graph-drawing tools (graphviz bindings, networkx) either need a system
binary or know nothing of couples and genogram symbols, and a family of a few dozen people is small
enough to lay out directly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from opencsc.accounts import access
from opencsc.audit.services import Actor
from opencsc.core.http import AuthedRequest
from opencsc.people.models import FamilyMembership, Person, Relationship, RelationshipKind, Sex
from opencsc.people.selectors import get_person_for_user

K = RelationshipKind
MAX_PEOPLE = 60  # nearest first; past this a genogram stops being readable
MAX_CANDIDATES = 400  # bound on the people looked at before the access filter
HOPS = 2  # relationships away from the subject and their family groups

# How many generations below `person` their `relative` sits, for "person is KIND of relative".
GENERATION_STEP: dict[str, int] = {
    K.PARENT: 1,
    K.STEP_PARENT: 1,
    K.GRANDPARENT: 2,
    K.AUNT_UNCLE: 1,
    K.CARER: 1,
    K.FOSTER_CARER: 1,
    K.SIBLING: 0,
    K.HALF_SIBLING: 0,
    K.PARTNER: 0,
    K.FORMER_PARTNER: 0,
    K.COUSIN: 0,
    K.OTHER: 0,
}
# Relationships that fix generations firmly; carers and "other" only place people nothing else places.
FIRM = frozenset(GENERATION_STEP) - {K.CARER, K.FOSTER_CARER, K.OTHER}
COUPLE_KINDS = frozenset({K.PARTNER, K.FORMER_PARTNER})

# Drawing sizes, in SVG user units (pixels at scale 1).
SYMBOL = 40
SLOT = 130  # horizontal room for one person and their label
ROW = 170  # vertical distance between generations
MARGIN = 40
MIN_WIDTH = 900  # a small family sits in the middle of the width of the page's main column
# Labels: 14px Arial, 16px between rows. A generous average character width (wider than Arial's
# mean) gives each label a box that contains it; names are cut to LABEL_CHARS so that two
# neighbours' boxes never meet (LABEL_CHARS * LABEL_CHAR_WIDTH + halo < SLOT), and lines are routed
# round the boxes (the tests check every box against every line and every other box).
LABEL_CHAR_WIDTH = 8.0
LABEL_CHARS = 14
LABEL_LINE = 16
LABEL_ASCENT = 12
LABEL_DESCENT = 4
LABEL_HALO = 2
LABEL_GAP = 6  # clear space kept between a label and a line routed past it
INK = "#0b0c0c"
SUBJECT_FILL = "#d2e2f1"
SEX_WORDS: dict[str, str] = {Sex.MALE: "Male", Sex.FEMALE: "Female", Sex.UNKNOWN: "Not known"}
DASHES = {
    "step": "8 4",
    "care": "2 4",
    "distant": "1 5",
    "half": "8 4",
    "co_parents": "1 5",
    "sibling": "",
}


Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Member:
    """One person in the drawing: only what the picture and its text alternative show."""

    id: int
    first_name: str
    last_name: str
    sex: str
    is_child: bool
    born: dt.date | None = None
    expected: dt.date | None = None
    died: dt.date | None = None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or "(no name)"

    @property
    def is_unborn(self) -> bool:
        return self.born is None and self.expected is not None

    @property
    def sex_label(self) -> str:
        return "Unborn" if self.is_unborn else SEX_WORDS.get(self.sex, "Not known")

    def dates(self, today: dt.date) -> str:
        if self.died:
            return f"Died {self.died.year}"
        if self.is_unborn and self.expected:
            return f"Due {self.expected:%b %Y}"
        if self.born:
            age = today.year - self.born.year - ((today.month, today.day) < (self.born.month, self.born.day))
            return f"Age {age}"
        return ""


@dataclass(frozen=True)
class Link:
    """A relationship between two people in the drawing: "person is KIND of relative"."""

    person_id: int
    relative_id: int
    kind: str
    parental_responsibility: bool = False
    lives_with: bool = False
    ended: dt.date | None = None


@dataclass
class Family:
    subject_id: int
    members: dict[int, Member]
    links: list[Link]
    not_drawn: int = 0  # visible relatives beyond MAX_PEOPLE


@dataclass
class Layout:
    generation: dict[int, int]
    x: dict[int, float]
    units: dict[int, list[list[int]]]  # per generation, left to right; a unit is a couple or a single person
    width: float
    height: float

    def y(self, person_id: int) -> float:
        return MARGIN + 20 + SYMBOL / 2 + self.generation[person_id] * ROW


@dataclass
class Genogram:
    """What the page shows: the person, the drawing and its text alternative."""

    person: Person
    family: Family
    svg: SafeString
    people: list[Member] = field(default_factory=list)
    relationships: list[tuple[str, str, str, str]] = field(default_factory=list)


# --- reading the family --------------------------------------------------------------------------
def family_for_user(*, user: Any, actor: Actor, person_id: int) -> tuple[Person, Family]:
    """The subject (access-checked and audited as a "genogram" read) and the relatives the user may see."""
    drawn: dict[str, Any] = {}

    def family_drawn(subject: Person) -> list[int]:
        # Worked out after the access check and before the read is audited, so the event lists them.
        drawn["kept"], drawn["not_drawn"] = _family_ids(subject.pk, user=user)
        return list(drawn["kept"])

    subject = get_person_for_user(
        user=user, actor=actor, person_id=person_id, purpose="genogram", shown_with=family_drawn
    )
    return subject, _family_of(subject.pk, drawn["kept"], drawn["not_drawn"])


def load_family(subject_id: int, *, user: Any) -> Family:
    """The family around `subject_id` that `user` may see (`user=None`: everyone, for tests and
    benchmarks only; it neither checks access nor audits)."""
    kept, not_drawn = _family_ids(subject_id, user=user)
    return _family_of(subject_id, kept, not_drawn)


def _family_ids(subject_id: int, *, user: Any) -> tuple[list[int], int]:
    """Who is drawn (nearest first, at most MAX_PEOPLE) and how many more the user could have seen."""
    candidates = _nearby_ids(subject_id)
    visible = (
        set(candidates)
        if user is None
        else set(access.visible_persons(user).filter(pk__in=candidates).values_list("pk", flat=True))
    )
    shown = [pk for pk in candidates if pk in visible or pk == subject_id]
    return shown[:MAX_PEOPLE], max(0, len(shown) - MAX_PEOPLE)


def _family_of(subject_id: int, kept: list[int], not_drawn: int) -> Family:
    columns = (
        "pk",
        "first_name",
        "last_name",
        "sex",
        "is_child",
        "date_of_birth",
        "expected_date_of_birth",
        "date_of_death",
    )
    members = {
        row["pk"]: Member(
            id=row["pk"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            sex=row["sex"],
            is_child=row["is_child"],
            born=row["date_of_birth"],
            expected=row["expected_date_of_birth"],
            died=row["date_of_death"],
        )
        for row in Person.objects.filter(pk__in=kept).values(*columns)
    }
    links = [
        Link(
            person_id=row["person_id"],
            relative_id=row["relative_id"],
            kind=row["kind"],
            parental_responsibility=row["has_parental_responsibility"],
            lives_with=row["lives_with"],
            ended=row["end_date"],
        )
        for row in Relationship.objects.filter(person_id__in=kept, relative_id__in=kept)
        .order_by("pk")
        .values("person_id", "relative_id", "kind", "has_parental_responsibility", "lives_with", "end_date")
    ]
    return Family(subject_id=subject_id, members=members, links=links, not_drawn=not_drawn)


def _nearby_ids(subject_id: int) -> list[int]:
    """The subject, their family groups' members, then people up to HOPS relationships away: nearest first."""
    groups = FamilyMembership.objects.filter(person_id=subject_id).values("family_id")
    found = dict.fromkeys(
        [
            subject_id,
            *FamilyMembership.objects.filter(family_id__in=groups)
            .order_by("family_id", "pk")
            .values_list("person_id", flat=True),
        ]
    )
    frontier = list(found)
    for _hop in range(HOPS):
        if not frontier or len(found) >= MAX_CANDIDATES:
            break
        pairs = (
            Relationship.objects.filter(Q(person_id__in=frontier) | Q(relative_id__in=frontier))
            .order_by("pk")
            .values_list("person_id", "relative_id")[: MAX_CANDIDATES * 4]
        )
        frontier = [pk for pair in pairs for pk in pair if pk not in found]
        found.update(dict.fromkeys(frontier))
    return list(found)[:MAX_CANDIDATES]


# --- layout ----------------------------------------------------------------------------------------
def generations(family: Family) -> dict[int, int]:
    """Generation of each member, 0 at the top. Firm relationships place people first (breadth first from
    the subject, so the nearest relationship wins a conflict), then carers and "other"; anyone still
    unconnected stands with the subject if both are children or both adults, else a generation apart."""
    gen: dict[int, int] = {family.subject_id: 0}
    for kinds in (FIRM, frozenset(GENERATION_STEP)):
        steps: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for link in family.links:
            if link.kind in kinds:
                steps[link.person_id].append((link.relative_id, GENERATION_STEP[link.kind]))
                steps[link.relative_id].append((link.person_id, -GENERATION_STEP[link.kind]))
        queue = deque(gen)
        while queue:
            here = queue.popleft()
            for there, step in steps[here]:
                if there not in gen:
                    gen[there] = gen[here] + step
                    queue.append(there)
    subject = family.members[family.subject_id]
    for member in family.members.values():
        if member.id not in gen:
            gen[member.id] = 0 if member.is_child == subject.is_child else (1 if member.is_child else -1)
    top = min(gen.values())
    return {pk: g - top for pk, g in gen.items()}


def drawn_parents(family: Family, gen: dict[int, int]) -> dict[int, list[int]]:
    """Each member's parents in the drawing, when they stand exactly one generation up."""
    parents: dict[int, list[int]] = defaultdict(list)
    for link in family.links:
        if link.kind == K.PARENT and gen[link.person_id] == gen[link.relative_id] - 1:
            parents[link.relative_id].append(link.person_id)
    return parents


def _units(family: Family, gen: dict[int, int], parents: dict[int, list[int]]) -> dict[int, list[list[int]]]:
    """Per generation, the couples (partners, former partners, or two parents of the same child) and
    singles, each couple ordered as a chain (a person between two partners stands in the middle)."""
    pairs: dict[int, set[int]] = defaultdict(set)
    for link in family.links:
        if link.kind in COUPLE_KINDS and gen[link.person_id] == gen[link.relative_id]:
            pairs[link.person_id].add(link.relative_id)
            pairs[link.relative_id].add(link.person_id)
    for child_parents in parents.values():
        for a, b in pairwise(child_parents):
            pairs[a].add(b)
            pairs[b].add(a)
    units: dict[int, list[list[int]]] = defaultdict(list)
    placed: set[int] = set()
    for pk in _bfs_order(family):
        if pk not in placed:
            unit = _chain(pk, pairs, family)
            placed.update(unit)
            units[gen[pk]].append(unit)
    return units


def _bfs_order(family: Family) -> list[int]:
    neighbours: dict[int, list[int]] = defaultdict(list)
    for link in family.links:
        neighbours[link.person_id].append(link.relative_id)
        neighbours[link.relative_id].append(link.person_id)
    order = dict.fromkeys([family.subject_id])
    queue = deque(order)
    while queue:
        for there in neighbours[queue.popleft()]:
            if there not in order:
                order[there] = None
                queue.append(there)
    order.update(dict.fromkeys(sorted(family.members)))
    return list(order)


def _chain(start: int, pairs: dict[int, set[int]], family: Family) -> list[int]:
    component, queue = {start}, deque([start])
    while queue:
        for there in pairs[queue.popleft()]:
            if there not in component:
                component.add(there)
                queue.append(there)
    # Walk from an end of the chain; of two ends, the male one goes left (the usual convention).
    ends = sorted(
        (pk for pk in component if len(pairs[pk] & component) <= 1),
        key=lambda pk: (family.members[pk].sex != Sex.MALE, pk),
    ) or sorted(component)
    walk, here = [ends[0]], ends[0]
    while True:
        after = sorted(pairs[here] & component - set(walk))
        if not after:
            break
        here = after[0]
        walk.append(here)
    return walk + sorted(component - set(walk))


def layout(family: Family) -> Layout:
    """Generations top to bottom, and an order within each that keeps couples together and puts children
    under their parents, eldest on the left. Two sweeps of barycentre ordering settle typical families."""
    gen = generations(family)
    parents = drawn_parents(family, gen)
    children: dict[int, list[int]] = defaultdict(list)
    for child, their_parents in parents.items():
        for parent in their_parents:
            children[parent].append(child)
    units = _units(family, gen, parents)
    levels = sorted(units)
    x: dict[int, float] = {}
    for level in levels:
        _pack(units[level], {}, x)

    def born(unit: list[int]) -> dt.date:
        days = [family.members[pk].born or family.members[pk].expected for pk in unit]
        return min((d for d in days if d), default=dt.date.max)

    for _sweep in range(2):
        for level in levels[1:]:  # down: under the parents, eldest child first
            _reorder(units, level, x, lambda pk: parents.get(pk, ()), born)
        for level in reversed(levels[:-1]):  # up: parents over their children
            _reorder(units, level, x, lambda pk: children.get(pk, ()), lambda unit: dt.date.min)
    left = min(x.values()) - SLOT / 2
    natural = max(x.values()) + SLOT / 2 - left + 2 * MARGIN
    shift = MARGIN - left + max(0.0, (MIN_WIDTH - natural) / 2)  # a small family sits in the middle
    x = {pk: value + shift for pk, value in x.items()}
    width = max(float(MIN_WIDTH), natural)
    height = MARGIN * 2 + 20 + SYMBOL + max(levels) * ROW + 60
    return Layout(generation=gen, x=x, units=dict(units), width=width, height=height)


def _reorder(
    units: dict[int, list[list[int]]],
    level: int,
    x: dict[int, float],
    related: Callable[[int], Iterable[int]],
    tiebreak: Callable[[list[int]], dt.date],
) -> None:
    """Order one generation by the mean position of each unit's relatives in the next generation (up
    or down), then place each unit as near that position as its neighbours allow."""
    row = units[level]
    # A unit with no relatives that way keeps its place, rather than sliding into the first gap.
    wanted = [_mean([x[other] for pk in unit for other in related(pk)], default=_centre(unit, x)) for unit in row]
    order = sorted(range(len(row)), key=lambda i: (wanted[i], tiebreak(row[i])))
    units[level] = [row[i] for i in order]
    _pack(units[level], {j: wanted[i] for j, i in enumerate(order)}, x)


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _centre(unit: list[int], x: dict[int, float]) -> float:
    return sum(x.get(pk, 0.0) for pk in unit) / len(unit)


def _pack(units: list[list[int]], wanted: dict[int, float], x: dict[int, float]) -> None:
    """Place units left to right, each run of units wanting the same centre (a family's children)
    centred there as one block, as near as the units already placed allow."""
    cursor: float | None = None
    i = 0
    while i < len(units):
        centre, j = wanted.get(i), i + 1
        while centre is not None and j < len(units) and wanted.get(j) == centre:
            j += 1
        people = [pk for unit in units[i:j] for pk in unit]
        start = centre - len(people) * SLOT / 2 if centre is not None else (cursor if cursor is not None else 0.0)
        if cursor is not None:
            start = max(start, cursor)
        for k, pk in enumerate(people):
            x[pk] = start + SLOT * (k + 0.5)
        cursor = start + len(people) * SLOT
        i = j


# --- drawing ---------------------------------------------------------------------------------------
def render_svg(family: Family, plan: Layout, *, today: dt.date) -> SafeString:
    """The drawing as inline SVG: lines first, then symbols, then labels (haloed so lines pass behind)."""
    subject = family.members[family.subject_id]
    parents = drawn_parents(family, plan.generation)
    boxes = {pk: label_box(member, plan, pk == subject.id, today) for pk, member in family.members.items()}
    kinds: dict[frozenset[int], set[str]] = defaultdict(set)
    for link in family.links:
        kinds[frozenset((link.person_id, link.relative_id))].add(
            K.FORMER_PARTNER if link.kind == K.PARTNER and link.ended else link.kind
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {plan.width:.0f} {plan.height:.0f}" '
        f'width="{plan.width:.0f}" height="{plan.height:.0f}" '
        f'role="img" aria-labelledby="genogram-title genogram-desc" focusable="false" '
        f'font-family="arial, sans-serif" class="opencsc-genogram">',
        format_html('<title id="genogram-title">Genogram of the family of {}</title>', subject.name),
        format_html(
            '<desc id="genogram-desc">{} people over {} generations. Every person and relationship in '
            "the picture is also listed in the tables below it.</desc>",
            len(family.members),
            len(plan.units),
        ),
        f'<g fill="none" stroke="{INK}" stroke-width="2">',
        *_couple_lines(plan, kinds),
        *_child_lines(plan, parents, boxes),
        *_connectors(family, plan, parents, kinds, boxes),
        "</g>",
        *(_symbol(member, plan, member.id == subject.id) for member in family.members.values()),
        *(_label(member, plan, member.id == subject.id, today) for member in family.members.values()),
        "</svg>",
    ]
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (every text above went through format_html)


def _couple_lines(plan: Layout, kinds: dict[frozenset[int], set[str]]) -> list[str]:
    lines = []
    for units in plan.units.values():
        for unit in units:
            for a, b in pairwise(unit):
                between = kinds.get(frozenset((a, b)), set())
                x1, x2, y = plan.x[a] + SYMBOL / 2, plan.x[b] - SYMBOL / 2, plan.y(a)
                dash = "" if between & COUPLE_KINDS else f' stroke-dasharray="{DASHES["co_parents"]}"'
                lines.append(f'<path d="M{x1:.1f} {y:.1f}H{x2:.1f}"{dash}/>')
                if K.FORMER_PARTNER in between and K.PARTNER not in between:
                    mid = (x1 + x2) / 2  # two strokes across the line: separated or divorced
                    lines.append(
                        f'<path d="M{mid - 7:.1f} {y + 9:.1f}L{mid - 1:.1f} {y - 9:.1f}'
                        f'M{mid + 1:.1f} {y + 9:.1f}L{mid + 7:.1f} {y - 9:.1f}"/>'
                    )
    return lines


def _child_lines(plan: Layout, parents: dict[int, list[int]], boxes: dict[int, Box]) -> list[str]:
    """From the middle of the parents' line (or below a lone parent's label) down to a bar, then to
    each child."""
    families: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for child, their_parents in parents.items():
        families[tuple(sorted(their_parents))].append(child)
    lines = []
    bars_in_row: dict[int, int] = defaultdict(int)
    for group, children in sorted(families.items(), key=lambda item: plan.x[item[1][0]]):
        their_parents = list(group)
        origin_x = sum(plan.x[p] for p in their_parents) / len(their_parents)
        origin_y = plan.y(their_parents[0]) if len(their_parents) > 1 else boxes[their_parents[0]][3] + LABEL_GAP
        top = plan.y(children[0]) - SYMBOL / 2
        # Each family's bar at its own height, so two families' children never seem to share one.
        bar = top - 18 - 10 * (bars_in_row[plan.generation[children[0]]] % 3)
        bars_in_row[plan.generation[children[0]]] += 1
        xs = [plan.x[c] for c in children] + [origin_x]
        drops = "".join(f"M{plan.x[c]:.1f} {bar:.1f}V{top:.1f}" for c in children)
        lines.append(
            f'<path d="M{origin_x:.1f} {origin_y:.1f}V{bar:.1f}M{min(xs):.1f} {bar:.1f}H{max(xs):.1f}{drops}"/>'
        )
    return lines


def _explained(link: Link, plan: Layout, parents: dict[int, list[int]]) -> bool:
    """Whether the couple and child lines already show this relationship."""
    a, b = link.person_id, link.relative_id
    if link.kind == K.PARENT:
        return a in parents.get(b, ())
    if link.kind in COUPLE_KINDS:
        return any(_adjacent(unit, a, b) for unit in plan.units.get(plan.generation[a], ()))
    if link.kind in (K.SIBLING, K.HALF_SIBLING):
        return bool(set(parents.get(a, ())) & set(parents.get(b, ())))
    if link.kind == K.GRANDPARENT:
        return any(a in parents.get(middle, ()) for middle in parents.get(b, ()))
    return False


def _adjacent(unit: list[int], a: int, b: int) -> bool:
    return any({x, y} == {a, b} for x, y in pairwise(unit))


def _connectors(
    family: Family,
    plan: Layout,
    parents: dict[int, list[int]],
    kinds: dict[frozenset[int], set[str]],
    boxes: dict[int, Box],
) -> list[str]:
    """Relationships the structure does not show: step-parents, carers, and relatives whose linking
    person is not in the drawing. Same generation: a bracket above; otherwise a straight line."""
    style: dict[str, str] = {
        K.STEP_PARENT: "step",
        K.CARER: "care",
        K.FOSTER_CARER: "care",
        K.HALF_SIBLING: "half",
        K.SIBLING: "sibling",
        K.PARTNER: "sibling",
        K.FORMER_PARTNER: "half",
    }
    lines, done = [], set()
    for link in family.links:
        pair = frozenset((link.person_id, link.relative_id))
        if (pair, link.kind) in done or _explained(link, plan, parents):
            continue
        done.add((pair, link.kind))
        dash = DASHES[style.get(link.kind, "distant")]
        dashed = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
        a, b = sorted((link.person_id, link.relative_id), key=lambda pk: (plan.generation[pk], plan.x[pk]))
        if plan.generation[a] == plan.generation[b]:
            top = plan.y(a) - SYMBOL / 2
            lines.append(f'<path d="M{plan.x[a]:.1f} {top:.1f}V{top - 14:.1f}H{plan.x[b]:.1f}V{top:.1f}"{dashed}/>')
        else:
            points = _route(plan, boxes, a, b)
            d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
            lines.append(f'<path d="{d}"{dashed}/>')
    return lines


def _row_bottom(plan: Layout, boxes: dict[int, Box], generation: int) -> float:
    return max(boxes[pk][3] for pk, g in plan.generation.items() if g == generation) + LABEL_GAP


def _route(plan: Layout, boxes: dict[int, Box], a: int, b: int) -> list[tuple[float, float]]:
    """A line from below a's label down to b's symbol, generations apart, that never crosses a label
    or a symbol: straight down out of a's row, then through a gap in each generation between them."""
    points = [(plan.x[a], boxes[a][3] + LABEL_GAP), (plan.x[a], _row_bottom(plan, boxes, plan.generation[a]))]
    end = (plan.x[b], plan.y(b) - SYMBOL / 2)
    for generation in range(plan.generation[a] + 1, plan.generation[b]):
        row = [pk for pk, g in plan.generation.items() if g == generation]
        top = min(plan.y(pk) for pk in row) - SYMBOL / 2 - 10
        spans = sorted(
            (
                min(boxes[pk][0], plan.x[pk] - SYMBOL / 2 - 8) - LABEL_GAP,
                max(boxes[pk][2], plan.x[pk] + SYMBOL / 2 + 8) + LABEL_GAP,
            )
            for pk in row
        )
        gaps = [spans[0][0] - 10, spans[-1][1] + 10]
        gaps += [(left[1] + right[0]) / 2 for left, right in pairwise(spans) if right[0] - left[1] > 4]
        here = points[-1][0] + (end[0] - points[-1][0]) / 2
        x = min(gaps, key=lambda gap: abs(gap - here))
        points += [(x, top), (x, _row_bottom(plan, boxes, generation))]
    return [*points, end]


def _shape(member: Member, cx: float, cy: float, size: float) -> str:
    half = size / 2
    if member.is_unborn:
        return f'<path d="M{cx:.1f} {cy - half:.1f}L{cx + half:.1f} {cy + half:.1f}H{cx - half:.1f}Z"'
    if member.sex == Sex.MALE:
        return f'<rect x="{cx - half:.1f}" y="{cy - half:.1f}" width="{size:.1f}" height="{size:.1f}"'
    if member.sex == Sex.FEMALE:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{half:.1f}"'
    return (
        f'<path d="M{cx:.1f} {cy - half:.1f}L{cx + half:.1f} {cy:.1f}'
        f'L{cx:.1f} {cy + half:.1f}L{cx - half:.1f} {cy:.1f}Z"'
    )


def _symbol(member: Member, plan: Layout, is_subject: bool) -> str:
    cx, cy = plan.x[member.id], plan.y(member.id)
    fill = SUBJECT_FILL if is_subject else "#ffffff"
    drawn = [f'{_shape(member, cx, cy, SYMBOL)} fill="{fill}" stroke="{INK}" stroke-width="2"/>']
    if is_subject:  # the index person: a double outline
        drawn.append(f'{_shape(member, cx, cy, SYMBOL + 14)} fill="none" stroke="{INK}" stroke-width="2"/>')
    if member.died:
        h = SYMBOL / 2 + 4
        drawn.append(
            f'<path d="M{cx - h:.1f} {cy - h:.1f}L{cx + h:.1f} {cy + h:.1f}M{cx + h:.1f} {cy - h:.1f}'
            f'L{cx - h:.1f} {cy + h:.1f}" stroke="{INK}" stroke-width="2"/>'
        )
    return "".join(drawn)


def label_rows(member: Member, today: dt.date) -> list[str]:
    first = member.first_name or ("Unborn" if member.is_unborn else "")
    return [row for row in (_fit(first), _fit(member.last_name), member.dates(today)) if row]


def _label_baseline(plan: Layout, pk: int, is_subject: bool) -> float:
    return plan.y(pk) + SYMBOL / 2 + (26 if is_subject else 18)


def label_box(member: Member, plan: Layout, is_subject: bool, today: dt.date) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) the label's text and halo stay inside."""
    rows = label_rows(member, today)
    half = max((len(row) for row in rows), default=0) * LABEL_CHAR_WIDTH / 2 + LABEL_HALO
    base = _label_baseline(plan, member.id, is_subject)
    cx = plan.x[member.id]
    top = base - LABEL_ASCENT - LABEL_HALO
    bottom = base + (len(rows) - 1) * LABEL_LINE + LABEL_DESCENT + LABEL_HALO
    return (cx - half, top, cx + half, bottom)


def _fit(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _label(member: Member, plan: Layout, is_subject: bool, today: dt.date) -> SafeString:
    cx = plan.x[member.id]
    y = _label_baseline(plan, member.id, is_subject)
    rows = label_rows(member, today)
    weight = ' font-weight="bold"' if is_subject else ""
    spans = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((f"{cx:.1f}", "0" if i == 0 else "16", row) for i, row in enumerate(rows)),
    )
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}" stroke="#ffffff" stroke-width="4" '
        'paint-order="stroke" stroke-linejoin="round"{}>{}</text>',
        f"{cx:.1f}",
        f"{y:.1f}",
        INK,
        mark_safe(weight),  # noqa: S308 (a constant)
        spans,
    )


# --- the page --------------------------------------------------------------------------------------
def _people_rows(family: Family, plan: Layout) -> list[Member]:
    return sorted(family.members.values(), key=lambda m: (plan.generation[m.id], plan.x[m.id]))


def _relationship_rows(family: Family) -> list[tuple[str, str, str, str]]:
    """(person, relationship, relative, notes) for every relationship drawn, the subject's first."""
    names = {pk: member.name for pk, member in family.members.items()}
    labels = dict(RelationshipKind.choices)
    rows = []
    for link in sorted(family.links, key=lambda k: family.subject_id not in (k.person_id, k.relative_id)):
        notes = [
            text
            for flag, text in (
                (link.parental_responsibility, "has parental responsibility"),
                (link.lives_with, "lives with them"),
            )
            if flag
        ]
        if link.ended:
            notes.append(f"ended {link.ended:%-d %B %Y}")
        rows.append(
            (
                names[link.person_id],
                str(labels.get(link.kind, link.kind)),
                names[link.relative_id],
                "; ".join(notes).capitalize(),
            )
        )
    return rows


def genogram_for_user(*, user: Any, actor: Actor, person_id: int, today: dt.date | None = None) -> Genogram:
    """Read the family (access-checked, audited), lay it out and draw it, with its text alternative."""
    person, family = family_for_user(user=user, actor=actor, person_id=person_id)
    plan = layout(family)
    day = today or timezone.localdate()
    return Genogram(
        person=person,
        family=family,
        svg=render_svg(family, plan, today=day),
        people=_people_rows(family, plan),
        relationships=_relationship_rows(family),
    )


@login_required
@require_GET
def genogram_view(request: AuthedRequest, person_id: int) -> HttpResponse:
    """`people:genogram`. Kept beside the drawing code: it is one call and a template."""
    drawing = genogram_for_user(user=request.user, actor=Actor.from_request(request), person_id=person_id)
    return render(request, "people/genogram.html", {"person": drawing.person, "genogram": drawing})
