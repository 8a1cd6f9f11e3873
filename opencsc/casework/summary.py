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
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from opencsc.accounts import access
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
from opencsc.people.models import (
    AlertKind,
    Disability,
    FamilyMembership,
    Person,
    PersonAlert,
    Relationship,
    RelationshipKind,
)

K = RelationshipKind
# "A is KIND of B", read from B's side: what A is to B is the label; what B is to A is the inverse.
INVERSE_ROLE: dict[str, str] = {
    K.PARENT: "Child",
    K.STEP_PARENT: "Step-child",
    K.SIBLING: "Sibling",
    K.HALF_SIBLING: "Half-sibling",
    K.GRANDPARENT: "Grandchild",
    K.CARER: "Cared for by them",
    K.FOSTER_CARER: "Foster child",
    K.PARTNER: "Partner",
    K.FORMER_PARTNER: "Former partner",
    K.AUNT_UNCLE: "Niece or nephew",
    K.COUSIN: "Cousin",
    K.OTHER: "Other relationship",
}
ROLE: dict[str, str] = {
    K.PARENT: "Parent",
    K.STEP_PARENT: "Step-parent",
    K.SIBLING: "Sibling",
    K.HALF_SIBLING: "Half-sibling",
    K.GRANDPARENT: "Grandparent",
    K.CARER: "Carer",
    K.FOSTER_CARER: "Foster carer",
    K.PARTNER: "Partner",
    K.FORMER_PARTNER: "Former partner",
    K.AUNT_UNCLE: "Aunt or uncle",
    K.COUSIN: "Cousin",
    K.OTHER: "Other relationship",
}
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


@dataclass(frozen=True)
class FamilyMember:
    person_id: int
    name: str
    role: str
    age: str
    lives_with: bool = False


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


def person_summary(*, user: Any, person: Person, today: dt.date | None = None) -> PersonSummary:
    """The summary of `person` as `user` may see it (the caller has checked access and audited)."""
    day = today or timezone.localdate()
    summary = PersonSummary(person=person)
    own = digests.read_or_compute(person.pk, digests.SUMMARY, lambda: own_rows(person, day), today=day)
    summary.statuses = [Status(**row) for row in own["statuses"]]
    summary.worker, summary.team = own["worker"], own["team"]
    summary.alerts = [Alert(**row) for row in own["alerts"]]
    # Tasks change without an audit event of their own, and the family depends on who is looking:
    # both are read now, never stored.
    _key_dates(summary, person, day)
    summary.family = _family(user, person, day)
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
    summary.family = _family(user, person, day)
    return summary


def own_rows(person: Person, day: dt.date) -> dict[str, Any]:
    """The parts of the summary that depend only on the person's own rows and the day: what the
    stored digest holds (`people.digests`)."""
    has = _presence(person, day)
    allocated = PersonSummary(person=person)
    _allocation(allocated, person, day)
    return {
        "statuses": [asdict(s) for s in _statuses(person, day, has)],
        "worker": allocated.worker,
        "team": allocated.team,
        "alerts": [asdict(a) for a in _alerts(person, day, has)],
    }


def _presence(person: Person, day: dt.date) -> dict[str, bool]:
    """Which kinds of row the person has, in one query (each an indexed EXISTS), so that the summary
    reads only the rows that are there: most people have two or three of the eleven."""
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
    row = Person.objects.filter(pk=person.pk).values(**annotations).first()
    return {name: bool(row and row[f"has_{name}"]) for name in checks}


def _statuses(person: Person, day: dt.date, has: dict[str, bool]) -> list[Status]:
    statuses: list[Status] = []
    if person.date_of_death:
        statuses.append(Status("Died", "grey", f"Died on {person.date_of_death:%-d %B %Y}"))
    cp = ChildProtectionPlan.objects.filter(child=person, end_date__isnull=True).first() if has["cp"] else None
    if cp is not None:
        detail = f"Since {cp.start_date:%-d %B %Y}; category {cp.get_latest_category_display()}"
        statuses.append(Status("Child protection plan", "red", detail + (" (pre-birth)" if cp.is_pre_birth else "")))
    cin = ChildInNeedPlan.objects.filter(child=person, end_date__isnull=True).first() if has["cin"] else None
    if cin is not None:
        statuses.append(Status("Child in need plan", "yellow", f"Since {cin.start_date:%-d %B %Y}"))
    period = PeriodOfCare.objects.filter(child=person, end_date__isnull=True).first() if has["period"] else None
    if period is not None:
        care = CareEpisode.objects.filter(period=period, end_date__isnull=True).first()
        detail = f"Since {period.start_date:%-d %B %Y}"
        if care is not None:
            detail += f"; legal status {care.get_legal_status_display()}; placement {care.get_placement_type_display()}"
        statuses.append(Status("Looked after", "purple", detail))
    elif _is_care_leaver(person, day, has):
        statuses.append(Status("Care leaver", "turquoise", "Was looked after; the leaving care service keeps in touch"))
    contact = None
    if has["contact"]:
        contact = Contact.objects.filter(child=person).exclude(status=ContactStatus.DECIDED).order_by("-pk").first()
    if contact is not None:
        detail = f"Contact on {contact.contact_date:%-d %B %Y}, {contact.get_status_display().lower()}"
        statuses.append(
            Status("At the front door", "orange", detail + f"; decision due {contact.decision_due:%-d %B %Y}")
        )
    episode = None
    if has["episode"]:
        episode = ReferralEpisode.objects.filter(child=person).order_by("-referral_date", "-pk").first()
    if episode is not None and episode.is_open and not statuses:
        statuses.append(Status("Open referral", "blue", f"Referred on {episode.referral_date:%-d %B %Y}"))
    elif episode is not None and not episode.is_open and period is None:
        reason = episode.get_closure_reason_display()
        closed = Status("Closed", "grey", f"Closed on {episode.closure_date:%-d %B %Y}: {reason}")
        statuses.append(closed)
    help_episode = (
        HelpEpisode.objects.filter(child=person, end_date__isnull=True).select_related("lead_practitioner").first()
        if has["help"]
        else None
    )
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


