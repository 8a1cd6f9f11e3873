"""Stored digests of the person record and casework pages (issue 11, "Measured"): a digest is read
only while the record has not changed since it was stored, every writing service makes it stale, it
holds nothing the viewer could not see, it is encrypted at rest, and a page that reads it runs fewer
queries than one that computes it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from opencsc.accounts import services as account_services
from opencsc.accounts.models import AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.models import ReferralEpisode
from opencsc.casework.tests.factories import EpisodeFactory
from opencsc.people import digests
from opencsc.people import services as people_services
from opencsc.people.matching.merge import person_merge
from opencsc.people.models import AlertKind, PersonAlert, PersonDigest, Relationship
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)


@pytest.fixture
def sw(client_for, social_worker):
    return client_for(social_worker)


def _open_both_pages(client: Any, child: Any) -> str:
    """Open the person record and the casework page (storing both digests); the casework HTML."""
    assert client.get(f"/people/{child.pk}/").status_code == 200
    response = client.get(f"/casework/{child.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _digested_parts(html: str) -> list[str]:
    """The summary and the returns findings of a page: what the digests draw."""
    summary = re.search(r'<div class="opencsc-summary".*?</dl>\s*</div>', html, re.S)
    findings = re.search(r'id="return-findings".*?</(?:ul|p)>', html, re.S)
    assert summary and findings
    return [summary.group(0), findings.group(0)]


def _current(child: Any) -> dict[str, bool]:
    return {kind: digests.is_current(child.pk, kind) for kind in digests.KINDS}


# Each writing service, called on the child the way its page would call it.
def _referral(sw_user: Any, actor: Actor, child: Any, **_: Any) -> None:
    services.referral_create(
        actor_user=sw_user, actor=actor, child=child, referral_date=dt.date(2025, 6, 2), source="2A", primary_need="N1"
    )


def _note(sw_user: Any, actor: Actor, child: Any, **_: Any) -> None:
    services.case_note_add(
        actor_user=sw_user,
        actor=actor,
        child=child,
        kind="case_note",
        note_date=dt.date(2025, 6, 10),
        subject="Home visit",
        body="Seen at home",
        third_party=False,
        categories=[],
    )


def _cin_plan(sw_user: Any, actor: Actor, child: Any, **_: Any) -> None:
    episode = ReferralEpisode.objects.get(child=child)  # made (without an event) before the pages were opened
    services.cin_plan_start(actor_user=sw_user, actor=actor, episode=episode, start_date=dt.date(2025, 6, 3))


def _allocation(sw_user: Any, actor: Actor, child: Any, east_team: Any, **_: Any) -> None:
    account_services.allocation_open(actor=actor, person=child, team=east_team, kind=AllocationKind.ALLOCATED_WORKER)


def _alert(sw_user: Any, actor: Actor, child: Any, **_: Any) -> None:
    people_services.part_add(
        actor_user=sw_user,
        actor=actor,
        person=child,
        model=PersonAlert,
        data={"kind": AlertKind.INTERPRETER, "detail": "Tigrinya", "start_date": dt.date(2025, 6, 1)},
    )


def _relationship(sw_user: Any, actor: Actor, child: Any, east_team: Any, **_: Any) -> None:
    brother = ChildFactory(date_of_birth=dt.date(2016, 1, 1))
    AllocationFactory(person=brother, team=east_team, worker=sw_user, kind=AllocationKind.ALLOCATED_WORKER)
    people_services.part_add(
        actor_user=sw_user, actor=actor, person=child, model=Relationship, data={"relative": brother, "kind": "sibling"}
    )


def _restricted(sw_user: Any, actor: Actor, child: Any, team_manager: Any, **_: Any) -> None:
    account_services.person_set_restricted(
        actor_user=team_manager, actor=Actor.from_user(team_manager), person=child, restricted=True
    )


def _merge(sw_user: Any, actor: Actor, child: Any, ig_officer: Any, **_: Any) -> None:
    duplicate = ChildFactory(date_of_birth=child.date_of_birth, nhs_number="", nhs_number_index="", upn="")
    person_merge(
        actor_user=ig_officer, actor=Actor.from_user(ig_officer), survivor=child, duplicate=duplicate, reason="Same"
    )


WRITES: dict[str, Callable[..., None]] = {
    "referral": _referral,
    "case note": _note,
    "child in need plan": _cin_plan,
    "allocation": _allocation,
    "alert": _alert,
    "relationship": _relationship,
    "restricted": _restricted,
    "merge": _merge,
}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_every_writing_service_makes_the_childs_digests_stale(
    write, sw, social_worker, sw_actor, child, east_team, team_manager, ig_officer
):
    if write == "child in need plan":
        EpisodeFactory(child=child, referral_date=dt.date(2025, 5, 1))
    _open_both_pages(sw, child)
    assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}
    WRITES[write](social_worker, sw_actor, child, east_team=east_team, team_manager=team_manager, ig_officer=ig_officer)
    assert _current(child) == {digests.FINDINGS: False, digests.SUMMARY: False}


@time_machine.travel(NOW, tick=False)
def test_a_stale_digest_is_never_shown(sw, social_worker, sw_actor, child):
    before = _open_both_pages(sw, child)
    assert "Open referral" not in before and "Interpreter needed" not in before
    _referral(social_worker, sw_actor, child)
    _alert(social_worker, sw_actor, child)
    after = _open_both_pages(sw, child)
    assert "Open referral" in after and "Interpreter needed" in after and "Tigrinya" in after
    # and the digest now stored is the current one, read without computing again
    assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}
    assert _digested_parts(_open_both_pages(sw, child)) == _digested_parts(after)


@time_machine.travel(NOW, tick=False)
def test_a_digest_from_yesterday_is_computed_again(sw, client_for, social_worker, child):
    _open_both_pages(sw, child)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert _current(child) == {digests.FINDINGS: False, digests.SUMMARY: False}
        _open_both_pages(client_for(social_worker), child)
        assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}


@time_machine.travel(NOW, tick=False)
def test_a_digest_stored_by_older_code_is_computed_again(sw, client_for, social_worker, child, monkeypatch):
    """What the code that stored a digest computed is shown until the person's next change or
    midnight, unless the kind's format number was raised with the change to that code: then the
    next read computes it again (and refresh_digests counts it as stale)."""
    _open_both_pages(sw, child)
    row = PersonDigest.objects.get(person=child, kind=digests.SUMMARY)
    value = json.loads(row.data)
    value["alerts"].append({"label": "Wording of the last release", "detail": ""})
    PersonDigest.objects.filter(pk=row.pk).update(data=json.dumps(value))
    assert "Wording of the last release" in _open_both_pages(sw, child)  # same format: the stored value
    for kind in digests.KINDS:
        monkeypatch.setitem(digests.FORMATS, kind, digests.FORMATS[kind] + 1)
    assert _current(child) == {digests.FINDINGS: False, digests.SUMMARY: False}
    from opencsc.returns.build.digests import stale_person_ids

    assert child.pk in stale_person_ids(digests.SUMMARY, NOW.date())
    assert "Wording of the last release" not in _open_both_pages(client_for(social_worker), child)
    assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}
    assert set(PersonDigest.objects.filter(person=child).values_list("format", flat=True)) == {
        digests.FORMATS[kind] for kind in digests.KINDS
    }


@time_machine.travel(NOW, tick=False)
def test_the_digest_holds_nothing_the_viewer_could_not_see(
    client_for, social_worker, team_manager, outsider, child, west_team
):
    """The family is never stored: a relative visible to the first reader is not shown to a later
    reader who may not see them, and the digest names nobody but its own person."""
    aunt = PersonFactory(first_name="Zenobia", last_name="Restrictedaunt", is_restricted=True)
    RelationshipFactory(person=aunt, relative=child, kind="other")
    AllocationFactory(person=aunt, team=west_team, worker=outsider, kind=AllocationKind.ALLOCATED_WORKER)
    from opencsc.accounts.models import RestrictedAccess

    RestrictedAccess.objects.create(person=aunt, user=social_worker, granted_by=team_manager)
    first = client_for(social_worker).get(f"/casework/{child.pk}/").content.decode()
    assert "Restrictedaunt" in first  # named on the aunt's restricted record, so she sees her
    later = client_for(team_manager).get(f"/casework/{child.pk}/").content.decode()
    assert "Restrictedaunt" not in later
    for row in PersonDigest.objects.filter(person=child):
        assert "Restrictedaunt" not in row.data and "Zenobia" not in row.data
        json.loads(row.data)  # decrypted: plain JSON of the child's own rows


@time_machine.travel(NOW, tick=False)
def test_the_digest_is_encrypted_at_rest(sw, child):
    EpisodeFactory(child=child, referral_date=dt.date(2025, 5, 1))
    html = _open_both_pages(sw, child)
    assert "Open referral" in html
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM people_persondigest WHERE person_id = %s", [child.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("referral" not in text.lower() and "statuses" not in text for text in stored)


@time_machine.travel(NOW, tick=False)
def test_reading_the_digest_costs_fewer_queries_than_computing_it(sw, child, django_assert_max_num_queries):
    EpisodeFactory(child=child, referral_date=dt.date(2025, 5, 1))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        assert sw.get(f"/casework/{child.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert sw.get(f"/casework/{child.pk}/").status_code == 200
    assert len(warm) < len(cold)
    with django_assert_max_num_queries(45):  # the casework page's ceiling with current digests
        sw.get(f"/casework/{child.pk}/")
    with django_assert_max_num_queries(36):  # the person record's (36 on PostgreSQL since the help lane)
        sw.get(f"/people/{child.pk}/")


@time_machine.travel(NOW, tick=False)
def test_refresh_digests_stores_what_is_stale_and_only_that(sw, social_worker, sw_actor, child):
    other = ChildFactory()
    call_command("refresh_digests", "--no-progress")
    assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}
    assert _current(other) == {digests.FINDINGS: True, digests.SUMMARY: True}
    _note(social_worker, sw_actor, child)
    assert _current(child)[digests.SUMMARY] is False and _current(other)[digests.SUMMARY] is True
    from opencsc.returns.build.digests import refresh

    assert refresh() == {digests.FINDINGS: 1, digests.SUMMARY: 1}
    assert _current(child) == {digests.FINDINGS: True, digests.SUMMARY: True}


@time_machine.travel(NOW, tick=False)
def test_refresh_digests_all_recomputes_after_a_fix_outside_the_services(sw, child):
    _open_both_pages(sw, child)
    PersonAlert.objects.create(person=child, kind=AlertKind.RISK_TO_STAFF, detail="Dog", start_date=NOW.date())
    assert "Risk to staff" not in _open_both_pages(sw, child)  # no audit event: the counter did not move
    call_command("refresh_digests", "--all", "--no-progress")
    assert "Risk to staff" in _open_both_pages(sw, child)


def test_refresh_digests_computes_each_person_as_the_page_would_alone():
    """`refresh_digests` computes a few hundred people at a time (one query per kind of row for them
    all): each person's digest must be what the page computes for that person alone, never another's
    rows. Checked on the demo borough, where people have every kind of status and alert."""
    import io

    from opencsc.casework.summary import own_rows
    from opencsc.people.models import Person
    from opencsc.returns.build.common import current_year
    from opencsc.returns.build.digests import compute_many
    from opencsc.returns.build.entry import validate_child_for_returns

    call_command("seed_demo", children=40, seed=11, no_digests=True, stdout=io.StringIO())
    day = dt.date.today()
    people = list(Person.objects.order_by("pk"))
    together = compute_many(digests.SUMMARY, people, day)
    alone = {person.pk: own_rows(person, day) for person in people}
    assert together == alone
    shown = [row for value in alone.values() for row in value["statuses"] + value["alerts"]]
    assert len({row["tag"] for row in shown if "tag" in row}) >= 4 and any("label" in row for row in shown)
    children = [person for person in people if person.is_child]
    findings = compute_many(digests.FINDINGS, children, day)
    year = current_year(day)
    for child in children:
        one = [asdict(f) | {"severity": f.severity.value} for f in validate_child_for_returns(child, year)]
        assert findings[child.pk] == {"year": year, "findings": one}, child.pk
    assert any(value["findings"] for value in findings.values())
