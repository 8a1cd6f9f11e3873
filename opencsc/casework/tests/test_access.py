"""Outsiders get the same 404 as for a missing child on every casework URL, and are audited; the
registry tags every casework field and encrypts health and criminal data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import (
    CategoryOfAbuse,
    DeprivationOfLibertyOrder,
    ReasonForClosure,
    ReasonNewEpisode,
)
from opencsc.casework.tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CINPlanFactory,
    CPPlanFactory,
    EpisodeFactory,
    TaskFactory,
)
from opencsc.casework.views.steps import STEPS
from opencsc.core import codelists
from opencsc.core.categories import ENCRYPTED
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import tags_for

pytestmark = pytest.mark.django_db


def casework_urls(child) -> list[str]:
    episode = EpisodeFactory(child=child, referral_date=dt.date(2025, 1, 6))
    objects = {
        "casework.Contact": None,
        "casework.Assessment": AssessmentFactory(episode=episode),
        "casework.ChildProtectionPlan": CPPlanFactory(episode=episode),
        "casework.ChildInNeedPlan": CINPlanFactory(episode=episode, end_date=dt.date(2025, 2, 3)),
        "casework.PeriodOfCare": CareEpisodeFactory(period__child=child).period,
    }
    objects["casework.DeprivationOfLibertyOrder"] = DeprivationOfLibertyOrder.objects.create(
        child=child, period=objects["casework.PeriodOfCare"], start_date=dt.date(2025, 2, 3)
    )
    from opencsc.casework.models import Contact, Section47, StrategyDiscussion

    objects["casework.Contact"] = Contact.objects.create(
        child=child,
        contact_date=dt.date(2025, 1, 6),
        source="2A",
        reason="x",
        consent_given=True,
        decision_due=dt.date(2025, 1, 7),
    )
    sd = StrategyDiscussion.objects.create(child=child, episode=episode, discussion_date=dt.date(2025, 1, 8))
    objects["casework.Section47"] = Section47.objects.create(
        child=child,
        episode=episode,
        strategy_discussion=sd,
        start_date=dt.date(2025, 1, 8),
        icpc_target=dt.date(2025, 1, 29),
    )
    from opencsc.casework.models import (
        FamilyHelpAssessment,
        FamilyHelpPlan,
        FamilyNetworkMeeting,
        HelpEpisode,
    )

    help_episode = HelpEpisode.objects.create(
        child=child, start_date=dt.date(2025, 1, 6), reason="x", organisation="Family Help service"
    )
    objects["casework.HelpEpisode"] = help_episode
    objects["casework.FamilyHelpAssessment"] = FamilyHelpAssessment.objects.create(
        child=child, episode=help_episode, start_date=dt.date(2025, 1, 7), due_date=dt.date(2025, 2, 7)
    )
    objects["casework.FamilyHelpPlan"] = FamilyHelpPlan.objects.create(
        child=child, episode=help_episode, start_date=dt.date(2025, 1, 8), next_review_due=dt.date(2025, 4, 1)
    )
    objects["casework.FamilyNetworkMeeting"] = FamilyNetworkMeeting.objects.create(
        child=child, help_episode=help_episode, offered_on=dt.date(2025, 1, 9)
    )
    from opencsc.casework.models import Service, ServiceReferral

    service = Service.objects.create(name="Family centre", kind="family_centre", provider="Council")
    objects["casework.ServiceReferral"] = ServiceReferral.objects.create(
        child=child, service=service, referred_on=dt.date(2025, 1, 9)
    )
    urls = [f"/casework/{child.pk}/", f"/casework/{child.pk}/chronology/", f"/casework/{child.pk}/notes/"]
    for slug, step in STEPS.items():
        if step.model is None:
            urls.append(f"/casework/{child.pk}/record/{slug}/")
        else:
            urls.append(f"/casework/{child.pk}/record/{slug}/{objects[step.model._meta.label].pk}/")
    return urls


@time_machine.travel(dt.datetime(2025, 3, 17, 10, tzinfo=dt.UTC), tick=False)
def test_outsider_gets_404_on_every_casework_url(client_for, outsider, social_worker, child):
    urls = casework_urls(child)
    assert len(urls) == 3 + len(STEPS)
    client = client_for(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url
    missing = client.get("/casework/999999/")
    assert missing.status_code == 404
    denied = AuditEvent.objects.filter(action="person.access_denied", actor_repr="outsider", subject_person_id=child.pk)
    assert denied.count() >= len(urls)
    assert not AuditEvent.objects.filter(action="casework.view", actor_repr="outsider").exists()
    # The worker who holds the child can open every page.
    worker = client_for(social_worker)
    for url in urls:
        if "assessment-authorise" in url:
            continue  # team managers only
        assert worker.get(url).status_code == 200, url


@time_machine.travel(dt.datetime(2025, 3, 17, 10, tzinfo=dt.UTC), tick=False)
def test_reading_casework_is_audited_once_per_page(client_for, social_worker, child):
    client = client_for(social_worker)
    before = AuditEvent.objects.filter(action="casework.view").count()
    client.get(f"/casework/{child.pk}/")
    client.get(f"/casework/{child.pk}/chronology/")
    assert AuditEvent.objects.filter(action="casework.view", subject_person_id=child.pk).count() == before + 2


def test_outsider_cannot_complete_or_allocate_a_task(client_for, outsider, team_manager, child):
    task = TaskFactory(person=child)
    assert client_for(outsider).post(f"/casework/tray/{task.pk}/done/").status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_tray_shows_only_visible_children(client_for, outsider, social_worker, child):
    TaskFactory(person=child, assignee=social_worker)
    assert child.full_name in client_for(social_worker).get("/casework/tray/").content.decode()
    assert child.full_name not in client_for(outsider).get("/casework/tray/").content.decode()


def test_team_manager_allocates_a_team_task(client_for, team_manager, social_worker, east_team, child):
    task = TaskFactory(person=child, team=east_team)
    page = client_for(team_manager).get("/casework/tray/").content.decode()
    assert child.full_name in page and "Allocate" in page
    response = client_for(team_manager).post(
        "/casework/tray/allocate/", {"task": task.pk, "assignee": social_worker.pk}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == social_worker
    assert AuditEvent.objects.filter(action="casework.task_assign", subject_person_id=child.pk).count() == 1


def test_every_casework_field_is_tagged_and_sensitive_ones_encrypted():
    for model in apps.get_app_config("casework").get_models():
        tags = tags_for(model)
        names = {f.name for f in model._meta.concrete_fields}
        assert names == set(tags), f"{model.__name__}: untagged {names - set(tags)}, unknown {set(tags) - names}"
        for field in model._meta.concrete_fields:
            if tags[field.name] in ENCRYPTED and field.get_internal_type() != "DateField":
                assert isinstance(field, EncryptedTextField), f"{model.__name__}.{field.name} must be encrypted"


def test_code_choices_match_the_dfe_code_lists():
    assert set(ReasonForClosure.values) == codelists.codes("cin_reason_for_closure")
    assert set(CategoryOfAbuse.values) == codelists.codes("cin_category_of_abuse")
    assert set(ReasonNewEpisode.values) == codelists.codes("903_reason_new_episode")


def test_person_links_include_renders_for_a_child_and_an_adult(child, mother):
    from django.template.loader import render_to_string

    html = render_to_string("casework/_person_links.html", {"person": child, "can_change": True})
    assert f"/casework/{child.pk}/" in html and "Record a contact" in html
    adult = render_to_string("casework/_person_links.html", {"person": mother, "can_change": True})
    assert f"/casework/{mother.pk}/record/unborn/" in adult
