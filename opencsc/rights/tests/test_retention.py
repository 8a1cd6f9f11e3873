"""Retention: the rules of the processing register, the longest applicable wins, open cases are never
due, legal holds name who set them, and `apply_retention --dry-run` lists what is due with its rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.casework.tests.factories import CPPlanFactory, EpisodeFactory, PeriodFactory
from opencsc.people.tests.factories import ChildFactory
from opencsc.rights.models import LegalHold
from opencsc.rights.retention import evaluate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)
D = dt.date


def _closed_child(born: dt.date, referral: dt.date, closed: dt.date, **kwargs):
    child = ChildFactory(date_of_birth=born, **kwargs)
    episode = EpisodeFactory(child=child, referral_date=referral, closure_date=closed, closure_reason="RC8")
    return child, episode


def _due() -> dict[int, object]:
    return {d.person_id: d for d in evaluate(today=TODAY)}


def test_a_child_in_need_record_is_due_three_years_after_18_and_the_last_activity():
    child, _ = _closed_child(D(1996, 1, 1), D(2010, 1, 4), D(2010, 6, 1))
    due = _due()[child.pk]
    assert due.rule == "child-in-need"
    assert due.trigger_date == D(2014, 1, 1) and due.due_on == D(2017, 1, 1)  # 18th birthday, then 3 years


def test_the_longest_applicable_rule_wins():
    looked_after, _ = _closed_child(D(1996, 1, 1), D(2010, 1, 4), D(2010, 6, 1))
    PeriodFactory(child=looked_after, start_date=D(2010, 2, 1), end_date=D(2010, 5, 1))
    protected, episode = _closed_child(D(1950, 1, 1), D(1985, 1, 7), D(1988, 3, 1))
    CPPlanFactory(episode=episode, start_date=D(1985, 2, 1), end_date=D(1988, 2, 1))
    due = _due()
    assert looked_after.pk not in due  # kept until the 75th birthday, in 2071
    assert due[protected.pk].rule == "child-protection"  # 35 years from closure: 2023
    assert due[protected.pk].due_on == D(2023, 3, 1)


def test_a_looked_after_child_who_died_young_is_kept_15_years_after_death():
    child, _ = _closed_child(D(1990, 1, 1), D(1998, 1, 5), D(2000, 6, 1), date_of_death=D(2000, 6, 1))
    PeriodFactory(child=child, start_date=D(1998, 3, 1), end_date=D(2000, 6, 1))
    due = _due()[child.pk]
    assert due.rule == "looked-after" and due.due_on == D(2015, 6, 1)


def test_an_open_case_is_never_due():
    child = ChildFactory(date_of_birth=D(1990, 1, 1))
    EpisodeFactory(child=child, referral_date=D(2005, 1, 4))
    assert child.pk not in _due()


def test_a_legal_hold_is_named_with_who_set_it(ig_officer):
    child, _ = _closed_child(D(1996, 1, 1), D(2010, 1, 4), D(2010, 6, 1))
    other, _ = _closed_child(D(1995, 1, 1), D(2010, 1, 4), D(2010, 6, 1))
    LegalHold.objects.create(name="Smith v Exampleton", person=child, reason="Litigation", set_by=ig_officer)
    due = _due()
    assert due[child.pk].held_by.startswith(f"Smith v Exampleton, set by {ig_officer} on")
    assert due[other.pk].held_by == ""
    LegalHold.objects.create(name="Independent inquiry", reason="Every record", set_by=ig_officer)
    assert _due()[other.pk].held_by.startswith("Independent inquiry")


def test_apply_retention_lists_what_is_due_with_its_rule_and_needs_dry_run(capsys):
    child, _ = _closed_child(D(1996, 1, 1), D(2010, 1, 4), D(2010, 6, 1))
    with pytest.raises(CommandError, match="one of the arguments"):
        call_command("apply_retention")
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert f"{child.pk}\t{child.la_child_id}\tchild-in-need (Child in need record)" in out
    assert "1 records due for disposal, 0 of them under a legal hold; 0 linked adults" in out
