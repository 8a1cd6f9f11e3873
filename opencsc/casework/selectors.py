"""Every read of casework. Each passes through `accounts.access`: a child the user may not see and
a child that does not exist give the same Http404 (and the refusal is audited); a read of a
child's casework writes one `casework.view` event."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role
from opencsc.audit.services import Actor, record_event
from opencsc.casework import help_model
from opencsc.casework.help_model import EpisodeOfHelp
from opencsc.casework.models import (
    Assessment,
    CareEpisode,
    CareLeaverContact,
    CaseNote,
    CategoryOfAbuse,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ChronologyEntry,
    Contact,
    DeprivationOfLibertyOrder,
    FamilyHelpAssessment,
    FamilyHelpGoal,
    FamilyHelpPlan,
    FamilyHelpReview,
    FamilyNetworkMeeting,
    HelpEpisode,
    PeriodOfCare,
    PreviousPermanence,
    ReferralEpisode,
    Section47,
    ServiceReferral,
    StatusChange,
    Task,
    TeamAroundFamilyMember,
    Visit,
)
from opencsc.casework.summary import HELP_TASK_KINDS
from opencsc.casework.timescales import Timescale
from opencsc.core import codelists, compiled
from opencsc.people.models import Person
from opencsc.people.selectors import person_fields

M = TypeVar("M", bound=models.Model)


def refuse(actor: Actor, person_id: int, purpose: str) -> Http404:
    record_event(
        actor=actor,
        action="person.access_denied",
        subject_person_id=person_id,
        object_type="people.Person",
        object_id=str(person_id),
        outcome="denied",
        detail={"purpose": purpose},
    )
    return Http404("No such person")


def get_child_for_user(
    *,
    user: Any,
    actor: Actor,
    person_id: int,
    purpose: str = "casework",
    shown_with: Callable[[Person], Iterable[int]] | None = None,
) -> Person:
    """The child, if the user may see them. Audits `casework.view` (flagging break-glass), or the
    refusal as `person.access_denied`; raises Http404 for both "not allowed" and "no such child".
    The returned child carries `access` (an `accounts.access.PersonAccess`). `shown_with(child)`
    gives the other people the page will name (the summary's family): they go in the event's
    `person_ids`, and the child carries them as `audited_person_ids`."""
    rows = Person.objects.filter(pk=person_id)
    if (categories := access.record_categories(user)) is not None:
        rows = rows.only(*person_fields(categories))  # a partner lead: no NHS number or ethnicity read
    person, allowed = access.person_with_access(user, rows)
    if person is None:
        raise refuse(actor, person_id, purpose)
    break_glass = allowed.break_glass
    shown = sorted(set(shown_with(person)) - {person.pk}) if shown_with else []
    record_event(
        actor=actor,
        action="casework.view",
        subject_person_id=person.pk,
        object_type="people.Person",
        object_id=str(person.pk),
        object_repr=f"person {person.pk}",
        detail={"purpose": purpose, "break_glass": break_glass, **({"person_ids": shown} if shown else {})},
    )
    person.viewed_under_break_glass = break_glass
    person.access = allowed
    person.audited_person_ids = frozenset(shown)
    person.categories = categories
    return person


def record_child_read(*, actor: Actor, child: Person, purpose: str) -> None:
    """Audit that a casework page (a step's form) is about to show this child's record."""
    record_event(
        actor=actor,
        action="casework.view",
        subject_person_id=child.pk,
        object_type="people.Person",
        object_id=str(child.pk),
        object_repr=f"person {child.pk}",
        detail={"purpose": purpose, "break_glass": False},
    )


def get_child_for_change(
    *, user: Any, actor: Actor, person_id: int, may: Callable[[Any, int], bool] = access.can_change_person
) -> Person:
    """The child, if the user may change their casework; otherwise the same 404 as a missing one.
    `may` is the `accounts.access` decision the step needs (for example `can_record_conference`)."""
    if not may(user, person_id):
        raise refuse(actor, person_id, "casework change")
    return Person.objects.get(pk=person_id)


def get_for_child(model: type[M], *, child: Person, pk: int) -> M:
    """One casework row of this child (a row of another child gives 404, like a missing one)."""
    obj = model._default_manager.filter(pk=pk, child=child).first()
    if obj is None:
        raise Http404("No such record")
    return obj


@dataclass
class Overview:
    child: Person
    episodes: list[ReferralEpisode]
    current: ReferralEpisode | None
    contacts: list[Contact]
    assessments: list[Assessment]
    section47s: list[Section47]
    cp_plans: list[ChildProtectionPlan]
    cin_plans: list[ChildInNeedPlan]
    periods: list[PeriodOfCare]
    current_care_episode: CareEpisode | None
    visits: list[Visit]
    tasks: list[Task]
    timescales: list[Timescale] = field(default_factory=list)
    # Of the open period of care: its previous permanence (PrevPerm) and deprivation of liberty orders.
    previous_permanence: PreviousPermanence | None = None
    dolos: list[DeprivationOfLibertyOrder] = field(default_factory=list)
    # Early help / Family Help: the open help episode with its work, and every episode of help.
    help: HelpEpisode | None = None
    help_assessments: list[FamilyHelpAssessment] = field(default_factory=list)
    help_plan: FamilyHelpPlan | None = None
    help_goals: list[FamilyHelpGoal] = field(default_factory=list)
    help_reviews: list[FamilyHelpReview] = field(default_factory=list)
    help_team: list[TeamAroundFamilyMember] = field(default_factory=list)
    network_meetings: list[FamilyNetworkMeeting] = field(default_factory=list)
    history_of_help: list[EpisodeOfHelp] = field(default_factory=list)
    services: list[ServiceReferral] = field(default_factory=list)
    last_rc9: ReferralEpisode | None = None

    @property
    def open_help_assessment(self) -> FamilyHelpAssessment | None:
        return next((a for a in self.help_assessments if a.completed_date is None), None)

    @property
    def may_start_help(self) -> bool:
        """Help can start when none is open and, under the tiers, no social care episode is open."""
        return self.help is None and (help_model.is_family_help() or self.current is None)

    @property
    def may_step_up(self) -> bool:
        return self.help is not None and self.current is None

    @property
    def open_cp_plan(self) -> ChildProtectionPlan | None:
        return next((p for p in self.cp_plans if p.end_date is None), None)

    @property
    def open_cin_plan(self) -> ChildInNeedPlan | None:
        return next((p for p in self.cin_plans if p.end_date is None), None)

    @property
    def open_period(self) -> PeriodOfCare | None:
        return next((p for p in self.periods if p.end_date is None), None)

    @property
    def open_assessment(self) -> Assessment | None:
        return next((a for a in self.assessments if a.authorised_date is None), None)

    @property
    def open_section47(self) -> Section47 | None:
        return next((s for s in self.section47s if s.completed_date is None), None)

    @property
    def current_has_assessment(self) -> bool:
        """Whether the open episode already has an assessment (done or not): then none is offered."""
        return self.current is not None and any(a.episode_id == self.current.pk for a in self.assessments)

    @property
    def may_close(self) -> bool:
        """What the closure service would refuse anyway is not offered: open assessment, enquiry or care."""
        return self.open_assessment is None and self.open_section47 is None and self.open_period is None

    @property
    def may_start_cin_plan(self) -> bool:
        return self.open_cin_plan is None and self.open_cp_plan is None and self.open_period is None

    @property
    def open_contact(self) -> Contact | None:
        return next((c for c in self.contacts if c.status != "decided"), None)


PRESENT = (
    "episodes", "periods", "contacts", "assessments", "section47s", "cp_plans", "cin_plans", "visits", "tasks",
    "help", "meetings", "services", "leaver_contacts",
)  # fmt: skip


def _present(child: Person) -> dict[str, bool]:
    """Which of the page's kinds of row the child has, in one query (each an indexed EXISTS), so the
    page reads only the tables that hold something: most children have three or four of the twelve.
    Its SQL is built once per process (`core.compiled`): building it cost about 3 ms a page."""
    row = compiled.first_row("casework.present", _presence_query, child.pk)
    return {k: bool(row and row[f"has_{k}"]) for k in PRESENT}


def _presence_query(pk: int) -> QuerySet[Any]:
    ref = OuterRef("pk")
    checks: dict[str, QuerySet[Any]] = {
        "episodes": ReferralEpisode.objects.filter(child=ref),
        "periods": PeriodOfCare.objects.filter(child=ref),
        "contacts": Contact.objects.filter(child=ref),
        "assessments": Assessment.objects.filter(child=ref),
        "section47s": Section47.objects.filter(child=ref),
        "cp_plans": ChildProtectionPlan.objects.filter(child=ref),
        "cin_plans": ChildInNeedPlan.objects.filter(child=ref),
        "visits": Visit.objects.filter(child=ref),
        "tasks": Task.objects.open().filter(person=ref),
        "help": HelpEpisode.objects.filter(child=ref),
        "meetings": FamilyNetworkMeeting.objects.filter(child=ref),
        "services": ServiceReferral.objects.filter(child=ref),
        "leaver_contacts": CareLeaverContact.objects.filter(child=ref),
    }
    return Person.objects.filter(pk=pk).values(**{f"has_{k}": Exists(checks[k]) for k in PRESENT})


def casework_overview(child: Person) -> Overview:
    """Everything on the child's casework page (the caller has already checked access and audited)."""
    has = _present(child)
    episodes = list(ReferralEpisode.objects.filter(child=child)) if has["episodes"] else []
    periods = list(PeriodOfCare.objects.filter(child=child)) if has["periods"] else []
    open_period = next((p for p in periods if p.end_date is None), None)
    overview = Overview(
        child=child,
        episodes=episodes,
        current=next((e for e in episodes if e.is_open), None),
        contacts=list(Contact.objects.filter(child=child).select_related("triage")[:10]) if has["contacts"] else [],
        assessments=(
            list(Assessment.objects.filter(child=child).select_related("authorised_by")) if has["assessments"] else []
        ),
        section47s=list(Section47.objects.filter(child=child)) if has["section47s"] else [],
        cp_plans=list(ChildProtectionPlan.objects.filter(child=child)) if has["cp_plans"] else [],
        cin_plans=list(ChildInNeedPlan.objects.filter(child=child)) if has["cin_plans"] else [],
        periods=periods,
        current_care_episode=open_period.episodes.filter(end_date__isnull=True).first() if open_period else None,
        visits=list(Visit.objects.filter(child=child)[:5]) if has["visits"] else [],
        tasks=(
            list(Task.objects.open().filter(person=child).select_related("assignee", "team")) if has["tasks"] else []
        ),
    )
    if open_period is not None:
        overview.previous_permanence = PreviousPermanence.objects.filter(period=open_period).first()
        overview.dolos = list(open_period.dolos.all())
    _help(overview, has)
    overview.timescales = _timescales(overview)
    return overview


def help_overview(child: Person) -> Overview:
    """The reduced casework page of a partner lead practitioner (`access.sees_help_only`): the
    family's help (episode, assessment, plan, goals, reviews, Team Around the Family, family network
    meetings, services) and its tasks, read without a single statutory row: no referral episode,
    assessment, section 47, plan of social care or period of care is even queried, so none can
    leak onto the page. The caller has checked access and audited the read."""
    overview = Overview(
        child=child,
        episodes=[],
        current=None,
        contacts=[],
        assessments=[],
        section47s=[],
        cp_plans=[],
        cin_plans=[],
        periods=[],
        current_care_episode=None,
        visits=[],
        tasks=list(
            Task.objects.open().filter(person=child, kind__in=HELP_TASK_KINDS).select_related("assignee", "team")
        ),
    )
    _help(overview, {"help": True, "meetings": True, "services": True})  # read, never guessed from statutory rows
    overview.network_meetings = [m for m in overview.network_meetings if m.help_episode_id is not None]
    if overview.help_plan is not None:
        overview.help_reviews = list(overview.help_plan.reviews.prefetch_related("ratings__goal"))
    overview.timescales = _timescales(overview)
    return overview


def _help(o: Overview, has: dict[str, bool]) -> None:
    """The child's early help / Family Help on the overview: the open episode, its assessment, plan,
    goals, reviews, team and meetings; every episode of help; and the latest RC9 closure (a step-down
    the page offers to start help for)."""
    child = o.child
    help_episodes = (
        list(
            HelpEpisode.objects.filter(child=child).select_related(
                "lead_practitioner", "contact", "stepped_down_from", "stepped_up_to"
            )
        )
        if has["help"]
        else []
    )
    o.help = next((h for h in help_episodes if h.end_date is None), None)
    if has["meetings"]:
        o.network_meetings = list(FamilyNetworkMeeting.objects.filter(child=child).prefetch_related("attendees")[:5])
    o.history_of_help = help_model.episodes_of_help(
        child,
        help_episodes=help_episodes,
        referrals=o.episodes,
        cp_plans=o.cp_plans,
        periods=o.periods,
        care_leaver=has.get("leaver_contacts", False),  # never looked for on a partner lead's page
    )
    if has["services"]:
        o.services = list(ServiceReferral.objects.filter(child=child).select_related("service")[:10])
    o.last_rc9 = next((e for e in o.episodes if e.closure_reason == "RC9"), None)
    if o.help is None:
        return
    o.help_assessments = list(o.help.assessments.all())
    o.help_plan = o.help.plans.filter(end_date__isnull=True).first()
    if o.help_plan is not None:
        o.help_goals = list(o.help_plan.goals.all())
        o.help_reviews = list(o.help_plan.reviews.all())
    o.help_team = list(o.help.team_members.filter(left_on__isnull=True))


def _timescales(o: Overview) -> list[Timescale]:
    """Statutory clocks of the current episode (met, late, overdue) and every open task's due date."""
    items: list[Timescale] = []
    if o.current is not None:
        for a in o.assessments:
            if a.episode_id == o.current.pk:
                items.append(Timescale("Assessment (45 working days)", a.due_date, a.authorised_date))
        for s in o.section47s:
            if s.episode_id == o.current.pk and not s.icpc_not_required:
                items.append(Timescale("Initial conference (15 working days)", s.icpc_target, s.completed_date))
    for h in o.help_assessments:
        items.append(Timescale("Whole-family assessment", h.due_date, h.completed_date))
    if o.help_plan is not None:
        items.append(Timescale("Review of the family's plan", o.help_plan.next_review_due))
    for contact in o.contacts:
        if contact.status != "decided":
            items.append(Timescale("Contact decision (1 working day)", contact.decision_due))
    seen = {(t.label, t.due) for t in items}
    for task in o.tasks:
        if (
            task.kind not in ("assessment", "icpc", "contact_decision", "family_assessment", "family_plan_review")
            and (task.title, task.due_date) not in seen
        ):
            items.append(Timescale(task.title, task.due_date))
    return sorted(items, key=lambda t: t.due)


@dataclass(frozen=True)
class ChronologyItem:
    day: dt.date
    title: str
    detail: str
    curated: bool
    by: str


SYSTEM_PROCESS_WORDS = {
    "seed_demo": "demo data",
    "demo_journeys": "demo data",
    "cpis": "CP-IS",
    "import_return": "return import",
    "import_people": "people import",
    "apply_retention": "retention",
}


def recorder_words(actor_repr: str, user: Any = None) -> str:
    """Who recorded a step, in words: a member of staff's full name, or "The system (return import)"
    for a process, never the stored "system:import_return"."""
    if user is not None:
        return str(user)
    if actor_repr.startswith("system:"):
        process = actor_repr.removeprefix("system:")
        return f"The system ({SYSTEM_PROCESS_WORDS.get(process, process.replace('_', ' '))})"
    return actor_repr


def chronology(child: Person) -> list[ChronologyItem]:
    """The child's chronology: every status change (generated) plus the curated entries, oldest
    first. Status-change notes are fixed labels written by the services."""
    changes = StatusChange.objects.filter(child=child).select_related("changed_by")
    generated = [
        ChronologyItem(
            s.effective_date,
            plain_note(s.note) or f"{s.object_type}: {s.to_status}",
            "",
            False,
            recorder_words(s.actor_repr, s.changed_by),
        )
        for s in changes.order_by("effective_date", "changed_at", "pk")
    ]
    curated = [
        ChronologyItem(e.entry_date, e.title, e.detail, True, str(e.recorded_by or ""))
        for e in ChronologyEntry.objects.filter(child=child).select_related("recorded_by")
    ]
    return sorted(generated + curated, key=lambda item: item.day)


_CODED_NOTE = re.compile(r"^(?P<head>.+) \((?P<code>[A-Z0-9]{2,4})\)$")


def plain_note(note: str) -> str:
    """A status note ending in a code ("Case closed (RC7)", "Child protection plan started (PHY)") in
    plain words: "Case closed: Services ceased for any other reason, ... (RC7)"."""
    note = note.replace("{help}", help_model.help_name())
    match = _CODED_NOTE.match(note)
    if match is None:
        return note
    head, code = match["head"], match["code"]
    if code in codelists.codes("cin_reason_for_closure"):
        return f"{head}: {codelists.meaning('cin_reason_for_closure', code)}"
    if code in CategoryOfAbuse.values:
        return f"{head}: {CategoryOfAbuse(code).label.lower()} ({code})"
    return note


NOTES_PER_PAGE = 50


def notes_page(child: Person, *, page: str | int | None, per_page: int = NOTES_PER_PAGE) -> Page[CaseNote]:
    """One page of the child's case notes, newest first (a child can have thousands: each note's
    body is decrypted to show it, so the page holds a screenful, not the whole file). A page number
    out of range gives the last page."""
    notes = CaseNote.objects.filter(child=child).select_related("recorded_by").order_by("-note_date", "-pk")
    return Paginator(notes, per_page).get_page(page)


@dataclass
class Tray:
    mine: list[Task]
    team: list[Task]
    today: dt.date


def tray_for_user(*, user: Any, actor: Actor) -> Tray:
    """The user's open tasks; a team manager also sees the open tasks of the teams they manage.
    Only tasks about people the user may see. Audits `casework.tray_view` with the count."""
    visible = access.visible_persons(user).values("pk")
    tasks: QuerySet[Task] = Task.objects.open().filter(person__in=visible).select_related("person", "assignee", "team")
    mine = list(tasks.filter(assignee=user))
    team: list[Task] = []
    if getattr(user, "role", "") == Role.TEAM_MANAGER:
        team_ids = [*user.managed_teams.values_list("pk", flat=True), user.team_id]
        team = list(tasks.filter(Q(team_id__in=team_ids) | Q(assignee__team_id__in=team_ids)).exclude(assignee=user))
    elif getattr(user, "team_id", None):
        team = list(tasks.filter(team_id=user.team_id, assignee__isnull=True))
    record_event(
        actor=actor,
        action="casework.tray_view",
        detail={
            "mine": len(mine),
            "team": len(team),
            "person_ids": sorted({t.person_id for t in [*mine, *team] if t.person_id is not None}),
        },
    )
    return Tray(mine=mine, team=team, today=timezone.localdate())


def families_led_by(*, user: Any, actor: Actor, limit: int = 100) -> list[Any]:
    """The children whose help a partner-agency practitioner leads (their current lead-practitioner
    allocations) and, for a member of a multi-agency child protection team, the team's cases: the same
    rows `accounts.access` reads, within the user's scope. Audits `casework.families_led_view` with the
    ids of the children named."""
    from opencsc.accounts.models import Allocation, AllocationKind, TeamKind

    mine = Q(worker=user, kind=AllocationKind.LEAD_PRACTITIONER)
    if user.team is not None and user.team.kind == TeamKind.MULTI_AGENCY_CP:
        mine |= Q(team=user.team)
    rows = list(
        Allocation.objects.current()
        .filter(mine, person__in=access.visible_persons(user))
        .select_related("person", "team")
        .order_by("person__last_name", "person__first_name", "pk")[:limit]
    )
    record_event(
        actor=actor,
        action="casework.families_led_view",
        detail={"person_ids": sorted({a.person_id for a in rows}), "shown": len(rows)},
    )
    return rows
