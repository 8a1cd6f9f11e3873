"""Accessible charts drawn on the server as SVG: a line chart of a figure by month and a bar chart of
a figure by team. Each is an image with a title and a description saying what it shows and its
latest value (`role="img"`, `aria-labelledby`), every point carries its own title, and every page
that draws one prints the same figures in a table beside it. Presentation attributes only (the
Content-Security-Policy refuses inline styles); no script; the viewBox scales it to the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
INK, GRID, LINE = "#0b0c0c", "#b1b4b6", "#1d70b8"


@dataclass(frozen=True)
class Point:
    label: str  # "Jan 2026", or a team's name
    value: float | None  # None: nothing to measure that month
    text: str  # the value as the table prints it ("63.2%")


def _scale(points: list[Point]) -> tuple[float, float]:
    """The axis: from 0 (or a round number below the lowest value, when one is negative) to 100 for
    percentages that reach past 50, else a round number at or above the highest value."""
    values = [p.value for p in points if p.value is not None]
    top = max(values, default=0.0)
    top = 100.0 if 50 < top <= 100 and all(0 <= v <= 100 for v in values) else _nice(top)
    low = min(values, default=0.0)
    return (-_nice(-low) if low < 0 else 0.0), top or 1.0


def _nice(value: float) -> float:
    """A round number at or above `value` for the axis top."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float((int(value / step) + 1) * step)


def _frame(chart_id: str, title: str, desc: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="opencsc-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d"'
        ' focusable="false" xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        "{}</svg>",
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )


def _axis(lo: float, hi: float, unit: str) -> SafeString:
    rows = []
    for i in range(5):
        value = lo + (hi - lo) * i / 4
        y = _y(value, lo, hi)
        rows.append((LEFT, _n(y), WIDTH - RIGHT, _n(y), GRID, LEFT - 6, _n(y + 4), INK, f"{value:g}{unit}"))
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
        rows,
    )


def _n(x: float) -> str:
    return f"{x:.1f}"


def _y(value: float, lo: float, hi: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - lo) / (hi - lo))


def line_chart(chart_id: str, title: str, points: list[Point], unit: str = "") -> SafeString:
    """A figure by month. Months with nothing to measure break the line."""
    lo, hi = _scale(points)
    step = (WIDTH - LEFT - RIGHT) / max(len(points) - 1, 1)
    xs = [LEFT + i * step for i in range(len(points))]
    segments: list[list[str]] = [[]]
    marks = []
    for x, p in zip(xs, points, strict=True):
        if p.value is None:
            segments.append([])
            continue
        y = _y(p.value, lo, hi)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        marks.append((_n(x), _n(y), LINE, f"{p.label}: {p.text}"))
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>',
        ((" ".join(s), LINE) for s in segments if len(s) > 1),
    )
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle>', marks)
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
        ((_n(x), HEIGHT - BOTTOM + 18, INK, p.label) for x, p in list(zip(xs, points, strict=True))[::3]),
    )
    measured = [p for p in points if p.value is not None]
    if measured:
        latest = measured[-1]
        desc = (
            f"Line chart by month from {points[0].label} to {points[-1].label}. Latest: {latest.text} in "
            f"{latest.label}. The same figures are in the table that follows."
        )
    else:
        desc = "Line chart with nothing to measure in these months."
    return _frame(chart_id, title, desc, mark_safe(_axis(lo, hi, unit) + lines + dots + labels))  # noqa: S308


