"""The chronology drawn in lanes: episodes of early help / Family Help (with the services provided
drawn on them as diamonds), referral episodes, child in need, child protection and looked-after
periods as bars, placements, and the events as numbered markers (significant events in their own
colour and lane). The numbers are the rows of the events table printed with it, and every bar is also
listed in a table (`Period` rows), so the picture has a full text alternative.

Server-rendered SVG with presentation attributes only (the Content-Security-Policy refuses inline
styles), scaled to the page's width by its viewBox, so it prints on A4 as it shows on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from opencsc.casework import help_model
from opencsc.casework.models import (
    CareEpisode,
    ChildInNeedPlan,
    ChildProtectionPlan,
    HelpEpisode,
    PeriodOfCare,
    ReferralEpisode,
    ServiceReferral,
)
from opencsc.casework.selectors import ChronologyItem
from opencsc.people.models import Person

WIDTH = 960
LEFT = 210  # the lane names
RIGHT = 20
TOP = 34  # the years
LANE = 34
BAR = 18
MARKER = 12  # radius of an event's numbered marker
INK = "#0b0c0c"
GRID = "#b1b4b6"
HELP_COLOUR = "#28a197"
SERVICE_COLOUR = "#ffdd00"
LANES = (
    ("help", "Early help", HELP_COLOUR),  # titled by OPENCSC_HELP_MODEL: see `lanes()`
    ("referral", "Referral episodes", "#1d70b8"),
    ("cin", "Child in need plans", "#00703c"),
    ("cp", "Child protection plans", "#d4351c"),
    ("lac", "Looked after", "#4c2c92"),
    ("placement", "Placements", "#912b88"),
)
EVENT_COLOUR = "#505a5f"
Place = Callable[[dt.date], float]
SIGNIFICANT_COLOUR = "#f47738"


@dataclass(frozen=True)
class Period:
    lane: str
    lane_title: str
    start: dt.date
    end: dt.date | None
    what: str


@dataclass(frozen=True)
class Numbered:
    number: int
    item: ChronologyItem


@dataclass(frozen=True)
class ServiceMark:
    """A service provided, drawn as a diamond in the help lane on the day it started (or was
    referred, until it starts), and listed in the services table."""

    day: dt.date
    what: str


@dataclass
class Picture:
    svg: SafeString
    periods: list[Period]
    events: list[Numbered]
    services: list[ServiceMark] | None = None


def lanes() -> tuple[tuple[str, str, str], ...]:
    """The lanes, the help lane named as the council names its help ("Early help" / "Family help")."""
    return tuple((k, help_model.help_name() if k == "help" else t, c) for k, t, c in LANES)


def services_for(child: Person) -> list[ServiceMark]:
    """The services provided to the child (one query), oldest first."""
    marks = []
    for r in ServiceReferral.objects.filter(child=child).select_related("service").order_by("referred_on", "pk"):
        words = [f"{r.service.get_kind_display()}: {r.service.name}", f"referred {r.referred_on:%-d %B %Y}"]
        if r.start_date:
            words.append(f"started {r.start_date:%-d %B %Y}")
        if r.end_date:
            words.append(f"ended {r.end_date:%-d %B %Y}")
        if r.sessions_offered:
            words.append(f"{r.sessions_attended} of {r.sessions_offered} sessions attended")
        marks.append(ServiceMark(r.start_date or r.referred_on, ", ".join(words)))
    return marks


def periods_for(child: Person) -> list[Period]:
    """Every bar of the picture, in lane order: six small queries on indexed child columns."""
    titles = {key: title for key, title, _ in lanes()}
    found: list[Period] = []
    for h in HelpEpisode.objects.filter(child=child).order_by("start_date", "pk"):
        what = f"{titles['help']}: {h.reason[:80]}"
        if h.end_date:
            what += f"; ended: {h.get_end_reason_display()}"
        found.append(Period("help", titles["help"], h.start_date, h.end_date, what))
    for e in ReferralEpisode.objects.filter(child=child).order_by("referral_date"):
        what = f"Referral ({e.get_source_display()})"
        if e.closure_reason:
            what += f"; closed: {e.get_closure_reason_display()}"
        found.append(Period("referral", titles["referral"], e.referral_date, e.closure_date, what))
    for cin in ChildInNeedPlan.objects.filter(child=child).order_by("start_date"):
        found.append(Period("cin", titles["cin"], cin.start_date, cin.end_date, "Child in need plan"))
    for cp in ChildProtectionPlan.objects.filter(child=child).order_by("start_date"):
        category = cp.get_latest_category_display()
        found.append(Period("cp", titles["cp"], cp.start_date, cp.end_date, f"Child protection plan: {category}"))
    for p in PeriodOfCare.objects.filter(child=child).order_by("start_date"):
        found.append(Period("lac", titles["lac"], p.start_date, p.end_date, "Looked after"))
    for c in CareEpisode.objects.filter(child=child).order_by("start_date", "pk"):
        what = f"{c.get_placement_type_display()}; legal status {c.get_legal_status_display()}"
        found.append(Period("placement", titles["placement"], c.start_date, c.end_date, what))
    return found


def draw(child: Person, items: list[ChronologyItem], *, today: dt.date) -> Picture:
    periods = periods_for(child)
    services = services_for(child)
    events = [Numbered(i + 1, item) for i, item in enumerate(items)]
    days = [p.start for p in periods] + [i.day for i in items] + [m.day for m in services]
    if not days:
        return Picture(svg=mark_safe(""), periods=periods, events=events, services=services)
    first = dt.date(min(days).year, 1, 1)
    last = max([today, *days, *(p.end for p in periods if p.end)])
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    rows = _marker_rows(events, x)
    event_rows = max((r for r, s in rows.values() if not s), default=0) + 1
    significant_rows = max((r for r, s in rows.values() if s), default=0) + 1
    event_top = TOP + LANE * len(LANES) + 8
    significant_top = event_top + event_rows * (2 * MARKER + 6) + 16
    height = significant_top + significant_rows * (2 * MARKER + 6) + 14
    parts: list[str | SafeString] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
            'aria-labelledby="chronology-title chronology-desc" focusable="false" font-family="arial, sans-serif" '
            'class="opencsc-chronology-picture">',
            WIDTH,
            height,
        ),
        format_html('<title id="chronology-title">Chronology of {} in lanes</title>', child.full_name),
        format_html(
            '<desc id="chronology-desc">From {} to {}: {} periods drawn as bars and {} events as numbered '
            "markers. The same periods and events are listed in the tables below the picture.</desc>",
            f"{first:%-d %B %Y}",
            f"{last:%-d %B %Y}",
            len(periods),
            len(events),
        ),
    ]
    parts += _axis(first, last, x, height)
    parts += _lanes(periods, x, today)
    parts += [_service(mark, x(mark.day)) for mark in services]
    parts += _lane_name("Events (numbered)", event_top + MARKER)
    parts += _lane_name("Significant events", significant_top + MARKER)
    for event in events:
        row, significant = rows[event.number]
        top = significant_top if significant else event_top
        cy = top + MARKER + row * (2 * MARKER + 6)
        parts.append(_marker(event, x(event.item.day), cy, significant))
    parts.append(
        format_html(
            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="2" stroke-dasharray="4 3"/>',
            f"{x(today):.1f}",
            TOP - 6,
            f"{height - 4:.1f}",
            INK,
        )
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="14" text-anchor="end" fill="{}">Today</text>',
            f"{x(today) - 4:.1f}",
            TOP - 8,
            INK,
        )
    )
    parts.append("</svg>")
    return Picture(svg=mark_safe("".join(str(p) for p in parts)), periods=periods, events=events, services=services)  # noqa: S308 (format_html above)


def _today(at: float, height: float) -> SafeString:
    return format_html(
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="2" stroke-dasharray="4 3"/>'
        '<text x="{4}" y="{5}" font-size="14" text-anchor="end" fill="{3}">Today</text>',
        f"{at:.1f}",
        TOP - 6,
        f"{height - 4:.1f}",
        INK,
        f"{at - 4:.1f}",
        TOP - 8,
    )


def _marker_rows(events: list[Numbered], x: Place) -> dict[int, tuple[int, bool]]:
    """Each marker's row in its lane: the first row where it does not touch the previous marker."""
    place = x
    ends: dict[bool, list[float]] = {True: [], False: []}
    rows: dict[int, tuple[int, bool]] = {}
    for event in events:
        lane = ends[event.item.curated]
        here = place(event.item.day)
        for row, end in enumerate(lane):
            if here - end >= 2 * MARKER + 3:
                lane[row] = here
                rows[event.number] = (row, event.item.curated)
                break
        else:
            lane.append(here)
            rows[event.number] = (len(lane) - 1, event.item.curated)
    return rows


