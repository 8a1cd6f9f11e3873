"""Five years of synthetic casework for the demo borough, in national proportions.

Each seeded child gets a history of referral episodes built forward in time from up to five years
before the as-of date: most referrals lead to an assessment, about a quarter of children are
re-referred, some assessments lead to a strategy discussion and section 47 enquiry, about one
referral in ten to a child protection plan, and a few children become looked after (periods of care
whose episodes split on changes of legal status and placement, with their reviews, social-worker
episodes and yearly health checks). A few young people aged 18 to 21 are added as care leavers with
OC3 contacts around their birthdays. Whatever would fall after the as-of date is left open, so current
caseloads have open episodes, plans and tray tasks.

Rows are written in bulk (this is a generator, not casework) but obey the same rules the entry
checks enforce (one open episode, no overlapping plans, contiguous care episodes, dates in order),
so every page and every return built from them has lifelike, valid content: the CIN census and
SSDA903 built from a seeded borough pass openCSC's validation and the published DfE validators
(`opencsc/returns/tests/test_build_oracle.py`). What that takes, beyond the entry checks:

- home and placement postcodes are real ones from the project's shipped list (`opencsc.demo.postcodes`),
  never a placement at the home postcode;
- every placement that needs an Ofsted URN has one (children's homes and foster care);
- an emergency protection order (L2) lasts 5 to 14 days, then a care order (C1) in the same placement;
  a change of legal status only (RNE L) keeps the placement, a change of placement (P) the legal status;
- review participation is PN0 under 4 and a code for children who can take part from 4;
- social-worker episodes cover every period of care (first contact at its start, changes every 5 to 14
  months, the last ending with the period or open), and no care or social-worker episode ends in the last
  week of March (the 903 reads such an ending as a gap in cover, rule SW11b);
- a health round each collection year in care (assessment, dental, immunisations, SDQ from 4 to 16), so
  a child looked after all year has an SDQ score or reason (rule 186);
- one period of care per child: rule SW12 (ours and the published validator's) checks every social-worker
  episode of the two-year window against the end of each period of care in it, so a child with two
  periods there fails it unless one social-worker episode runs on between them, which is more history
  than this generator models;
- care leavers have a UPN and a disability code (NONE), like every other child.

Deterministic: the same seed and as-of date give the same histories.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import models

from opencsc.accounts.models import Allocation, AllocationKind, Role, Team, TeamKind, User
from opencsc.audit.services import Actor, record_events_bulk
from opencsc.casework import models as cm
from opencsc.casework import timescales
from opencsc.casework.services.closure import caseload_ends_after_closure
from opencsc.core.working_days import add_months, add_working_days, next_working_day
from opencsc.demo.identifiers import test_nhs_number, unique_demo_upn
from opencsc.demo.postcodes import ELSEWHERE_POSTCODES, HOME_POSTCODES
from opencsc.people import models as pm
from opencsc.people.services import nhs_number_index

M = TypeVar("M", bound=models.Model)
HC = cm.HealthCheckKind

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
NEEDS_IN_CARE = frozenset(NEEDS) - {"N9"}
PLACE_CHANGE_REASONS = ("CARPL", "CLOSE", "STAND", "CREQB", "CREQO", "CHILD", "LAREQ", "OTHER")
SW_CHANGE_REASONS = ("MANAGE", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "OTHERS")
PARTICIPATION_FROM_4 = ("PN1", "PN1", "PN2", "PN4", "PN5", "PN7")
CARE_LEAVER_SERIAL = 4_000_000  # care leavers' UPN serials, clear of the borough's children (1, 2, ...)
Placement = tuple[str, str, str, str]  # (PLACE, PLACE_PROVIDER, PL_POST, URN)
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


def clear_of_year_end(day: dt.date) -> dt.date:
    """Move a date out of the last week of March (the 903 reads an ending there as a gap in cover)."""
    return day - dt.timedelta(days=10) if day.month == 3 and day.day >= 25 else day


def years_old(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class JourneyBuilder:
    def __init__(self, *, seed: int, as_of: dt.date):
        self.rng = random.Random(seed * 7919 + 17)
        self.as_of = as_of
        self.batches: dict[str, list[models.Model]] = defaultdict(list)
        self.status: list[tuple[pm.Person, models.Model, str, str, dt.date, str]] = []
        self.report = JourneyReport()
        self.owner: dict[int, Allocation] = {}
        self.home: dict[int, str] = {}  # child -> the postcode of their address
        self.workers: list[int] = []  # social workers' user ids, for social-worker episodes
        self.been_in_care: set[int] = set()

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
        if outcome == "looked_after" and child.pk in self.been_in_care:
            outcome = "cin_plan"  # one period of care per child (see the module docstring)
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
        self.been_in_care.add(child.pk)
        need = ep.primary_need if ep.primary_need in NEEDS_IN_CARE else "N1"  # the 903 has no N9 (rule 145)
        period = self.add("episodes", cm.PeriodOfCare(child=child, start_date=start, primary_need=need))
        self.report.periods_of_care += 1
        self.event(child, period, "", "open", start, "Became looked after")
        home = self.home_postcode(child)
        legal = self.rng.choice(["V2", "V2", "C1", "L2"])
        place = self.placement(child, start, home)
        segments: list[tuple[dt.date, str, str, Placement]] = [(start, "S", legal, place)]
        day = start
        if legal == "L2":  # an emergency protection order lasts at most 21 days (rule 362)
            day, legal = start + dt.timedelta(days=self.rng.randint(5, 14)), "C1"
            segments.append((day, "L", legal, place))
        for change in self.rng.sample(["L", "P", "P"], self.rng.randint(0, 2)):
            day = clear_of_year_end(day + dt.timedelta(days=self.rng.randrange(60, 300)))
            if change == "L" and legal != "C2":
                legal = "C2"  # a care order: the legal status changes, the placement does not
            else:
                change, place = "P", self.new_placement(child, day, home, place)
            segments.append((day, change, legal, place))
        ends = clear_of_year_end(day + dt.timedelta(days=self.rng.randrange(90, 500)))
        self.care_episodes(child, period, segments, ends, "E4A", home)
        review = self.reviews(child, period, start, ends)
        self.social_workers(child, start, ends if self.past(ends) else None)
        self.health(child, start, ends)
        if not self.past(ends):
            self.task(child, cm.TaskKind.LAC_REVIEW, review)
            return None
        period.end_date, period.reason_ceased = ends, "E4A"
        self.event(child, period, "open", "ended", ends, "Stopped being looked after (E4A)")
        return self.close(child, ep, self.wd(ends, 1, 10), "RC7")

    def care_episodes(
        self,
        child: pm.Person,
        period: cm.PeriodOfCare,
        segments: list[tuple[dt.date, str, str, Placement]],
        ends: dt.date,
        reason: str,
        home: str,
    ) -> None:
        """The period's episodes up to the as-of date, each ending the day the next begins (X1)."""
        for i, (begin, rne, status, place) in enumerate(segments):
            if not self.past(begin):
                break
            nxt = segments[i + 1][0] if i + 1 < len(segments) else ends
            closed = nxt if self.past(nxt) else None
            placement_changes = closed is not None and i + 1 < len(segments) and segments[i + 1][1] == "P"
            place_type, provider, postcode, urn = place
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
                    placement_type=place_type,
                    placement_provider=provider,
                    urn=urn,
                    home_postcode=home,
                    placement_postcode=postcode,
                    carer=f"C-{self.rng.randrange(1000)}",
                    reason_ceased=("X1" if i + 1 < len(segments) else reason) if closed else "",
                    reason_place_change=self.rng.choice(PLACE_CHANGE_REASONS) if placement_changes else "",
                ),
            )

    def home_postcode(self, child: pm.Person) -> str:
        return self.home.get(child.pk) or HOME_POSTCODES[child.pk % len(HOME_POSTCODES)]

    def placement(self, child: pm.Person, on: dt.date, home: str) -> Placement:
        """Foster care (own or agency), or a children's home from 10: with its Ofsted URN (rule 218) and
        a real postcode other than home; a council children's home (K2, PR1) is in the borough."""
        born = child.date_of_birth
        older = born is not None and years_old(born, on) >= 10
        place = self.rng.choice(("U4", "U6", "U6", "K2") if older else ("U4", "U6", "U6", "U3"))
        provider = self.rng.choice(("PR1", "PR4", "PR5") if place == "K2" else ("PR1", "PR4"))
        if place == "K2" and provider == "PR1":
            options = [p for p in HOME_POSTCODES if p != home]
        else:
            options = [p for p in ELSEWHERE_POSTCODES + HOME_POSTCODES[:2] if p != home]
        return place, provider, self.rng.choice(options), f"SC{self.rng.randrange(100_000, 1_000_000)}"

    def new_placement(self, child: pm.Person, on: dt.date, home: str, old: Placement) -> Placement:
        new = self.placement(child, on, home)
        while new == old:
            new = self.placement(child, on, home)
        return new

    def reviews(self, child: pm.Person, period: cm.PeriodOfCare, start: dt.date, ends: dt.date) -> dt.date:
        """Reviews on the statutory cycle until the period ends; returns the next one due."""
        born = child.date_of_birth
        review = timescales.lac_review_due(start, [])
        held: list[dt.date] = []
        while self.past(review) and review < ends:
            held.append(review)
            under_4 = born is not None and years_old(born, review) < 4
            self.add(
                "assessments",
                cm.LookedAfterReview(
                    child=child,
                    period=period,
                    review_date=review,
                    due_date=review,
                    participation="PN0" if under_4 else self.rng.choice(PARTICIPATION_FROM_4),
                ),
            )
            review = timescales.lac_review_due(start, held)
        return review

    def social_workers(self, child: pm.Person, start: dt.date, ends: dt.date | None) -> None:
        """Social-worker episodes from the start of care: changes every 5 to 14 months, the last one
        ending with the period (or open, with the child's allocated worker when they have one)."""
        if not self.workers:
            return
        owner = self.owner.get(child.pk)
        day, reason = start, "FCONTA"
        while True:
            nxt = clear_of_year_end(day + dt.timedelta(days=self.rng.randint(150, 420)))
            worker = self.rng.choice(self.workers)
            last = not self.past(nxt) or (ends is not None and nxt >= ends - dt.timedelta(days=10))
            if last and ends is None and owner is not None and owner.worker_id in self.workers:
                worker = owner.worker_id
            self.add(
                "late",
                cm.SocialWorkerEpisode(
                    child=child, worker_id=worker, start_date=day, end_date=ends if last else nxt, reason=reason
                ),
            )
            if last:
                return
            day, reason = nxt, self.rng.choice(SW_CHANGE_REASONS)

    def health(self, child: pm.Person, start: dt.date, ends: dt.date) -> None:
        """One round of health items in each collection year of care (OC2), from 20 days in."""
        born = child.date_of_birth
        if born is None:
            return
        stop = min(ends, self.as_of)
        year = dt.date(start.year if start.month >= 4 else start.year - 1, 4, 1)
        while year <= stop:
            lo, hi = max(start + dt.timedelta(days=20), year), min(stop, dt.date(year.year + 1, 3, 31))
            if lo <= hi:
                day = lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
                age = years_old(born, day)
                kinds = [k for k in (HC.HEALTH_ASSESSMENT, HC.TEETH_CHECK, HC.IMMUNISATIONS) if self.rng.random() < 0.9]
                kinds += [HC.HEALTH_CHECK] if age < 5 and self.rng.random() < 0.8 else []
                for kind in kinds:
                    self.add("late", cm.HealthCheck(child=child, kind=kind, check_date=day))
                if 4 <= age < 17:
                    score = self.rng.random() < 0.85
                    self.add(
                        "late",
                        cm.HealthCheck(
                            child=child,
                            kind=HC.SDQ,
                            check_date=day,
                            sdq_score=str(self.rng.randint(0, 40)) if score else "",
                            sdq_reason="" if score else self.rng.choice(("SDQ2", "SDQ3", "SDQ4", "SDQ5")),
                        ),
                    )
            year = dt.date(year.year + 1, 4, 1)

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
            eighteen = add_months(born, 12 * 18)
            born -= eighteen - clear_of_year_end(eighteen)  # care (and social work) ends clear of late March
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
                    upn=unique_demo_upn(CARE_LEAVER_SERIAL + i, born.year + 5),  # known to schools (rule 442)
                )
            )
        pm.Person.objects.bulk_create(people)
        pm.Disability.objects.bulk_create([pm.Disability(person=p, code="NONE") for p in people])  # rule 8540
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
        self.been_in_care.add(person.pk)
        self.report.periods_of_care += 1  # a care leaver's period of care counts like any other
        home = self.home_postcode(person)
        self.care_episodes(
            person, period, [(start, "S", "C2", self.placement(person, start, home))], eighteen, "E17", home
        )
        self.reviews(person, period, start, eighteen)
        self.social_workers(person, start, eighteen)
        self.health(person, start, eighteen)
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


