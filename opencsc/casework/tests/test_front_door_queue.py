"""The front door as the MASH works it: the queue, taking a contact, the contact in full on the
triage and decision pages, and the outcomes "pass to the allocated worker" and "step to early help"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from opencsc.accounts.models import Allocation, AllocationKind
from opencsc.accounts.tests.factories import AllocationFactory
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.casework import services
from opencsc.casework.models import (
    ChronologyEntry,
    Contact,
    ContactDecision,
    ContactStatus,
    ReferralEpisode,
    Task,
    TaskKind,
    WorkerNotification,
)
from opencsc.casework.tests.factories import EpisodeFactory
from opencsc.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 17, 10, tzinfo=dt.UTC)  # a Monday
TODAY = NOW.date()
CONCERN = "Teacher saw a bruise on the child's arm; the child said a grown-up at home did it."


def d(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def contact_for(child, user, *, reason: str = CONCERN, source: str = "2A", **kw) -> Contact:
    return services.contact_create(
        actor_user=user,
        actor=Actor.from_user(user),
        child=child,
        contact_date=kw.pop("contact_date", TODAY),
        source=source,
        reason=reason,
        consent_given=kw.pop("consent_given", True),
        family_told=kw.pop("family_told", "Mother told the school would share the concern."),
        **kw,
    )


def triage(contact: Contact, user, rag: str, agencies: list[str] | None = None) -> None:
    services.mash_triage_record(
        actor_user=user,
        actor=Actor.from_user(user),
        contact=contact,
        rag=rag,
        rationale="Rated on the referrer's account",
        triaged_on=contact.contact_date,
        agencies=agencies or [],
    )


@pytest.fixture
def open_case_child(social_worker, east_team):
    """A child whose case is open with the social worker (a referral episode and an allocation)."""
    child = ChildFactory(date_of_birth=dt.date(2015, 6, 1))
    AllocationFactory(
        person=child,
        team=east_team,
        worker=social_worker,
        kind=AllocationKind.ALLOCATED_WORKER,
        start_date=dt.date(2015, 1, 1),
    )
    EpisodeFactory(child=child, referral_date=dt.date(2024, 11, 4))
    return child


@time_machine.travel(NOW, tick=False)
def test_queue_shows_reddest_then_newest_and_leaves_out_decided_contacts(
    client_for, mash_practitioner, team_manager, east_team
):
    children = {}
    for name, day in [("Green", 1), ("Amber", 2), ("Red", 3), ("Unrated", 4), ("Red2", 2), ("Decided", 4)]:
        child = ChildFactory(first_name=f"Kid{name}", last_name="Queue")
        AllocationFactory(person=child, team=east_team, kind=AllocationKind.ALLOCATED_WORKER)
        children[name] = contact_for(child, team_manager, contact_date=dt.date(2025, 3, 10 + day))
    triage(children["Green"], team_manager, "green")
    triage(children["Amber"], team_manager, "amber")
    triage(children["Red"], team_manager, "red")
    triage(children["Red2"], team_manager, "red")
    services.contact_decide(
        actor_user=team_manager,
        actor=Actor.from_user(team_manager),
        contact=children["Decided"],
        decision=ContactDecision.NFA,
        decision_date=TODAY,
        rationale="Already known and safe",
    )
    page = client_for(mash_practitioner).get("/casework/front-door/")
    assert page.status_code == 200
    html = page.content.decode()
    order = [html.index(f"Kid{name} Queue") for name in ("Red", "Red2", "Unrated", "Amber", "Green")]
    assert order == sorted(order), "red (newest first), then not yet rated, amber, green"
    assert "KidDecided" not in html
    assert "Schools (2A)" in html and "2A:" not in html
    event = AuditEvent.objects.filter(action="casework.mash_queue_view").latest("seq")
    assert event.detail["shown"] == 5


@time_machine.travel(NOW, tick=False)
def test_rag_clock_runs_from_receipt_and_goes_red_when_overdue(client_for, mash_practitioner, team_manager, child):
    contact = contact_for(child, team_manager)
    triage(contact, team_manager, "red")
    with time_machine.travel(NOW + dt.timedelta(hours=6), tick=False):
        html = client_for(mash_practitioner).get("/casework/front-door/").content.decode()
    assert "Overdue by 2 hours (4 hour limit)" in html


def test_only_front_door_roles_and_managers_use_the_queue(client_for, social_worker, partner, ig_officer):
    for user in (social_worker, partner, ig_officer):
        assert client_for(user).get("/casework/front-door/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_taking_a_contact_allocates_it_to_the_taker(client_for, mash_practitioner, team_manager, child):
    contact = contact_for(child, team_manager)
    response = client_for(mash_practitioner).post(f"/casework/front-door/{contact.pk}/take/")
    assert response.status_code == 302
    assert response["Location"] == f"/casework/{child.pk}/record/triage/{contact.pk}/"
    contact.refresh_from_db()
    assert contact.taken_by == mash_practitioner
    front_door = Allocation.objects.current().filter(person=child, kind=AllocationKind.FRONT_DOOR)
    assert list(front_door.values_list("worker", flat=True)) == [mash_practitioner.pk]
    task = Task.objects.open().get(person=child, kind=TaskKind.CONTACT_DECISION)
    assert task.assignee == mash_practitioner
    assert AuditEvent.objects.filter(action="casework.contact_take", subject_person_id=child.pk).count() == 1


def test_taking_a_contact_about_a_child_you_cannot_see_is_404(client_for, outsider, team_manager, child):
    contact = contact_for(child, team_manager)
    outsider.role = "mash_practitioner"
    outsider.save()
    assert client_for(outsider).post(f"/casework/front-door/{contact.pk}/take/").status_code == 404
    contact.refresh_from_db()
    assert contact.taken_by is None


@time_machine.travel(NOW, tick=False)
def test_triage_and_decision_pages_show_the_whole_contact_and_checks_side_by_side(
    client_for, mash_practitioner, team_manager, child
):
    contact = contact_for(
        child,
        team_manager,
        source="6",
        referrer="PC 4410",
        consent_given=False,
        no_consent_reason="Asking could put the child at risk",
    )
    client = client_for(mash_practitioner)
    client.post(f"/casework/front-door/{contact.pk}/take/")
    triage_page = client.get(f"/casework/{child.pk}/record/triage/{contact.pk}/").content.decode()
    for text in (
        CONCERN.replace("'", "&#x27;"),
        "Police (6)",
        "PC 4410",
        "Asking could put the child at risk",
        "Mother told the school would share the concern.",
    ):
        assert text in triage_page
    triage(contact, mash_practitioner, "amber", ["police", "health"])
    check = contact.triage.checks.get(agency="health")
    services.mash_check_reply(
        actor_user=mash_practitioner,
        actor=Actor.from_user(mash_practitioner),
        check=check,
        replied_on=TODAY,
        summary="Two missed immunisations",
    )
    decision_page = client.get(f"/casework/{child.pk}/record/decision/{contact.pk}/").content.decode()
    assert CONCERN.replace("'", "&#x27;") in decision_page
    assert "Two missed immunisations" in decision_page
    assert "Waiting" in decision_page  # the police have not answered
    assert AuditEvent.objects.filter(action="casework.contact_view", subject_person_id=child.pk).count() == 2


@time_machine.travel(NOW, tick=False)
def test_pass_to_the_allocated_worker_reaches_their_tray_home_and_chronology(
    client_for, mash_practitioner, team_manager, social_worker, open_case_child
):
    contact = contact_for(open_case_child, team_manager)
    client = client_for(mash_practitioner)
    client.post(f"/casework/front-door/{contact.pk}/take/")
    decision_page = client.get(f"/casework/{open_case_child.pk}/record/decision/{contact.pk}/").content.decode()
    assert 'value="referral"' not in decision_page, "a new referral is impossible while one is open"
    response = client.post(
        f"/casework/{open_case_child.pk}/record/decision/{contact.pk}/",
        {"decision": "pass_to_worker", **d("decision_date", TODAY), "decision_rationale": "Open case: worker to act"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/casework/front-door/", "the MASH no longer holds the child"
    task = Task.objects.open().get(person=open_case_child, kind=TaskKind.CONTACT_PASSED)
    assert task.assignee == social_worker
    assert WorkerNotification.objects.filter(recipient=social_worker, person=open_case_child).count() == 1
    entry = ChronologyEntry.objects.get(child=open_case_child)
    assert CONCERN in entry.detail
    assert str(social_worker) in entry.title
    assert not Allocation.objects.current().filter(person=open_case_child, kind=AllocationKind.FRONT_DOOR).exists()
    assert ReferralEpisode.objects.filter(child=open_case_child).count() == 1, "no second referral"
    assert AuditEvent.objects.filter(action="casework.contact_pass", subject_person_id=open_case_child.pk).count() == 1
    worker = client_for(social_worker)
    assert "Read a new contact passed to you" in worker.get("/casework/tray/").content.decode()
    home = worker.get("/").content.decode()
    assert "New contact passed to you by the front door" in home
    chronology = worker.get(f"/casework/{open_case_child.pk}/chronology/").content.decode()
    assert "Contact passed to the allocated worker" in chronology


@time_machine.travel(NOW, tick=False)
def test_pass_to_worker_is_not_offered_or_accepted_without_an_open_case(client_for, mash_practitioner):
    child2 = ChildFactory()  # known only to the front door
    contact = Contact.objects.create(
        child=child2,
        contact_date=TODAY,
        source="2A",
        reason=CONCERN,
        consent_given=True,
        decision_due=TODAY + dt.timedelta(days=1),
    )
    AllocationFactory(person=child2, team=mash_practitioner.team, kind=AllocationKind.FRONT_DOOR)
    client = client_for(mash_practitioner)
    page = client.get(f"/casework/{child2.pk}/record/decision/{contact.pk}/").content.decode()
    assert 'value="pass_to_worker"' not in page
    with pytest.raises(ValidationError, match="Nobody outside the front door holds"):
        services.contact_decide(
            actor_user=mash_practitioner,
            actor=Actor.from_user(mash_practitioner),
            contact=contact,
            decision=ContactDecision.PASS_TO_WORKER,
            decision_date=TODAY,
            rationale="x",
        )
    assert not Task.objects.filter(kind=TaskKind.CONTACT_PASSED).exists()
    assert not WorkerNotification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_step_to_early_help_records_the_outcome_without_a_referral(mash_practitioner, team_manager, child, east_team):
    contact = contact_for(child, team_manager)
    services.contact_decide(
        actor_user=team_manager,
        actor=Actor.from_user(team_manager),
        contact=contact,
        decision=ContactDecision.EARLY_HELP,
        decision_date=TODAY,
        rationale="Needs support with routines, no safeguarding concern",
        team=east_team,
    )
    contact.refresh_from_db()
    assert contact.status == ContactStatus.DECIDED
    assert contact.decision == "early_help"
    assert Contact.objects.filter(decision=ContactDecision.EARLY_HELP, child=child).count() == 1
    assert not ReferralEpisode.objects.filter(child=child).exists()
    assert not Allocation.objects.current().filter(person=child, kind=AllocationKind.FRONT_DOOR).exists()


def test_the_clock_of_a_backdated_contact_starts_at_9am_on_the_day_it_came_in():
    from django.utils import timezone

    from opencsc.casework.timescales import mash_clock

    recorded = timezone.make_aware(dt.datetime(2026, 12, 7, 14, 30))
    clock = mash_clock(contact_date=dt.date(2026, 12, 4), created_at=recorded, rag="red", now=recorded)
    assert timezone.localtime(clock.received_at) == timezone.make_aware(dt.datetime(2026, 12, 4, 9, 0))
    assert clock.overdue and clock.text.startswith("Overdue by")


def test_the_clock_never_starts_after_the_contact_was_recorded():
    # Dated ahead of its recording (recorded at 11pm, dated the next day): the clock does not start in
    # the future at 9am tomorrow, which would show "8 hours left of 4".
    from django.utils import timezone

    from opencsc.casework.timescales import mash_clock

    recorded = timezone.make_aware(dt.datetime(2026, 12, 5, 23, 0))
    now = recorded + dt.timedelta(hours=1)
    clock = mash_clock(contact_date=dt.date(2026, 12, 6), created_at=recorded, rag="red", now=now)
    assert clock.received_at == recorded
    assert clock.text == "3 hours left of 4"
