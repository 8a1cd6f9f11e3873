"""The demo shows the whole product: after the borough, the showcase seeds (through the services, so
audited) case notes with third-party flags, overdue and due-today tasks, a child missing now, a
pre-birth plan, every data category for a family, and contacts in triage with checks out. The sign-in
page in demo mode lists every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.casework import models as cm
from opencsc.demo.borough import PERSONAS, seed_borough
from opencsc.demo.showcase import seed_showcase
from opencsc.people import models as pm

pytestmark = pytest.mark.django_db


def test_showcase_fills_what_the_journeys_leave_out():
    today = timezone.localdate()
    seed_borough(children=120, seed=2026, as_of=today)
    report = seed_showcase(as_of=today)
    assert not report.skipped, report.skipped
    assert cm.CaseNote.objects.filter(third_party=True).exists()
    assert cm.Task.objects.open().filter(due_date__lt=today, assignee__username="sw.demo").exists()
    overdue_visit = cm.Task.objects.open().get(kind="cin_visit", due_date__lt=today, assignee__username="sw.demo")
    plan = cm.ChildInNeedPlan.objects.filter(child=overdue_visit.person, end_date__isnull=True).first()
    assert plan is not None and plan.start_date < overdue_visit.due_date  # not due before the plan began
    assert cm.Task.objects.open().filter(due_date=today, assignee__username="sw.demo").exists()
    assert cm.MissingEpisode.objects.filter(end_date__isnull=True).exists()
    assert cm.ChildProtectionPlan.objects.filter(is_pre_birth=True, end_date__isnull=True).exists()
    for model in (
        pm.FinancialInformation,
        pm.StateBenefit,
        pm.SocialMediaInformation,
        pm.AgencyInformation,
        pm.PoliceInformation,
        pm.PersonAlert,
    ):
        assert model.objects.exists(), model
    assert cm.MashCheck.objects.filter(replied_on__isnull=True).count() >= 6
    assert cm.Contact.objects.filter(status="in_triage").count() >= 3
    assert AuditEvent.objects.filter(action="casework.mash_triage", actor_repr__contains="mash").exists()
    from opencsc.insight.models import GoalRating, PlanGoal, Rater

    assert PlanGoal.objects.count() >= 2
    assert {r.rater for r in GoalRating.objects.all()} == {Rater.WORKER, Rater.CHILD, Rater.PARENT}
    from opencsc.accounts import access
    from opencsc.accounts.models import User
    from opencsc.sharing.models import PartnerReferral

    requests = PartnerReferral.objects.select_related("contact")
    assert {r.agency.recipient_type.code for r in requests} == {"health", "police"}
    assert {r.contact.status for r in requests} == {"received", "decided"}
    from opencsc.accounts.models import Allocation, CaseloadReach

    contracted = Allocation.objects.get(kind="contracted")  # one case, and the people in its family
    reached = set(CaseloadReach.objects.filter(allocation_id=contracted.pk).values_list("person_id", flat=True))
    seen = set(access.visible_persons(User.objects.get(username="brightstart.demo")).values_list("pk", flat=True))
    assert contracted.person_id in seen and seen == reached
    from opencsc.documents import storage
    from opencsc.documents.models import Document

    log = Document.objects.get(check_request__isnull=False)  # the police answer's attachment
    assert log.filename == "incident-log-extract.pdf" and log.kind == "pdf"
    assert log.check_request.status == "answered"
    assert log.person.first_name == "Ava"
    assert storage.read(log.blob).startswith(b"%PDF")


def test_sign_in_page_lists_every_persona_in_demo_mode_only(settings):
    settings.DEMO_MODE = True
    html = Client().get("/account/login/").content.decode()
    assert "Demo: who to sign in as, and what to try" in html
    for username, *_ in PERSONAS:
        assert f"<code>{username}</code>" in html
    settings.DEMO_MODE = False
    assert "sw.demo" not in Client().get("/account/login/").content.decode()


def test_seeding_twice_is_refused_by_if_empty(capsys):
    from django.core.management import call_command

    seed_borough(children=20, seed=1, as_of=dt.date(2026, 3, 31))
    call_command("seed_demo", "--if-empty", "--children", "20")
    assert "not seeding" in capsys.readouterr().out


def test_a_restricted_child_on_the_caseload_is_left_alone_not_a_crash():
    """A restricted record can sit on the worker's caseload without the worker on its restricted list
    (seed 16 made one): the showcase writes only where the worker may, and touches nothing there."""
    today = timezone.localdate()
    seed_borough(children=120, seed=2026, as_of=today)
    from opencsc.accounts.models import Allocation, AllocationKind

    first = (
        Allocation.objects.current()
        .filter(worker__username="sw.demo", kind=AllocationKind.ALLOCATED_WORKER, person__is_child=True)
        .order_by("person__pk")
        .first()
    )
    assert first is not None
    pm.Person.objects.filter(pk=first.person_id).update(is_restricted=True)
    report = seed_showcase(as_of=today)
    assert not report.skipped, report.skipped
    assert not cm.CaseNote.objects.filter(child_id=first.person_id).exists()
    assert cm.CaseNote.objects.exists()
