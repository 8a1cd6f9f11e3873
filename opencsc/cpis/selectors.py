"""Reads for CP-IS: the three cohorts, the records a new upload would carry (with delete records for
what must leave CP-IS), the NHS number completeness report, and the lists the pages show.

Cohorts (docs/domain-reference.md section 3.1), judged on the build date `today`:

* CPP: children with a child protection plan that is open, or ended within the last 12 months (the
  end date is sent). A plan started while the child was unborn counts from the date of birth.
* LAC: children with a period of care that is open or ended within the last 12 months (LAC start and
  end dates). Periods made up only of short breaks (legal status V3 or V4) are left out: CP-IS covers
  care orders and voluntary accommodation.
* UCP: unborn children with a child protection plan, sent against the MOTHER's NHS number and
  carrying nothing about the unborn child. The unborn plan ends at birth (or when the plan ends,
  for example after a miscarriage) and stays in the file, ended, for 12 months like any other plan.
  Twins' plans become one record for their mother.

Plans that start after the build date are not sent. Only records whose NHS number passes Modulus 11
and is verified on the Spine are sent; the rest are the completeness report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from opencsc.accounts import access
from opencsc.casework.models import CareEpisode, ChildProtectionPlan, PeriodOfCare
from opencsc.cpis.models import InboundMessage, Notification, PlanType, RecordAction, Upload, UploadRecord
from opencsc.people.identifiers import nhs_number_error, normalise_nhs_number
from opencsc.people.models import Person, Relationship, RelationshipKind
from opencsc.people.services import nhs_number_index

SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})
CPIS_GO_LIVE_MATCH_RATE = 95.0  # per cent of in-scope records matched to NHS numbers [S31h]

CPP_SOURCE = "casework.ChildProtectionPlan"
LAC_SOURCE = "casework.PeriodOfCare"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or the month's last day when it has none (29 Feb -> 28 Feb)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def window_start(today: dt.date) -> dt.date:
    """Records that ended on or after this date are still sent (ended within the last 12 months)."""
    return months_before(today, 12)


@dataclass
class CohortRecord:
    """One record CP-IS should hold, before checking the NHS number."""

    plan_type: str
    child_ids: list[int]
    subject: Person | None  # whose NHS number is sent; None when an unborn child has no mother linked
    source_type: str
    source_ids: list[int]
    start_date: dt.date
    end_date: dt.date | None
    in_window: bool = True
    problems: list[str] = field(default_factory=list)
    la_child_ids: list[str] = field(default_factory=list)

    @property
    def nhs_number(self) -> str:
        return normalise_nhs_number(self.subject.nhs_number) if self.subject is not None else ""

    @property
    def sendable(self) -> bool:
        return not self.problems

    @property
    def whose(self) -> str:
        return "mother's" if self.plan_type == PlanType.UCP else "child's"


def _ended_in_window(end: dt.date | None, today: dt.date) -> bool:
    return end is None or end >= window_start(today)


def _mothers(child_ids: Iterable[int]) -> dict[int, list[Person]]:
    """{unborn child id: [female parents]} from the parent relationships (mother -> child)."""
    found: dict[int, list[Person]] = defaultdict(list)
    links = Relationship.objects.filter(
        relative_id__in=list(child_ids), kind=RelationshipKind.PARENT, person__sex="F"
    ).select_related("person")
    for link in links:
        found[link.relative_id].append(link.person)
    return found


def _short_break_only_periods(period_ids: list[int]) -> set[int]:
    statuses: dict[int, set[str]] = defaultdict(set)
    for period_id, status in CareEpisode.objects.filter(period_id__in=period_ids).values_list(
        "period_id", "legal_status"
    ):
        statuses[period_id].add(status)
    return {pid for pid, codes in statuses.items() if codes and codes <= SHORT_BREAK_LEGAL_STATUSES}


def _candidates(today: dt.date) -> list[CohortRecord]:
    """Every record the cohort rules produce, whatever its age (`in_window` says whether it is sent)."""
    records: list[CohortRecord] = []
    plans = list(
        ChildProtectionPlan.objects.filter(start_date__lte=today).select_related("child").order_by("start_date", "pk")
    )
    unborn_plans: list[tuple[ChildProtectionPlan, dt.date | None]] = []  # (plan, date the unborn plan ended)
    for plan in plans:
        child = plan.child
        born = child.date_of_birth
        if born is None and child.expected_date_of_birth is not None:
            unborn_plans.append((plan, plan.end_date))
            continue
        if born is not None and plan.start_date < born:
            # A pre-birth plan carried on at birth: unborn plan until the birth, child's plan from it.
            ucp_end = min(born, plan.end_date) if plan.end_date else born
            unborn_plans.append((plan, ucp_end))
            if plan.end_date is not None and plan.end_date <= born:
                continue
            start = born
        else:
            start = plan.start_date
        records.append(
            CohortRecord(
                plan_type=PlanType.CPP,
                child_ids=[child.pk],
                subject=child,
                source_type=CPP_SOURCE,
                source_ids=[plan.pk],
                start_date=start,
                end_date=plan.end_date,
                in_window=_ended_in_window(plan.end_date, today),
                la_child_ids=[child.la_child_id or ""],
            )
        )
    records += _unborn_records(unborn_plans, today)
    periods = list(PeriodOfCare.objects.filter(start_date__lte=today).select_related("child").order_by("start_date"))
    short_breaks = _short_break_only_periods([p.pk for p in periods])
    for period in periods:
        if period.pk in short_breaks:
            continue
        records.append(
            CohortRecord(
                plan_type=PlanType.LAC,
                child_ids=[period.child_id],
                subject=period.child,
                source_type=LAC_SOURCE,
                source_ids=[period.pk],
                start_date=period.start_date,
                end_date=period.end_date,
                in_window=_ended_in_window(period.end_date, today),
                la_child_ids=[period.child.la_child_id or ""],
            )
        )
    for record in records:
        record.problems = _problems(record)
    return records


def _unborn_records(
    unborn_plans: list[tuple[ChildProtectionPlan, dt.date | None]], today: dt.date
) -> list[CohortRecord]:
    """One UCP record per mother (twins share one), or one per unborn child with no single mother."""
    mothers = _mothers({plan.child_id for plan, _ in unborn_plans})
    grouped: dict[Any, list[tuple[ChildProtectionPlan, dt.date | None]]] = defaultdict(list)
    for plan, end in unborn_plans:
        candidates = mothers.get(plan.child_id, [])
        key = ("mother", candidates[0].pk) if len(candidates) == 1 else ("child", plan.child_id, len(candidates))
        grouped[key].append((plan, end))
    records = []
    for key, items in grouped.items():
        ends = [end for _, end in items]
        end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        child_ids = sorted({plan.child_id for plan, _ in items})
        subject = mothers[items[0][0].child_id][0] if key[0] == "mother" else None
        problems = []
        if key[0] == "child":
            problems.append(
                "No mother is linked to the unborn child as a parent"
                if key[2] == 0
                else "More than one woman is linked to the unborn child as a parent: CP-IS needs the mother"
            )
        records.append(
            CohortRecord(
                plan_type=PlanType.UCP,
                child_ids=child_ids,
                subject=subject,
                source_type=CPP_SOURCE,
                source_ids=sorted(plan.pk for plan, _ in items),
                start_date=min(plan.start_date for plan, _ in items),
                end_date=end,
                in_window=_ended_in_window(end, today),
                problems=problems,
                la_child_ids=[plan.child.la_child_id or "" for plan, _ in items],
            )
        )
    return records


def _problems(record: CohortRecord) -> list[str]:
    if record.problems or record.subject is None:
        return record.problems or ["No person to send"]
    whose = record.whose
    number = record.nhs_number
    if not number:
        return [f"No NHS number on the {whose} record"]
    if nhs_number_error(number):
        return [f"The {whose} NHS number fails the Modulus 11 check"]
    if not record.subject.nhs_number_verified:
        return [f"The {whose} NHS number has not been verified on the NHS Spine"]
    return []


def cohort(today: dt.date | None = None) -> list[CohortRecord]:
    """The records CP-IS should hold on `today`: the three cohorts only, sendable or not."""
    day = today or timezone.localdate()
    return [record for record in _candidates(day) if record.in_window]


# --- The next upload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRecord:
    """A record as the upload will carry it."""

    plan_type: str
    action: str
    nhs_number: str
    start_date: dt.date
    end_date: dt.date | None
    delete_date: dt.date | None
    subject_id: int | None
    child_ids: tuple[int, ...]
    source_type: str
    source_ids: tuple[int, ...]


def _previous_live_records() -> list[UploadRecord]:
    latest = Upload.objects.order_by("-sequence").first()
    if latest is None:
        return []
    return list(latest.records.filter(action=RecordAction.LIVE))


def planned_records(today: dt.date | None = None) -> list[PlannedRecord]:
    """What the next upload carries: every sendable cohort record, then a delete record (delete date
    = build date) for each live record of the previous upload that must leave CP-IS.

    Delete rule: a record sent last time that is no longer in the cohort is deleted when its plan or
    period no longer exists (entered in error and removed), when the person's NHS number has changed
    (the old number must stop carrying the flag), or when it no longer qualifies for another reason
    (a period that became short breaks only, a plan whose start moved into the future, an unborn
    child's mother corrected). It is NOT deleted when it merely left the 12-month window (CP-IS shows
    it as ended) or when the number is unchanged but now unverified (fixed through the completeness
    report). A number that is live in this file is never deleted in the same file."""
    day = today or timezone.localdate()
    candidates = _candidates(day)
    live = [r for r in candidates if r.in_window and r.sendable]
    planned = [
        PlannedRecord(
            plan_type=r.plan_type,
            action=RecordAction.LIVE,
            nhs_number=r.nhs_number,
            start_date=r.start_date,
            end_date=r.end_date,
            delete_date=None,
            subject_id=r.subject.pk if r.subject is not None else None,
            child_ids=tuple(r.child_ids),
            source_type=r.source_type,
            source_ids=tuple(r.source_ids),
        )
        for r in live
    ]
    live_keys = {(p.plan_type, nhs_number_index(p.nhs_number)) for p in planned}
    # Records that still exist under the same number but are outside the window or unverified.
    still_there = {
        (r.plan_type, nhs_number_index(r.nhs_number))
        for r in candidates
        if r.subject is not None and r.nhs_number and not nhs_number_error(r.nhs_number)
    }
    for old in _previous_live_records():
        key = (old.plan_type, old.nhs_number_index)
        if key in live_keys or key in still_there:
            continue
        live_keys.add(key)
        planned.append(
            PlannedRecord(
                plan_type=old.plan_type,
                action=RecordAction.DELETE,
                nhs_number=old.nhs_number,
                start_date=old.start_date,
                end_date=old.end_date,
                delete_date=day,
                subject_id=old.subject_id,
                child_ids=tuple(old.child_ids),
                source_type=old.source_type,
                source_ids=tuple(old.source_ids),
            )
        )
    return planned


# --- Completeness report ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletenessRow:
    plan_type: str
    plan_label: str
    la_child_ids: tuple[str, ...]
    problem: str
    person_id: int | None  # where to fix it: the child's record, or the mother's for an unborn plan
    link: bool
    child_ids: tuple[int, ...] = ()  # the records whose LA child ids the row shows (for the audit event)


@dataclass(frozen=True)
class Completeness:
    total: int
    matched: int
    rows: list[CompletenessRow]
    by_type: dict[str, tuple[int, int]]  # plan type -> (matched, total)

    @property
    def unmatched(self) -> int:
        return self.total - self.matched

    @property
    def match_rate(self) -> float:
        return 100.0 if self.total == 0 else round(100.0 * self.matched / self.total, 1)

    @property
    def meets_go_live(self) -> bool:
        return self.match_rate >= CPIS_GO_LIVE_MATCH_RATE


def completeness(*, user: Any = None, today: dt.date | None = None) -> Completeness:
    """Cohort members without a valid, verified NHS number, with counts and the match rate.

    With a user who is not information governance, rows are limited to the children that user may
    see; counts are always for the whole cohort (they identify nobody). Links are offered only for
    records the user may open."""
    records = cohort(today)
    by_type: dict[str, list[int]] = {t: [0, 0] for t in PlanType.values}
    for r in records:
        by_type[r.plan_type][1] += 1
        by_type[r.plan_type][0] += int(r.sendable)
    unmatched = [r for r in records if not r.sendable]
    whole = user is None or access.can_manage_cpis(user)
    visible: set[int] = set()
    if user is not None:
        ids = {pid for r in unmatched for pid in [*r.child_ids, *([r.subject.pk] if r.subject else [])]}
        visible = set(access.visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for r in unmatched:
        if not whole and not (set(r.child_ids) & visible):
            continue
        target = r.subject.pk if r.subject is not None else r.child_ids[0]
        rows.append(
            CompletenessRow(
                plan_type=r.plan_type,
                plan_label=PlanType(r.plan_type).label,
                la_child_ids=tuple(i for i in r.la_child_ids if i) or ("(none recorded)",),
                problem=r.problems[0],
                person_id=target,
                link=target in visible,
                child_ids=tuple(r.child_ids),
            )
        )
    rows.sort(key=lambda row: (row.plan_type, row.la_child_ids))
    return Completeness(
        total=len(records),
        matched=sum(1 for r in records if r.sendable),
        rows=rows,
        by_type={k: (v[0], v[1]) for k, v in by_type.items()},
    )


# --- Lists for the pages --------------------------------------------------------------------------


def recent_uploads(limit: int = 20) -> QuerySet[Upload]:
    return Upload.objects.all()[:limit]


def recent_messages(limit: int = 20) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.select_related("upload")[:limit]


def failed_records(limit: int = 200) -> QuerySet[UploadRecord]:
    """Records CP-IS did not accept, newest upload first (shown to IG with the LA child ids)."""
    return (
        UploadRecord.objects.exclude(response_code="")
        .exclude(response_code="CPR06")
        .select_related("upload")
        .order_by("-upload__sequence", "number")[:limit]
    )


def unmatched_notifications(limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(child_ids=[]).select_related("message")[:limit]


def la_child_ids(person_ids: Iterable[int]) -> dict[int, str | None]:
    """Person id -> LA child id (None where the record has none yet)."""
    return dict(Person.objects.filter(pk__in=list(person_ids)).values_list("pk", "la_child_id"))
