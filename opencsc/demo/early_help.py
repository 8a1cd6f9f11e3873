"""Early help at the demo borough's scale: families who get help and never reach social care, several
times as many children as the statutory journeys hold, plus the links between help and social care
that the journeys already imply:

* early-help-only families (their own people, relationships, addresses), held by the Family Help Hub
  through lead-practitioner allocations, each child with a help episode: the whole-family assessment,
  the family's plan with two or three goals, reviews every `OPENCSC_FAMILY_HELP_REVIEW_WEEKS` (each goal
  rated 0-10 by the worker, a parent and often the child, moving mostly upwards), and,
  for most, an end (goals met, consent withdrawn, moved away, referred elsewhere); open ones have
  their next review in a work tray;
* a **step-up** before each referral whose source is 5D ("LA services - early help"): help that ended
  that day, linked to the referral;
* a **step-down** after each episode closed RC9 ("referred to early help"): help starting within a
  week of the closure, linked to it.

Bulk-inserted like the journeys (with their status history and one audit event per help episode, as
the system process "seed_demo"); the early-help-only children have no referral episode, so the CIN
census is unchanged by them, and Annex A list 2 lists their assessments.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from opencsc.accounts.models import Allocation, AllocationKind, Role, Team, TeamKind, User
from opencsc.audit.services import Actor, record_events_bulk
from opencsc.casework import models as cm
from opencsc.people import models as pm

CASELOAD = 40  # children per Family Help practitioner
END_REASONS = {"goals_met": 62, "consent_withdrawn": 12, "moved_away": 8, "other_service": 10, "other": 8}
NEEDS = [
    "Routines at home and getting to school on time",
    "Parenting a teenager: staying out late and arguments",
    "Isolation and low mood after a new baby",
    "Debt and housing worries affecting the children",
    "A child's behaviour at school and at home",
]
GOALS = [
    ("At school on time every day", "Routine chart; family support worker visits weekly", "Parent and worker"),
    ("Parent completes a parenting programme", "Book the next course at the family centre", "Lead practitioner"),
    ("Debts under control", "Referral to the council's money advice service", "Parent"),
    ("Calmer evenings at home", "Agreed house rules; youth worker sessions", "Young person and parent"),
]


@dataclass
class EarlyHelpReport:
    children: int = 0
    episodes: int = 0
    step_ups: int = 0
    step_downs: int = 0


def build_early_help(borough: Any, *, seed: int, as_of: dt.date, children: int) -> EarlyHelpReport:
    """Add `children` early-help-only children (in families) and the step-ups and step-downs; call
    inside the seed's transaction, after the journeys."""
    rng = random.Random(seed * 7919 + 13)
    hub = Team.objects.get(kind=TeamKind.FAMILY_HELP)
    leads = _hub_staff(borough, hub, max(4, children // CASELOAD))
    report = EarlyHelpReport()
    before = set(pm.Person.objects.filter(is_child=True).values_list("pk", flat=True))
    made = 0
    while made < children:
        size = min(rng.choice([1, 2, 2, 3]), children - made)
        borough._family(size, hub, rng.choice(leads))
        made += size
    borough._flush()
    kids = list(pm.Person.objects.filter(is_child=True, date_of_birth__isnull=False).exclude(pk__in=before))
    Allocation.objects.filter(person__in=kids).update(kind=AllocationKind.LEAD_PRACTITIONER)
    leads_of = dict(Allocation.objects.filter(person__in=kids).values_list("person_id", "worker_id"))
    rows = _Rows(rng, as_of)
    for kid in kids:
        start = as_of - dt.timedelta(days=rng.randrange(5, 700))
        rows.episode(kid.pk, start, leads_of.get(kid.pk), ends=None)
    report.children = len(kids)
    _links(rows, rng, as_of, hub, leads, report)
    rows.write()
    report.episodes = len(rows.episodes)
    return report


def _hub_staff(borough: Any, hub: Team, count: int) -> list[User]:
    """The Family Help Hub's practitioners (the borough gives it no generated staff), enough for a
    caseload of about CASELOAD children each."""
    users = [
        User(
            username=f"familyhelp.{hub.pk}.{i}",
            first_name=borough.fake.first_name(),
            last_name=borough.fake.last_name(),
            email=f"familyhelp{i}@exampleton.example",
            role=Role.SOCIAL_WORKER,
            team=hub,
        )
        for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def _links(rows: _Rows, rng: random.Random, as_of: dt.date, hub: Team, leads: list[User], report: Any) -> None:
    """Step-ups before 5D referrals and step-downs after RC9 closures (one kind per child, so a
    child's help episodes never overlap)."""
    linked: set[int] = set()
    for ep in cm.ReferralEpisode.objects.filter(source="5D").select_related("child").order_by("referral_date", "pk"):
        start = ep.referral_date - dt.timedelta(days=rng.randrange(40, 200))
        born = ep.child.date_of_birth
        if ep.child_id in linked or born is None or born > start:
            continue
        linked.add(ep.child_id)
        rows.episode(ep.child_id, start, rng.choice(leads).pk, ends=(ep.referral_date, "stepped_up"), up=ep.pk)
        report.step_ups += 1
    allocations = []
    for ep in cm.ReferralEpisode.objects.filter(closure_reason="RC9").order_by("closure_date", "pk"):
        if ep.child_id in linked or ep.closure_date is None:
            continue
        start = ep.closure_date + dt.timedelta(days=rng.randrange(1, 8))
        if start > as_of or cm.ReferralEpisode.objects.filter(child_id=ep.child_id, referral_date__gt=start).exists():
            continue
        linked.add(ep.child_id)
        lead = rng.choice(leads)
        end = rows.episode(ep.child_id, start, lead.pk, ends=None, down=ep.pk)
        allocations.append(
            Allocation(
                person_id=ep.child_id,
                team=hub,
                worker=lead,
                kind=AllocationKind.LEAD_PRACTITIONER,
                start_date=start,
                end_date=end + dt.timedelta(days=settings.OPENCSC_CLOSED_CASE_ACCESS_DAYS) if end else None,
            )
        )
        report.step_downs += 1
    Allocation.objects.bulk_create(allocations)


class _Rows:
    """The help rows of the whole borough, built in memory and inserted model by model."""

    def __init__(self, rng: random.Random, as_of: dt.date):
        self.rng, self.as_of = rng, as_of
        self.episodes: list[cm.HelpEpisode] = []
        self.assessments: list[cm.FamilyHelpAssessment] = []
        self.plans: list[cm.FamilyHelpPlan] = []
        self.goals: list[cm.FamilyHelpGoal] = []
        self.reviews: list[cm.FamilyHelpReview] = []
        self.ratings: list[cm.FamilyHelpGoalRating] = []
        self.tasks: list[tuple[cm.Task, cm.FamilyHelpPlan]] = []
        self.history: list[tuple[int, models.Model, str, str, dt.date, str]] = []

    def episode(
        self,
        child_id: int,
        start: dt.date,
        lead_id: int | None,
        *,
        ends: tuple[dt.date, str] | None,
        up: int | None = None,
        down: int | None = None,
    ) -> dt.date | None:
        """One help episode from `start`; it ends at `ends` or (most) after 3 to 10 months."""
        rng = self.rng
        if ends is None and rng.random() < 0.7:
            end_day = start + dt.timedelta(days=rng.randrange(90, 300))
            reason = rng.choices(list(END_REASONS), weights=list(END_REASONS.values()))[0]
            ends = (end_day, reason) if end_day <= self.as_of else None
        episode = cm.HelpEpisode(
            child_id=child_id,
            start_date=start,
            reason=rng.choice(NEEDS),
            organisation="Exampleton Council Family Help service",
            lead_practitioner_id=lead_id,
            stepped_up_to_id=up,
            stepped_down_from_id=down,
            end_date=ends[0] if ends else None,
            end_reason=ends[1] if ends else "",
            outcome=("The family's goals were met" if ends and ends[1] == "goals_met" else "See the closure summary")
            if ends
            else "",
        )
        self.episodes.append(episode)
        stepped = " (stepped down from social care)" if down else ""
        self.history.append((child_id, episode, "", "open", start, f"{{help}} started{stepped}"))
        self._work(episode, child_id, lead_id, start, ends[0] if ends else None)
        if ends:
            label = cm.HelpEndReason(ends[1]).label.lower()
            self.history.append((child_id, episode, "open", "closed", ends[0], f"{{help}} ended: {label}"))
        return ends[0] if ends else None

    def _work(
        self, episode: cm.HelpEpisode, child_id: int, lead_id: int | None, start: dt.date, end: dt.date | None
    ) -> None:
        """The assessment, the plan, its goals and reviews, within the episode."""
        rng, last = self.rng, min(end or self.as_of, self.as_of)
        begun = start + dt.timedelta(days=rng.randrange(0, 8))
        if begun > last:
            return
        done = begun + dt.timedelta(days=rng.randrange(10, 40))
        assessment = cm.FamilyHelpAssessment(
            child_id=child_id,
            episode=episode,
            start_date=begun,
            due_date=begun + dt.timedelta(days=42),
            completed_date=done if done <= last else None,
            organisation=episode.organisation,
            strengths="Warm relationships; wider family nearby",
            needs=episode.reason,
            family_words="We want things to be calmer at home",
        )
        self.assessments.append(assessment)
        self.history.append((child_id, assessment, "", "in_progress", begun, "Whole-family assessment started"))
        if assessment.completed_date is None:
            return
        self.history.append(
            (child_id, assessment, "in_progress", "completed", done, "Whole-family assessment completed")
        )
        agreed = done + dt.timedelta(days=rng.randrange(3, 15))
        if agreed > last:
            return
        self._plan(episode, child_id, lead_id, agreed, end)

    def _plan(
        self, episode: cm.HelpEpisode, child_id: int, lead_id: int | None, agreed: dt.date, end: dt.date | None
    ) -> None:
        rng, cycle = self.rng, dt.timedelta(weeks=settings.OPENCSC_FAMILY_HELP_REVIEW_WEEKS)
        reviews, due = [], agreed + cycle
        while due <= min(end or self.as_of, self.as_of):
            reviews.append(due)
            due += cycle
        plan = cm.FamilyHelpPlan(
            child_id=child_id, episode=episode, start_date=agreed, next_review_due=due, end_date=end
        )
        self.plans.append(plan)
        self.history.append((child_id, plan, "", "open", agreed, "The family's plan agreed"))
        goals = []
        for goal, action, who in rng.sample(GOALS, rng.randint(2, 3)):
            status = "achieved" if end and rng.random() < 0.6 else ("not_achieved" if end else "in_progress")
            goals.append(
                cm.FamilyHelpGoal(
                    child_id=child_id,
                    plan=plan,
                    goal=goal,
                    action=action,
                    who=who,
                    by_when=agreed + dt.timedelta(days=rng.randrange(30, 120)),
                    status=status,
                )
            )
        self.goals += goals
        rated = [self._trend(goal, len(reviews)) for goal in goals]
        for n, day in enumerate(reviews):
            review = cm.FamilyHelpReview(
                child_id=child_id, plan=plan, review_date=day, progress="Progress on the goals"
            )
            self.reviews.append(review)
            self.history.append((child_id, plan, "open", "open", day, "The family's plan reviewed"))
            for rated_goal, by_rater in zip(goals, rated, strict=True):
                self.ratings += [
                    cm.FamilyHelpGoalRating(child_id=child_id, goal=rated_goal, review=review, rater=rater, score=score)
                    for rater, scores in by_rater.items()
                    if (score := scores[n]) is not None
                ]
        if end is None:
            task = cm.Task(
                person_id=child_id,
                kind=cm.TaskKind.FAMILY_PLAN_REVIEW,
                title=cm.TaskKind.FAMILY_PLAN_REVIEW.label,
                due_date=due,
                assignee_id=lead_id,
                object_type="casework.FamilyHelpPlan",
            )
            self.tasks.append((task, plan))

    def _trend(self, goal: cm.FamilyHelpGoal, reviews: int) -> dict[str, list[int | None]]:
        """A goal's 0-10 ratings at each review, by rater: starting low (2 to 5), moving by -1 to +2
        a review (most families move forward, some slip back), 8 or more at the last review when the
        goal was achieved.
        The worker rates at every review; a parent at most, the child at about half (not always there)."""
        rng = self.rng
        trends: dict[str, list[int | None]] = {}
        for rater, present, lift in (("worker", 1.0, 0), ("parent", 0.85, 1), ("child", 0.5, 0)):
            score, scores = rng.randint(2, 5) + lift, []
            for _ in range(reviews):
                scores.append(min(score, 10) if rater == "worker" or rng.random() < present else None)
                score = max(0, min(10, score + rng.choice((-1, 0, 1, 1, 2, 2))))
            if goal.status == "achieved" and reviews > 1 and scores[-1] is not None:
                scores[-1] = max(scores[-1], 8)
            trends[rater] = scores
        return trends

    def write(self) -> None:
        """Insert model by model (each row's foreign keys are read from the saved parents), the status
        history, the tasks, and one `casework.help_episode_open` audit event per episode."""
        cm.HelpEpisode.objects.bulk_create(self.episodes, batch_size=2000)
        cm.FamilyHelpAssessment.objects.bulk_create(self.assessments, batch_size=2000)
        cm.FamilyHelpPlan.objects.bulk_create(self.plans, batch_size=2000)
        cm.FamilyHelpGoal.objects.bulk_create(self.goals, batch_size=2000)
        cm.FamilyHelpReview.objects.bulk_create(self.reviews, batch_size=2000)
        cm.FamilyHelpGoalRating.objects.bulk_create(self.ratings, batch_size=2000)
        for task, plan in self.tasks:
            task.object_id = str(plan.pk)
        cm.Task.objects.bulk_create([task for task, _ in self.tasks], batch_size=2000)
        cm.StatusChange.objects.bulk_create(
            [
                cm.StatusChange(
                    child_id=child_id,
                    object_type=obj._meta.label,
                    object_id=str(obj.pk),
                    from_status=before,
                    to_status=after,
                    effective_date=day,
                    actor_repr="system:seed_demo",
                    note=note,
                )
                for child_id, obj, before, after, day, note in self.history
            ],
            batch_size=2000,
        )
        record_events_bulk(
            actor=Actor.system("seed_demo"),
            action="casework.help_episode_open",
            rows=[
                {
                    "subject_person_id": e.child_id,
                    "object_type": "casework.HelpEpisode",
                    "object_id": str(e.pk),
                    "object_repr": str(e),
                }
                for e in self.episodes
            ],
        )
