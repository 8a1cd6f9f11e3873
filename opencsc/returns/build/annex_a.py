"""Ofsted ILACS Annex A: the child-level lists 1-11, one worksheet each, built from the live record.

The column headings are those of the Social Finance / LIIA Annex A specification as the domain
reference (§2.6) gives them; every list starts with the child columns (Child Unique ID, Gender,
Ethnicity, Date of Birth, Age). Lists cover the six months before `as_of` (the inspection
notification date), as councils usually supply them. The child is identified by the LA child id, not
by name; allocated team and worker names are in, as Ofsted asks.

List 2 lists the whole-family (early help / Family Help) assessments open in the window
(`casework.FamilyHelpAssessment`). Columns the record does not hold yet (adopters, eligibility category, IRO
contact, permanence plan, placement location) are present with empty cells, so the workbook keeps
the published shape; `ANNEX_A_GAPS` lists them.

Safe to open: written with XlsxWriter with `strings_to_formulas`, `strings_to_urls` and
`strings_to_numbers` off, and every text cell starting with = + - @ tab or carriage return is
prefixed with an apostrophe (the engine's `neutralise_cell`), so no cell can run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.db.models import Q

from opencsc.accounts.models import Allocation, AllocationKind
from opencsc.casework.models import (
    AdoptionRecord,
    Assessment,
    AssessmentOutcome,
    CareEpisode,
    CareLeaverContact,
    ChildInNeedPlan,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    Contact,
    FamilyHelpAssessment,
    HealthCheck,
    HealthCheckKind,
    LookedAfterReview,
    MissingEpisode,
    PeriodOfCare,
    ReferralEpisode,
    Section47,
    UascStatus,
    Visit,
    VisitKind,
)
from opencsc.core.working_days import add_months
from opencsc.people.models import Disability, Person
from opencsc.returns.build.common import Progress, Ticker, age_on, child_code, group_by
from opencsc.returns.ssda903.csv_io import neutralise_cell

CHILD_COLUMNS = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age")
TEAM = ("Allocated Team", "Allocated Worker")
DISABLED = "Does the Child have a Disability"
LISTS: dict[str, tuple[str, ...]] = {
    "List 1": ("Date of Contact", "Contact Source"),
    "List 2": ("Assessment start date", "Assessment completion date", "Organisation completing assessment"),
    "List 3": (
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *TEAM,
    ),
    "List 4": (
        DISABLED,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        *TEAM,
    ),
    "List 5": (
        DISABLED,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *TEAM,
    ),
    "List 6": (
        DISABLED,
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        *TEAM,
    ),
    "List 7": (
        DISABLED,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        *TEAM,
    ),
    "List 8": (
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        DISABLED,
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *TEAM,
    ),
    "List 9": (
        DISABLED,
        *TEAM,
        "Eligibility Category",
        "LA in Touch",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ),
    "List 10": (
        "Family identifier",
        DISABLED,
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ),
    "List 11": (
        "Individual adopter identifier",
        "Family identifier",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ),
}
TITLES = {
    "List 1": "Contacts",
    "List 2": "Early help assessments",
    "List 3": "Referrals",
    "List 4": "Assessments",
    "List 5": "Section 47 enquiries and ICPCs",
    "List 6": "Children in need",
    "List 7": "Child protection",
    "List 8": "Children in care",
    "List 9": "Care leavers",
    "List 10": "Adoption (children)",
    "List 11": "Adopters",
}
ANNEX_A_GAPS = (
    "List 11 (adopters are not recorded yet)",
    "List 8: permanence plan, IRO contact, placement location, LA of placement",
    "List 9: eligibility category",
    "List 10: family identifier, fostering for adoption date",
)
GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
CASE_STATUS = {
    "lac": "a) Looked after",
    "cp": "b) Child protection plan",
    "cin": "c) Child in need plan",
    "assessment": "d) Open assessment",
    "closed": "e) Closed episode",
}
SUPPORT_OUTCOMES = {AssessmentOutcome.CIN_PLAN, AssessmentOutcome.STRATEGY, AssessmentOutcome.LOOKED_AFTER}
POLICE_OR_EPO = {"L1", "L2"}
PLACEMENT_RNE = {"S", "P", "T", "B", "U"}
Cell = str | int | dt.date | None


@dataclass
class AnnexABuild:
    as_of: dt.date
    rows: dict[str, list[list[Cell]]] = field(default_factory=dict)
    person_ids: set[int] = field(default_factory=set)

    @property
    def children(self) -> int:
        return len(self.person_ids)


def _yn(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _latest(days: Iterable[dt.date | None]) -> dt.date | None:
    return max((d for d in days if d is not None), default=None)


class _Reader:
    """Everything the lists need, read set-based for the window."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.start = add_months(as_of, -6)
        self.year_ago = add_months(as_of, -12)
        live = Q(start_date__lte=as_of)

        def open_in_window(prefix: str = "end_date") -> Q:
            return Q(**{f"{prefix}__isnull": True}) | Q(**{f"{prefix}__gte": self.start})

        self.contacts = list(
            Contact.objects.filter(contact_date__gte=self.start, contact_date__lte=as_of)
            .order_by("contact_date", "id")
            .values("child_id", "contact_date", "source")
        )
        self.help_assessments = list(
            FamilyHelpAssessment.objects.filter(open_in_window("completed_date"), start_date__lte=as_of)
            .order_by("start_date", "id")
            .values("child_id", "start_date", "completed_date", "organisation")
        )
        self.referrals_all = group_by(
            ReferralEpisode.objects.filter(referral_date__gte=add_months(self.start, -12), referral_date__lte=as_of)
            .order_by("referral_date")
            .values("child_id", "referral_date", "source", "referral_nfa"),
            "child_id",
        )
        self.episodes = list(
            ReferralEpisode.objects.filter(open_in_window("closure_date"), referral_date__lte=as_of)
            .order_by("child_id", "referral_date")
            .values("id", "child_id", "referral_date", "primary_need", "closure_date", "closure_reason")
        )
        self.assessments = list(
            Assessment.objects.filter(open_in_window("authorised_date"), start_date__lte=as_of)
            .order_by("start_date", "id")
            .values("child_id", "start_date", "child_seen_on", "authorised_date", "outcome")
        )
        self.s47 = list(
            Section47.objects.filter(start_date__gte=self.start, start_date__lte=as_of)
            .order_by("start_date", "id")
            .values("id", "child_id", "start_date", "icpc_not_required")
        )
        self.s47_year = group_by(
            Section47.objects.filter(start_date__gte=add_months(self.start, -12), start_date__lte=as_of).values(
                "child_id", "start_date"
            ),
            "child_id",
        )
        self.icpcs = group_by(
            Conference.objects.filter(
                kind__in=(ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH, ConferenceKind.TRANSFER_IN),
                conference_date__gte=add_months(self.start, -12),
                conference_date__lte=as_of,
            ).values("child_id", "section47_id", "conference_date", "outcome"),
            "child_id",
        )
        self.cp_plans = list(
            ChildProtectionPlan.objects.filter(open_in_window(), live)
            .order_by("start_date", "id")
            .values(
                "id",
                "child_id",
                "start_date",
                "end_date",
                "initial_category",
                "latest_category",
                "number_of_previous_plans",
            )
        )
        self.open_cp = set(
            ChildProtectionPlan.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of), live).values_list(
                "child_id", flat=True
            )
        )
        self.open_cin = set(
            ChildInNeedPlan.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of), live).values_list(
                "child_id", flat=True
            )
        )
        self.open_assessment = set(
            Assessment.objects.filter(Q(authorised_date__isnull=True) | Q(authorised_date__gt=as_of), live).values_list(
                "child_id", flat=True
            )
        )
        self.reviews = {
            plan: day
            for plan, day in Conference.objects.filter(kind=ConferenceKind.REVIEW, conference_date__lte=as_of)
            .order_by("conference_date")
            .values_list("plan_id", "conference_date")
        }
        self.visits = group_by(
            Visit.objects.filter(visit_date__lte=as_of, visit_date__gte=add_months(as_of, -24))
            .order_by("visit_date", "id")
            .values("child_id", "kind", "visit_date", "seen", "seen_alone"),
            "child_id",
        )
        self.periods = group_by(
            PeriodOfCare.objects.filter(start_date__lte=as_of)
            .order_by("start_date")
            .values("id", "child_id", "start_date", "end_date", "reason_ceased", "primary_need"),
            "child_id",
        )
        in_care = PeriodOfCare.objects.filter(open_in_window(), live).values("child_id")
        self.care_episodes = group_by(
            CareEpisode.objects.filter(child_id__in=in_care, start_date__lte=as_of)
            .order_by("start_date", "id")
            .values(
                "child_id",
                "start_date",
                "end_date",
                "reason_new_episode",
                "legal_status",
                "placement_type",
                "placement_provider",
                "placement_postcode",
                "urn",
            ),
            "child_id",
        )
        self.lac_reviews = dict(
            LookedAfterReview.objects.filter(child_id__in=in_care, review_date__lte=as_of)
            .order_by("review_date")
            .values_list("child_id", "review_date")
        )
        self.health = group_by(
            HealthCheck.objects.filter(child_id__in=in_care, check_date__lte=as_of)
            .order_by("check_date")
            .values("child_id", "kind", "check_date"),
            "child_id",
        )
        self.missing = group_by(
            MissingEpisode.objects.filter(child_id__in=in_care, start_date__gte=self.year_ago, start_date__lte=as_of)
            .order_by("start_date", "id")
            .values("child_id", "kind", "return_interview_offered", "return_interview_accepted"),
            "child_id",
        )
        self.uasc = set(
            UascStatus.objects.filter(
                Q(ceased_date__isnull=True) | Q(ceased_date__gte=self.year_ago), live
            ).values_list("child_id", flat=True)
        )
        self.leavers = group_by(
            CareLeaverContact.objects.filter(contact_date__lte=as_of)
            .order_by("contact_date", "id")
            .values("child_id", "in_touch", "activity", "accommodation", "accommodation_suitable"),
            "child_id",
        )
        self.adoption = list(
            AdoptionRecord.objects.filter(
                Q(adoption_order_date__isnull=True) | Q(adoption_order_date__gte=self.start),
                Q(placed_ceased_date__isnull=True) | Q(placed_ceased_date__gte=self.start),
                decision_date__lte=as_of,
            )
            .order_by("decision_date", "id")
            .values(
                "child_id",
                "period_id",
                "decision_date",
                "match_date",
                "placed_date",
                "adoption_order_date",
                "placed_ceased_date",
                "reason_placed_ceased",
            )
        )

    def people(self, ids: set[int]) -> tuple[Mapping[int, Mapping[str, Any]], set[int], dict[int, tuple[str, str]]]:
        persons = {
            p["id"]: p
            for p in Person.objects.filter(id__in=ids).values(
                "id", "la_child_id", "sex", "ethnicity", "date_of_birth", "expected_date_of_birth"
            )
        }
        disabled = set(
            pid
            for pid, code in Disability.objects.filter(person_id__in=ids).values_list("person_id", "code")
            if code and code != "NONE"
        )
        teams: dict[int, tuple[str, str]] = {}
        for a in (
            Allocation.objects.current(self.as_of)
            .filter(person_id__in=ids, kind=AllocationKind.ALLOCATED_WORKER)
            .order_by("start_date", "id")
            .values("person_id", "team__name", "worker__first_name", "worker__last_name", "worker__username")
        ):
            worker = " ".join(x for x in (a["worker__first_name"], a["worker__last_name"]) if x)
            teams[a["person_id"]] = (a["team__name"] or "", worker or (a["worker__username"] or ""))
        return persons, disabled, teams


