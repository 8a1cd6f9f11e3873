"""The SVG charts: a text alternative on every chart and every point, escaped labels, and bars that
go below the axis for negative values instead of drawing an invalid shape."""

from __future__ import annotations

import re

from opencsc.insight import charts


def test_a_line_chart_names_itself_and_every_point_and_breaks_at_gaps():
    svg = str(
        charts.line_chart(
            "t",
            "Re-referrals by month",
            [
                charts.Point("Jan 2026", 10.0, "10.0%"),
                charts.Point("Feb 2026", None, "Nothing to measure"),
                charts.Point("Mar 2026", 20.0, "20.0%"),
                charts.Point("Apr 2026", 30.0, "30.0%"),
            ],
            "%",
        )
    )
    assert 'role="img"' in svg and 'aria-labelledby="t-t t-d"' in svg
    assert '<title id="t-t">Re-referrals by month</title>' in svg
    assert "Latest: 30.0% in Apr 2026" in svg
    assert svg.count("<circle") == 3  # no point for the month with nothing to measure
    assert svg.count("<polyline") == 1  # the line breaks at the gap: only March-April is drawn


def test_labels_are_escaped():
    svg = str(charts.bar_chart("b", "By team", [charts.Point("<script>alert(1)</script>", 5.0, "5.0")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_negative_bars_have_a_positive_height():
    svg = str(charts.bar_chart("b", "Distance", [charts.Point("CP", -2.0, "-2.0"), charts.Point("CIN", 3.0, "+3.0")]))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([-0-9.]+)"', svg)]
    assert len(heights) == 2 and all(h > 0 for h in heights)


def test_a_goal_chart_tells_raters_apart_without_colour():
    ratings = [
        charts.Rated("5 Jan 2026", "worker", "The worker", 3),
        charts.Rated("5 Jan 2026", "child", "The child or young person", 2),
        charts.Rated("5 Mar 2026", "worker", "The worker", 6),
    ]
    svg = str(charts.goal_chart("g", "Ratings of the goal: school", ["5 Jan 2026", "5 Mar 2026"], ratings))
    assert 'stroke-dasharray="8 4"' in svg  # the child's line is dashed
    assert "The child or young person, 5 Jan 2026: 2 out of 10" in svg
    assert "Latest: the worker, 6 out of 10 on 5 Mar 2026" in svg
