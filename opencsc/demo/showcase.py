"""The parts of the product the five-year journeys do not reach, seeded so a demo shows them all:
case notes (some holding third-party information), overdue and due-today tasks, a child missing now,
a pre-birth child protection plan, every data category filled for a family, alerts (interpreter, risk
to staff), and contacts at the front door whose MASH checks are still out.

Everything goes through the product's own services, acting as the demo personas (so it is audited
like a worker's day), after the borough is built and its access-scope table is complete. Each part is
its own function and finds its own people, so any one can be left out or changed without the others;
a part whose people are missing from a small borough is skipped and reported, never half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, User
from opencsc.audit.services import Actor
from opencsc.casework import models as cm
from opencsc.casework import services as cs
from opencsc.demo.family_help import seed_family_help
from opencsc.demo.partners import seed_partner_requests, seed_police_answer_with_document, seed_processor_staff
from opencsc.people import models as pm
from opencsc.people import services as ps


@dataclass
class ShowcaseReport:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def seed_showcase(*, as_of: dt.date) -> ShowcaseReport:
    """Seed every showcase part as of `as_of` (each part in its own transaction)."""
    report = ShowcaseReport()
    parts: list[tuple[str, Callable[[dt.date], str]]] = [
        ("case notes", seed_case_notes),
        ("tasks due", seed_tasks_due),
        ("missing now", seed_missing_now),
        ("pre-birth plan", seed_prebirth_plan),
        ("every data category", seed_every_category),
        ("front door checks in flight", seed_front_door_checks_in_flight),
        ("family help", seed_family_help),
        ("goals and outcomes", seed_goals_and_outcomes),
        ("partner requests for support", seed_partner_requests),
        ("processor staff", seed_processor_staff),
        ("police answer with a document", seed_police_answer_with_document),
    ]
    for name, part in parts:
        try:
            with transaction.atomic():
                outcome = part(as_of)
        except (ValidationError, LookupError) as exc:
            report.skipped.append(f"{name}: {exc}")
        else:
            report.done.append(f"{name}: {outcome}")
    return report


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _caseload(worker: User, *, children: bool = True) -> list[pm.Person]:
    allocations = (
        Allocation.objects.current()
        .filter(worker=worker, kind=AllocationKind.ALLOCATED_WORKER, person__is_child=children)
        .select_related("person")
        .order_by("person__pk")
    )
    # A restricted record on the caseload whose restricted list does not name the worker is out of
    # their hands (the demo seeds some): the showcase acts only where the worker may really write.
    return [
        a.person
        for a in allocations
        if a.person.date_of_death is None and access.can_change_person(worker, a.person.pk)
    ]


def _born(people: list[pm.Person]) -> list[pm.Person]:
    return [p for p in people if not p.is_unborn]


def seed_case_notes(day: dt.date) -> str:
    """Three notes on each of four children of the social worker's caseload; the second holds
    information from the school about the family, flagged as third-party."""
    sw = _user("sw.demo")
    actor = Actor.from_user(sw)
    children = _born(_caseload(sw))[:4]
    if not children:
        raise LookupError("the social worker has no children on their caseload")
    notes = [
        (
            cm.NoteKind.VISIT,
            "Home visit",
            "Seen at home with mother. Bedroom seen; clean and warm. Spoke alone.",
            False,
        ),
        (
            cm.NoteKind.PHONE,
            "Call from the school",
            "DSL says attendance is 78% this term and a teacher saw a bruise on the "
            "forearm; the school asked that its account be kept confidential.",
            True,
        ),
        (
            cm.NoteKind.SUPERVISION,
            "Supervision",
            "Plan reviewed with the team manager; next visit within 10 days.",
            False,
        ),
    ]
    count = 0
    for child in children:
        for offset, (kind, subject, body, third_party) in enumerate(notes):
            cs.case_note_add(
                actor_user=sw,
                actor=actor,
                child=child,
                kind=kind,
                note_date=day - dt.timedelta(days=14 - 5 * offset),
                subject=subject,
                body=body,
                third_party=third_party,
                categories=["other_agencies"] if third_party else ["referral"],
            )
            count += 1
    return f"{count} notes on {len(children)} children"


def seed_tasks_due(day: dt.date) -> str:
    """An overdue visit and one due today in the social worker's tray."""
    sw = _user("sw.demo")
    children = _born(_caseload(sw))
    if len(children) < 2:
        raise LookupError("the social worker needs two children on their caseload")
    # The overdue visit belongs to a child whose plan had started by then (a visit due before the
    # plan began reads as a mistake); any child of the caseload if none has.
    overdue_on = day - dt.timedelta(days=6)
    planned = set(
        cm.ChildInNeedPlan.objects.filter(
            child__in=children, end_date__isnull=True, start_date__lte=overdue_on - dt.timedelta(days=14)
        ).values_list("child_id", flat=True)
    )
    visited = next((c for c in children if c.pk in planned), children[0])
    children = [visited, *(c for c in children if c != visited)]
    rows = [
        cm.Task(
            person=children[0],
            kind=cm.TaskKind.CIN_VISIT,
            title=cm.TaskKind.CIN_VISIT.label,
            due_date=overdue_on,
            assignee=sw,
            team=sw.team,
        ),
        cm.Task(
            person=children[1],
            kind=cm.TaskKind.CP_VISIT,
            title=cm.TaskKind.CP_VISIT.label,
            due_date=day,
            assignee=sw,
            team=sw.team,
        ),
    ]
    cm.Task.objects.bulk_create(rows)
    return "1 overdue, 1 due today"