def _allocation(summary: PersonSummary, person: Person, day: dt.date) -> None:
    """The allocated social worker; for a family in early help / Family Help only, its lead practitioner."""
    allocations = (
        Allocation.objects.current(day)
        .filter(person=person, kind__in=[AllocationKind.ALLOCATED_WORKER, AllocationKind.LEAD_PRACTITIONER])
        .select_related("worker", "team")
    )
    allocation = min(
        allocations,
        key=lambda a: (
            a.kind != AllocationKind.ALLOCATED_WORKER,
            a.worker_id is None,
            -a.start_date.toordinal(),
            -a.pk,
        ),
        default=None,
    )
    if allocation is not None:
        summary.team = allocation.team.name
        summary.worker = str(allocation.worker) if allocation.worker else ""


def _key_dates(summary: PersonSummary, person: Person, day: dt.date, kinds: tuple[str, ...] = ()) -> None:
    open_tasks = Task.objects.open().filter(person=person)
    if kinds:
        open_tasks = open_tasks.filter(kind__in=kinds)
    tasks = list(open_tasks.order_by("due_date", "pk")[: KEY_DATES_SHOWN * 5])
    summary.overdue = sum(1 for t in tasks if t.due_date < day)
    summary.key_dates = [KeyDate(t.title, t.due_date, t.due_date < day, t.due_date == day) for t in tasks][
        :KEY_DATES_SHOWN
    ]
    summary.more_dates = max(0, len(tasks) - KEY_DATES_SHOWN)


def _alerts(person: Person, day: dt.date, has: dict[str, bool]) -> list[Alert]:
    alerts: list[Alert] = []
    if person.is_restricted:
        alerts.append(Alert("Restricted record", "Only the people named on it may see it"))
    current = Q(end_date__isnull=True) | Q(end_date__gte=day)
    for alert in PersonAlert.objects.filter(current, person=person, start_date__lte=day) if has["alert"] else []:
        alerts.append(Alert(AlertKind(alert.kind).label, alert.detail))
    missing = MissingEpisode.objects.filter(child=person, end_date__isnull=True).first() if has["missing"] else None
    if missing is not None:
        alerts.append(Alert("Missing now", f"{missing.get_kind_display()} since {missing.start_date:%-d %B %Y}"))
    if has["uasc"]:
        alerts.append(Alert("Unaccompanied asylum-seeking child"))
    rows = Disability.objects.filter(person=person) if has["disability"] else []
    disabilities = [d.get_code_display() for d in rows if d.code != "NONE"]
    if disabilities:
        alerts.append(Alert("Disability", "; ".join(disabilities)))
    return alerts


def _family(user: Any, person: Person, day: dt.date) -> list[FamilyMember]:
    """Relatives both ways and family-group members, each once, nearest first; only those visible."""
    roles: dict[int, tuple[str, bool]] = {}
    for rel in Relationship.objects.filter(relative=person).values("person_id", "kind", "lives_with"):
        roles.setdefault(rel["person_id"], (ROLE.get(rel["kind"], "Relative"), rel["lives_with"]))
    for out in Relationship.objects.filter(person=person).values("relative_id", "kind", "lives_with"):
        roles.setdefault(out["relative_id"], (INVERSE_ROLE.get(out["kind"], "Relative"), out["lives_with"]))
    groups = FamilyMembership.objects.filter(person=person).values("family_id")
    for member in (
        FamilyMembership.objects.filter(family_id__in=groups)
        .exclude(person=person)
        .order_by("pk")
        .values("person_id", "role")[:60]
    ):
        roles.setdefault(member["person_id"], ((member["role"] or "Family member").capitalize(), False))
    if not roles:
        return []
    visible = access.visible_persons(user).filter(pk__in=list(roles)[:100])
    people = visible.only("pk", "first_name", "last_name", "date_of_birth", "expected_date_of_birth", "date_of_death")
    found = []
    for relative in people:
        role, lives_with = roles[relative.pk]
        found.append(FamilyMember(relative.pk, relative.full_name, role, _age(relative, day), lives_with))
    order = list(roles)
    return sorted(found, key=lambda m: order.index(m.person_id))


def _age(person: Person, day: dt.date) -> str:
    if person.date_of_death:
        return f"died {person.date_of_death:%Y}"
    if person.date_of_birth is None:
        return f"due {person.expected_date_of_birth:%b %Y}" if person.expected_date_of_birth else ""
    return f"age {person.age_on(day)}"
