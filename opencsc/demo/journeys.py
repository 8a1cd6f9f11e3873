"""Five years of synthetic casework for the demo borough, in national proportions.

Each seeded child gets a history of referral episodes built forward in time from up to five years
before the as-of date: most referrals lead to an assessment, about a quarter of children are
re-referred, some assessments lead to a strategy discussion and section 47 enquiry, about one
referral in ten to a child protection plan, and a few children become looked after (periods of care
whose episodes split on changes of legal status and placement). A few young people aged 18 to 21
are added as care leavers with OC3 contacts around their birthdays. Whatever would fall after the
as-of date is left open, so current caseloads have open episodes, plans and tray tasks.

Rows are written in bulk (this is a generator, not casework) but obey the same rules the entry
checks enforce (one open episode, no overlapping plans, contiguous care episodes, dates in order),
so every page and every return built from them has lifelike, valid content. Deterministic: the
same seed and as-of date give the same histories.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import models

from opencsc.accounts.models import Allocation, AllocationKind, Team, TeamKind
from opencsc.audit.services import Actor, record_events_bulk
from opencsc.casework import models as cm
from opencsc.casework import timescales
from opencsc.core.working_days import add_months, add_working_days, next_working_day
from opencsc.demo.identifiers import test_nhs_number
from opencsc.people import models as pm
from opencsc.people.services import nhs_number_index

M = TypeVar("M", bound=models.Model)

SOURCES = {
    "6": 29,
    "2A": 19,
    "3A": 4,
    "3B": 3,
    "3E": 4,
    "3F": 3,
    "5A": 4,
    "5C": 3,
    "5D": 4,
    "1A": 6,
    "1C": 1,
    "1B": 1,
    "8": 5,
    "4": 2,
    "7": 4,
    "9": 2,
    "10": 1,
}
NEEDS = {"N1": 57, "N2": 9, "N3": 3, "N4": 9, "N5": 14, "N6": 2, "N7": 1, "N8": 4, "N9": 1}
FACTORS = [
    "1B",
    "2B",
    "3A",
    "3B",
    "4A",
    "4B",
    "5A",
    "6B",
    "7A",
    "10A",
    "11A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18B",
    "18C",
    "19C",
    "20",
    "24A",
]
ORDER = ("episodes", "assessments", "s47", "conferences", "plans", "reviews", "late", "status", "tasks")


@dataclass
class JourneyReport:
    episodes: int = 0
    assessments: int = 0
    section47s: int = 0
    cp_plans: int = 0
    cin_plans: int = 0
    periods_of_care: int = 0
    care_leavers: int = 0


class JourneyBuilder:
    def __init__(self, *, seed: int, as_of: dt.date):
        self.rng = random.Random(seed * 7919 + 17)
        self.as_of = as_of
        self.batches: dict[str, list[models.Model]] = defaultdict(list)
        self.status: list[tuple[pm.Person, models.Model, str, str, dt.date, str]] = []
        self.report = JourneyReport()
        self.owner: dict[int, Allocation] = {}

    # --- helpers ----------------------------------------------------------------------------
    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def add(self, batch: str, obj: M) -> M:
        self.batches[batch].append(obj)
        return obj

    def event(self, child: pm.Person, obj: models.Model, before: str, after: str, day: dt.date, note: str) -> None:
        self.status.append((child, obj, before, after, day, note))

    def wd(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return add_working_days(day, self.rng.randint(lo, hi))

    def past(self, day: dt.date) -> bool:
        return day <= self.as_of

    # --- one child --------------------------------------------------------------------------
    def child(self, child: pm.Person) -> None:
        born = child.date_of_birth
        if born is None:
            return
        day = max(born, self.as_of - dt.timedelta(days=5 * 365)) + dt.timedelta(days=self.rng.randrange(0, 900))
        day = next_working_day(min(day, self.as_of - dt.timedelta(days=20)))
        previous_plans = 0
        while self.past(day):
            closed, previous_plans = self.episode(child, day, previous_plans)
            if closed is None:
                return
            gap = self.rng.randrange(20, 330) if self.rng.random() < 0.25 else self.rng.randrange(400, 1500)
            day = next_working_day(closed + dt.timedelta(days=gap))
            if self.rng.random() < 0.4:
                return

    def episode(self, child: pm.Person, referral: dt.date, previous_plans: int) -> tuple[dt.date | None, int]:
        """One referral episode; returns its closure date (None while still open) and the plan count."""
        ep = self.add(
            "episodes",
            cm.ReferralEpisode(
                child=child, referral_date=referral, source=self.pick(SOURCES), primary_need=self.pick(NEEDS)
            ),
        )
        self.report.episodes += 1
        self.event(child, ep, "", "open", referral, "Referral received")
        if self.rng.random() < 0.07:
            ep.referral_nfa, ep.primary_need = True, ""
            return self.close(child, ep, referral, "RC7"), previous_plans
        start = self.wd(referral, 0, 3)
        authorised = self.wd(referral, 12, 60)
        outcome = self.rng.choices(
            ["nfa", "early_help", "cin_plan", "strategy", "looked_after"], weights=[34, 12, 28, 21, 5]
        )[0]
        strategy_day = self.wd(start, 1, 8) if outcome == "strategy" else None
        if strategy_day is not None:
            authorised = max(authorised, strategy_day)
        if not self.past(start):
            return None, previous_plans
        self.assessment(child, ep, start, authorised if self.past(authorised) else None, outcome)
        if not self.past(authorised):
            return None, previous_plans
        if outcome in ("nfa", "early_help"):
            return self.close(
                child, ep, self.wd(authorised, 0, 5), "RC8" if outcome == "nfa" else "RC9"
            ), previous_plans
        if outcome == "looked_after":
            return self.looked_after(child, ep, authorised), previous_plans
        if outcome == "strategy" and strategy_day is not None:
            return self.protection(child, ep, strategy_day, authorised, previous_plans)
        return self.cin_plan(child, ep, authorised), previous_plans

    def assessment(
        self, child: pm.Person, ep: cm.ReferralEpisode, start: dt.date, authorised: dt.date | None, outcome: str
    ) -> None:
        factors = (
            ["21"]
            if outcome == "nfa" and self.rng.random() < 0.3
            else sorted(set(self.rng.sample(FACTORS, self.rng.randint(1, 3))))
        )
        done = authorised is not None
        a = self.add(
            "assessments",
            cm.Assessment(
                child=child,
                episode=ep,
                start_date=start,
                due_date=timescales.assessment_due(ep.referral_date),
                child_seen_on=self.wd(start, 0, 5) if done else None,
                completed_date=authorised,
                factors=factors if done else [],
                outcome=outcome if done else "",
                status="authorised" if done else "in_progress",
                authorised_date=authorised,
                delay_reason="Family unavailable for several weeks"
                if authorised is not None and authorised > timescales.assessment_due(ep.referral_date)
                else "",
            ),
        )
        self.report.assessments += 1
        self.event(child, a, "", "in_progress", start, "Assessment started")
        if authorised is not None:
            self.event(child, a, "submitted", "authorised", authorised, "Assessment authorised")
        else:
            self.task(child, cm.TaskKind.ASSESSMENT, a.due_date)

    def protection(
        self, child: pm.Person, ep: cm.ReferralEpisode, strategy: dt.date, authorised: dt.date, previous_plans: int
    ) -> tuple[dt.date | None, int]:
        sd = self.add("assessments", cm.StrategyDiscussion(child=child, episode=ep, discussion_date=strategy))
        s47 = self.add(
            "s47",
            cm.Section47(
                child=child,
                episode=ep,
                strategy_discussion=sd,
                start_date=strategy,
                icpc_target=timescales.icpc_target(strategy),
            ),
        )
        self.report.section47s += 1
        self.event(child, s47, "", "open", strategy, "Section 47 enquiry started")
        if self.rng.random() > 0.45:
            s47.completed_date = self.wd(strategy, 5, 15)
            s47.icpc_not_required, s47.outcome = True, "services"
            if not self.past(s47.completed_date):
                s47.completed_date, s47.icpc_not_required, s47.outcome = None, False, ""
                return None, previous_plans
            return self.cin_plan(child, ep, max(s47.completed_date, authorised)), previous_plans
        icpc = next_working_day(self.wd(strategy, 8, 19))
        if not self.past(icpc):
            self.task(child, cm.TaskKind.ICPC, s47.icpc_target)
            return None, previous_plans
        s47.completed_date, s47.outcome = icpc, "conference"
        category = self.rng.choices(["NEG", "EMO", "PHY", "SAB", "MUL"], weights=[50, 36, 7, 4, 3])[0]
        conf = self.add(
            "conferences",
            cm.Conference(
                child=child,
                episode=ep,
                kind="initial",
                section47=s47,
                conference_date=icpc,
                target_date=s47.icpc_target,
                outcome="plan",
                category=category,
            ),
        )
        plan = self.add(
            "plans",
            cm.ChildProtectionPlan(
                child=child,
                episode=ep,
                conference=conf,
                start_date=icpc,
                initial_category=category,
                latest_category=category,
                number_of_previous_plans=previous_plans,
            ),
        )
        self.report.cp_plans += 1
        self.event(child, plan, "", "open", icpc, f"Child protection plan started ({category})")
        end = self.plan_life(child, ep, plan, icpc)
        if end is None:
            return None, previous_plans + 1
        return self.close(child, ep, end, "RC7"), previous_plans + 1

    def plan_life(
        self, child: pm.Person, ep: cm.ReferralEpisode, plan: cm.ChildProtectionPlan, icpc: dt.date
    ) -> dt.date | None:
        """Core groups, visits and reviews until the plan ends (None: still open at the as-of date)."""
        length = self.rng.choice([4, 6, 9, 12, 15, 20])
        ends = next_working_day(add_months(icpc, length))
        day, reviews = timescales.first_core_group_due(icpc) - dt.timedelta(days=self.rng.randint(0, 3)), []
        while day < ends and self.past(day):
            self.add("reviews", cm.CoreGroupMeeting(child=child, plan=plan, meeting_date=day))
            day = timescales.next_core_group_due(day)
        day = icpc
        while day < ends and self.past(day := self.wd(day, 8, 12)):
            self.add(
                "reviews",
                cm.Visit(
                    child=child, episode=ep, kind="cp", visit_date=day, seen=True, seen_alone=self.rng.random() < 0.6
                ),
            )
        review = timescales.first_cp_review_due(icpc)
        while review <= ends and self.past(review):
            reviews.append(review)
            review = timescales.next_cp_review_due(review)
        for r in reviews:
            self.add(
                "reviews",
                cm.Conference(
                    child=child,
                    episode=ep,
                    kind="review",
                    plan=plan,
                    conference_date=r,
                    outcome="plan",
                    category=plan.latest_category,
                ),
            )
            self.event(child, plan, "open", "open", r, "Review conference")
        if not self.past(ends):
            self.task(child, cm.TaskKind.CP_REVIEW, review)
            self.task(child, cm.TaskKind.CP_VISIT, timescales.cp_visit_due(day))
            return None
        plan.end_date = ends
        self.event(child, plan, "open", "ended", ends, "Child protection plan ended")
        return ends

    def cin_plan(self, child: pm.Person, ep: cm.ReferralEpisode, start: dt.date) -> dt.date | None:
        plan = self.add("assessments", cm.ChildInNeedPlan(child=child, episode=ep, start_date=start))
        self.report.cin_plans += 1
        self.event(child, plan, "", "open", start, "Child in need plan started")
        ends = next_working_day(add_months(start, self.rng.choice([3, 6, 9, 12])))
        review = timescales.cin_plan_review_due(start)
        while review < ends and self.past(review):
            self.add("reviews", cm.ChildInNeedPlanReview(child=child, plan=plan, review_date=review))
            review = timescales.cin_plan_review_due(review)
        if not self.past(ends):
            self.task(child, cm.TaskKind.CIN_REVIEW, review)
            return None
        plan.end_date = ends
        self.event(child, plan, "open", "ended", ends, "Child in need plan ended")
        return self.close(child, ep, ends, "RC7")

    def looked_after(self, child: pm.Person, ep: cm.ReferralEpisode, start: dt.date) -> dt.date | None:
        period = self.add(
            "episodes", cm.PeriodOfCare(child=child, start_date=start, primary_need=ep.primary_need or "N1")
        )
        self.report.periods_of_care += 1
        self.event(child, period, "", "open", start, "Became looked after")
        legal = self.rng.choice(["V2", "V2", "C1", "L2"])
        segments = [(start, "S", legal, "U6")]
        day = start
        for rne in self.rng.sample(["L", "P", "P"], self.rng.randint(0, 2)):
            day = day + dt.timedelta(days=self.rng.randrange(60, 300))
            legal = "C2" if rne == "L" else legal
            segments.append((day, rne, legal, self.rng.choice(["U4", "U6", "K2"])))
        ends = day + dt.timedelta(days=self.rng.randrange(90, 500))
        for i, (begin, rne, status, place) in enumerate(segments):
            if not self.past(begin):
                break
            nxt = segments[i + 1][0] if i + 1 < len(segments) else ends
            closed = nxt if self.past(nxt) else None
            self.add(
                "assessments",
                cm.CareEpisode(
                    child=child,
                    period=period,
                    start_date=begin,
                    end_date=closed,
                    reason_new_episode=rne,
                    legal_status=status,
                    primary_need=period.primary_need,
                    placement_type=place,
                    placement_provider="PR4" if place == "K2" else "PR1",
                    urn=f"SC{self.rng.randrange(10**6):06d}" if place == "K2" else "",
                    home_postcode=f"ZZ9 {self.rng.randint(1, 9)}AA",
                    placement_postcode=f"ZZ9 {self.rng.randint(1, 9)}BB",
                    carer=f"C-{self.rng.randrange(1000)}",
                    reason_ceased=("X1" if i + 1 < len(segments) else "E4A") if closed else "",
                    reason_place_change="CARPL"
                    if closed and i + 1 < len(segments) and segments[i + 1][1] == "P"
                    else "",
                ),
            )
        review = timescales.lac_review_due(start, [])
        held: list[dt.date] = []
        while self.past(review) and review < ends:
            held.append(review)
            self.add(
                "assessments",
                cm.LookedAfterReview(
                    child=child,
                    period=period,
                    review_date=review,
                    due_date=review,
                    participation=self.rng.choice(["PN1", "PN2", "PN5", "PN0"]),
                ),
            )
            review = timescales.lac_review_due(start, held)
        if not self.past(ends):
            self.task(child, cm.TaskKind.LAC_REVIEW, review)
            return None
        period.end_date, period.reason_ceased = ends, "E4A"
        self.event(child, period, "open", "ended", ends, "Stopped being looked after (E4A)")
        return self.close(child, ep, self.wd(ends, 1, 10), "RC7")

    def close(self, child: pm.Person, ep: cm.ReferralEpisode, day: dt.date, reason: str) -> dt.date | None:
        if not self.past(day):
            return None
        ep.closure_date, ep.closure_reason = day, reason
        self.event(child, ep, "open", "closed", day, f"Case closed ({reason})")
        return day

    def task(self, child: pm.Person, kind: str, due: dt.date) -> None:
        owner = self.owner.get(child.pk)
        self.add(
            "tasks",
            cm.Task(
                person=child,
                kind=kind,
                title=cm.TaskKind(kind).label,
                due_date=due,
                team_id=owner.team_id if owner else None,
                assignee_id=owner.worker_id if owner else None,
            ),
        )

    # --- care leavers -----------------------------------------------------------------------
    def care_leavers(self, count: int, team: Team | None) -> list[pm.Person]:
        people = []
        for i in range(count):
            born = self.as_of - dt.timedelta(days=self.rng.randrange(18 * 365 + 30, 21 * 365))
            nhs = test_nhs_number(self.rng)
            people.append(
                pm.Person(
                    is_child=True,
                    first_name=f"Leaver{i + 1}",
                    last_name="Demo",
                    sex=self.rng.choice("MF"),
                    date_of_birth=born,
                    la_child_id=f"DEMOCL{i + 1:05d}",
                    nhs_number=nhs,
                    nhs_number_index=nhs_number_index(nhs),
                    ethnicity="NOBT",
                )
            )
        pm.Person.objects.bulk_create(people)
        if team is not None:
            Allocation.objects.bulk_create(
                [Allocation(person=p, team=team, start_date=self.as_of - dt.timedelta(days=200)) for p in people]
            )
        for person in people:
            self.care_leaver(person)
        return people

    def care_leaver(self, person: pm.Person) -> None:
        born = person.date_of_birth
        if born is None:
            return
        start = add_months(born, 12 * 14 + self.rng.randint(0, 24))
        eighteen = add_months(born, 12 * 18)
        ep = self.add(
            "episodes",
            cm.ReferralEpisode(
                child=person,
                referral_date=start,
                source="6",
                primary_need="N1",
                closure_date=eighteen,
                closure_reason="RC7",
            ),
        )
        period = self.add(
            "episodes",
            cm.PeriodOfCare(child=person, start_date=start, end_date=eighteen, reason_ceased="E17", primary_need="N1"),
        )
        self.add(
            "assessments",
            cm.CareEpisode(
                child=person,
                period=period,
                start_date=start,
                end_date=eighteen,
                reason_new_episode="S",
                legal_status="C2",
                primary_need="N1",
                placement_type="U4",
                placement_provider="PR1",
                reason_ceased="E17",
                home_postcode="ZZ9 1AA",
                placement_postcode="ZZ9 2BB",
            ),
        )
        self.event(person, ep, "", "open", start, "Referral received")
        self.event(person, period, "", "open", start, "Became looked after")
        self.event(person, period, "open", "ended", eighteen, "Left care at 18 (E17)")
        for age in range(17, 22):
            birthday = add_months(born, 12 * age)
            if self.past(birthday):
                self.add(
                    "assessments",
                    cm.CareLeaverContact(
                        child=person,
                        contact_date=birthday + dt.timedelta(days=self.rng.randrange(-20, 30)),
                        in_touch="YES",
                        activity=self.rng.choice(["F2", "F5", "G5", "P5"]),
                        accommodation=self.rng.choice(["U", "E", "D", "B"]),
                        accommodation_suitable=True,
                    ),
                )
        self.report.care_leavers += 1

    # --- writing ----------------------------------------------------------------------------
    def write(self) -> None:
        from opencsc.demo.permanence import record_previous_permanence

        record_previous_permanence(self)
        for batch in ORDER[:-2]:
            by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
            for obj in self.batches[batch]:
                by_model[type(obj)].append(obj)
            for model, objs in by_model.items():
                for obj in objs:
                    # Rows refer to rows of earlier batches that got their keys in bulk_create:
                    # this copies those keys into the foreign-key columns, as save() would.
                    obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
                model._default_manager.bulk_create(objs, batch_size=1000)
        cm.StatusChange.objects.bulk_create(
            [
                cm.StatusChange(
                    child=c,
                    object_type=o._meta.label,
                    object_id=str(o.pk),
                    from_status=a,
                    to_status=b,
                    effective_date=d,
                    actor_repr="system:seed_demo",
                    note=n,
                )
                for c, o, a, b, d, n in self.status
            ],
            batch_size=2000,
        )
        cm.Task.objects.bulk_create(cast(list[cm.Task], self.batches["tasks"]), batch_size=2000)


def build_journeys(*, seed: int, as_of: dt.date, care_leavers: int = 6) -> JourneyReport:
    """Give every seeded child a history (call inside the seed's transaction). Audits one
    `casework.referral_create` per generated episode, as system process "seed_demo"."""
    builder = JourneyBuilder(seed=seed, as_of=as_of)
    for allocation in Allocation.objects.current(as_of).exclude(kind=AllocationKind.FRONT_DOOR):
        builder.owner.setdefault(allocation.person_id, allocation)
    for child in pm.Person.objects.filter(is_child=True, date_of_birth__isnull=False).order_by("pk"):
        builder.child(child)
    builder.care_leavers(care_leavers, Team.objects.filter(kind=TeamKind.LEAVING_CARE).first())
    builder.write()
    episodes: list[Any] = [e for e in builder.batches["episodes"] if isinstance(e, cm.ReferralEpisode)]
    record_events_bulk(
        actor=Actor.system("seed_demo"),
        action="casework.referral_create",
        rows=[
            {
                "subject_person_id": e.child_id,
                "object_type": "casework.ReferralEpisode",
                "object_id": str(e.pk),
                "object_repr": str(e),
            }
            for e in episodes
        ],
    )
    return builder.report