def _closed_cases_leave_caseloads(as_of: dt.date) -> None:
    """As `casework.services.episode_close` does for a case closed on a page: a child whose every
    episode closed (and who is neither looked after nor a care leaver) leaves the caseload
    OPENCSC_CLOSED_CASE_ACCESS_DAYS after the last closure."""
    still_open = set(cm.ReferralEpisode.objects.filter(closure_date__isnull=True).values_list("child_id", flat=True))
    still_open |= set(cm.PeriodOfCare.objects.filter(end_date__isnull=True).values_list("child_id", flat=True))
    still_open |= set(cm.CareLeaverContact.objects.values_list("child_id", flat=True))
    closures = cm.ReferralEpisode.objects.filter(closure_date__isnull=False).order_by("closure_date")  # latest wins
    last_closure = {child: closed for child, closed in closures.values_list("child_id", "closure_date") if closed}
    ended = []
    for allocation in Allocation.objects.current(as_of).select_related("team"):
        if allocation.person_id not in last_closure or allocation.person_id in still_open:
            continue
        if allocation.team.kind == TeamKind.LEAVING_CARE:
            continue
        leaves = caseload_ends_after_closure(last_closure[allocation.person_id])
        allocation.end_date = max(leaves, allocation.start_date)
        if allocation.end_date <= as_of:
            ended.append(allocation)
    Allocation.objects.bulk_update(ended, ["end_date"], batch_size=2000)


