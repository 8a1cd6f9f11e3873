"""Rows for a small hand-built borough (written directly: no audit, no tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opencsc.casework import models as cm
from opencsc.casework.tests.factories import CareEpisodeFactory, EpisodeFactory, PeriodFactory
from opencsc.people.tests.factories import ChildFactory


def contact(child: Any, received: dt.date, decided: dt.date, decision: str = "referral") -> cm.Contact:
    return cm.Contact.objects.create(
        child=child,
        contact_date=received,
        source="2A",
        reason="Synthetic concern",
        consent_given=True,
        decision_due=received,
        decision=decision,
        decision_date=decided,
        status="decided",
    )


def referrals(*days: dt.date, child: Any = None) -> Any:
    """A child referred on each day; every episode but the last closed the day after referral."""
    child = child or ChildFactory()
    for i, day in enumerate(days):
        closed = day + dt.timedelta(days=1) if i < len(days) - 1 else None
        EpisodeFactory(child=child, referral_date=day, closure_date=closed, closure_reason="RC8" if closed else "")
    return child


def looked_after(episodes: list[tuple[Any, ...]], *, born: dt.date | None = None, **period: Any) -> Any:
    """A child in care with these episodes: (reason new episode, legal status, start[, placement
    type, default U1]); each ends when the next begins."""
    child = ChildFactory(date_of_birth=born or dt.date(2012, 5, 1))
    care = PeriodFactory(child=child, start_date=episodes[0][2], **period)
    for i, (rne, legal, start, *place) in enumerate(episodes):
        end = episodes[i + 1][2] if i + 1 < len(episodes) else None
        CareEpisodeFactory(
            period=care,
            start_date=start,
            end_date=end,
            reason_new_episode=rne,
            legal_status=legal,
            reason_ceased="E4A" if end else "",
            placement_type=place[0] if place else "U1",
        )
    return child