def _axis(first: dt.date, last: dt.date, x: Place, height: float) -> list[str | SafeString]:
    place = x
    parts: list[str | SafeString] = []
    for year in range(first.year, last.year + 1):
        at = place(dt.date(year, 1, 1))
        parts.append(
            format_html(
                '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>'
                '<text x="{4}" y="{5}" font-size="15" fill="{6}">{7}</text>',
                f"{at:.1f}",
                TOP - 4,
                f"{height - 4:.1f}",
                GRID,
                f"{at + 3:.1f}",
                TOP - 12,
                INK,
                year,
            )
        )
    return parts


def _lane_name(title: str, middle: float) -> list[str | SafeString]:
    return [
        format_html(
            '<text x="{}" y="{}" font-size="15" font-weight="bold" fill="{}">{}</text>',
            8,
            f"{middle + 4:.1f}",
            INK,
            title,
        )
    ]


def _lanes(periods: list[Period], x: Place, today: dt.date) -> list[str | SafeString]:
    place = x
    parts: list[str | SafeString] = []
    for index, (key, title, colour) in enumerate(lanes()):
        top = TOP + index * LANE
        parts += _lane_name(title, top + LANE / 2)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                LEFT,
                top + LANE - 1,
                WIDTH - RIGHT,
                top + LANE - 1,
                GRID,
            )
        )
        for n, period in enumerate(p for p in periods if p.lane == key):
            x1 = place(period.start)
            x2 = max(place(period.end or today), x1 + 3)
            # Placements alternate between two tints so that one placement's end shows against the next.
            opacity = "0.55" if key == "placement" and n % 2 else "1"
            until = f"{period.end:%-d %B %Y}" if period.end else "continuing"
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" stroke="{}" '
                    'stroke-width="1">'
                    "<title>{}: {} from {} to {}</title></rect>",
                    f"{x1:.1f}",
                    f"{top + (LANE - BAR) / 2:.1f}",
                    f"{x2 - x1:.1f}",
                    BAR,
                    colour,
                    opacity,
                    INK,
                    title,
                    period.what,
                    f"{period.start:%-d %B %Y}",
                    until,
                )
            )
            if period.end is None:  # continuing: an arrowhead at today
                parts.append(
                    format_html(
                        '<path d="M{} {}l8 {}l-8 {}Z" fill="{}"/>',
                        f"{x2:.1f}",
                        f"{top + (LANE - BAR) / 2 - 2:.1f}",
                        BAR / 2 + 2,
                        BAR / 2 + 2,
                        colour,
                    )
                )
    return parts