def collect_annex_a(as_of: dt.date, progress: Progress | None = None) -> AnnexABuild:
    """The eleven lists as rows of cells (first the child columns, then the list's own)."""
    r = _Reader(as_of)
    ids = (
        {c["child_id"] for c in r.contacts}
        | {h["child_id"] for h in r.help_assessments}
        | {e["child_id"] for e in r.episodes}
        | {a["child_id"] for a in r.assessments}
        | {s["child_id"] for s in r.s47}
        | {p["child_id"] for p in r.cp_plans}
        | set(r.care_episodes)
        | set(r.leavers)
        | {a["child_id"] for a in r.adoption}
    )
    persons, disabled, teams = r.people(ids)
    build = AnnexABuild(as_of)
    ticker = Ticker(progress, len(LISTS))

    def child(pid: int) -> list[Cell]:
        p = persons[pid]
        build.person_ids.add(pid)
        born = p["date_of_birth"]
        return [
            child_code(p["la_child_id"], pid),
            GENDER.get(p["sex"], GENDER["U"]),
            p["ethnicity"] or None,
            born or p["expected_date_of_birth"],
            age_on(born, as_of),
        ]

    def team(pid: int) -> list[Cell]:
        return list(teams.get(pid, ("", "")))

    def is_disabled(pid: int) -> str:
        return "Yes" if pid in disabled else "No"

    rows: dict[str, list[list[Cell]]] = {name: [] for name in LISTS}
    for c in r.contacts:
        if c["child_id"] in persons:
            rows["List 1"].append([*child(c["child_id"]), c["contact_date"], c["source"]])
    ticker.tick()
    for h in r.help_assessments:
        if h["child_id"] in persons:
            done = h["completed_date"] if h["completed_date"] and h["completed_date"] <= as_of else None
            rows["List 2"].append([*child(h["child_id"]), h["start_date"], done, h["organisation"]])
    ticker.tick()
    for pid, refs in r.referrals_all.items():
        for ref in refs:
            if ref["referral_date"] < r.start or pid not in persons:
                continue
            earlier = sum(
                1 for x in refs if add_months(ref["referral_date"], -12) < x["referral_date"] <= ref["referral_date"]
            )
            rows["List 3"].append(
                [*child(pid), ref["referral_date"], ref["source"], _yn(ref["referral_nfa"]), earlier, *team(pid)]
            )
    ticker.tick()
    for a in r.assessments:
        pid = a["child_id"]
        done = a["authorised_date"] if a["authorised_date"] and a["authorised_date"] <= as_of else None
        support = _yn(a["outcome"] in SUPPORT_OUTCOMES) if done and a["outcome"] else None
        rows["List 4"].append(
            [
                *child(pid),
                is_disabled(pid),
                a["start_date"],
                _yn(a["child_seen_on"] is not None),
                done,
                support,
                *team(pid),
            ]
        )
    ticker.tick()
    for s in r.s47:
        pid = s["child_id"]
        confs = r.icpcs.get(pid, [])
        icpc = next((c for c in confs if c["section47_id"] == s["id"]), None)
        s47_count = sum(1 for x in r.s47_year.get(pid, []) if x["start_date"] > r.year_ago)
        icpc_count = sum(1 for c in confs if c["conference_date"] > r.year_ago)
        rows["List 5"].append(
            [
                *child(pid),
                is_disabled(pid),
                s["start_date"],
                _yn(bool(s["icpc_not_required"])),
                icpc["conference_date"] if icpc else None,
                _yn(icpc["outcome"] == "plan") if icpc else None,
                s47_count,
                icpc_count,
                *team(pid),
            ]
        )
    ticker.tick()
    for e in r.episodes:
        pid = e["child_id"]
        closed = e["closure_date"] if e["closure_date"] and e["closure_date"] <= as_of else None
        seen = _latest(v["visit_date"] for v in r.visits.get(pid, []) if v["seen"])
        in_care = any(p["end_date"] is None or p["end_date"] > as_of for p in r.periods.get(pid, []))
        if closed:
            status = CASE_STATUS["closed"]
        elif in_care:
            status = CASE_STATUS["lac"]
        elif pid in r.open_cp:
            status = CASE_STATUS["cp"]
        elif pid in r.open_cin:
            status = CASE_STATUS["cin"]
        else:
            status = CASE_STATUS["assessment"]
        rows["List 6"].append(
            [
                *child(pid),
                is_disabled(pid),
                e["referral_date"],
                e["primary_need"] or None,
                seen,
                closed,
                e["closure_reason"] or None if closed else None,
                status,
                *team(pid),
            ]
        )
    ticker.tick()
    for p in r.cp_plans:
        pid = p["child_id"]
        cp_visits = [v for v in r.visits.get(pid, []) if v["kind"] == VisitKind.CP]
        last = cp_visits[-1] if cp_visits else None
        epo = any(
            e["legal_status"] in POLICE_OR_EPO and (e["end_date"] is None or e["end_date"] >= r.start)
            for e in r.care_episodes.get(pid, [])
        )
        ended = p["end_date"] if p["end_date"] and p["end_date"] <= as_of else None
        rows["List 7"].append(
            [
                *child(pid),
                is_disabled(pid),
                p["start_date"],
                p["initial_category"],
                p["latest_category"],
                last["visit_date"] if last else None,
                _yn(last["seen_alone"]) if last else None,
                r.reviews.get(p["id"]),
                ended,
                "Y" if epo else "N",
                p["number_of_previous_plans"],
                *team(pid),
            ]
        )
    ticker.tick()
    for pid, episodes in r.care_episodes.items():
        rows["List 8"].append([*child(pid), *_list8(r, pid, episodes, is_disabled(pid)), *team(pid)])
    ticker.tick()
    for pid, contacts in r.leavers.items():
        if pid not in persons:
            continue
        latest = contacts[-1]
        suitable = latest["accommodation_suitable"]
        rows["List 9"].append(
            [
                *child(pid),
                is_disabled(pid),
                *team(pid),
                None,
                latest["in_touch"],
                latest["accommodation"] or None,
                None if suitable is None else ("Suitable" if suitable else "Unsuitable"),
                latest["activity"] or None,
            ]
        )
    ticker.tick()
    for adoption in r.adoption:
        pid = adoption["child_id"]
        period = next((p for p in r.periods.get(pid, []) if p["id"] == adoption["period_id"]), None)
        order = next(
            (e["start_date"] for e in r.care_episodes.get(pid, []) if e["legal_status"] == "E1"),
            None,
        )
        rows["List 10"].append(
            [
                *child(pid),
                None,
                is_disabled(pid),
                period["start_date"] if period else None,
                adoption["decision_date"],
                order,
                adoption["match_date"],
                adoption["placed_date"],
                adoption["adoption_order_date"],
                adoption["placed_ceased_date"],
                adoption["reason_placed_ceased"] or None,
                None,
            ]
        )
    ticker.tick()
    ticker.tick(2)  # lists 2 and 11: nothing recorded yet
    build.rows = rows
    return build


