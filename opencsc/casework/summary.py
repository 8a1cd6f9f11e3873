"""The summary at the top of every page about a person: where they are in the service, who holds the
case, what is due, what everyone must know first (alerts), and their family as links.

It reads only for a person the caller has already opened through an access-checked, audited selector
(`people.selectors.get_person_for_user` or `casework.selectors.get_child_for_user`), so it writes no
audit event of its own. Relatives and family-group members are filtered through
`access.visible_persons`: a relative the user may not see is left out, with no gap that hints at them.
A handful of small indexed queries, whatever the size of the borough (the pages are measured with it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from opencsc.accounts.models import Allocation, AllocationKind
from opencsc.casework import help_model
from opencsc.casework.models import (
    CareEpisode,
    CareLeaverContact,
    ChildInNeedPlan,
    ChildProtectionPlan,
    Contact,
    ContactStatus,
    HelpEpisode,
    MissingEpisode,
    PeriodOfCare,
    ReferralEpisode,
    Task,
    UascStatus,
)
from opencsc.people import digests
from opencsc.people.kin import FamilyMember, family_members
from opencsc.people.models import (
    AlertKind,
    Disability,
    Person,
    PersonAlert,
)

KEY_DATES_SHOWN = 4


@dataclass(frozen=True)
class Status:
    """One line of where the person is in the service: a tag (short) and the detail in plain words."""

    tag: str
    colour: str  # a GOV.UK tag colour modifier
    detail: str


@dataclass(frozen=True)
class Alert:
    label: str
    detail: str = ""


@dataclass(frozen=True)
class KeyDate:
    what: str
    due: dt.date
    overdue: bool
    today: bool


@dataclass
class PersonSummary:
    person: Person
    statuses: list[Status] = field(default_factory=list)
    worker: str = ""
    team: str = ""
    key_dates: list[KeyDate] = field(default_factory=list)
    more_dates: int = 0
    overdue: int = 0
    alerts: list[Alert] = field(default_factory=list)
    family: list[FamilyMember] = field(default_factory=list)
    hidden_family: bool = False  # never set: kept out on purpose so nothing hints at a hidden relative

    @property
    def is_closed(self) -> bool:
        return any(s.tag == "Closed" for s in self.statuses)


def person_summary(
    *, user: Any, person: Person, today: dt.date | None = None, open_tasks: Sequence[Task] | None = None
) -> PersonSummary:
    """The summary of `person` as `user` may see it (the caller has checked access and audited).
    `open_tasks`: every open task of the person, when the page has read them already (the casework
    page lists them), so they are not read twice."""
    day = today or timezone.localdate()
    summary = PersonSummary(person=person)
    own = digests.read_or_compute(person, digests.SUMMARY, lambda: own_rows(person, day), today=day)
    summary.statuses = [Status(**row) for row in own["statuses"]]
    summary.worker, summary.team = own["worker"], own["team"]
    summary.alerts = [Alert(**row) for row in own["alerts"]]
    # Tasks change without an audit event of their own, and the family depends on who is looking:
    # both are read now, never stored.
    _key_dates(summary, person, day, open_tasks=open_tasks)
    summary.family = family_members(user, person, day)
    return summary


HELP_TASK_KINDS = ("family_assessment", "family_plan", "family_plan_review")


def help_summary(*, user: Any, person: Person, today: dt.date | None = None) -> PersonSummary:
    """The summary as a partner lead practitioner sees it (`access.sees_help_only`): the person's
    help and who leads it, what is due in it, the alerts everyone visiting must know (risk to staff,
    interpreter) and the family they may see. No statutory row (plans, care, the front door, missing
    episodes) and no special-category row (disability) is queried, and the stored digest, which holds
    them, is not read."""
    day = today or timezone.localdate()
    summary = PersonSummary(person=person)
    episode = HelpEpisode.objects.filter(child=person, end_date__isnull=True).select_related("lead_practitioner")
    if (help_episode := episode.first()) is not None:
        lead = help_episode.lead_practitioner
        detail = f"Since {help_episode.start_date:%-d %B %Y}; led by {help_episode.organisation}"
        summary.statuses.append(Status(help_model.help_name(), "green", detail + (f" ({lead})" if lead else "")))
    lead_allocation = (
        Allocation.objects.current(day)
        .filter(person=person, kind=AllocationKind.LEAD_PRACTITIONER)
        .select_related("worker", "team")
        .order_by("-start_date", "-pk")
        .first()
    )
    if lead_allocation is not None:
        summary.team = lead_allocation.team.name
        summary.worker = str(lead_allocation.worker) if lead_allocation.worker else ""
    current = Q(end_date__isnull=True) | Q(end_date__gte=day)
    summary.alerts = [
        Alert(AlertKind(a.kind).label, a.detail)
        for a in PersonAlert.objects.filter(current, person=person, start_date__lte=day)
    ]
    _key_dates(summary, person, day, kinds=HELP_TASK_KINDS)
    summary.family = family_members(user, person, day)
    return summary


def own_rows(person: Person, day: dt.date) -> dict[str, Any]:
    """The parts of the summary that depend only on the person's own rows and the day: what the
    stored digest holds (`people.digests`)."""
    return own_rows_many([person], day)[person.pk]


def own_rows_many(people: Sequence[Person], day: dt.date) -> dict[int, dict[str, Any]]:
    """`own_rows` of many people at once, with one query per kind of row (not per person): the page
    reads one person through it, `refresh_digests` a few hundred. Each person's value is built from
    their own rows only, exactly as for one person alone (a test compares the two)."""
    rows = _OwnRows(people, day)
    found: dict[int, dict[str, Any]] = {}
    for person in people:
        worker, team = rows.allocation(person.pk)
        found[person.pk] = {
            "statuses": [asdict(s) for s in _statuses(person, day, rows)],
            "worker": worker,
            "team": team,
            "alerts": [asdict(a) for a in _alerts(person, day, rows)],
        }
    return found


def _first_each(rows: Iterable[Any], key: str) -> dict[int, Any]:
    """The first row of each person (rows come in the order `.first()` would take them)."""
    first: dict[int, Any] = {}
    for row in rows:
        first.setdefault(getattr(row, key), row)
    return first


def _all_each(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    each: dict[int, list[Any]] = {}
    for row in rows:
        each.setdefault(getattr(row, key), []).append(row)
    return each


class _OwnRows:
    """The rows the summary's own part reads, for a set of people: one presence query (which kinds of
    row each has, each an indexed EXISTS), then one query for each kind somebody has; most people
    have two or three of the twelve."""

    def __init__(self, people: Sequence[Person], day: dt.date) -> None:
        ids = [p.pk for p in people]
        self.has = _presence(ids, day)

        def having(name: str) -> list[int]:
            return [pk for pk in ids if self.has[pk][name]]

        current = Q(end_date__isnull=True) | Q(end_date__gte=day)
        self.cp = _first_each(
            ChildProtectionPlan.objects.filter(child_id__in=having("cp"), end_date__isnull=True), "child_id"
        )
        self.cin = _first_each(
            ChildInNeedPlan.objects.filter(child_id__in=having("cin"), end_date__isnull=True), "child_id"
        )
        self.period = _first_each(
            PeriodOfCare.objects.filter(child_id__in=having("period"), end_date__isnull=True), "child_id"
        )
        periods = [period.pk for period in self.period.values()]
        self.care = _first_each(
            CareEpisode.objects.filter(period_id__in=periods, end_date__isnull=True) if periods else [], "period_id"
        )
        self.contact = _first_each(
            Contact.objects.filter(child_id__in=having("contact"))
            .exclude(status=ContactStatus.DECIDED)
            .order_by("-pk"),
            "child_id",
        )
        self.episode = _first_each(
            ReferralEpisode.objects.filter(child_id__in=having("episode")).order_by("-referral_date", "-pk"), "child_id"
        )
        self.help = _first_each(
            HelpEpisode.objects.filter(child_id__in=having("help"), end_date__isnull=True).select_related(
                "lead_practitioner"
            ),
            "child_id",
        )
        self.alerts = _all_each(
            PersonAlert.objects.filter(current, person_id__in=having("alert"), start_date__lte=day), "person_id"
        )
        self.missing = _first_each(
            MissingEpisode.objects.filter(child_id__in=having("missing"), end_date__isnull=True), "child_id"
        )
        self.disabilities = _all_each(
            Disability.objects.filter(person_id__in=having("disability")).order_by("pk"), "person_id"
        )
        self.allocations = _all_each(
            Allocation.objects.current(day)
            .filter(person_id__in=ids, kind__in=[AllocationKind.ALLOCATED_WORKER, AllocationKind.LEAD_PRACTITIONER])
            .select_related("worker", "team"),
            "person_id",
        )

    def allocation(self, person_id: int) -> tuple[str, str]:
        """(worker, team): the allocated social worker; for a family in early help / Family Help only,
        its lead practitioner."""
        allocation = min(
            self.allocations.get(person_id, []),
            key=lambda a: (
                a.kind != AllocationKind.ALLOCATED_WORKER,
                a.worker_id is None,
                -a.start_date.toordinal(),
                -a.pk,
            ),
            default=None,
        )
        if allocation is None:
            return "", ""
        return (str(allocation.worker) if allocation.worker else ""), allocation.team.name


def _presence(ids: list[int], day: dt.date) -> dict[int, dict[str, bool]]:
    """Which kinds of row each person has, in one query (each an indexed EXISTS), so that the summary
    reads only the rows that are there."""
    child = OuterRef("pk")
    current = Q(end_date__isnull=True) | Q(end_date__gte=day)
    checks = {
        "cp": ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True),
        "cin": ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True),
        "period": PeriodOfCare.objects.filter(child=child, end_date__isnull=True),
        "ended_period": PeriodOfCare.objects.filter(child=child, end_date__isnull=False),
        "leaver_contact": CareLeaverContact.objects.filter(child=child),
        "contact": Contact.objects.filter(child=child).exclude(status=ContactStatus.DECIDED),
        "episode": ReferralEpisode.objects.filter(child=child),
        "help": HelpEpisode.objects.filter(child=child, end_date__isnull=True),
        "missing": MissingEpisode.objects.filter(child=child, end_date__isnull=True),
        "uasc": UascStatus.objects.filter(Q(ceased_date__isnull=True) | Q(ceased_date__gt=day), child=child),
        "disability": Disability.objects.filter(person=child),
        "alert": PersonAlert.objects.filter(current, person=child, start_date__lte=day),
    }
    annotations = {f"has_{name}": Exists(query) for name, query in checks.items()}
    rows = cast(Iterable[dict[str, Any]], Person.objects.filter(pk__in=ids).values("pk", **annotations))
    found = {row["pk"]: row for row in rows}
    return {pk: {name: bool(pk in found and found[pk][f"has_{name}"]) for name in checks} for pk in ids}


def _statuses(person: Person, day: dt.date, rows: _OwnRows) -> list[Status]:
    statuses: list[Status] = []
    if person.date_of_death:
        statuses.append(Status("Died", "grey", f"Died on {person.date_of_death:%-d %B %Y}"))
    cp = rows.cp.get(person.pk)
    if cp is not None:
        detail = f"Since {cp.start_date:%-d %B %Y}; category {cp.get_latest_category_display()}"
        statuses.append(Status("Child protection plan", "red", detail + (" (pre-birth)" if cp.is_pre_birth else "")))
    cin = rows.cin.get(person.pk)
    if cin is not None:
        statuses.append(Status("Child in need plan", "yellow", f"Since {cin.start_date:%-d %B %Y}"))
    period = rows.period.get(person.pk)
    if period is not None:
        care = rows.care.get(period.pk)
        detail = f"Since {period.start_date:%-d %B %Y}"
        if care is not None:
            detail += f"; legal status {care.get_legal_status_display()}; placement {care.get_placement_type_display()}"
        statuses.append(Status("Looked after", "purple", detail))
    elif _is_care_leaver(person, day, rows.has[person.pk]):
        statuses.append(Status("Care leaver", "turquoise", "Was looked after; the leaving care service keeps in touch"))
    contact = rows.contact.get(person.pk)
    if contact is not None:
        detail = f"Contact on {contact.contact_date:%-d %B %Y}: {contact.get_status_display()}"
        statuses.append(
            Status("At the front door", "orange", detail + f"; decision due {contact.decision_due:%-d %B %Y}")
        )
    episode = rows.episode.get(person.pk)
    if episode is not None and episode.is_open and not statuses:
        statuses.append(Status("Open referral", "blue", f"Referred on {episode.referral_date:%-d %B %Y}"))
    elif episode is not None and not episode.is_open and period is None:
        reason = episode.get_closure_reason_display()
        closed = Status("Closed", "grey", f"Closed on {episode.closure_date:%-d %B %Y}: {reason}")
        statuses.append(closed)
    help_episode = rows.help.get(person.pk)
    if help_episode is not None:
        lead = help_episode.lead_practitioner
        detail = f"Since {help_episode.start_date:%-d %B %Y}; led by {help_episode.organisation}"
        statuses.append(Status(help_model.help_name(), "green", detail + (f" ({lead})" if lead else "")))
    if person.is_unborn and person.expected_date_of_birth:
        statuses.append(Status("Unborn", "pink", f"Expected on {person.expected_date_of_birth:%-d %B %Y}"))
    return statuses


def _is_care_leaver(person: Person, day: dt.date, has: dict[str, bool]) -> bool:
    age = person.age_on(day)
    return has["leaver_contact"] or (age is not None and 16 <= age <= 25 and has["ended_period"])


def _key_dates(
    summary: PersonSummary,
    person: Person,
    day: dt.date,
    kinds: tuple[str, ...] = (),
    open_tasks: Sequence[Task] | None = None,
) -> None:
    if open_tasks is not None:
        chosen = [t for t in open_tasks if not kinds or t.kind in kinds]
        tasks = sorted(chosen, key=lambda t: (t.due_date, t.pk))[: KEY_DATES_SHOWN * 5]
    else:
        rows = Task.objects.open().filter(person=person)
        if kinds:
            rows = rows.filter(kind__in=kinds)
        tasks = list(rows.order_by("due_date", "pk")[: KEY_DATES_SHOWN * 5])
    summary.overdue = sum(1 for t in tasks if t.due_date < day)
    summary.key_dates = [KeyDate(t.title, t.due_date, t.due_date < day, t.due_date == day) for t in tasks][
        :KEY_DATES_SHOWN
    ]
    summary.more_dates = max(0, len(tasks) - KEY_DATES_SHOWN)


def _alerts(person: Person, day: dt.date, rows: _OwnRows) -> list[Alert]:
    alerts: list[Alert] = []
    if person.is_restricted:
        alerts.append(Alert("Restricted record", "Only the people named on it may see it"))
    for alert in rows.alerts.get(person.pk, []):
        alerts.append(Alert(AlertKind(alert.kind).label, alert.detail))
    missing = rows.missing.get(person.pk)
    if missing is not None:
        alerts.append(Alert("Missing now", f"{missing.get_kind_display()} since {missing.start_date:%-d %B %Y}"))
    if rows.has[person.pk]["uasc"]:
        alerts.append(Alert("Unaccompanied asylum-seeking child"))
    disabilities = [d.get_code_display() for d in rows.disabilities.get(person.pk, []) if d.code != "NONE"]
    if disabilities:
        alerts.append(Alert("Disability", "; ".join(disabilities)))
    return alerts
