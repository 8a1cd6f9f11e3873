"""The public "ask us" form: no account, error summary, CSRF, honeypot, rate limit, lands in the queue."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from opencsc.audit.models import AuditEvent
from opencsc.rights.models import RequestSource, RightsRequest

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "subject_access",
    "requester_name": "Casey Careleaver",
    "requester_relationship": "self",
    "details": "I was in care from 2010 to 2018 and would like to see my file.",
    "reply_by": "email",
    "reply_email": "casey@example.com",
    "website": "",
}


def test_the_form_needs_no_account(client):
    response = client.get("/ask-us/")
    assert response.status_code == 200
    assert "Ask us about your information" in response.content.decode()


def test_the_privacy_notice_links_to_it(client):
    assert 'href="/ask-us/"' in client.get("/privacy-notice/").content.decode()


def test_a_request_lands_in_the_queue_with_a_reference(client, client_for, ig_officer):
    response = client.post("/ask-us/", GOOD)
    assert response.status_code == 302
    sent = client.get(response["Location"]).content.decode()
    request = RightsRequest.objects.get()
    assert request.reference in sent
    assert request.source == RequestSource.PUBLIC_FORM and request.entered_by is None
    assert request.subject_name == "Casey Careleaver"
    event = AuditEvent.objects.get(action="rights.request_receive")
    assert event.actor_repr == "public:ask_us"
    assert request.reference in client_for(ig_officer).get("/rights/").content.decode()


def test_errors_are_listed_in_a_govuk_error_summary_naming_each_field(client):
    response = client.post("/ask-us/", {"reply_by": "email", "requester_relationship": "parent", "website": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "There is a problem" in page
    for message, anchor in [
        ("Select what you would like to do", "#id_kind_1"),
        ("Enter your full name", "#id_requester_name"),
        ("Tell us what you are asking for", "#id_details"),
        ("Enter the email address we should reply to", "#id_reply_email"),
        ("Enter the full name of the person the information is about", "#id_subject_name"),
    ]:
        assert message in page and f'href="{anchor}"' in page
    assert RightsRequest.objects.count() == 0


def test_an_oversized_post_is_refused_and_nothing_is_written(client):
    response = client.post("/ask-us/", {**GOOD, "details": "x" * 20_000, "requester_name": "<script>" * 100})
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.content.decode()
    assert "<script><script>" not in response.content.decode()
    assert RightsRequest.objects.count() == 0


def test_the_form_is_csrf_protected():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/ask-us/", GOOD).status_code == 403
    assert RightsRequest.objects.count() == 0


def test_a_robot_filling_the_hidden_box_is_thanked_and_nothing_is_kept(client):
    response = client.post("/ask-us/", {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200
    assert RightsRequest.objects.count() == 0
    assert AuditEvent.objects.filter(action="rights.request_refused_input", reason="honeypot").count() == 1


@override_settings(OPENCSC_ASK_US_RATE_LIMIT=3)
def test_posts_are_rate_limited_per_address(client):
    for i in range(3):
        assert client.post("/ask-us/", {**GOOD, "requester_name": f"Person Number{'x' * i}"}).status_code == 302
    refused = client.post("/ask-us/", {**GOOD, "requester_name": "One Toomany"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert RightsRequest.objects.count() == 3
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert other.post("/ask-us/", {**GOOD, "requester_name": "Other Address"}).status_code == 302


def test_the_acknowledgement_without_a_request_goes_back_to_the_form(client):
    response = client.get("/ask-us/sent/")
    assert response.status_code == 302 and response["Location"] == "/ask-us/"