def bar_chart(chart_id: str, title: str, points: list[Point], unit: str = "") -> SafeString:
    """A figure for each team (or worker), one bar each, its value printed on it."""
    lo, hi = _scale(points)
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for i, p in enumerate(points):
        x = LEFT + i * slot + slot * 0.15
        y, zero = _y(p.value or 0.0, lo, hi), _y(0.0, lo, hi)
        tip = f"{p.label}: {p.text}"
        top, height = min(y, zero), abs(zero - y)
        bars.append((_n(x), _n(top), _n(slot * 0.7), _n(height), LINE, tip, _n(x + slot * 0.35), _n(top - 4), p.text))
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="' + INK + '">{}</text>',
        bars,
    )
    names = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
        ((_n(LEFT + (i + 0.5) * slot), HEIGHT - BOTTOM + 18, INK, p.label[:18]) for i, p in enumerate(points)),
    )
    desc = f"Bar chart of {len(points)} bars. The same figures are in the table that follows."
    return _frame(chart_id, title, desc, mark_safe(_axis(lo, hi, unit) + body + names))  # noqa: S308


# The raters' lines differ in colour, dash and marker shape, so they are told apart without colour.
RATER_STYLES = {
    "worker": ("#1d70b8", "", "circle"),
    "child": ("#00703c", "8 4", "square"),
    "parent": ("#4c2c92", "2 4", "diamond"),
}


@dataclass(frozen=True)
class Rated:
    day_label: str
    rater: str  # a key of RATER_STYLES
    rater_label: str
    score: int


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> SafeString:
    if shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="9" height="9" fill="{}"><title>{}</title></rect>',
            _n(x - 4.5),
            _n(y - 4.5),
            colour,
            tip,
        )
    if shape == "diamond":
        pts = f"{_n(x)},{_n(y - 6)} {_n(x + 6)},{_n(y)} {_n(x)},{_n(y + 6)} {_n(x - 6)},{_n(y)}"
        return format_html('<polygon points="{}" fill="{}"><title>{}</title></polygon>', pts, colour, tip)
    return format_html('<circle cx="{}" cy="{}" r="5" fill="{}"><title>{}</title></circle>', _n(x), _n(y), colour, tip)


def goal_chart(chart_id: str, title: str, days: list[str], ratings: list[Rated]) -> SafeString:
    """A goal's ratings over time (0 to 10), one line for each rater, with a legend."""
    step = (WIDTH - LEFT - RIGHT - 140) / max(len(days) - 1, 1)
    xs = {day: LEFT + 10 + i * step for i, day in enumerate(days)}
    parts = [_axis(0.0, 10.0, "")]
    for rater, (colour, dash, shape) in RATER_STYLES.items():
        mine = [r for r in ratings if r.rater == rater]
        if not mine:
            continue
        line = " ".join(f"{_n(xs[r.day_label])},{_n(_y(r.score, 0.0, 10.0))}" for r in mine)
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                line,
                colour,
                dash or "none",
            )
        )
        for r in mine:
            tip = f"{r.rater_label}, {r.day_label}: {r.score} out of 10"
            parts.append(_marker(shape, xs[r.day_label], _y(r.score, 0.0, 10.0), colour, tip))
    legend_y = TOP + 10
    for rater, (colour, dash, shape) in RATER_STYLES.items():
        label = next((r.rater_label for r in ratings if r.rater == rater), "")
        if not label:
            continue
        x = WIDTH - RIGHT - 126
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                x,
                legend_y,
                x + 24,
                legend_y,
                colour,
                dash or "none",
            )
        )
        parts.append(_marker(shape, x + 12, legend_y, colour, label))
        parts.append(
            format_html('<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', x + 30, legend_y + 4, INK, label[:16])
        )
        legend_y += 22
    parts.append(
        format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
            ((_n(x), HEIGHT - BOTTOM + 18, INK, day) for day, x in list(xs.items())[:: max(1, len(xs) // 6)]),
        )
    )
    desc = f"Line chart of {len(ratings)} ratings from 0 to 10 over time, one line for each person rating."
    if ratings:
        latest = ratings[-1]
        desc += f" Latest: {latest.rater_label.lower()}, {latest.score} out of 10 on {latest.day_label}."
    desc += " The same ratings are in the table that follows."
    return _frame(chart_id, title, desc, mark_safe("".join(parts)))  # noqa: S308
