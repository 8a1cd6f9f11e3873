"""Factories for casework rows. They write rows directly (no audit, no tasks) so a test can set up
history quickly; tests of behaviour call the services."""

from __future__ import annotations

import datetime as dt

import factory

from opencsc.casework import models as cm
from opencsc.casework import timescales
from opencsc.people.tests.factories import ChildFactory


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ReferralEpisode

    child = factory.SubFactory(ChildFactory)
    referral_date = dt.date(2025, 1, 6)
    source = "2A"
    primary_need = "N1"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Assessment

    episode = factory.SubFactory(EpisodeFactory)
    child = factory.SelfAttribute("episode.child")
    start_date = factory.SelfAttribute("episode.referral_date")
    due_date = factory.LazyAttribute(lambda a: timescales.assessment_due(a.episode.referral_date))


class CPPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ChildProtectionPlan

    episode = factory.SubFactory(EpisodeFactory)
    child = factory.SelfAttribute("episode.child")
    start_date = dt.date(2025, 2, 3)
    initial_category = "NEG"
    latest_category = "NEG"


class CINPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ChildInNeedPlan

    episode = factory.SubFactory(EpisodeFactory)
    child = factory.SelfAttribute("episode.child")
    start_date = dt.date(2025, 2, 3)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.PeriodOfCare

    child = factory.SubFactory(ChildFactory)
    start_date = dt.date(2025, 1, 6)
    primary_need = "N1"


class CareEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.CareEpisode

    period = factory.SubFactory(PeriodFactory)
    child = factory.SelfAttribute("period.child")
    start_date = factory.SelfAttribute("period.start_date")
    reason_new_episode = "S"
    legal_status = "V2"
    primary_need = "N1"
    placement_type = "U6"
    placement_provider = "PR1"
    carer = "FC-1"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Task

    person = factory.SubFactory(ChildFactory)
    kind = cm.TaskKind.ASSESSMENT
    title = "Complete the assessment"
    due_date = dt.date(2025, 3, 10)
