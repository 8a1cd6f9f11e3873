from __future__ import annotations

import datetime as dt
import random

import factory
from faker import Faker

from opencsc.demo.identifiers import demo_upn, test_nhs_number
from opencsc.people import models as pm
from opencsc.people.services import nhs_number_index

_rng = random.Random(1234)
_fake = Faker("en_GB")


def _letters(name: str) -> str:
    return "".join(ch for ch in name if ch.isalpha()) or "Name"


class PersonFactory(factory.django.DjangoModelFactory):
    """An adult by default; see ChildFactory. NHS numbers come from the 999 test range."""

    class Meta:
        model = pm.Person

    is_child = False
    # Letters only, and a unique suffix: tests look for a person's name in pages, so a name must never
    # need HTML escaping (O'Connor) nor be a word a page uses anyway (Page, Home, Search).
    first_name = factory.LazyFunction(lambda: _letters(_fake.first_name()))
    last_name = factory.Sequence(lambda n: f"{_letters(_fake.last_name())}{n}x")
    sex = "F"
    date_of_birth = factory.Faker("date_between", start_date="-50y", end_date="-19y")
    ethnicity = "WBRI"
    nhs_number = factory.LazyFunction(lambda: test_nhs_number(_rng))
    nhs_number_index = factory.LazyAttribute(lambda p: nhs_number_index(p.nhs_number))


class ChildFactory(PersonFactory):
    is_child = True
    sex = "M"
    date_of_birth = factory.Faker("date_between", start_date="-15y", end_date="-6y")
    la_child_id = factory.Sequence(lambda n: f"TEST{n:06d}")
    upn = factory.LazyAttribute(lambda p: demo_upn(_rng, _rng.randrange(1000), p.date_of_birth.year + 5))


class UnbornChildFactory(ChildFactory):
    first_name = ""
    sex = "U"
    date_of_birth = None
    expected_date_of_birth = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=90))
    nhs_number = ""
    nhs_number_index = ""
    upn = ""
    upn_unknown_reason = "UN1"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Relationship

    person = factory.SubFactory(PersonFactory)
    relative = factory.SubFactory(ChildFactory)
    kind = pm.RelationshipKind.PARENT
    has_parental_responsibility = True
