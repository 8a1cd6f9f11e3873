"""The SSDA903 PrevPerm and DoLo tables built from what workers record (previous permanence at the
start of a period of care; deprivation of liberty orders during one), and validated by the engine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.audit.services import Actor
from opencsc.casework import services as s
from opencsc.casework.tests.factories import CareEpisodeFactory, PeriodFactory
from opencsc.returns.build.ssda903 import build_903
from opencsc.returns.ssda903.validate import validate_903

pytestmark = pytest.mark.django_db
AFTER = dt.datetime(2027, 5, 4, 10, tzinfo=dt.UTC)  # after the end of 2026-27


@pytest.fixture
def child(child):
    """The cast's child, born on a fixed day: the orders below are dated against the birth (an order
    before it is refused), and a factory's random birthday made the first test fail one run in nine."""
    child.date_of_birth = dt.date(2014, 5, 17)
    child.save(update_fields=["date_of_birth"])
    return child


def who(user) -> dict:
    return {"actor_user": user, "actor": Actor.from_user(user)}


def in_care(child, start: dt.date, place: str = "K2"):
    """A period of care beginning `start`, in a children's home (K2) unless told otherwise."""
    period = PeriodFactory(child=child, start_date=start)
    urn = "SC123456" if place == "K2" else ""
    CareEpisodeFactory(period=period, placement_type=place, placement_provider="PR4", urn=urn)
    return period


def rows(tables, name: str, child) -> list[tuple]:
    return [r for r in tables[name].rows() if r[0] == child.la_child_id]


@time_machine.travel(AFTER, tick=False)
def test_prev_perm_comes_from_the_record_with_its_partial_date(social_worker, child):
    period = in_care(child, dt.date(2025, 6, 2))
    s.previous_permanence_record(
        **who(social_worker), period=period, option="P3", la_code="209", order_month=11, order_year=2019
    )
    tables = build_903("2025-26", child_ids=[child.pk])
    dob = f"{child.date_of_birth:%d/%m/%Y}"
    assert rows(tables, "PrevPerm", child) == [(child.la_child_id, dob, "P3", "209", "ZZ/11/2019")]
    assert not [f for f in validate_903(tables, "2025-26") if f.rule.startswith("63")]
    # The next year the child did not begin to be looked after: no PrevPerm row (rule 634).
    assert rows(build_903("2026-27", child_ids=[child.pk]), "PrevPerm", child) == []


@time_machine.travel(AFTER, tick=False)
def test_nothing_recorded_gives_no_row_and_rule_630_asks_for_it(social_worker, child):
    in_care(child, dt.date(2025, 6, 2))
    tables = build_903("2025-26", child_ids=[child.pk])
    assert rows(tables, "PrevPerm", child) == []
    assert ("630", child.la_child_id) in {(f.rule, f.child_id) for f in validate_903(tables, "2025-26")}


@time_machine.travel(AFTER, tick=False)
def test_no_previous_permanence_is_z1_with_blanks(social_worker, child):
    period = in_care(child, dt.date(2025, 6, 2))
    s.previous_permanence_record(**who(social_worker), period=period, option="Z1")
    tables = build_903("2025-26", child_ids=[child.pk])
    assert rows(tables, "PrevPerm", child) == [(child.la_child_id, f"{child.date_of_birth:%d/%m/%Y}", "Z1", None, None)]


@time_machine.travel(AFTER, tick=False)
def test_dolo_rows_for_the_years_that_collect_them(social_worker, child):
    period = in_care(child, dt.date(2025, 6, 2))
    s.previous_permanence_record(**who(social_worker), period=period, option="Z1")
    s.dolo_record(
        **who(social_worker), period=period, start_date=dt.date(2025, 7, 1), end_date=dt.date(2025, 9, 30)
    )  # ended before 2026-27: not in its DoLo table
    s.dolo_record(**who(social_worker), period=period, start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 6, 30))
    s.dolo_record(**who(social_worker), period=period, start_date=dt.date(2027, 1, 4))
    assert "DoLo" not in build_903("2025-26", child_ids=[child.pk])
    tables = build_903("2026-27", child_ids=[child.pk])
    dob = f"{child.date_of_birth:%d/%m/%Y}"
    assert rows(tables, "DoLo", child) == [
        (child.la_child_id, dob, "01/02/2026", "30/06/2026"),
        (child.la_child_id, dob, "04/01/2027", None),
    ]
    findings = validate_903(tables, "2026-27")
    assert not [f for f in findings if f.table == "DoLo"], findings


@time_machine.travel(dt.datetime(2027, 3, 20, 10, tzinfo=dt.UTC), tick=False)
def test_an_order_ending_after_the_reference_date_is_open_in_the_return(social_worker, child):
    period = in_care(child, dt.date(2026, 6, 2))
    s.dolo_record(**who(social_worker), period=period, start_date=dt.date(2026, 7, 1))
    with time_machine.travel(dt.datetime(2027, 4, 20, 10, tzinfo=dt.UTC), tick=False):
        s.dolo_end(**who(social_worker), order=period.dolos.get(), end_date=dt.date(2027, 4, 15))
        tables = build_903("2026-27", child_ids=[child.pk])
    assert rows(tables, "DoLo", child) == [(child.la_child_id, f"{child.date_of_birth:%d/%m/%Y}", "01/07/2026", None)]