def _list8(r: _Reader, pid: int, episodes: Sequence[Mapping[str, Any]], disabled: str) -> list[Cell]:
    as_of = r.as_of
    periods = r.periods.get(pid, [])
    current = next((p for p in reversed(periods) if p["start_date"] <= as_of), None)
    latest = episodes[-1]
    legal_start = latest["start_date"]
    for e in reversed(episodes):
        if e["legal_status"] != latest["legal_status"]:
            break
        legal_start = e["start_date"]
    placement = next((e for e in reversed(episodes) if e["reason_new_episode"] in PLACEMENT_RNE), latest)
    checks = r.health.get(pid, [])
    missing = r.missing.get(pid, [])
    last_missing = next((m for m in reversed(missing) if m["kind"] == "M"), None)
    ceased = current["end_date"] if current and current["end_date"] and current["end_date"] <= as_of else None
    second = sum(1 for p in periods if p["end_date"] is None or p["end_date"] >= r.year_ago) > 1
    return [
        "Y" if pid in r.uasc else "N",
        disabled,
        current["start_date"] if current else None,
        current["primary_need"] if current else None,
        "Y" if second else "N",
        legal_start,
        latest["legal_status"],
        r.lac_reviews.get(pid),
        _latest(v["visit_date"] for v in r.visits.get(pid, []) if v["kind"] == VisitKind.LAC),
        None,
        None,
        _latest(c["check_date"] for c in checks if c["kind"] == HealthCheckKind.HEALTH_ASSESSMENT),
        _latest(c["check_date"] for c in checks if c["kind"] == HealthCheckKind.TEETH_CHECK),
        sum(1 for e in episodes if e["reason_new_episode"] in PLACEMENT_RNE and e["start_date"] >= r.year_ago),
        ceased,
        (current["reason_ceased"] or None) if ceased and current else None,
        placement["start_date"],
        latest["placement_type"],
        latest["placement_provider"] or None,
        latest["placement_postcode"] or None,
        latest["urn"] or None,
        None,
        None,
        sum(1 for m in missing if m["kind"] == "M"),
        sum(1 for m in missing if m["kind"] == "A"),
        _yn(last_missing["return_interview_offered"]) if last_missing else None,
        _yn(last_missing["return_interview_accepted"]) if last_missing else None,
    ]


