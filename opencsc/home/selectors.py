"""What each role's home page shows. Every list of people reads through `accounts.access`
(`visible_persons`), so a home page never shows a child the user may not see; the view writes one
`home.view` audit event with the counts shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import (
    Allocation,
    AllocationKind,
    BreakGlassGrant,
    GovernanceAlert,
    Role,
    Team,
    User,
)
from opencsc.casework.models import Task, TaskKind, WorkerNotification
from opencsc.core import codelists
from opencsc.people.selectors import caseload_for_user

LIST_LIMIT = 25
SOON_DAYS = 7
CONFERENCE_KINDS = [TaskKind.ICPC, TaskKind.CP_REVIEW, TaskKind.LAC_REVIEW]


def _today() -> dt.date:
    return timezone.localdate()


def _open_tasks(user: User) -> QuerySet[Task]:
    return (
        Task.objects.open()
        .filter(person__in=access.visible_persons(user).values("pk"))
        .select_related("person", "assignee", "team")
    )


def notifications_for(user: User) -> list[WorkerNotification]:
    """Unread notifications about people the user may still see."""
    return list(
        WorkerNotification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(person__in=access.visible_persons(user).values("pk"))
        .select_related("person")[:LIST_LIMIT]
    )


@dataclass
class WorkerHome:
    """A social worker's (or anyone holding a caseload's) home: their caseload and tasks due."""

    caseload: list[Allocation]
    overdue: list[Task]
    due_soon: list[Task]
    later: int
    notifications: list[WorkerNotification]
    today: dt.date = field(default_factory=_today)


def worker_home(user: User) -> WorkerHome:
    today = _today()
    mine = _open_tasks(user).filter(assignee=user)
    return WorkerHome(
        caseload=list(caseload_for_user(user)[:200]),
        overdue=list(mine.filter(due_date__lt=today)[:LIST_LIMIT]),
        due_soon=list(
            mine.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=SOON_DAYS))[:LIST_LIMIT]
        ),
        later=mine.filter(due_date__gt=today + dt.timedelta(days=SOON_DAYS)).count(),
        notifications=notifications_for(user),
    )


@dataclass
class WorkerLoad:
    worker: User | None
    children: int


@dataclass
class ManagerHome:
    teams: list[Team]
    caseload: list[WorkerLoad]
    children: int
    overdue: list[Task]
    overdue_count: int
    unallocated_tasks: list[Task]
    unallocated_children: list[Allocation]
    authorisations: list[Task]
    notifications: list[WorkerNotification]
    today: dt.date = field(default_factory=_today)


def manager_home(user: User) -> ManagerHome:
    """A team manager's teams: who holds how many children, overdue work, work nobody holds, and
    assessments waiting for their authorisation."""
    today = _today()
    team_ids = [*user.managed_teams.values_list("pk", flat=True), *([user.team_id] if user.team_id else [])]
    allocations = Allocation.objects.current().filter(team_id__in=team_ids, kind=AllocationKind.ALLOCATED_WORKER)
    loads = allocations.values("worker").annotate(children=Count("person", distinct=True)).order_by("-children")
    workers = User.objects.in_bulk([row["worker"] for row in loads if row["worker"]])
    tasks = _open_tasks(user).filter(Q(team_id__in=team_ids) | Q(assignee__team_id__in=team_ids))
    overdue = tasks.filter(due_date__lt=today)
    return ManagerHome(
        teams=list(Team.objects.filter(pk__in=team_ids)),
        caseload=[WorkerLoad(workers.get(row["worker"]), row["children"]) for row in loads],
        children=allocations.values("person").distinct().count(),
        overdue=list(overdue[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        unallocated_tasks=list(
            tasks.filter(assignee__isnull=True).exclude(kind=TaskKind.AUTHORISE_ASSESSMENT)[:LIST_LIMIT]
        ),
        unallocated_children=list(
            allocations.filter(worker__isnull=True, person__in=access.visible_persons(user).values("pk"))
            .select_related("person", "team")
            .order_by("start_date")[:LIST_LIMIT]
        ),
        authorisations=list(tasks.filter(kind=TaskKind.AUTHORISE_ASSESSMENT)[:LIST_LIMIT]),
        notifications=notifications_for(user),
    )


@dataclass
class ChairHome:
    due: list[Task]
    children: list[Allocation]
    today: dt.date = field(default_factory=_today)


def chair_home(user: User) -> ChairHome:
    """Conferences and reviews due for the children a chair or reviewing officer is allocated to."""
    chaired = (
        Allocation.objects.current()
        .filter(worker=user, kind__in=access.CHAIR_ALLOCATIONS, person__in=access.visible_persons(user).values("pk"))
        .select_related("person", "team")
        .order_by("person__last_name", "person__first_name")
    )
    due = _open_tasks(user).filter(kind__in=CONFERENCE_KINDS, person__in=chaired.values("person"))
    return ChairHome(due=list(due[:100]), children=list(chaired[:200]))


@dataclass
class AnalystHome:
    jobs: list[Any]
    latest: dict[str, Any]


def analyst_home(user: User) -> AnalystHome:
    """Recent return builds and checks (no names: returns carry LA child ids only), and the latest
    finished check of each return as the data-quality figure."""
    from opencsc.returns.build import jobs

    recent = jobs.recent(15)
    latest: dict[str, Any] = {}
    for job in recent:
        if job.status == "done" and job.kind not in latest:
            latest[job.kind] = job
    return AnalystHome(jobs=recent, latest=latest)


@dataclass
class GovernanceHome:
    requests: list[Any]
    alerts: list[GovernanceAlert]
    unreviewed: list[BreakGlassGrant]
    # Disposal batches prepared by someone else, waiting for this officer's approval (four eyes).
    disposals_to_approve: list[Any] = field(default_factory=list)


def governance_home(user: User) -> GovernanceHome:
    """Third-party requests waiting for a decision, open alerts and break-glass use not yet reviewed.
    Lists refer to people by record id only (the IG officer opens the record through its own
    access check)."""
    from opencsc.rights.disposal.models import BatchStatus, DisposalBatch
    from opencsc.sharing.models import RequestStatus, ThirdPartyRequest

    return GovernanceHome(
        disposals_to_approve=list(
            DisposalBatch.objects.filter(status=BatchStatus.PREPARED)
            .exclude(prepared_by=user)
            .select_related("prepared_by")
            .order_by("prepared_at")[:LIST_LIMIT]
        ),
        requests=list(
            ThirdPartyRequest.objects.filter(status=RequestStatus.AWAITING_DECISION)
            .select_related("agency", "logged_by")
            .order_by("logged_at")[:LIST_LIMIT]
        ),
        alerts=list(GovernanceAlert.objects.filter(closed_at__isnull=True).select_related("user")[:LIST_LIMIT]),
        unreviewed=list(
            BreakGlassGrant.objects.filter(reviewed_at__isnull=True)
            .select_related("user")
            .order_by("granted_at")[:LIST_LIMIT]
        ),
    )


@dataclass
class RoleRow:
    code: str
    label: str
    users: int
    sees: str


ROLE_SCOPE = {
    Role.SOCIAL_WORKER: "The people allocated to them or their team, and those children's families",
    Role.MASH_PRACTITIONER: "Children with a contact at the front door, and those allocated to them or their team",
    Role.TEAM_MANAGER: "Every child on the teams they manage; allocates work and authorises assessments",
    Role.CONFERENCE_CHAIR: "The children they chair conferences or reviews for",
    Role.PERFORMANCE_ANALYST: "No person records: returns and their findings, by LA child id",
    Role.IG_OFFICER: "No person records by default: the audit trail, alerts, requests, the register",
    Role.PARTNER: "The families they lead (and a multi-agency CP team's cases); their agency's checks",
    Role.SYSTEM_ADMIN: "No person records: users, teams, roles and reference data",
}


@dataclass
class AdminHome:
    users: list[User]
    user_count: int
    teams: list[Team]
    roles: list[RoleRow]
    code_lists: list[tuple[str, int, str]]


def admin_home(user: User) -> AdminHome:
    """Users, teams, roles and the reference data (code lists), for a system administrator. Staff
    accounts are workforce data; no person record is shown."""
    counts = dict(User.objects.values_list("role").annotate(n=Count("pk")))
    return AdminHome(
        users=list(User.objects.select_related("team").order_by("last_name", "first_name")[:100]),
        user_count=User.objects.count(),
        teams=list(
            Team.objects.annotate(
                member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
                manager_count=Count("managers", distinct=True),
            )
        ),
        roles=[RoleRow(role.value, role.label, counts.get(role.value, 0), ROLE_SCOPE[role]) for role in Role],
        code_lists=[(name, len(codelists.entries(name)), codelists.source(name)) for name in codelists.list_names()],
    )
