"""Shared views that expire: the receiving organisation sees exactly what was disclosed, only in the
agreement's categories, until expiry or revocation; every opening (and every refused attempt) is
audited and shown in the child's disclosure log; no other organisation ever sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.privacy.models import Category, Purpose
from opencsc.sharing import services
from opencsc.sharing.models import SharedView, SharedViewOpening, SharingAgreement
from opencsc.sharing.portal_services import shared_view_create, shared_view_revoke

pytestmark = pytest.mark.django_db


def _key(obj, category: str) -> str:
    return f"{obj._meta.label}:{obj.pk}:{category}"


@pytest.fixture
def view(social_worker, child, record, health, health_user):
    """The child's address and a health note, shared with the health visiting service and
    delivered as a portal view open until tomorrow."""
    disclosure = services.disclosure_share(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        person=child,
        agency=health,
        purpose=Purpose.objects.get(code="support-and-protect"),
        item_keys=[_key(record["address"], "address"), _key(record["health"], "health")],
        consent="given",
        consent_detail="Mother agreed on the phone",
    )
    return shared_view_create(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        disclosure=disclosure,
        expires_on=timezone.localdate() + dt.timedelta(days=1),
    )


def test_the_receiving_partner_sees_exactly_what_was_shared_and_the_opening_is_logged(
    client_for, view, health_user, child
):
    response = client_for(health_user).get(f"/partners/views/{view.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 Canary Street" in html and "CANARY-ASTHMA" in html
    assert child.last_name not in html  # the name was not part of this share
    opening = SharedViewOpening.objects.get(view=view)
    assert opening.user == health_user and opening.outcome == "opened"
    event = AuditEvent.objects.get(action="sharing.view_open")
    assert event.subject_person_id == child.pk and event.seq == opening.audit_seq


def test_the_view_shows_only_categories_the_agreement_still_allows(client_for, view, health_user, health):
    SharingAgreement.objects.for_agency(health).get().categories.remove(Category.objects.get(code="health"))
    html = client_for(health_user).get(f"/partners/views/{view.pk}/").content.decode()
    assert "1 Canary Street" in html and "CANARY-ASTHMA" not in html


def test_another_organisation_never_sees_the_view(client_for, view, police_user):
    client = client_for(police_user)
    assert view.reference not in client.get("/partners/").content.decode()
    response = client.get(f"/partners/views/{view.pk}/")
    assert response.status_code == 404 and "Canary" not in response.content.decode()
    assert AuditEvent.objects.filter(action="sharing.portal_refused", actor_id=police_user.pk).exists()
    assert not SharedViewOpening.objects.exists()


def test_after_expiry_the_view_is_gone_and_the_attempt_audited(client_for, view, health_user, child):
    client = client_for(health_user)
    assert view.reference in client.get("/partners/").content.decode()
    now = timezone.now()
    SharedView.objects.filter(pk=view.pk).update(
        created_at=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(minutes=1)
    )
    assert view.reference not in client.get("/partners/").content.decode()
    response = client.get(f"/partners/views/{view.pk}/")
    assert response.status_code == 404 and "Canary" not in response.content.decode()
    assert SharedViewOpening.objects.get(view=view).outcome == "expired"
    refused = AuditEvent.objects.get(action="sharing.view_refused")
    assert refused.subject_person_id == child.pk and refused.outcome == "denied"


def test_revoking_closes_the_view_at_once(client_for, view, social_worker, health_user, child):
    client = client_for(health_user)
    assert client.get(f"/partners/views/{view.pk}/").status_code == 200
    response = client_for(social_worker).post(f"/sharing/shared-views/{view.pk}/revoke/", {"reason": "Sent in error"})
    assert response.status_code == 302
    assert client.get(f"/partners/views/{view.pk}/").status_code == 404
    assert list(SharedViewOpening.objects.filter(view=view).values_list("outcome", flat=True)) == ["revoked", "opened"]
    assert AuditEvent.objects.filter(action="sharing.view_revoke", subject_person_id=child.pk).exists()
    log = client_for(social_worker).get(f"/sharing/people/{child.pk}/disclosures/").content.decode()
    assert view.reference in log and "Sent in error" in log and "Refused: the view had been revoked" in log


def test_only_someone_who_may_change_the_record_revokes_or_creates(view, outsider, social_worker):
    with pytest.raises(PermissionDenied):
        shared_view_revoke(actor_user=outsider, actor=Actor.from_user(outsider), view=view, reason="no")
    with pytest.raises(ValidationError):
        shared_view_revoke(actor_user=social_worker, actor=Actor.from_user(social_worker), view=view, reason=" ")
    with pytest.raises(PermissionDenied):
        shared_view_create(
            actor_user=outsider,
            actor=Actor.from_user(outsider),
            disclosure=view.disclosure,
            expires_on=timezone.localdate() + dt.timedelta(days=2),
        )


def test_a_view_cannot_outlast_the_configured_maximum(social_worker, child, record, health, health_user, settings):
    settings.OPENCSC_SHARED_VIEW_MAX_DAYS = 7
    disclosure = services.disclosure_share(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        person=child,
        agency=health,
        purpose=Purpose.objects.get(code="support-and-protect"),
        item_keys=[_key(record["address"], "address")],
        consent="given",
        consent_detail="Agreed",
    )
    for days in (0, 8):
        with pytest.raises(ValidationError, match="at most 7 days"):
            shared_view_create(
                actor_user=social_worker,
                actor=Actor.from_user(social_worker),
                disclosure=disclosure,
                expires_on=timezone.localdate() + dt.timedelta(days=days),
            )
    assert not SharedView.objects.exists()


def test_the_council_delivers_a_share_as_a_view_from_the_disclosure_page(
    client_for, social_worker, child, record, health, health_user
):
    disclosure = services.disclosure_share(
        actor_user=social_worker,
        actor=Actor.from_user(social_worker),
        person=child,
        agency=health,
        purpose=Purpose.objects.get(code="support-and-protect"),
        item_keys=[_key(record["address"], "address")],
        consent="given",
        consent_detail="Agreed",
    )
    client = client_for(social_worker)
    assert "Deliver as a view" in client.get(f"/sharing/disclosures/{disclosure.pk}/").content.decode()
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        f"/sharing/disclosures/{disclosure.pk}/portal-view/",
        {"expires_on_0": day.day, "expires_on_1": day.month, "expires_on_2": day.year},
    )
    assert response.status_code == 302
    view = SharedView.objects.get(disclosure=disclosure)
    assert timezone.localtime(view.expires_at).date() == day
    response = client.post(f"/sharing/disclosures/{disclosure.pk}/portal-view/", {"expires_on_0": "31"})
    assert "There is a problem" in response.content.decode()


def test_a_view_whose_record_changed_is_not_shown(client_for, view, health_user, record):
    record["address"].line1 = "2 Other Street"
    record["address"].save()
    response = client_for(health_user).get(f"/partners/views/{view.pk}/")
    assert response.status_code == 410 and "2 Other Street" not in response.content.decode()
    assert SharedViewOpening.objects.get(view=view).outcome == "changed"


def test_items_for_rebuilds_exactly_what_disclosable_items_gives(child, record):
    from opencsc.sharing.items import disclosable_items, items_for

    every = [item for items in disclosable_items(child).values() for item in items]
    references = [item.reference() for item in every]
    assert items_for(child, references) == every
    assert items_for(child, [{"model": "people.Address", "id": 999999, "key": "people.Address:999999:address"}]) == []
