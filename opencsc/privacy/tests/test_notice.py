"""The public notice: no sign-in, rendered from the register, covers what the issue asks, changes when
the register changes, and names no recipient that no agency can receive for."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from opencsc.audit.models import AuditEvent
from opencsc.privacy.models import Category, Purpose, RecipientType

pytestmark = pytest.mark.django_db


def _notice(client) -> str:
    response = client.get("/privacy-notice/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_renders_without_sign_in(client):
    page = _notice(client)
    assert "Privacy notice" in page
    assert reverse("privacy:notice") == "/privacy-notice/"


def test_the_notice_covers_what_the_service_holds_why_who_and_how_long(client):
    page = _notice(client)
    for category in Category.objects.all():
        assert category.name in page
    for purpose in Purpose.objects.all():
        assert purpose.name in page
    for recipient in RecipientType.objects.all():
        assert recipient.name.replace("'", "&#x27;") in page
    for phrase in (
        "Child Protection Information Sharing",
        "Department for Education",
        "How long we keep it",
        "Your rights and how to ask",
        "information.rights@exampleton.example",
        "Article 6(1)(e)",
        "Schedule 1 Part 2 paragraph 18",
        "Schedule 2 Part 1 paragraph 2",
        "ico.org.uk",
    ):
        assert phrase in page, phrase


def test_the_footer_links_to_the_notice(client):
    assert 'href="/privacy-notice/"' in client.get("/account/login/").content.decode()


def test_the_notice_changes_when_the_register_changes(client, ig_officer, client_for):
    category = Category.objects.get(code="social_media")
    new_text = "Posts and messages on social media that raise a concern about a child (register edit test)."
    response = client_for(ig_officer).post(
        reverse("privacy:register_edit", args=["categories", category.pk]),
        {
            "name": category.name,
            "public_description": new_text,
            "sources": category.sources,
            "is_special_category": "",
            "is_criminal_offence": "",
            "display_order": category.display_order,
        },
    )
    assert response.status_code == 302
    assert new_text in _notice(client)
    assert AuditEvent.objects.filter(action="privacy.register_change", object_id=str(category.pk)).count() == 1


def test_a_new_recipient_type_appears_in_the_notice(client, ig_officer, client_for):
    response = client_for(ig_officer).post(
        reverse("privacy:register_add", args=["recipients"]),
        {
            "code": "sport-clubs",
            "name": "Sports clubs (test)",
            "public_description": "Clubs a child attends.",
            "display_order": 50,
        },
    )
    assert response.status_code == 302
    assert "Sports clubs (test)" in _notice(client)


def test_every_recipient_type_in_the_notice_has_an_agency_that_can_receive(client):
    from opencsc.sharing.demo import seed_agencies
    from opencsc.sharing.selectors import agencies_that_can_receive

    seed_agencies()
    named = set(re.findall(r'data-recipient-type="([a-z0-9-]+)"', _notice(client)))
    assert named == set(RecipientType.objects.values_list("code", flat=True))
    receivers = set(agencies_that_can_receive().values_list("recipient_type__code", flat=True))
    assert named - receivers == set()


def test_a_recipient_type_with_no_agency_is_reported(client):
    from opencsc.sharing.selectors import recipient_types_without_receivers

    RecipientType.objects.create(code="nobody-yet", name="Nobody yet")
    assert "nobody-yet" in set(recipient_types_without_receivers().values_list("code", flat=True))


def test_only_information_governance_can_edit_the_register(social_worker, client_for):
    category = Category.objects.get(code="name")
    response = client_for(social_worker).post(
        reverse("privacy:register_edit", args=["categories", category.pk]), {"name": "Hacked"}
    )
    assert response.status_code == 403
    assert Category.objects.get(code="name").name == "Name and identity"


def test_a_category_flag_contradicting_the_code_is_refused_on_the_page(ig_officer, client_for):
    category = Category.objects.get(code="health")
    response = client_for(ig_officer).post(
        reverse("privacy:register_edit", args=["categories", category.pk]),
        {
            "name": category.name,
            "public_description": "x",
            "sources": "",
            "is_criminal_offence": "",
            "display_order": 1,
        },
    )
    assert response.status_code == 200
    assert "change both together" in response.content.decode()
    assert Category.objects.get(code="health").is_special_category
