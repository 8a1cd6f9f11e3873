"""The person pages as a worker uses them: search, record, create and edit, and the errors they show."""

from __future__ import annotations

import pytest

from opencsc.audit.models import AuditEvent
from opencsc.people.models import Address, Person

pytestmark = pytest.mark.django_db


def _events_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_search_by_each_criterion_finds_the_child_and_is_audited_once(client_for, social_worker, child):
    client = client_for(social_worker)
    for params in (
        {"name": child.first_name[:3]},
        {"nhs_number": child.nhs_number},
        {"la_child_id": child.la_child_id.lower()},
        {
            "date_of_birth_0": child.date_of_birth.day,
            "date_of_birth_1": child.date_of_birth.month,
            "date_of_birth_2": child.date_of_birth.year,
        },
    ):
        head = _head()
        response = client.get("/people/", params)
        assert child.full_name in response.content.decode(), params
        events = _events_since(head)
        assert [e.action for e in events] == ["person.search"]
        assert child.nhs_number not in str(events[0].detail)  # criteria kept, NHS number only as its index


def test_search_with_no_criteria_shows_an_error_summary(client_for, social_worker):
    response = client_for(social_worker).get("/people/", {"name": ""})
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter a name, date of birth, NHS number or LA child id" in body


def test_search_with_a_mistyped_nhs_number_says_how_to_fix_it(client_for, social_worker):
    body = client_for(social_worker).get("/people/", {"nhs_number": "987 654 4321"}).content.decode()
    assert "the last digit does not match" in body


def test_record_page_groups_by_category_and_shows_sensitive_labels(client_for, social_worker, child, mother):
    body = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    for heading in (
        "Name and identity",
        "Date of birth",
        "Ethnicity",
        "NHS number",
        "Relationships",
        "Health information",
    ):
        assert heading in body
    assert "Special category data" in body
    assert mother.full_name in body


def _person_form(**overrides):
    data = {
        "is_child": "on",
        "first_name": "Test",
        "last_name": "Child",
        "sex": "F",
        "date_of_birth_0": "3",
        "date_of_birth_1": "4",
        "date_of_birth_2": "2019",
        "nhs_number": "",
        "la_child_id": "NEW000001",
        "upn": "",
        "ethnicity": "",
    }
    data.update(overrides)
    return data


