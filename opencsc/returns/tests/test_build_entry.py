"""Entry-time validation: the DfE rules on one child's record as soon as a worker records an event,
through the same builders as the returns; and its per-child latency."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest

from opencsc.audit.services import Actor
from opencsc.casework import services as cw
from opencsc.people.models import Person
from opencsc.returns.build.entry import validate_child_for_returns, validate_children_for_returns
from opencsc.returns.build.importer import import_cin
from opencsc.returns.cin.synthetic import synthetic_return
from opencsc.returns.cin.xml_io import write_cin_xml

pytestmark = pytest.mark.django_db
YEAR = "2025-26"


def test_an_error_shows_as_soon_as_the_event_is_recorded(social_worker, child):
    assert [f.rule for f in validate_child_for_returns(child, YEAR) if f.severity == "error"] == []
    cw.referral_create(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        child=child,
        referral_date=dt.date(2025, 6, 2),
        source="1A",
    )  # further action, but no primary need recorded yet
    findings = validate_child_for_returns(child, YEAR)
    hit = next(f for f in findings if f.rule == "8610")
    assert hit.child_id == child.la_child_id and hit.field == "PrimaryNeedCode" and "Primary need" in hit.message


def test_per_child_latency_and_the_set_based_team_path_agree(tmp_path, capsys):
    path = tmp_path / "cin.xml"
    write_cin_xml(synthetic_return(25, YEAR, seed=9), path)
    assert import_cin(path, partial=True).committed
    children = list(Person.objects.filter(la_child_id__startswith="DEMO"))
    timings, one_by_one = [], {}
    for person in children:
        started = time.perf_counter()
        one_by_one[person.pk] = {(f.rule, f.child_id) for f in validate_child_for_returns(person, YEAR)}
        timings.append(time.perf_counter() - started)
    p50, p95 = statistics.median(timings), sorted(timings)[int(0.95 * (len(timings) - 1))]
    with capsys.disabled():
        print(f"\nvalidate_child_for_returns on SQLite: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    assert p95 < 1.0  # generous: the suite shares two cores with other work (see README for quiet figures)
    together = {
        r.person_id: {(f.rule, f.child_id) for f in r.findings}
        for r in validate_children_for_returns([p.pk for p in children], YEAR)
    }
    assert together == {pk: found for pk, found in one_by_one.items() if found}


def _emergency_protection_order(social_worker, child, start: dt.date) -> None:
    cw.care_period_start(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        child=child,
        start_date=start,
        primary_need="N1",
        carer="carer-1",
        legal_status="L2",  # emergency protection order
        placement_type="U3",
        placement_provider="PR1",
        urn="",
        placement_postcode="SE6 1AB",
        home_postcode="SE6 1AA",
    )


@pytest.mark.parametrize(
    ("began", "alarm"),
    [(dt.date(2025, 12, 1), False), (dt.date(2025, 11, 10), True)],
    ids=["begun-three-days-ago", "open-for-24-days"],
)
def test_rule_362_counts_an_open_emergency_protection_order_to_today_during_the_year(
    social_worker, east_team, began, alarm
):
    """Left over from earlier notes: checked on 4 December, an emergency protection order begun on
    1 December and still open was reported as lasting more than 21 days (counted to 31 March)."""
    import time_machine

    from opencsc.accounts.models import AllocationKind
    from opencsc.accounts.tests.factories import AllocationFactory
    from opencsc.people.tests.factories import ChildFactory
    from opencsc.returns.build.ssda903 import build_903
    from opencsc.returns.ssda903.validate import validate_903

    with time_machine.travel(dt.datetime(2025, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        child = ChildFactory()
        AllocationFactory(
            person=child, team=east_team, worker=social_worker, kind=AllocationKind.ALLOCATED_WORKER, start_date=began
        )
        _emergency_protection_order(social_worker, child, began)
        one = {f.rule for f in validate_child_for_returns(child, YEAR)}
        team = {f.rule for r in validate_children_for_returns([child.pk], YEAR) for f in r.findings}
        assert ("362" in one) is alarm and ("362" in team) is alarm
        # The return itself stands on 31 March: an order still open then has lasted to 31 March.
        assert "362" in {f.rule for f in validate_903(build_903(YEAR), YEAR)}


def test_each_childs_findings_built_together_are_those_built_alone(social_worker, east_team, tmp_path):
    """`refresh_digests` builds each return once for a few hundred children and cuts it into one per
    child: every finding (rule, field, message and the row within the child's own return) must be
    the one that child's page computes alone, in both returns."""
    import time_machine

    from opencsc.accounts.models import AllocationKind
    from opencsc.accounts.tests.factories import AllocationFactory
    from opencsc.people.tests.factories import ChildFactory
    from opencsc.returns.build.entry import validate_each_child_for_returns
    from opencsc.returns.build.importer import import_903
    from opencsc.returns.ssda903.csv_io import write_903_dir
    from opencsc.returns.tests.test_import_903 import legacy_return

    path = tmp_path / "cin.xml"
    write_cin_xml(synthetic_return(12, YEAR, seed=4), path)
    assert import_cin(path, partial=True).committed
    write_903_dir(legacy_return(30, seed=5), tmp_path / "903")
    assert import_903(tmp_path / "903", year=YEAR, partial=True).committed
    with time_machine.travel(dt.datetime(2025, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        looked_after = []
        for began in (dt.date(2025, 11, 1), dt.date(2025, 11, 10), dt.date(2025, 12, 1)):
            child = ChildFactory()
            AllocationFactory(
                person=child,
                team=east_team,
                worker=social_worker,
                kind=AllocationKind.ALLOCATED_WORKER,
                start_date=began,
            )
            _emergency_protection_order(social_worker, child, began)
            looked_after.append(child)
        referred = []
        for day in (2, 9):  # further action, but no primary need recorded yet
            child = ChildFactory()
            AllocationFactory(person=child, team=east_team, worker=social_worker, kind=AllocationKind.ALLOCATED_WORKER)
            cw.referral_create(
                actor_user=social_worker,
                actor=Actor.from_user(social_worker),
                child=child,
                referral_date=dt.date(2025, 6, day),
                source="1A",
            )
            referred.append(child)
        children = [*Person.objects.filter(is_child=True), ChildFactory()]
        alone = {child.pk: validate_child_for_returns(child, YEAR) for child in children}
        together = validate_each_child_for_returns([child.pk for child in children], YEAR)
    assert together == {pk: found for pk, found in alone.items() if found}
    # Two or more children with findings in each return: rows numbered in the shared return would differ.
    in_903 = [pk for pk, found in together.items() if any(f.table == "Episodes" for f in found)]
    in_cin = [pk for pk, found in together.items() if any(f.table != "Episodes" for f in found)]
    assert len(in_903) >= 2 and len(in_cin) >= 2
