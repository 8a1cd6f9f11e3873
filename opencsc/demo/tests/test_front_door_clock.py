"""The demo's contacts waiting at the front door, seeded early in the morning: their clocks start
today, before now (a demo run at 4am once showed contacts received at 9am, "8 hours left of 4")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from opencsc.casework.models import Contact, ContactStatus
from opencsc.casework.timescales import mash_clock
from opencsc.demo.borough import seed_borough

pytestmark = pytest.mark.django_db

EARLY = dt.datetime(2026, 12, 6, 4, 27, tzinfo=dt.UTC)


@time_machine.travel(EARLY, tick=False)
def test_contacts_seeded_before_dawn_were_received_today_and_not_in_the_future():
    seed_borough(children=30, seed=7, as_of=dt.date(2026, 12, 6))
    waiting = list(Contact.objects.exclude(status=ContactStatus.DECIDED).filter(contact_date=dt.date(2026, 12, 6)))
    assert len(waiting) >= 5
    for contact in waiting:
        assert timezone.localtime(contact.created_at).date() == contact.contact_date
        clock = mash_clock(contact_date=contact.contact_date, created_at=contact.created_at, rag="red")
        assert clock.received_at <= EARLY