def seed_missing_now(day: dt.date) -> str:
    """A looked-after child on the caseload missing since yesterday, after an earlier episode away."""
    sw = _user("sw.demo")
    looked_after = cm.PeriodOfCare.objects.filter(end_date__isnull=True, child__in=_born(_caseload(sw)))
    period = looked_after.order_by("child__pk").first()
    if period is None:
        # Some seeds and dates leave the persona without a looked-after child: the showcase gives
        # them one (the first looked-after child open to change), as a team manager would.
        period = _looked_after_for(sw, day)
    actor = Actor.from_user(sw)
    earlier = max(period.start_date + dt.timedelta(days=2), day - dt.timedelta(days=30))
    if earlier + dt.timedelta(days=1) < day - dt.timedelta(days=1):
        cs.missing_record(
            actor_user=sw,
            actor=actor,
            child=period.child,
            kind="A",
            start_date=earlier,
            end_date=earlier + dt.timedelta(days=1),
            return_interview_offered=True,
            return_interview_accepted=True,
        )
    cs.missing_record(actor_user=sw, actor=actor, child=period.child, kind="M", start_date=day - dt.timedelta(days=1))
    return f"{period.child.full_name} missing since yesterday"


def _looked_after_for(worker: User, day: dt.date) -> cm.PeriodOfCare:
    from opencsc.accounts.services import allocation_end, allocation_open

    periods = cm.PeriodOfCare.objects.filter(
        end_date__isnull=True, child__is_restricted=False, child__date_of_death__isnull=True
    ).select_related("child")
    period = periods.order_by("child__pk").first()
    if period is None or worker.team is None:
        raise LookupError("no looked-after child in the borough")
    actor = Actor.system("seed_demo")
    current = Allocation.objects.current().filter(person=period.child, kind=AllocationKind.ALLOCATED_WORKER)
    for allocation in current:
        allocation_end(actor=actor, allocation=allocation, end_date=max(day, allocation.start_date))
    allocation_open(actor=actor, person=period.child, team=worker.team, worker=worker, start_date=day)
    return period