def test_create_person_saves_audits_and_allocates_to_the_creator(client_for, social_worker):
    head = _head()
    response = client_for(social_worker).post("/people/new/", _person_form(nhs_number="999 000 0018"))
    person = Person.objects.get(la_child_id="NEW000001")
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"
    assert person.nhs_number == "9990000018"
    assert person.allocations.get().worker == social_worker
    # the matcher runs first (audited as a search: is this person already known?)
    assert [e.action for e in _events_since(head)] == ["person.search", "person.create", "allocation.open"]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"last_name": ""}, "Enter the last name (family name)"),
        ({"nhs_number": "987 654 4321"}, "the last digit does not match"),
        ({"upn": "Q207000016049"}, "the first letter does not match"),
        ({"la_child_id": "has spaces"}, "only contain letters and numbers"),
        ({"date_of_birth_1": "13"}, "must be a real date"),
        (
            {"expected_date_of_birth_0": "1", "expected_date_of_birth_1": "1", "expected_date_of_birth_2": "2027"},
            "either a date of birth or an expected date of birth",
        ),
    ],
)
def test_bad_input_gets_a_govuk_error_and_nothing_is_saved(client_for, social_worker, overrides, field_message):
    head = _head()
    response = client_for(social_worker).post("/people/new/", _person_form(**overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and field_message in body
    assert "<title>Error:" in body
    assert not Person.objects.filter(la_child_id="NEW000001").exists()
    assert _events_since(head) == []


def test_add_address_with_an_error_then_fixed(client_for, social_worker, child):
    client = client_for(social_worker)
    url = f"/people/{child.pk}/add/address/"
    bad = client.post(
        url,
        {
            "line1": "2 Lane",
            "town": "Exampleton",
            "postcode": "ZZ1 1ZZ",
            "start_date_0": "",
            "start_date_1": "",
            "start_date_2": "",
        },
    )
    assert "Enter the start date" in bad.content.decode()
    assert not Address.objects.filter(person=child).exists()
    good = client.post(
        url,
        {
            "line1": "2 Lane",
            "town": "Exampleton",
            "postcode": "ZZ1 1ZZ",
            "start_date_0": "1",
            "start_date_1": "2",
            "start_date_2": "2024",
        },
    )
    assert good.status_code == 302
    assert Address.objects.get(person=child).line1 == "2 Lane"


def test_edit_conflict_is_refused_not_overwritten(client_for, social_worker, child):
    client = client_for(social_worker)
    stale = _person_form(first_name="Stale", last_name=child.last_name, la_child_id=child.la_child_id, version="1")
    Person.objects.filter(pk=child.pk).update(version=2, first_name="Newer")
    response = client.post(f"/people/{child.pk}/edit/", stale)
    assert "Someone else changed this record" in response.content.decode()
    assert Person.objects.get(pk=child.pk).first_name == "Newer"


def test_forged_post_without_csrf_is_refused_and_audited(client_for, social_worker, child):
    client = client_for(social_worker, enforce_csrf_checks=True)
    head = _head()
    response = client.post(f"/people/{child.pk}/add/address/", {"line1": "x"})
    assert response.status_code == 403
    assert [(e.action, e.outcome) for e in _events_since(head)] == [("request.forbidden", "denied")]
    assert not Address.objects.filter(person=child).exists()


def test_another_users_id_in_a_url_gives_404_and_an_audit_event(client_for, outsider, child):
    head = _head()
    response = client_for(outsider).post(f"/people/{child.pk}/add/address/", {"line1": "x"})
    assert response.status_code == 404
    assert [(e.action, e.actor_repr) for e in _events_since(head)] == [("person.access_denied", "outsider")]


def test_relationship_choices_only_offer_people_the_user_can_see(
    client_for, social_worker, child, mother, stranger_child
):
    body = client_for(social_worker).get(f"/people/{child.pk}/add/relationship/").content.decode()
    assert mother.full_name in body
    assert stranger_child.full_name not in body


def test_a_broad_name_search_lists_only_people_in_scope_in_name_order(settings, social_worker, east_team, outsider):
    """Many people share the prefix and most are outside the worker's scope: the search lists the
    first ones in scope by name, says the list is cut short, and audits the count shown."""
    from opencsc.accounts.tests.factories import AllocationFactory
    from opencsc.audit.services import Actor
    from opencsc.people import selectors
    from opencsc.people.tests.factories import ChildFactory

    settings.OPENCSC_SEARCH_RESULT_LIMIT = 5
    people = [ChildFactory(last_name=f"Smithers{chr(65 + i // 26)}{chr(65 + i % 26)}") for i in range(260)]
    mine = people[7::37]  # 8 of them, spread through the matches, in name order
    for person in mine:
        AllocationFactory(person=person, team=east_team, worker=social_worker)
    criteria = selectors.SearchCriteria(name="smith")

    result = selectors.search_persons(user=social_worker, actor=Actor.from_user(social_worker), criteria=criteria)
    assert [p.pk for p in result.people] == [p.pk for p in mine[:5]]
    assert result.truncated
    assert AuditEvent.objects.order_by("-seq").first().detail["results"] == 5

    nobody = selectors.search_persons(user=outsider, actor=Actor.from_user(outsider), criteria=criteria)
    assert nobody.people == [] and not nobody.truncated


def test_search_results_carry_only_what_the_list_shows(client_for, social_worker, east_team):
    """Data minimisation: a results list reads names, dates of birth and LA child ids, and never
    decrypts the NHS number or ethnicity of the people it lists; and the page showing it reads the
    person table once (a deferred field used by the template would cost a query a row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opencsc.accounts.tests.factories import AllocationFactory
    from opencsc.audit.services import Actor
    from opencsc.people import selectors
    from opencsc.people.tests.factories import ChildFactory

    for first in ("Ava", "Ben", "Cal"):
        child = ChildFactory(first_name=first, last_name="Quennell", nhs_number="9990000018", ethnicity="WBRI")
        AllocationFactory(person=child, team=east_team, worker=social_worker)
    criteria = selectors.SearchCriteria(name="quen")
    found = selectors.search_persons(user=social_worker, actor=Actor.from_user(social_worker), criteria=criteria)
    assert [p.full_name for p in found.people] == ["Ava Quennell", "Ben Quennell", "Cal Quennell"]
    assert all({"nhs_number", "ethnicity"} <= p.get_deferred_fields() for p in found.people)

    client = client_for(social_worker)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/people/", {"name": "quen"})
    assert page.status_code == 200 and "Cal Quennell" in page.content.decode()
    assert sum('FROM "people_person"' in q["sql"] for q in queries.captured_queries) == 1