def _persona_keeps_a_caseload(as_of: dt.date, wanted: int = 8) -> None:
    """The social worker persona (`sw.demo`) should open a caseload of open cases, not the two or
    three of its first families still open after five years: it takes over open cases of its own team."""
    persona = User.objects.filter(username="sw.demo").first()
    if persona is None or persona.team_id is None:
        return
    short = wanted - Allocation.objects.current(as_of).filter(worker=persona).count()
    if short <= 0:
        return
    taken = list(
        Allocation.objects.current(as_of)
        .filter(team_id=persona.team_id, person__is_child=True, worker__isnull=False)
        .exclude(worker=persona)
        .order_by("pk")[:short]
    )
    for allocation in taken:
        allocation.worker = persona
    Allocation.objects.bulk_update(taken, ["worker"])


def build_journeys(*, seed: int, as_of: dt.date, care_leavers: int = 6) -> JourneyReport:
    """Give every seeded child a history (call inside the seed's transaction). Audits one
    `casework.referral_create` per generated episode, as system process "seed_demo"."""
    builder = JourneyBuilder(seed=seed, as_of=as_of)
    for allocation in Allocation.objects.current(as_of).exclude(kind=AllocationKind.FRONT_DOOR):
        builder.owner.setdefault(allocation.person_id, allocation)
    builder.home = dict(pm.Address.objects.filter(person__is_child=True).values_list("person_id", "postcode"))
    builder.workers = list(User.objects.filter(role=Role.SOCIAL_WORKER).order_by("pk").values_list("pk", flat=True))
    for child in pm.Person.objects.filter(is_child=True, date_of_birth__isnull=False).order_by("pk"):
        builder.child(child)
    builder.care_leavers(care_leavers, Team.objects.filter(kind=TeamKind.LEAVING_CARE).first())
    builder.write()
    _closed_cases_leave_caseloads(as_of)
    _persona_keeps_a_caseload(as_of)
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
