"""The summary at the top of the person record and the casework page: what a worker must see first
(status, who holds the case, what is due, alerts, the family as links), and what it must not show
(a relative the reader may not see; actions the services would refuse)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils.html import escape

from opencsc.audit.models import AuditEvent
from opencsc.casework import models as cm
from opencsc.casework.tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CPPlanFactory,
    EpisodeFactory,
    PeriodFactory,
    TaskFactory,
)
from opencsc.people.models import AlertKind, FamilyGroup, FamilyMembership, PersonAlert
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 10, tzinfo=dt.UTC)


def _summary(html: str) -> str:
    match = re.search(r'<div class="opencsc-summary".*?</dl>\s*</div>', html, re.S)
    assert match, "no summary on the page"
    return match.group(0)


@pytest.fixture
def sw(client_for, social_worker):
    return client_for(social_worker)


@time_machine.travel(NOW, tick=False)
def test_summary_shows_plan_worker_dates_alerts_and_family_on_both_pages(sw, child, social_worker):
    episode = EpisodeFactory(child=child)
    CPPlanFactory(episode=episode, latest_category="PHY")
    TaskFactory(person=child, title="Hold the review conference", due_date=dt.date(2025, 6, 10))
    TaskFactory(person=child, title="Visit the child", due_date=dt.date(2025, 6, 16))
    PersonAlert.objects.create(
        person=child, kind=AlertKind.INTERPRETER, detail="Tigrinya", start_date=dt.date(2025, 1, 1)
    )
    PersonAlert.objects.create(
        person=child, kind=AlertKind.RISK_TO_STAFF, detail="Old", start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 6, 1),
    )  # fmt: skip
    mother = PersonFactory(first_name="Mary", last_name="Testmother", sex="F", date_of_birth=dt.date(1990, 1, 1))
    RelationshipFactory(person=mother, relative=child)
    for url in (f"/people/{child.pk}/", f"/casework/{child.pk}/"):
        summary = _summary(sw.get(url).content.decode())
        assert "Child protection plan" in summary
        assert "PHY: Physical abuse" in summary or "Physical abuse" in summary
        assert escape(social_worker.get_full_name()) in summary
        assert "Overdue" in summary and "Hold the review conference" in summary
        assert "Due today" in summary and "Visit the child" in summary
        assert "Interpreter needed" in summary and "Tigrinya" in summary
        assert "Risk to staff" not in summary  # ended last year
        assert f'href="/people/{mother.pk}/"' in summary and "Mary Testmother" in summary
        assert "Parent, age 35" in summary


@time_machine.travel(NOW, tick=False)
def test_looked_after_child_shows_legal_status_and_placement_and_missing_now(sw, child):
    period = PeriodFactory(child=child)
    CareEpisodeFactory(period=period, legal_status="C2", placement_type="U1")
    cm.MissingEpisode.objects.create(child=child, period=period, kind="M", start_date=dt.date(2025, 6, 14))
    summary = _summary(sw.get(f"/people/{child.pk}/").content.decode())
    assert "Looked after" in summary
    assert "(C2)" in summary and "(U1)" in summary  # codes always with their meaning
    assert "Missing now" in summary


@time_machine.travel(NOW, tick=False)
def test_a_relative_the_reader_may_not_see_is_left_out(sw, child):
    hidden = ChildFactory(first_name="Hidden", last_name="Cousin", is_restricted=True)
    RelationshipFactory(person=hidden, relative=child, kind="cousin")
    group = FamilyGroup.objects.create(name="Household")
    FamilyMembership.objects.create(person=child, family=group, role="child")
    html = sw.get(f"/people/{child.pk}/").content.decode()
    assert "Hidden" not in html


@time_machine.travel(NOW, tick=False)
def test_summary_adds_no_audit_event_beyond_the_page_view(sw, child):
    before = AuditEvent.objects.count()
    sw.get(f"/people/{child.pk}/")
    assert AuditEvent.objects.count() == before + 1


@time_machine.travel(NOW, tick=False)
def test_start_an_assessment_is_not_offered_once_the_episode_has_one(sw, child):
    episode = EpisodeFactory(child=child)
    page = sw.get(f"/casework/{child.pk}/").content.decode()
    assert "Start an assessment" in page
    AssessmentFactory(episode=episode, status="authorised", authorised_date=dt.date(2025, 3, 1))
    page = sw.get(f"/casework/{child.pk}/").content.decode()
    assert "Start an assessment" not in page


@time_machine.travel(NOW, tick=False)
def test_close_is_not_offered_while_the_child_is_looked_after(sw, child):
    EpisodeFactory(child=child)
    assert "Close the case" in sw.get(f"/casework/{child.pk}/").content.decode()
    CareEpisodeFactory(period=PeriodFactory(child=child))
    assert "Close the case" not in sw.get(f"/casework/{child.pk}/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_categories_are_collapsible_and_the_one_just_changed_is_open(sw, child):
    html = sw.get(f"/people/{child.pk}/?open=address").content.decode()
    assert '<details class="govuk-details opencsc-category" id="address" open>' in html
    assert '<details class="govuk-details opencsc-category" id="phone">' in html


@time_machine.travel(NOW, tick=False)
def test_summary_queries_do_not_grow_with_the_family(sw, child):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert sw.get(f"/casework/{child.pk}/").status_code == 200
        return len(queries)

    RelationshipFactory(person=PersonFactory(), relative=child)
    count()  # the first request of a session does its own one-off work
    small = count()
    for _ in range(8):
        RelationshipFactory(person=PersonFactory(), relative=child, kind="aunt_uncle")
    assert count() == small


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("page", ["/people/{}/", "/casework/{}/"])
def test_the_pages_one_view_event_names_everyone_the_summary_shows(sw, child, page):
    """One audit append per page (issue 11's speed): the page's view event names the summary's family
    (a relative and a family-group member who is no relative), so the summary writes no event of its
    own; a member the reader may not see is neither shown nor named."""
    aunt = PersonFactory(first_name="Agnes", last_name="Aunt")
    RelationshipFactory(person=aunt, relative=child, kind="aunt_uncle")
    lodger = PersonFactory(first_name="Larry", last_name="Lodger")
    hidden = PersonFactory(first_name="Hidden", last_name="Member", is_restricted=True)
    group = FamilyGroup.objects.create(name="Household")
    for person, role in ((child, "child"), (lodger, "lodger"), (hidden, "lodger")):
        FamilyMembership.objects.create(person=person, family=group, role=role)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    html = sw.get(page.format(child.pk)).content.decode()
    assert "Larry Lodger" in _summary(html) and "Agnes Aunt" in _summary(html) and "Hidden" not in html
    (event,) = AuditEvent.objects.filter(seq__gt=before)
    assert event.action in {"person.view", "casework.view"} and event.subject_person_id == child.pk
    assert {aunt.pk, lodger.pk} <= set(event.detail["person_ids"]) and hidden.pk not in event.detail["person_ids"]
