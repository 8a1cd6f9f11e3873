from __future__ import annotations

import factory

from opencsc.accounts.models import Allocation, Role, Team, TeamKind, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.FAMILY_SUPPORT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exampleton.example")
    role = Role.SOCIAL_WORKER
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password("correct-horse-battery-staple")


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    person = factory.SubFactory("opencsc.people.tests.factories.ChildFactory")
    team = factory.SubFactory(TeamFactory)
    worker = None
    start_date = factory.Faker("date_between", start_date="-2y", end_date="-1d")
