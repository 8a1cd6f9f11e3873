"""Load a legacy CIN census or SSDA903 return into the record, for onboarding a council.

Every write goes through the people and casework services, exactly as a worker's pages do, so the
entry invariants, status history and audit events are the same; the acting process is the named
system actor ``system:import_return``. The services need a member of staff who may change the child:
that is the import account (``system.import_return``, a team manager of the "Imported records" team
who cannot sign in). Every child the import creates is allocated to that team until a manager
reallocates them.

* Atomic: the whole file is one transaction. A file that cannot be read (hostile XML, too large, not
  a return) is refused before anything is written; a row the services refuse rolls its child back
  (a savepoint per child) and is reported with its rule, row and reason; unless `partial` is set,
  any refused row rolls the whole import back.
* Idempotent: children are matched on the LA child id, and each event on the child and its date
  (referral date, episode start, review date...), so the same file twice changes nothing.
* Reported: `ImportReport` lists what was created, matched or skipped, every refused row (rule, table,
  row, child, reason) and what the record has nowhere to keep yet (notes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.accounts.services import allocation_open
from opencsc.audit.services import Actor, record_event
from opencsc.casework import services as cw
from opencsc.casework.models import (
    AdoptionRecord,
    AssessmentOutcome,
    CareEpisode,
    CareLeaverContact,
    ConferenceKind,
    ConferenceOutcome,
    DeprivationOfLibertyOrder,
    HealthCheck,
    HealthCheckKind,
    LookedAfterReview,
    MissingEpisode,
    PeriodOfCare,
    PreviousPermanence,
    ReferralEpisode,
    Section47Outcome,
    SocialWorkerEpisode,
    UascStatus,
)
from opencsc.core.codelists import SUPPORTED_YEARS
from opencsc.core.uploads import FileRefused, check_path
from opencsc.people import services as people
from opencsc.people.models import Disability, Person
from opencsc.returns.build.common import Period, Progress, Ticker, birthday_in, year_of
from opencsc.returns.cin.tables import CINTables
from opencsc.returns.cin.xml_io import CINFormatError, UnsafeXMLError, read_cin_xml
from opencsc.returns.ssda903.csv_io import ReturnFileError, read_903_dir
from opencsc.returns.ssda903.screening import screen_903

ACTOR_NAME = "import_return"
IMPORT_USERNAME = "system.import_return"
IMPORT_TEAM = "Imported records (awaiting allocation)"
NO_NAME = "Not recorded (imported)"  # a return carries no names; the record needs a last name
DELAY_REASON = "Recorded in the previous case system; imported from its return"
MAX_CIN_BYTES = 512 * 1024 * 1024
MAX_903_FILE_BYTES = 256 * 1024 * 1024


class ImportRefused(FileRefused):
    """The whole file was refused before anything was written (the message says why)."""


@dataclass(frozen=True)
class RowIssue:
    """One row refused (or kept only in part), and why."""

    rule: str  # the service's field, or the reading step, that refused it
    table: str
    row: int | None
    child: str | None
    reason: str


@dataclass
class ImportReport:
    kind: str
    year: str
    children: int = 0
    children_created: int = 0
    children_matched: int = 0
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # already in the record: left alone
    rejected: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)
    # For each child already in the record, what this file added to or changed in it (a later year's return
    # closing episodes and adding new ones): LA child id -> what -> how many.
    updated: dict[str, Counter] = field(default_factory=dict)
    committed: bool = False

    def lines(self) -> list[str]:
        """The report as printed by `manage.py import_return`: totals, then every refused row."""
        out = [
            f"{self.kind} {self.year}: {self.children} children "
            f"({self.children_created} created, {self.children_matched} already in the record)",
            "Created: " + (", ".join(f"{k} {v}" for k, v in sorted(self.created.items())) or "nothing"),
            "Already present, left alone: "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "nothing"),
            f"Children already in the record brought up to date: {len(self.updated)}",
        ]
        out += [
            f"  UPDATED child={child}: " + ", ".join(f"{k} {v}" for k, v in sorted(changes.items()))
            for child, changes in sorted(self.updated.items())
        ]
        out.append(f"Rejected rows: {len(self.rejected)}")
        out += [
            f"  REJECTED rule={i.rule} table={i.table} row={i.row} child={i.child}: {i.reason}" for i in self.rejected
        ]
        if self.notes:
            out.append(f"Notes (kept in part, or nowhere to keep it yet): {len(self.notes)}")
            out += [f"  NOTE rule={i.rule} table={i.table} row={i.row} child={i.child}: {i.reason}" for i in self.notes]
        out.append("Committed." if self.committed else "Nothing was changed (the import was rolled back).")
        return out


class _Rejected(Exception):
    def __init__(self, issue: RowIssue) -> None:
        super().__init__(issue.reason)
        self.issue = issue


class _Rollback(Exception):
    pass


def supported_year(year: str, kind: str) -> str:
    """The collection year, or `ImportRefused` saying which years the record can take."""
    if year not in SUPPORTED_YEARS:
        raise ImportRefused(
            f"{kind} returns for the collection year {year!r} cannot be imported: the record knows the DfE's "
            f"rules and codes for {', '.join(SUPPORTED_YEARS)} (give one of those, like --year {SUPPORTED_YEARS[-1]})"
        )
    return year


def _messages(exc: Exception) -> tuple[str, str]:
    """(field, message) from a service's refusal."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            name, messages = next(iter(exc.message_dict.items()))
            return name, "; ".join(messages)
        return "value", "; ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return "access", str(exc) or "The import account may not change this record"
    return type(exc).__name__, str(exc)


