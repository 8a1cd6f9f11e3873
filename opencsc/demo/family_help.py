"""Early help / Family Help in the demo borough: four families, seeded through the product's services
acting as the demo personas (so each step is audited and in the chronology as a worker's would be).

* the Okafor family: from a front-door contact to Family Help, a completed whole-family assessment, a
  plan with two goals rated at two reviews; Sam Worker leads;
* the Brennan family: help led by the partner persona (Pat Partner, a health visitor), with a Team Around
  the Family; Pat sees this family and no other;
* the Haddad family: help stepped up to children's social care, with a family group conference held
  and the family's plan recorded;
* the Price family: help closed with the family's goals met.

Dates run back from `day` so nothing is in the future. Under the tiered model the step-up ends the
early help; under Family Help it stays open (see `casework.help_model`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opencsc.accounts.models import Team, TeamKind, User
from opencsc.audit.services import Actor
from opencsc.casework import models as cm
from opencsc.casework import services as cs
from opencsc.people import services as ps

FAMILIES = [
    ("Chidi", "Okafor", "M", dt.date(2016, 3, 9), "BAFR", "Mother asks for help with routines; attendance 84%."),
    (
        "Maisie",
        "Brennan",
        "F",
        dt.date(2023, 8, 1),
        "WIRI",
        "Health visitor: mother isolated after the birth, low mood.",
    ),
    ("Yusuf", "Haddad", "M", dt.date(2014, 11, 23), "OOTH", "School: arguments at home, the child is withdrawn."),
    ("Ellie", "Price", "F", dt.date(2011, 6, 30), "WBRI", "Youth service: missing school, staying out late."),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def seed_family_help(day: dt.date) -> str:
    """Seed the four families as of `day` (the caller runs this in one transaction)."""
    worker, mash, partner = _user("sw.demo"), _user("mash.demo"), _user("partner.demo")
    hub = Team.objects.get(kind=TeamKind.FAMILY_HELP)
    start = day - dt.timedelta(days=120)
    children = []
    for first, last, sex, born, ethnicity, reason in FAMILIES:
        child = ps.person_create(
            actor_user=mash,
            actor=Actor.from_user(mash),
            data={
                "first_name": first,
                "last_name": last,
                "sex": sex,
                "date_of_birth": born,
                "ethnicity": ethnicity,
                "is_child": True,
            },
        )
        contact = cs.contact_create(
            actor_user=mash,
            actor=Actor.from_user(mash),
            child=child,
            contact_date=start,
            source="3A" if "Health" in reason else "2A",
            reason=reason,
            consent_given=True,
            family_told="The family agreed to a call from the Family Help service.",
        )
        cs.contact_decide(
            actor_user=mash,
            actor=Actor.from_user(mash),
            contact=contact,
            decision=cm.ContactDecision.EARLY_HELP,
            decision_date=start,
            rationale="Needs are below the threshold for social care; the family wants help.",
            team=hub,
            worker=worker,
        )
        children.append(child)
    okafor, brennan, haddad, price = (cm.HelpEpisode.objects.get(child=c) for c in children)
    who: dict[str, Any] = {"actor_user": worker, "actor": Actor.from_user(worker)}
    _assessed_with_plan(who, okafor, start, reviewed=day - dt.timedelta(days=10))
    course = _catalogue()
    referral = cs.service_refer(**who, child=okafor.child, service=course, referred_on=start + dt.timedelta(days=30))
    cs.service_update(
        **who,
        referral=referral,
        start_date=start + dt.timedelta(days=44),
        sessions_offered=6,
        sessions_attended=5,
    )
    cs.help_lead_change(**who, episode=brennan, lead_practitioner=partner, start_date=start + dt.timedelta(days=2))
    cs.team_member_add(
        **who,
        episode=brennan,
        name="Pat Partner",
        agency="Exampleton Health Partnership",
        role="Health visitor",
        joined_on=start + dt.timedelta(days=2),
        user=partner,
    )
    partner_who: dict[str, Any] = {"actor_user": partner, "actor": Actor.from_user(partner)}
    cs.help_assessment_start(
        **partner_who, episode=brennan, start_date=start + dt.timedelta(days=7), organisation="Health visiting"
    )
    _assessed_with_plan(who, haddad, start, reviewed=None)
    meeting = cs.network_meeting_offer(
        **who, child=haddad.child, kind=cm.MeetingKind.FGC, offered_on=start + dt.timedelta(days=40)
    )
    cs.network_meeting_record(
        **who,
        meeting=meeting,
        meeting_date=start + dt.timedelta(days=55),
        outcome=cm.MeetingOutcome.PLAN_AGREED,
        facilitator="Exampleton family group conference service",
        family_plan="Uncle collects Yusuf from school on weekdays; grandmother has him at weekends.",
        other_name="Samir Haddad",
        other_relationship="Uncle",
    )
    cs.help_step_up(
        **who,
        episode=haddad,
        referral_date=start + dt.timedelta(days=70),
        team=Team.objects.get(name="Family Support East"),
        worker=worker,
        primary_need="N1",
    )
    _assessed_with_plan(who, price, start, reviewed=start + dt.timedelta(days=60))
    cs.help_episode_close(
        **who,
        episode=price,
        end_date=start + dt.timedelta(days=90),
        end_reason=cm.HelpEndReason.GOALS_MET,
        outcome="Back in school full time; home by the agreed time.",
    )
    return f"{len(children)} families: a plan, a partner lead, a step-up after a family group conference, a closure"


SERVICES = [
    ("Incredible Years parenting programme", cm.ServiceKind.PARENTING, True, "Exampleton Family Trust"),
    ("Northside Family Centre", cm.ServiceKind.FAMILY_CENTRE, False, "Exampleton Council"),
    ("Exampleton Contact Centre", cm.ServiceKind.CONTACT_CENTRE, False, "Exampleton Council"),
    ("Youth Zone", cm.ServiceKind.YOUTH, True, "Exampleton Youth Trust"),
    ("Young People's Drug and Alcohol Service", cm.ServiceKind.SUBSTANCE_MISUSE, True, "Exampleton NHS Trust"),
]


def _catalogue() -> cm.Service:
    """The borough's services (in-house and commissioned); returns the parenting programme."""
    for name, kind, commissioned, provider in SERVICES:
        cm.Service.objects.get_or_create(
            name=name, defaults={"kind": kind, "commissioned": commissioned, "provider": provider}
        )
    return cm.Service.objects.get(name=SERVICES[0][0])


