"""The chronology in lanes: every plan, episode and period a bar (with the same facts in the periods
table), every event a numbered marker matching its row in the events table, significant events in
their own colour."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from opencsc.casework import models as cm
from opencsc.casework.chronology_picture import SIGNIFICANT_COLOUR
from opencsc.casework.tests.factories import CareEpisodeFactory, CPPlanFactory, EpisodeFactory, PeriodFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_lanes_bars_and_numbered_markers(client_for, social_worker, child):
    episode = EpisodeFactory(child=child)
    CPPlanFactory(episode=episode, latest_category="EMO", start_date=dt.date(2025, 2, 3), end_date=dt.date(2025, 4, 1))
    CareEpisodeFactory(period=PeriodFactory(child=child, start_date=dt.date(2025, 4, 2)), placement_type="U1")
    cm.StatusChange.objects.create(
        child=child, object_type="x", object_id="1", to_status="open", effective_date=dt.date(2025, 1, 6),
        note="Referral received", actor_repr="sw",
    )  # fmt: skip
    cm.ChronologyEntry.objects.create(child=child, entry_date=dt.date(2025, 3, 3), title="Police called to the home")
    html = client_for(social_worker).get(f"/casework/{child.pk}/chronology/").content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<desc" in svg
    for lane in ("Referral episodes", "Child protection plans", "Looked after", "Placements", "Significant events"):
        assert f">{lane}</text>" in svg
    assert "Child protection plan: Emotional abuse from 3 February 2025 to 1 April 2025" in svg
    assert "(U1)" in svg and "continuing" in svg  # the open placement, code with its meaning
    assert f'fill="{SIGNIFICANT_COLOUR}"' in svg
    # Marker numbers are the events table's rows, oldest first.
    assert re.search(r"<title>1\. 6 Jan 2025: Referral received</title>", svg)
    assert re.search(r"<title>2\. 3 Mar 2025: Police called to the home</title>", svg)
    assert re.search(r'<td class="govuk-table__cell">2</td><td class="govuk-table__cell">3 Mar 2025</td>', html)
    # The periods table holds every bar as text.
    assert "Child protection plan: Emotional abuse" in html.split("</svg>")[1]
