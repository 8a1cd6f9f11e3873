from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from opencsc.casework import services
from opencsc.casework.models import StatusChange, Task

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC))
def test_smoke(social_worker, team_manager, sw_actor, tm_actor, child):
    ep = services.referral_create(
        actor_user=social_worker,
        actor=sw_actor,
        child=child,
        referral_date=dt.date(2025, 1, 6),
        source="2A",
        primary_need="N1",
    )
    a = services.assessment_start(actor_user=social_worker, actor=sw_actor, episode=ep, start_date=dt.date(2025, 1, 7))
    services.assessment_complete(
        actor_user=social_worker,
        actor=sw_actor,
        assessment=a,
        completed_date=dt.date(2025, 1, 20),
        factors=["16A"],
        outcome="strategy",
    )
    services.assessment_authorise(
        actor_user=team_manager, actor=tm_actor, assessment=a, authorised_date=dt.date(2025, 1, 21)
    )
    sd = services.strategy_discussion_record(
        actor_user=social_worker, actor=sw_actor, episode=ep, discussion_date=dt.date(2025, 1, 22), start_section47=True
    )
    conf = services.conference_record(
        actor_user=social_worker,
        actor=sw_actor,
        episode=ep,
        kind="initial",
        conference_date=dt.date(2025, 2, 5),
        outcome="plan",
        category="NEG",
    )
    plan = conf.started_plan
    services.core_group_record(actor_user=social_worker, actor=sw_actor, plan=plan, meeting_date=dt.date(2025, 2, 12))
    services.visit_record(
        actor_user=social_worker,
        actor=sw_actor,
        child=child,
        kind="cp",
        visit_date=dt.date(2025, 2, 14),
        seen=True,
        seen_alone=True,
    )
    services.cp_review_record(
        actor_user=social_worker, actor=sw_actor, plan=plan, conference_date=dt.date(2025, 2, 28), outcome="end_plan"
    )
    services.episode_close(
        actor_user=social_worker, actor=sw_actor, episode=ep, closure_date=dt.date(2025, 3, 3), closure_reason="RC7"
    )
    assert sd.section47.icpc_target == dt.date(2025, 2, 12)
    assert StatusChange.objects.filter(child=child).count() > 8
    assert not Task.objects.open().filter(person=child).exists()