def _assessed_with_plan(who: dict[str, Any], episode: cm.HelpEpisode, start: dt.date, reviewed: dt.date | None) -> None:
    assessment = cs.help_assessment_start(
        **who, episode=episode, start_date=start + dt.timedelta(days=3), organisation=episode.organisation
    )
    cs.help_assessment_complete(
        **who,
        assessment=assessment,
        completed_date=start + dt.timedelta(days=24),
        strengths="A loving family; grandparents close by and willing to help.",
        needs="Routines at home and getting to school on time.",
        family_words="We want mornings to be calmer and the kids in school.",
        consent_given=True,
    )
    plan = cs.help_plan_start(
        **who,
        episode=episode,
        start_date=start + dt.timedelta(days=28),
        goal="At school on time every day",
        action="Morning routine chart; family support worker visits twice a week",
        who="Parent, with the family support worker",
        by_when=start + dt.timedelta(days=90),
    )
    cs.help_goal_add(
        **who,
        plan=plan,
        goal="Parent completes a parenting programme",
        action="Book the next Incredible Years course at the family centre",
        who="Lead practitioner",
        by_when=start + dt.timedelta(days=120),
    )
    if reviewed is not None:
        first, second = plan.goals.order_by("pk").values_list("pk", flat=True)
        agreed = start + dt.timedelta(days=28)
        if (reviewed - agreed).days > 28:  # a review half-way too, so the goals show distance travelled
            cs.help_plan_review(
                **who,
                plan=plan,
                review_date=agreed + (reviewed - agreed) / 2,
                progress="Some mornings on time; the chart is up on the fridge.",
                ratings={
                    first: {"worker": 4, "child": 5, "parent": 5},
                    second: {"worker": 2, "parent": 3},
                },
            )
        cs.help_plan_review(
            **who,
            plan=plan,
            review_date=reviewed,
            progress="Attendance up; the routine chart is working.",
            family_view="Mornings are calmer.",
            achieved=[first],
            ratings={
                first: {"worker": 8, "child": 7, "parent": 9},
                second: {"worker": 5, "parent": 6},
            },
        )