def seed_prebirth_plan(day: dt.date) -> str:
    """An unborn child on the caseload: referral from health, strategy discussion, then a pre-birth
    conference that starts a child protection plan (category neglect)."""
    sw = _user("sw.demo")
    unborn = [p for p in _caseload(sw) if p.is_unborn]
    if not unborn:
        raise LookupError("no unborn child on the social worker's caseload")
    child = unborn[0]
    if cm.ReferralEpisode.objects.filter(child=child, closure_date__isnull=True).exists():
        raise LookupError("the unborn child already has an open episode")
    actor = Actor.from_user(sw)
    episode = cs.referral_create(
        actor_user=sw,
        actor=actor,
        child=child,
        referral_date=day - dt.timedelta(days=21),
        source="3A",
        primary_need="N1",
    )
    cs.assessment_start(actor_user=sw, actor=actor, episode=episode, start_date=day - dt.timedelta(days=20))
    cs.strategy_discussion_record(
        actor_user=sw,
        actor=actor,
        episode=episode,
        discussion_date=day - dt.timedelta(days=18),
        start_section47=True,
        health_present=True,
        summary="Midwife concerned: previous child removed; mother not attending antenatal care.",
    )
    cs.conference_record(
        actor_user=sw,
        actor=actor,
        episode=episode,
        kind=cm.ConferenceKind.PRE_BIRTH,
        conference_date=day - dt.timedelta(days=4),
        outcome=cm.ConferenceOutcome.PLAN,
        category="NEG",
        chair=_user("chair.demo"),
    )
    return f"pre-birth plan for {child.full_name}"


def seed_every_category(day: dt.date) -> str:
    """The first child of the caseload and their parent get a row in every data category, and alerts."""
    sw = _user("sw.demo")
    child = _born(_caseload(sw))[0]
    parent = pm.Person.objects.filter(relationships__relative=child, relationships__kind="parent").first()
    actor = Actor.from_user(sw)
    last_month = day - dt.timedelta(days=30)

    def add(person: pm.Person, model: type[pm.PersonPart], **data: object) -> None:
        ps.part_add(actor_user=sw, actor=actor, person=person, model=model, data=data)

    add(
        child,
        pm.SocialMediaInformation,
        platform="Snapchat",
        summary="Messages from an older male asking to meet.",
        source="Shown to the social worker by the child's mother",
        seen_on=last_month,
    )
    add(
        child,
        pm.AgencyInformation,
        agency="Exampleton CAMHS",
        summary="Assessment offered; on the waiting list.",
        received_on=last_month,
    )
    add(
        child,
        pm.HealthInformation,
        kind="mental_health",
        summary="Low mood; GP review booked.",
        recorded_on=last_month,
        source="GP letter",
    )
    add(
        child,
        pm.PersonAlert,
        kind=pm.AlertKind.COMMUNICATION,
        detail="Uses Makaton at school; speak slowly and check understanding",
        start_date=last_month,
    )
    if parent is None:
        return "child only (no parent recorded)"
    add(
        parent,
        pm.FinancialInformation,
        summary="Rent arrears of about £1,200; a debt advice referral made.",
        recorded_on=last_month,
    )
    add(
        parent,
        pm.StateBenefit,
        benefit="child_benefit",
        reference="CHB-DEMO-001",
        start_date=day - dt.timedelta(days=900),
    )
    add(
        parent,
        pm.PoliceInformation,
        kind="domestic_abuse",
        summary="Police called to the home after an argument; no arrest.",
        source="Police (MASH check)",
        recorded_on=last_month,
    )
    add(parent, pm.TelephoneNumber, kind="mobile", number="07700 900123", note="Best after 4pm")
    add(parent, pm.ContactDetail, kind="email", value="parent.demo@example.com")
    add(
        parent,
        pm.PersonAlert,
        kind=pm.AlertKind.INTERPRETER,
        detail="Polish; a female interpreter, please",
        start_date=last_month,
    )
    add(
        parent,
        pm.PersonAlert,
        kind=pm.AlertKind.RISK_TO_STAFF,
        detail="Partner has been aggressive to visitors: visit in pairs and tell the office",
        start_date=last_month,
    )
    return f"{child.full_name} and {parent.full_name}"