def import_account() -> User:
    """The staff account the services act as (a team manager of the import team; cannot sign in)."""
    team, _ = Team.objects.get_or_create(name=IMPORT_TEAM, defaults={"kind": TeamKind.SYSTEMS})
    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={
            "role": Role.TEAM_MANAGER,
            "team": team,
            "first_name": "Return",
            "last_name": "import",
            "job_title": "System process: import_return",
            "password": make_password(None),
        },
    )
    if created:
        user.managed_teams.add(team)
    return user


class _Importer:
    def __init__(self, kind: str, year: str, partial: bool) -> None:
        self.report = ImportReport(kind=kind, year=year)
        self.partial = partial
        self.actor = Actor.system(ACTOR_NAME)
        self.period = Period.of(year)
        self._matched: str | None = None  # the LA child id of the child being imported, when already held
        self._changes: Counter = Counter()

    def start(self) -> None:
        """Inside the import's transaction: the import account and its team (created on first use), so an
        import that is refused or killed leaves neither behind."""
        self.user: User = import_account()
        if self.user.team is None:
            raise ImportRefused(f"The import account {IMPORT_USERNAME} has no team: give it the team {IMPORT_TEAM!r}")
        self.team: Team = self.user.team

    # --- common steps ----------------------------------------------------------------------------
    def call(self, table: str, row: int | None, code: str | None, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run one service call; a refusal becomes a rejected row (and rolls the child back)."""
        try:
            return fn(actor_user=self.user, actor=self.actor, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            name, message = _messages(exc)
            raise _Rejected(RowIssue(name, table, row, code, message)) from exc

    def note(self, rule: str, table: str, row: int | None, child: str | None, reason: str) -> None:
        self.report.notes.append(RowIssue(rule, table, row, child, reason))

    def changed(self, what: str) -> None:
        """Count a change made to a record already held (an end date, a closure), for the per-child report."""
        if self._matched is not None:
            self._changes[what] += 1

    @contextmanager
    def child_savepoint(self) -> Iterator[None]:
        """One child's writes: all of them, or (when a row is refused) none, with the refusal reported.
        For a child already in the record, what was added or changed is reported against the child."""
        r = self.report
        before = (r.children_created, r.children_matched, Counter(r.created), Counter(r.skipped), len(r.notes))
        self._matched, self._changes = None, Counter()
        try:
            with transaction.atomic():
                yield
        except _Rejected as exc:
            r.children_created, r.children_matched, r.created, r.skipped = before[:4]
            del r.notes[before[4] :]
            r.rejected.append(exc.issue)
        else:
            if self._matched is not None:
                changes = (r.created - before[2]) + self._changes
                if changes:
                    r.updated[self._matched] = changes
        finally:
            self._matched = None

    def person(self, code: str, table: str, row: int, data: dict[str, Any]) -> tuple[Person, bool]:
        """The child with this LA child id, created through the people service when new."""
        found = Person.objects.filter(la_child_id=code).first()
        if found is not None:
            self.report.children_matched += 1
            self._matched = code
            if not access.can_change_person(self.user, found.pk):
                allocation_open(actor=self.actor, person=found, team=self.team)
            return found, False
        data = {k: v for k, v in data.items() if v not in (None, "")}
        person = self.call(
            table,
            row,
            code,
            people.person_create,
            data={"is_child": True, "last_name": NO_NAME, "la_child_id": code, **data},
        )
        self.report.children_created += 1
        self.report.created["person"] += 1
        return person, True

    def finish(self) -> None:
        if self.report.rejected and not self.partial:
            raise _Rollback
        record_event(
            actor=self.actor,
            action="return.import",
            detail={
                "kind": self.report.kind,
                "year": self.report.year,
                "children": self.report.children,
                "created": dict(self.report.created),
                "rejected": len(self.report.rejected),
            },
        )
        self.report.committed = True


def _run(importer: _Importer, body: Callable[[], None]) -> ImportReport:
    try:
        with transaction.atomic():
            importer.start()
            body()
            importer.finish()
    except _Rollback:
        importer.report.committed = False
    return importer.report


# --- CIN census ---------------------------------------------------------------------------------


def read_cin_for_import(path: str | Path, max_bytes: int = MAX_CIN_BYTES) -> CINTables:
    """The return's tables, or `ImportRefused` (too large, hostile, not a CIN message)."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(f"{path} is not a file")
    check_path(path, limit=max_bytes, what="a CIN census file")
    try:
        return read_cin_xml(path)
    except UnsafeXMLError as exc:
        raise ImportRefused(
            f"{path.name} was refused: it uses XML features that can attack the reader ({exc})"
        ) from exc
    except CINFormatError as exc:
        raise ImportRefused(f"{path.name} is not a CIN census message: {exc}") from exc


def import_cin(
    path: str | Path,
    *,
    year: str | None = None,
    partial: bool = False,
    max_bytes: int = MAX_CIN_BYTES,
    progress: Progress | None = None,
) -> ImportReport:
    """Load a CIN census XML file into the record (see the module docstring)."""
    tables = read_cin_for_import(path, max_bytes)
    ref = tables.header.get("ReferenceDate")
    year = year or (year_of(ref) if isinstance(ref, dt.date) else None)
    if year is None:
        raise ImportRefused("The header has no reference date: give the collection year (--year 2025-26)")
    supported_year(year, "CIN census")
    importer = _CINImporter("CIN", year, partial)
    for problem in tables.problems:
        importer.note("SCHEMA", problem.table, problem.row, None, f"{problem.field} {problem.raw!r} is not readable")

    def body() -> None:
        ticker = Ticker(progress, len(tables))
        for index in range(len(tables)):
            importer.child(tables.child_record(index), index)
            ticker.tick()

    return _run(importer, body)


class _CINImporter(_Importer):
    def child(self, record: dict[str, Any], index: int) -> None:
        ident = record["ChildIdentifiers"]
        code = ident.get("LAchildID")
        self.report.children += 1
        if not code:
            self.report.rejected.append(RowIssue("8500", "ChildIdentifiers", index, None, "The child has no LAchildID"))
            return
        with self.child_savepoint():
            person, created = self.person(
                code,
                "ChildIdentifiers",
                index,
                {
                    "upn": ident.get("UPN"),
                    "former_upn": ident.get("FormerUPN"),
                    "upn_unknown_reason": ident.get("UPNunknown"),
                    "date_of_birth": ident.get("PersonBirthDate"),
                    "expected_date_of_birth": ident.get("ExpectedPersonBirthDate"),
                    "sex": ident.get("Sex") or "U",
                    "date_of_death": ident.get("PersonDeathDate"),
                    "ethnicity": record.get("Ethnicity"),
                },
            )
            if created:
                for code_ in dict.fromkeys(record.get("Disabilities") or ()):
                    self.call(
                        "Disabilities",
                        index,
                        code,
                        people.part_add,
                        person=person,
                        model=Disability,
                        data={"code": code_},
                    )
                    self.report.created["disability"] += 1
            episodes = list(enumerate(record.get("CINdetails") or ()))
            # Oldest first, so an episode this file closes is closed before the next one opens.
            episodes.sort(key=lambda item: (item[1].get("CINreferralDate") or dt.date.min, item[0]))
            for number, episode in episodes:
                self.episode(person, code, index, number, episode)

    def episode(self, person: Person, code: str, index: int, number: int, ep: dict[str, Any]) -> None:
        referral = ep.get("CINreferralDate")
        if referral is None:
            raise _Rejected(RowIssue("8600", "CINdetails", index, code, f"Episode {number + 1} has no referral date"))
        # An episode already held (last year's return, or recorded by a worker) is brought up to date: every
        # step below finds what is already there and adds only what is new (closures, end dates, plans...).
        existing = ReferralEpisode.objects.filter(child=person, referral_date=referral).first()
        events: list[tuple[dt.date, int, Callable[[dict[str, Any]], None]]] = []
        state: dict[str, Any] = {}

        def add(day: dt.date | None, order: int, fn: Callable[[dict[str, Any]], None]) -> None:
            if day is not None:
                events.append((day, order, fn))

        plans = ep.get("ChildProtectionPlans") or []
        icpcs = {s.get("DateOfInitialCPC") for s in ep.get("Section47") or () if s.get("DateOfInitialCPC")}

        def referral_step(s: dict[str, Any]) -> None:
            if existing is not None:
                s["episode"] = existing
                self.report.skipped["referral episode"] += 1
                return
            s["episode"] = self.call(
                "CINdetails",
                index,
                code,
                cw.referral_create,
                child=person,
                referral_date=referral,
                source=ep.get("ReferralSource") or "",
                primary_need=ep.get("PrimaryNeedCode") or "",
                referral_nfa=bool(ep.get("ReferralNFA")),
            )
            self.report.created["referral episode"] += 1

        add(referral, 0, referral_step)
        for a in ep.get("Assessments") or ():
            self._assessment(add, person, code, index, a)
        for s47 in ep.get("Section47") or ():
            self._section47(add, code, index, s47, plans)
        for plan in plans:
            self._cp_plan(add, person, code, index, plan, icpcs)
        for cin_plan in ep.get("CINPlanDates") or ():
            self._cin_plan(add, code, index, cin_plan)
        closed = ep.get("CINclosureDate")
        if closed is not None:

            def close(s: dict[str, Any]) -> None:
                s["episode"].refresh_from_db()
                if s["episode"].closure_date is not None:
                    return
                self.changed("referral episode closed")
                self.call(
                    "CINdetails",
                    index,
                    code,
                    cw.episode_close,
                    episode=s["episode"],
                    closure_date=closed,
                    closure_reason=ep.get("ReasonForClosure") or "",
                )

            add(closed, 10, close)
        for _day, _order, step in sorted(events, key=lambda e: (e[0], e[1])):
            step(state)

    def _assessment(self, add: Callable, person: Person, code: str, index: int, a: dict[str, Any]) -> None:
        start, done = a.get("AssessmentActualStartDate"), a.get("AssessmentAuthorisationDate")
        holder: dict[str, Any] = {}

        def begin(s: dict[str, Any]) -> None:
            holder["a"] = s["episode"].assessments.filter(start_date=start).first()
            if holder["a"] is not None:
                return
            holder["a"] = self.call(
                "Assessments", index, code, cw.assessment_start, episode=s["episode"], start_date=start
            )
            self.report.created["assessment"] += 1

        def finish(s: dict[str, Any]) -> None:
            assessment = holder["a"]
            assessment.refresh_from_db()
            if assessment.authorised_date is not None:
                return
            self.changed("assessment completed")
            if assessment.completed_date is None:  # a worker may have completed it, awaiting authorisation
                self.call(
                    "Assessments",
                    index,
                    code,
                    cw.assessment_complete,
                    assessment=assessment,
                    completed_date=done,
                    factors=list(a.get("AssessmentFactors") or ()),
                    outcome=AssessmentOutcome.OTHER,
                    delay_reason=DELAY_REASON,
                )
            self.call("Assessments", index, code, cw.assessment_authorise, assessment=assessment, authorised_date=done)

        add(start, 1, begin)
        add(done, 8, finish)

    def _section47(self, add: Callable, code: str, index: int, s47: dict[str, Any], plans: list[dict]) -> None:
        start, icpc = s47.get("S47ActualStartDate"), s47.get("DateOfInitialCPC")
        plan = next((p for p in plans if icpc is not None and p.get("CPPstartDate") == icpc), None)
        holder: dict[str, Any] = {}

        def begin(s: dict[str, Any]) -> None:
            holder["s47"] = s["episode"].section47s.filter(start_date=start).first()
            if holder["s47"] is not None:
                return
            discussion = self.call(
                "Section47",
                index,
                code,
                cw.strategy_discussion_record,
                episode=s["episode"],
                discussion_date=start,
                start_section47=True,
            )
            holder["s47"] = discussion.section47
            self.report.created["section 47"] += 1

        def conference(s: dict[str, Any]) -> None:
            held = s["episode"].conferences.filter(kind=ConferenceKind.INITIAL, conference_date=icpc).exists()
            if held:
                if plan:
                    s.setdefault("plans", {})[id(plan)] = s["episode"].cp_plans.get(start_date=icpc)
                return
            self.call(
                "Section47",
                index,
                code,
                cw.conference_record,
                episode=s["episode"],
                kind=ConferenceKind.INITIAL,
                conference_date=icpc,
                outcome=ConferenceOutcome.PLAN if plan else ConferenceOutcome.NO_PLAN,
                category=(plan or {}).get("InitialCategoryOfAbuse") or "",
                previous_plans=_previous_plans(plan),
            )
            self.report.created["initial conference"] += 1
            if plan:
                s.setdefault("plans", {})[id(plan)] = s["episode"].cp_plans.get(start_date=icpc)

        def not_required(s: dict[str, Any]) -> None:
            holder["s47"].refresh_from_db()
            if holder["s47"].completed_date is not None:
                return
            self.changed("section 47 completed")
            self.call(
                "Section47",
                index,
                code,
                cw.section47_complete,
                enquiry=holder["s47"],
                completed_date=start,
                outcome=Section47Outcome.SERVICES,
            )

        add(start, 2, begin)
        if icpc is not None:
            add(icpc, 6, conference)
        elif s47.get("ICPCnotRequired"):
            add(start, 7, not_required)

    def _cp_plan(self, add: Callable, person: Person, code: str, index: int, plan: dict[str, Any], icpcs: set) -> None:
        start, end = plan.get("CPPstartDate"), plan.get("CPPendDate")
        reviews = sorted(d for d in plan.get("Reviews") or () if d is not None)
        latest = plan.get("LatestCategoryOfAbuse") or ""

        def conference(s: dict[str, Any]) -> None:
            held = s["episode"].cp_plans.filter(start_date=start).first()
            if held is not None:
                s.setdefault("plans", {})[id(plan)] = held
                return
            unborn = person.expected_date_of_birth is not None and (
                person.date_of_birth is None or (start is not None and person.date_of_birth > start)
            )
            self.call(
                "ChildProtectionPlans",
                index,
                code,
                cw.conference_record,
                episode=s["episode"],
                kind=ConferenceKind.PRE_BIRTH if unborn and person.is_unborn else ConferenceKind.TRANSFER_IN,
                conference_date=start,
                outcome=ConferenceOutcome.PLAN,
                category=plan.get("InitialCategoryOfAbuse") or "",
                previous_plans=_previous_plans(plan),
            )
            s.setdefault("plans", {})[id(plan)] = s["episode"].cp_plans.get(start_date=start)

        if start not in icpcs:
            add(start, 6, conference)

        def review(day: dt.date, last: bool) -> Callable[[dict[str, Any]], None]:
            def step(s: dict[str, Any]) -> None:
                cp = s["plans"][id(plan)]
                cp.refresh_from_db()
                if cp.review_conferences.filter(conference_date=day).exists():
                    return
                self.call(
                    "Reviews",
                    index,
                    code,
                    cw.cp_review_record,
                    plan=cp,
                    conference_date=day,
                    outcome=ConferenceOutcome.PLAN,
                    category=latest if last else "",
                )
                self.report.created["CP review"] += 1

            return step

        for n, day in enumerate(reviews):
            add(day, 3, review(day, n == len(reviews) - 1))
        if latest and latest != plan.get("InitialCategoryOfAbuse") and not reviews:
            self.note(
                "LatestCategoryOfAbuse",
                "ChildProtectionPlans",
                index,
                code,
                "The latest category differs from the initial one but the file has no review to record the change at",
            )

        def finish(s: dict[str, Any]) -> None:
            cp = s["plans"][id(plan)]
            cp.refresh_from_db()
            if cp.end_date is None:
                self.changed("child protection plan ended")
                self.call("ChildProtectionPlans", index, code, cw.cp_plan_end, plan=cp, end_date=end)

        add(end, 4, finish)

    def _cin_plan(self, add: Callable, code: str, index: int, cin_plan: dict[str, Any]) -> None:
        start, end = cin_plan.get("CINPlanStartDate"), cin_plan.get("CINPlanEndDate")
        holder: dict[str, Any] = {}

        def begin(s: dict[str, Any]) -> None:
            holder["p"] = s["episode"].cin_plans.filter(start_date=start).first()
            if holder["p"] is not None:
                return
            holder["p"] = self.call(
                "CINplanDates", index, code, cw.cin_plan_start, episode=s["episode"], start_date=start
            )
            self.report.created["CIN plan"] += 1

        def finish(s: dict[str, Any]) -> None:
            plan = holder["p"]
            plan.refresh_from_db()
            if plan.end_date is None:
                self.changed("CIN plan ended")
                self.call("CINplanDates", index, code, cw.cin_plan_end, plan=plan, end_date=end)

        add(start, 9, begin)
        add(end, 5, finish)


def _previous_plans(plan: dict[str, Any] | None) -> int | None:
    """The file's count of the child's earlier plans (kept on the plan), or None to let the record count."""
    value = (plan or {}).get("NumberOfPreviousCPP")
    return value if isinstance(value, int) and value >= 0 else None


# --- SSDA903 ------------------------------------------------------------------------------------


def read_903_for_import(folder: str | Path, max_bytes: int = MAX_903_FILE_BYTES) -> dict[str, pl.DataFrame]:
    try:
        return read_903_dir(folder, max_bytes=max_bytes)
    except ReturnFileError as exc:
        raise ImportRefused(str(exc)) from exc


def import_903(
    folder: str | Path,
    *,
    year: str,
    partial: bool = False,
    max_bytes: int = MAX_903_FILE_BYTES,
    progress: Progress | None = None,
) -> ImportReport:
    """Load an SSDA903 return (a directory of CSV files) into the record (see the module docstring)."""
    supported_year(year, "SSDA903")
    tables = read_903_for_import(folder, max_bytes)
    if "Header" not in tables:
        raise ImportRefused("The return has no Header table: every child's sex, date of birth and ethnicity is there")
    importer = _903Importer("SSDA903", year, partial)
    by_child: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = {}
    for name, frame in tables.items():
        for row_number, row in enumerate(frame.iter_rows(named=True)):
            by_child.setdefault(row.get("CHILD") or "", {}).setdefault(name, []).append((row_number, row))

    # Formula-like cells and malformed postcodes are refused with their rows; their child is not imported.
    screened = screen_903(tables)
    refused = {cell.child or "" for cell in screened}

    def body() -> None:
        ticker = Ticker(progress, len(by_child))
        for cell in screened:
            importer.report.rejected.append(RowIssue(cell.column, cell.table, cell.row, cell.child, cell.reason))
        for code, rows in by_child.items():
            if code in refused:
                importer.report.children += 1
            else:
                importer.child(code, rows)
            ticker.tick()

    return _run(importer, body)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 (a date)
    except ValueError:
        return None


Rows = dict[str, list[tuple[int, dict[str, Any]]]]


class _903Importer(_Importer):
    def child(self, code: str, rows: Rows) -> None:
        self.report.children += 1
        if not code:
            for name, items in rows.items():
                for number, _ in items:
                    self.report.rejected.append(RowIssue("CHILD", name, number, None, "The row has no CHILD id"))
            return
        headers = rows.get("Header") or []
        if not headers:
            number = next(iter(rows.values()))[0][0]
            self.report.rejected.append(
                RowIssue("Header", next(iter(rows)), number, code, "The child has no Header row (sex, date of birth)")
            )
            return
        number, head = headers[0]
        with self.child_savepoint():
            upn = head.get("UPN") or ""
            person, _ = self.person(
                code,
                "Header",
                number,
                {
                    "sex": head.get("SEX") or "U",
                    "date_of_birth": _date(head.get("DOB")),
                    "ethnicity": head.get("ETHNIC"),
                    "upn": upn if len(upn) == 13 else "",
                    "upn_unknown_reason": upn if upn.startswith("UN") else "",
                },
            )
            ended = self.dolo_ends(person, code, rows.get("DoLo") or [])
            periods = self.episodes(person, code, rows.get("Episodes") or [])
            self.reviews(person, code, rows.get("Reviews") or [], periods)
            self.missing(person, code, rows.get("Missing") or [])
            self.uasc(person, code, rows.get("UASC") or [], rows.get("Episodes") or [])
            self.oc2(person, code, rows.get("OC2") or [])
            self.adoption(person, code, rows, periods)
            self.social_workers(person, code, rows.get("SWEpisodes") or [])
            self.oc3(person, code, rows.get("OC3") or [])
            self.previous_permanence(person, code, rows.get("PrevPerm") or [], periods)
            self.dolos(person, code, rows.get("DoLo") or [], periods, ended)

    def episodes(self, person: Person, code: str, items: list[tuple[int, dict[str, Any]]]) -> list[PeriodOfCare]:
        """Each episode in date order. An episode already in the record (last year's return) is matched on its
        start date: what this file adds (its end, the episodes after it, a new period of care) is applied,
        so a later year's return brings the child up to date and the same file twice changes nothing."""
        items = sorted(items, key=lambda item: (_date(item[1].get("DECOM")) or dt.date.min, item[0]))
        period: PeriodOfCare | None = None
        previous: dict[str, Any] | None = None
        carer = 0
        for number, row in items:
            start = _date(row.get("DECOM"))
            if start is None:
                raise _Rejected(RowIssue("DECOM", "Episodes", number, code, "The episode start date is not a date"))
            held = CareEpisode.objects.filter(child=person, start_date=start).select_related("period").first()
            if held is not None:
                self.report.skipped["care episode"] += 1
                period, previous = held.period, row
                carer = max(carer, _carer_number(held.carer))
                ended, rec = _date(row.get("DEC")), row.get("REC") or ""
                if ended is not None and rec and rec != "X1" and held.end_date is None and period.end_date is None:
                    self.changed("period of care ended")
                    self.call(
                        "Episodes",
                        number,
                        code,
                        cw.care_period_end,
                        period=period,
                        end_date=ended,
                        reason_ceased=rec,
                        reason_place_change=row.get("REASON_PLACE_CHANGE") or "",
                    )
                continue
            values = {
                "legal_status": row.get("LS") or "",
                "placement_type": row.get("PLACE") or "",
                "placement_provider": row.get("PLACE_PROVIDER") or "",
                "urn": row.get("URN") or "",
                "placement_postcode": row.get("PL_POST") or "",
                "home_postcode": row.get("HOME_POST") or "",
            }
            continues = (
                period is not None and previous is not None and previous.get("REC") == "X1" and row.get("RNE") != "S"
            )
            if not continues:
                if period is not None:
                    period.refresh_from_db()
                if period is not None and period.end_date is None:
                    raise _Rejected(
                        RowIssue("DEC", "Episodes", number, code, "A new period of care starts while the last is open")
                    )
                carer += 1
                if row.get("RNE") != "S":
                    self.note(
                        "RNE",
                        "Episodes",
                        number,
                        code,
                        "The period of care began before this return: it is recorded from this episode (RNE S)",
                    )
                period = self.call(
                    "Episodes",
                    number,
                    code,
                    cw.care_period_start,
                    child=person,
                    start_date=start,
                    primary_need=row.get("CIN") or "",
                    carer=f"carer-{carer}",
                    **values,
                )
                self.report.created["period of care"] += 1
            else:
                if period is None or previous is None or _date(previous.get("DEC")) != start:
                    raise _Rejected(
                        RowIssue(
                            "DECOM", "Episodes", number, code, "The episode does not start the day the last one ended"
                        )
                    )
                rne = row.get("RNE") or ""
                if rne in ("P", "B"):
                    carer += 1
                values.pop("home_postcode") if not values["home_postcode"] else None
                period.refresh_from_db()
                self.call(
                    "Episodes",
                    number,
                    code,
                    cw.care_episode_change,
                    period=period,
                    change_date=start,
                    values={**values, "carer": f"carer-{carer}"},
                    reason_place_change=previous.get("REASON_PLACE_CHANGE") or "",
                )
            self.report.created["care episode"] += 1
            ended, rec = _date(row.get("DEC")), row.get("REC") or ""
            if ended is not None and rec and rec != "X1":
                period.refresh_from_db()
                self.call(
                    "Episodes",
                    number,
                    code,
                    cw.care_period_end,
                    period=period,
                    end_date=ended,
                    reason_ceased=rec,
                    reason_place_change=row.get("REASON_PLACE_CHANGE") or "",
                )
            previous = row
        return list(PeriodOfCare.objects.filter(child=person))

    @staticmethod
    def _period_on(periods: list[PeriodOfCare], day: dt.date) -> PeriodOfCare | None:
        for p in sorted(periods, key=lambda p: p.start_date, reverse=True):
            if p.start_date <= day:
                return p
        return None

    def reviews(self, person: Person, code: str, items: list, periods: list[PeriodOfCare]) -> None:
        for number, row in items:
            day = _date(row.get("REVIEW"))
            if day is None:
                raise _Rejected(RowIssue("REVIEW", "Reviews", number, code, "The review date is not a date"))
            if LookedAfterReview.objects.filter(child=person, review_date=day).exists():
                self.report.skipped["LAC review"] += 1
                continue
            period = self._period_on(periods, day)
            if period is None:
                raise _Rejected(RowIssue("REVIEW", "Reviews", number, code, "No period of care covers the review date"))
            self.call(
                "Reviews",
                number,
                code,
                cw.lac_review_record,
                period=period,
                review_date=day,
                participation=row.get("REVIEW_CODE") or "",
            )
            self.report.created["LAC review"] += 1

    def missing(self, person: Person, code: str, items: list) -> None:
        for number, row in items:
            start = _date(row.get("MIS_START"))
            if start is None:
                raise _Rejected(RowIssue("MIS_START", "Missing", number, code, "The start date is not a date"))
            held = MissingEpisode.objects.filter(child=person, start_date=start).first()
            if held is not None:
                self.report.skipped["missing episode"] += 1
                if held.end_date is None and _date(row.get("MIS_END")) is not None:
                    self.note(
                        "MIS_END",
                        "Missing",
                        number,
                        code,
                        "The record already holds this missing episode as open: record its end on the child's page",
                    )
                continue
            self.call(
                "Missing",
                number,
                code,
                cw.missing_record,
                child=person,
                kind=row.get("MISSING") or "",
                start_date=start,
                end_date=_date(row.get("MIS_END")),
            )
            self.report.created["missing episode"] += 1

    def uasc(self, person: Person, code: str, items: list, episodes: list) -> None:
        for number, row in items:
            if UascStatus.objects.filter(child=person).exists():
                self.report.skipped["UASC status"] += 1
                continue
            starts = [d for _, e in episodes if (d := _date(e.get("DECOM")))]
            start = min(starts) if starts else self.period.start
            ceased = _date(row.get("DUC"))
            if ceased is not None and ceased > timezone.localdate():
                # The DfE takes the date status will cease (the 18th birthday); the record holds it once past.
                self.note(
                    "DUC",
                    "UASC",
                    number,
                    code,
                    f"The date UASC status ceases ({row.get('DUC')}) is still to come: it is not kept; record it "
                    "when it has passed",
                )
                ceased = None
            self.call("UASC", number, code, cw.uasc_record, child=person, start_date=start, ceased_date=ceased)
            self.report.created["UASC status"] += 1

    def oc2(self, person: Person, code: str, items: list) -> None:
        day = min(self.period.end, timezone.localdate())
        for number, row in items:
            if HealthCheck.objects.filter(child=person, check_date=day).exists():
                self.report.skipped["OC2 row"] += 1
                continue
            flags = {
                "IMMUNISATIONS": HealthCheckKind.IMMUNISATIONS,
                "TEETH_CHECK": HealthCheckKind.TEETH_CHECK,
                "HEALTH_ASSESSMENT": HealthCheckKind.HEALTH_ASSESSMENT,
                "HEALTH_CHECK": HealthCheckKind.HEALTH_CHECK,
                "SUBSTANCE_MISUSE": HealthCheckKind.SUBSTANCE_MISUSE,
                "INTERVENTION_RECEIVED": HealthCheckKind.INTERVENTION_RECEIVED,
                "INTERVENTION_OFFERED": HealthCheckKind.INTERVENTION_OFFERED,
            }
            for column, kind in flags.items():
                if row.get(column) == "1":
                    self.call("OC2", number, code, cw.health_check_record, child=person, kind=kind, check_date=day)
                    self.report.created["health item"] += 1
            score, reason = row.get("SDQ_SCORE") or "", row.get("SDQ_REASON") or ""
            if score or (reason and reason != "SDQ1"):
                self.call(
                    "OC2",
                    number,
                    code,
                    cw.health_check_record,
                    child=person,
                    kind=HealthCheckKind.SDQ,
                    check_date=day,
                    sdq_score=score,
                    sdq_reason="" if score else reason,
                )
                self.report.created["health item"] += 1
            if row.get("CONVICTED") == "1":
                self.call(
                    "OC2",
                    number,
                    code,
                    cw.youth_conviction_record,
                    child=person,
                    convicted_on=day,
                    summary="Conviction or final warning in the year (from the imported SSDA903 return)",
                )
                self.report.created["conviction"] += 1

    def adoption(self, person: Person, code: str, rows: Rows, periods: list[PeriodOfCare]) -> None:
        ad1 = {r.get("DATE_INT"): r for _, r in rows.get("AD1") or []}
        for number, row in rows.get("PlacedAdoption") or []:
            decision = _date(row.get("DATE_PLACED"))
            if decision is None:
                raise _Rejected(
                    RowIssue("DATE_PLACED", "PlacedAdoption", number, code, "The decision date is not a date")
                )
            held = AdoptionRecord.objects.filter(child=person, decision_date=decision).first()
            if held is not None:
                self.report.skipped["adoption record"] += 1
                self._adoption_update(held, code, number, row, ad1.get(row.get("DATE_PLACED")) or {})
                continue
            period = self._period_on(periods, decision)
            if period is None:
                # Valid for the DfE (the period of care began before this return); the record keeps adoption
                # on a period of care, so the row is noted, not kept, and the rest of the file imports.
                self.note(
                    "DATE_PLACED",
                    "PlacedAdoption",
                    number,
                    code,
                    "Not kept: the decision predates every period of care on the record (import the return of "
                    "the year the child's period of care began first to keep it)",
                )
                continue
            adopted = ad1.get(row.get("DATE_PLACED")) or {}
            milestones: dict[str, Any] = {
                "placed_ceased_date": _date(row.get("DATE_PLACED_CEASED")),
                "reason_placed_ceased": row.get("REASON_PLACED_CEASED") or "",
            }
            if adopted:
                milestones.update(
                    match_date=_date(adopted.get("DATE_MATCH")),
                    foster_carer_adoption=adopted.get("FOSTER_CARE") == "1",
                    number_of_adopters=int(adopted["NB_ADOPTR"])
                    if (adopted.get("NB_ADOPTR") or "").isdigit()
                    else None,
                    adopter_sex=adopted.get("SEX_ADOPTR") or "",
                    adopter_legal_status=adopted.get("LS_ADOPTR") or "",
                )
            self.call(
                "PlacedAdoption", number, code, cw.adoption_record, period=period, decision_date=decision, **milestones
            )
            self.report.created["adoption record"] += 1

    def _adoption_update(
        self, held: AdoptionRecord, code: str, number: int, row: dict[str, Any], adopted: dict[str, Any]
    ) -> None:
        """Milestones a later return adds to an adoption record already held (never overwriting one)."""
        found: dict[str, Any] = {
            "placed_ceased_date": _date(row.get("DATE_PLACED_CEASED")),
            "reason_placed_ceased": row.get("REASON_PLACED_CEASED") or "",
            "match_date": _date(adopted.get("DATE_MATCH")),
            "adopter_sex": adopted.get("SEX_ADOPTR") or "",
            "adopter_legal_status": adopted.get("LS_ADOPTR") or "",
        }
        new = {k: v for k, v in found.items() if v not in (None, "") and getattr(held, k) in (None, "")}
        if new:
            self.changed("adoption record updated")
            self.call(
                "PlacedAdoption",
                number,
                code,
                cw.adoption_update,
                record=held,
                decision_date=held.decision_date,
                **new,
            )

    def social_workers(self, person: Person, code: str, items: list) -> None:
        items = sorted(items, key=lambda item: _date(item[1].get("SW_DECOM")) or dt.date.min)
        for n, (number, row) in enumerate(items):
            start = _date(row.get("SW_DECOM"))
            if start is None:
                raise _Rejected(RowIssue("SW_DECOM", "SWEpisodes", number, code, "The start date is not a date"))
            if SocialWorkerEpisode.objects.filter(child=person, start_date=start).exists():
                self.report.skipped["social worker episode"] += 1
                continue
            self.call(
                "SWEpisodes",
                number,
                code,
                cw.social_worker_episode_start,
                child=person,
                worker=_worker(row.get("SW_ID") or ""),
                start_date=start,
                reason=row.get("SW_REASON") or "",
            )
            self.report.created["social worker episode"] += 1
            if n == len(items) - 1 and row.get("SW_DEC"):
                self.note(
                    "SW_DEC",
                    "SWEpisodes",
                    number,
                    code,
                    "The record ends a social worker episode when the next begins: this end date is not kept",
                )

    def oc3(self, person: Person, code: str, items: list) -> None:
        for number, row in items:
            born = person.date_of_birth
            day = self.period.end
            if born is not None:
                for age in range(17, 22):
                    birthday = birthday_in(born, age)
                    if self.period.contains(birthday):
                        day = birthday
            if not PeriodOfCare.objects.filter(child=person, end_date__isnull=False).exists():
                # Valid for the DfE (they left care before this return); the record keeps care leaver contacts
                # for young people it knows left care, so the row is noted, not kept.
                self.note(
                    "IN_TOUCH",
                    "OC3",
                    number,
                    code,
                    "Not kept: no period of care that ended is on the record for this care leaver (import the "
                    "SSDA903 return of the year they left care first to keep it)",
                )
                continue
            if CareLeaverContact.objects.filter(child=person, contact_date=day).exists():
                self.report.skipped["care leaver contact"] += 1
                continue
            touch = row.get("IN_TOUCH") or ""
            accom = row.get("ACCOM") or ""
            yes = touch == "YES"
            self.call(
                "OC3",
                number,
                code,
                cw.care_leaver_contact_record,
                child=person,
                contact_date=day,
                in_touch=touch,
                activity=(row.get("ACTIV") or "") if yes else "",
                accommodation=accom[:1] if yes else "",
                accommodation_suitable=(accom[1:] == "1") if yes and accom else None,
            )
            self.report.created["care leaver contact"] += 1

    def previous_permanence(self, person: Person, code: str, items: list, periods: list[PeriodOfCare]) -> None:
        """PrevPerm belongs to the period of care that began in the collection year (the latest, if two did)."""
        began = sorted((p for p in periods if self.period.contains(p.start_date)), key=lambda p: p.start_date)
        for number, row in items:
            option, la = row.get("PREV_PERM") or "", row.get("LA_PERM") or ""
            if not (option or la or row.get("DATE_PERM")):
                self.note("PREV_PERM", "PrevPerm", number, code, "The row is blank: there is nothing to keep")
                continue
            if not began:
                self.note(
                    "PREV_PERM",
                    "PrevPerm",
                    number,
                    code,
                    "The child did not begin to be looked after in this year (rule 634): previous permanence is "
                    "kept with the period of care that began after it, so this row is not kept",
                )
                continue
            period = began[-1]
            if PreviousPermanence.objects.filter(period=period).exists():
                self.report.skipped["previous permanence"] += 1
                continue
            when = _partial_date(row.get("DATE_PERM"))
            if when is None:
                raise _Rejected(
                    RowIssue(
                        "DATE_PERM",
                        "PrevPerm",
                        number,
                        code,
                        "The date of the order is not a date (DD/MM/YYYY, with ZZ for a part not known)",
                    )
                )
            day, month, year = when
            self.call(
                "PrevPerm",
                number,
                code,
                cw.previous_permanence_record,
                period=period,
                option=option,
                la_code=la,
                order_day=day,
                order_month=month,
                order_year=year,
            )
            self.report.created["previous permanence"] += 1

    def dolo_ends(self, person: Person, code: str, items: list) -> set[int]:
        """Before the episodes (so the child can leave care in this file): an order open in last year's
        file that this file ends gets its end date. Returns the rows done."""
        done = set()
        for number, row in items:
            start, end = _date(row.get("DOLO_START")), _date(row.get("DOLO_END"))
            if start is None or end is None:
                continue
            existing = DeprivationOfLibertyOrder.objects.filter(child=person, start_date=start).first()
            if existing is not None and existing.end_date is None:
                self.call("DoLo", number, code, cw.dolo_end, order=existing, end_date=end)
                self.report.created["deprivation of liberty order end"] += 1
                done.add(number)
        return done

    def dolos(
        self, person: Person, code: str, items: list, periods: list[PeriodOfCare], done: AbstractSet[int] = frozenset()
    ) -> None:
        """Each order on the period of care it began in (the rows `dolo_ends` did are left alone)."""
        items = sorted(items, key=lambda item: _date(item[1].get("DOLO_START")) or dt.date.min)
        for number, row in items:
            if number in done:
                continue
            start, end = _date(row.get("DOLO_START")), _date(row.get("DOLO_END"))
            if start is None:
                raise _Rejected(RowIssue("DOLO_START", "DoLo", number, code, "The order's start date is not a date"))
            if row.get("DOLO_END") and end is None:
                raise _Rejected(RowIssue("DOLO_END", "DoLo", number, code, "The order's end date is not a date"))
            if DeprivationOfLibertyOrder.objects.filter(child=person, start_date=start).exists():
                self.report.skipped["deprivation of liberty order"] += 1
                continue
            period = self._period_on(periods, start)
            if period is None:
                raise _Rejected(
                    RowIssue(
                        "DOLO_START", "DoLo", number, code, "No period of care on the record covers the start date"
                    )
                )
            self.call("DoLo", number, code, cw.dolo_record, period=period, start_date=start, end_date=end)
            self.report.created["deprivation of liberty order"] += 1


def _carer_number(carer: str) -> int:
    """N from the "carer-N" reference the import gives each carer (0 for any other reference)."""
    head, _, number = carer.rpartition("-")
    return int(number) if head == "carer" and number.isdigit() else 0


def _partial_date(value: str | None) -> tuple[int | None, int | None, int | None] | None:
    """DATE_PERM as (day, month, year), None for each ZZ part; (None, None, None) when blank; None when
    it is not such a date (the service checks the parts make a real date)."""
    if not value:
        return None, None, None
    parts = value.strip().upper().split("/")
    if len(parts) != 3:
        return None
    out: list[int | None] = []
    for part, unknown in zip(parts, ("ZZ", "ZZ", "ZZZZ"), strict=True):
        if part == unknown:
            out.append(None)
        elif part.isdigit():
            out.append(int(part))
        else:
            return None
    return out[0], out[1], out[2]


def _worker(sw_id: str) -> User:
    """The staff account for a social-worker id in the file (an inactive placeholder when new)."""
    team = import_account().team
    user, _ = User.objects.get_or_create(
        username=sw_id.upper() or "XX-UNKNOWN",
        defaults={
            "role": Role.SOCIAL_WORKER,
            "team": team,
            "is_active": False,
            "job_title": "Social worker (imported from a return)",
            "password": make_password(None),
        },
    )
    return user