def _service(mark: ServiceMark, cx: float) -> SafeString:
    """A diamond on the help lane (the first lane) for a service provided."""
    cy = TOP + LANE / 2
    size = 8
    return format_html(
        '<path d="M{0} {1}l{2} {2}l-{2} {2}l-{2} -{2}Z" fill="{3}" stroke="{4}" stroke-width="1.5">'
        "<title>Service provided: {5}</title></path>",
        f"{cx:.1f}",
        f"{cy - size:.1f}",
        size,
        SERVICE_COLOUR,
        INK,
        mark.what,
    )


def _marker(event: Numbered, cx: float, cy: float, significant: bool) -> SafeString:
    colour = SIGNIFICANT_COLOUR if significant else EVENT_COLOUR
    text_colour = INK if significant else "#ffffff"
    label = str(event.number)
    size = 13 if len(label) < 3 else 10
    return format_html(
        '<g><circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="middle" fill="{}">{}</text>'
        "<title>{}. {}: {}</title></g>",
        f"{cx:.1f}",
        f"{cy:.1f}",
        MARKER,
        colour,
        INK,
        f"{cx:.1f}",
        f"{cy + 4:.1f}",
        size,
        text_colour,
        label,
        event.number,
        f"{event.item.day:%-d %b %Y}",
        event.item.title,
    )