def seed_front_door_checks_in_flight(day: dt.date) -> str:
    """Three new contacts taken by the MASH practitioner and triaged, their checks with police, health
    and education still out (one already answered): the MASH's day in progress."""
    mash = _user("mash.demo")
    actor = Actor.from_user(mash)
    cases = [
        ("Leo", "Marsh", "M", dt.date(2017, 4, 2), "6", "red", "Neighbour heard a child screaming late at night."),
        ("Ava", "Quinn", "F", dt.date(2012, 9, 20), "2A", "amber", "School: repeated lateness and hunger."),
        ("Noah", "Fenwick", "M", dt.date(2020, 1, 15), "3A", "green", "Health visitor: missed appointments."),
    ]
    for index, (first, last, sex, born, source, rag, reason) in enumerate(cases):
        child = ps.person_create(
            actor_user=mash,
            actor=actor,
            data={"first_name": first, "last_name": last, "sex": sex, "date_of_birth": born, "is_child": True},
        )
        contact = cs.contact_create(
            actor_user=mash,
            actor=actor,
            child=child,
            contact_date=day,
            source=source,
            reason=reason,
            consent_given=index != 0,
            no_consent_reason="Seeking consent could place the child at risk" if index == 0 else "",
        )
        triage = cs.mash_triage_record(
            actor_user=mash,
            actor=actor,
            contact=contact,
            rag=rag,
            rationale="Checks needed before a decision",
            triaged_on=day,
            agencies=["police", "health", "education"],
        )
        if index == 1:
            check = cm.MashCheck.objects.filter(triage=triage, agency="education").first()
            if check is not None:
                cs.mash_check_reply(
                    actor_user=mash,
                    actor=actor,
                    check=check,
                    replied_on=day,
                    summary="Attendance 81%; free school meals; no exclusions.",
                )
    return f"{len(cases)} contacts in triage, checks out"


# Goals agreed in a child's plan, each rated every six weeks by the worker, the child and a parent:
# their own numbers, so the lines on the chart part where the family sees it differently.
DEMO_GOALS = [
    (
        "Jo gets to school every day and on time",
        [(3, 2, 4, "I hate mornings"), (5, 4, 5, "Mum walks me now"), (7, 6, 6, ""), (8, 8, 7, "I like Year 5")],
    ),
    (
        "Mum and Jo have a calm bedtime routine most nights",
        [(2, 5, 3, ""), (4, 5, 5, "It's better when the TV is off"), (6, 7, 6, "")],
    ),
]


def seed_goals_and_outcomes(day: dt.date) -> str:
    """Two goals on each of two children of the social worker's caseload, rated at visits by the
    worker, the child and a parent (insight's goals and outcomes pages, and distance travelled)."""
    from opencsc.insight import services as outcome_services
    from opencsc.insight.models import Occasion, PlanType, Rater

    sw = _user("sw.demo")
    actor = Actor.from_user(sw)
    children = _born(_caseload(sw))[:2]
    if not children:
        raise LookupError("the social worker has no children on their caseload")
    ratings = 0
    for child in children:
        for text, rounds in DEMO_GOALS:
            agreed = day - dt.timedelta(weeks=6 * len(rounds))
            goal = outcome_services.goal_add(
                actor_user=sw, actor=actor, child=child, plan_type=PlanType.CIN, agreed_on=agreed,
                goal=text.replace("Jo", child.first_name),
            )  # fmt: skip
            for n, (worker, own, parent, words) in enumerate(rounds):
                on = agreed + dt.timedelta(weeks=6 * n)
                for rater, score, said in (
                    (Rater.WORKER, worker, ""),
                    (Rater.CHILD, own, words),
                    (Rater.PARENT, parent, ""),
                ):
                    outcome_services.goal_rate(
                        actor_user=sw, actor=actor, goal=goal, rated_on=on, occasion=Occasion.VISIT,
                        rater=rater, score=score, words=said,
                    )  # fmt: skip
                    ratings += 1
    return f"{2 * len(children)} goals with {ratings} ratings"
