"""Issue 10, defect 3, with the inputs exactly as reported: a year of 2147483648 or more gave a 500 on
every GOV.UK date field (search, new person, add address, contact); out-of-range birth and death
dates, NHS number 0000000000 and 100,000-character summaries were accepted. Limits live in
`opencsc.core.limits`."""

from __future__ import annotations

import datetime as dt

import pytest

from opencsc.casework.models import Contact
from opencsc.people.models import Address, HealthInformation, Person

pytestmark = pytest.mark.django_db
HUGE_YEARS = ["2147483648", "9223372036854775808", "9" * 40]


def _date(prefix: str, day: int | str, month: int | str, year: int | str) -> dict[str, str]:
    return {f"{prefix}_0": str(day), f"{prefix}_1": str(month), f"{prefix}_2": str(year)}


def _person(**extra: str) -> dict[str, str]:
    return {"first_name": "Hostile", "last_name": "Input", "sex": "F", "is_child": "on", **extra}


@pytest.mark.parametrize("year", HUGE_YEARS)
def test_huge_year_in_search_is_a_message_not_a_500(client_for, social_worker, year):
    response = client_for(social_worker).get("/people/", _date("date_of_birth", 1, 1, year))
    assert response.status_code == 200
    assert "Date of birth must have a year of 4 digits" in response.content.decode()


@pytest.mark.parametrize("year", HUGE_YEARS)
def test_huge_year_on_new_person_add_address_and_contact(client_for, social_worker, child, year):
    client = client_for(social_worker)
    new = client.post("/people/new/", _person(**_date("date_of_birth", 1, 1, year)))
    assert new.status_code == 200 and "year of 4 digits" in new.content.decode()
    address = client.post(
        f"/people/{child.pk}/add/address/",
        {"line1": "1 High St", "town": "Exampleton", "postcode": "EX1 2BT", **_date("start_date", 1, 1, year)},
    )
    assert address.status_code == 200 and "year of 4 digits" in address.content.decode()
    contact = client.post(
        f"/casework/{child.pk}/record/contact/",
        {"source": "1A", "reason": "Concern", "consent_given": "yes", **_date("contact_date", 1, 1, year)},
    )
    assert contact.status_code == 200 and "year of 4 digits" in contact.content.decode()
    assert not Person.objects.filter(last_name="Input").exists()
    assert not Address.objects.filter(person=child).exists() and not Contact.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("1800-01-01", "Date of birth must be on or after 1 January 1900"),
        ("0001-01-01", "year of 4 digits"),  # typed as 1 1 1: not a 4-digit year
        ("2100-01-01", "Date of birth must be today or in the past"),
        ("9999-12-31", "Date of birth must be today or in the past"),
    ],
)
def test_birth_dates_out_of_bounds_are_refused(client_for, social_worker, day, message):
    y, m, d = (int(p) for p in day.split("-"))
    response = client_for(social_worker).post("/people/new/", _person(**_date("date_of_birth", d, m, y)))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Person.objects.filter(last_name="Input").exists()


def test_zero_padded_ancient_year_is_refused_too(client_for, social_worker):
    response = client_for(social_worker).post("/people/new/", _person(**_date("date_of_birth", 1, 1, "0001")))
    assert "Date of birth must be on or after 1 January 1900" in response.content.decode()


def test_death_in_the_future_is_refused(client_for, social_worker, child):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    data = _person(
        **_date("date_of_birth", 1, 1, 2015), **_date("date_of_death", tomorrow.day, tomorrow.month, tomorrow.year)
    )
    response = client_for(social_worker).post("/people/new/", data)
    assert "Date of death must be today or in the past" in response.content.decode()
    assert not Person.objects.filter(last_name="Input").exists()


def test_nhs_number_all_zeros_is_refused(client_for, social_worker):
    response = client_for(social_worker).post("/people/new/", _person(nhs_number="0000000000"))
    assert response.status_code == 200 and "cannot be the same digit ten times" in response.content.decode()
    assert not Person.objects.filter(last_name="Input").exists()


def test_hundred_thousand_character_summary_is_refused(client_for, social_worker, child):
    response = client_for(social_worker).post(
        f"/people/{child.pk}/add/health/",
        {"kind": "condition", "summary": "x" * 100_000, "source": "GP", **_date("recorded_on", 1, 1, 2024)},
    )
    assert response.status_code == 200 and "characters or fewer" in response.content.decode()
    assert not HealthInformation.objects.filter(person=child).exists()


def test_the_service_refuses_the_same_values_for_imports_and_the_api(social_worker, child):
    """Not only the forms: the service every writer uses applies the same limits."""
    from django.core.exceptions import ValidationError

    from opencsc.audit.services import Actor
    from opencsc.people import services

    with pytest.raises(ValidationError) as refused:
        services.person_create(
            actor_user=social_worker,
            actor=Actor.from_user(social_worker),
            data={
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": dt.date(1800, 1, 1),
                "nhs_number": "0000000000",
            },
        )
    assert set(refused.value.message_dict) == {"date_of_birth", "nhs_number"}
    with pytest.raises(ValidationError) as bad_postcode:
        services.part_add(
            actor_user=social_worker,
            actor=Actor.from_user(social_worker),
            person=child,
            model=Address,
            data={"line1": "1 High St", "town": "X", "postcode": "=1+1", "start_date": dt.date(2024, 1, 1)},
        )
    assert "postcode" in bad_postcode.value.message_dict