def write_annex_a(build: AnnexABuild, target: str | Path | IO[bytes]) -> None:
    """Write the lists as an .xlsx workbook, one sheet per list, no cell able to run as a formula."""
    workbook = xlsxwriter.Workbook(
        target,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True},
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, columns in LISTS.items():
        sheet = workbook.add_worksheet(f"{name} {TITLES[name]}"[:31])
        headings = (*CHILD_COLUMNS, *columns) if name != "List 11" else columns
        for col, heading in enumerate(headings):
            sheet.write_string(0, col, heading, bold)
            sheet.set_column(col, col, 16)
        sheet.freeze_panes(1, 0)
        for r_i, row in enumerate(build.rows.get(name, []), start=1):
            for c_i, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r_i, c_i, dt.datetime(value.year, value.month, value.day), date)  # noqa: DTZ001
                elif isinstance(value, bool):
                    sheet.write_string(r_i, c_i, "Yes" if value else "No")
                elif isinstance(value, int):
                    sheet.write_number(r_i, c_i, value)
                else:
                    sheet.write_string(r_i, c_i, neutralise_cell(str(value)))
    workbook.close()


def build_annex_a(
    as_of: dt.date, target: str | Path | IO[bytes] | None = None, progress: Progress | None = None
) -> bytes | AnnexABuild:
    """Build Annex A as at `as_of`; write it to `target` (returns the build) or return the bytes."""
    build = collect_annex_a(as_of, progress)
    if target is None:
        buffer = io.BytesIO()
        write_annex_a(build, buffer)
        return buffer.getvalue()
    write_annex_a(build, target)
    return build
