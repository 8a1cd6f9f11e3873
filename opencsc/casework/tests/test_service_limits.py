"""Issue 10: the limits the pages enforce (`core.limits`) hold in the casework services too, so an
import or the API cannot store what a form would refuse, and a refusal stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opencsc.casework import services
from opencsc.casework.models import Contact, StatusChange

pytestmark = pytest.mark.django_db


def _contact(social_worker, sw_actor, child, **overrides):
    values = {"contact_date": dt.date(2026, 11, 2), "source": "1B", "reason": "Bruising seen at school"}
    values.update(overrides)
    return services.contact_create(actor_user=social_worker, actor=sw_actor, child=child, consent_given=True, **values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "x" * 100_000}, "reason"),
        ({"contact_date": dt.date(1800, 1, 1)}, "contact_date"),
        ({"referrer": "y" * 5_000}, "referrer"),
    ],
)
def test_hostile_values_are_refused_by_the_service_and_nothing_is_kept(
    social_worker, sw_actor, child, overrides, field
):
    with pytest.raises(ValidationError) as refused:
        _contact(social_worker, sw_actor, child, **overrides)
    assert field in refused.value.message_dict
    assert not Contact.objects.filter(child=child).exists()
    assert not StatusChange.objects.filter(child=child).exists()


def test_an_ordinary_contact_is_still_recorded(social_worker, sw_actor, child):
    contact = _contact(social_worker, sw_actor, child)
    assert Contact.objects.get(pk=contact.pk).reason == "Bruising seen at school"
