"""Build the CIN census for a collection year from the live record.

Who is in it (domain reference §2.1): every child with a referral episode open at any point in the
year (1 April to 31 March), including referrals that ended in no further action, episodes carried
over from earlier years and unborn children. For each such episode the return carries the
assessments, child in need plans, section 47 enquiries and child protection plans that were live in
the year, as they stood on the reference date (31 March): anything recorded as happening after it
(a closure, an authorisation, a plan end) has not happened yet as far as the census is concerned.

Set-based: about ten queries whatever the number of children, values() rows only; the encrypted
columns read (and so decrypted) are ethnicity and the disability codes, nothing else. The child's
name, address and NHS number are never selected, so they cannot reach the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from opencsc.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    ReferralEpisode,
    Section47,
)
from opencsc.people.models import Disability, Person
from opencsc.returns.build.common import Period, Progress, Ticker, child_code, group_by, la_number
from opencsc.returns.cin.tables import CINTables, TablesBuilder

INITIAL_KINDS = (ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH, ConferenceKind.TRANSFER_IN)


@dataclass
class CINBuild:
    """A built CIN census and the record each child came from (for disclosures and checks)."""

    tables: CINTables
    person_ids: dict[str, int]  # LAchildID -> person id


def build_cin(
    year: str = "2025-26", *, child_ids: Iterable[int] | None = None, progress: Progress | None = None
) -> CINTables:
    """The CIN census tables for `year` (only the children in `child_ids`, when given)."""
    return collect_cin(year, child_ids=child_ids, progress=progress).tables


def episodes_in_scope(period: Period, child_ids: Iterable[int] | None = None) -> QuerySet[ReferralEpisode]:
    """Referral episodes open at any point in the year, of children (born or unborn)."""
    episodes = ReferralEpisode.objects.filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=period.start),
        referral_date__lte=period.end,
        child__is_child=True,
    )
    if child_ids is not None:
        episodes = episodes.filter(child_id__in=list(child_ids))
    return episodes


def collect_cin(year: str, *, child_ids: Iterable[int] | None = None, progress: Progress | None = None) -> CINBuild:
    period = Period.of(year)
    episodes = episodes_in_scope(period, child_ids)
    ep_ids = episodes.values("id")
    children = episodes.values("child_id")
    ep_rows = group_by(
        episodes.order_by("child_id", "referral_date", "id").values(
            "id",
            "child_id",
            "referral_date",
            "source",
            "primary_need",
            "referral_nfa",
            "closure_date",
            "closure_reason",
        ),
        "child_id",
    )
    persons = Person.objects.filter(id__in=children).values(
        "id",
        "la_child_id",
        "upn",
        "former_upn",
        "upn_unknown_reason",
        "date_of_birth",
        "expected_date_of_birth",
        "sex",
        "date_of_death",
        "ethnicity",
    )
    disabilities: dict[int, list[str]] = {}
    for person_id, code in Disability.objects.filter(person_id__in=children).values_list("person_id", "code"):
        disabilities.setdefault(person_id, []).append(code)
    assessments = group_by(
        Assessment.objects.filter(
            Q(authorised_date__isnull=True) | Q(authorised_date__gte=period.start),
            episode_id__in=ep_ids,
            start_date__lte=period.end,
        )
        .order_by("episode_id", "start_date", "id")
        .values("episode_id", "start_date", "authorised_date", "factors"),
        "episode_id",
    )
    cin_plans = group_by(
        ChildInNeedPlan.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start), episode_id__in=ep_ids, start_date__lte=period.end
        )
        .order_by("episode_id", "start_date", "id")
        .values("episode_id", "start_date", "end_date"),
        "episode_id",
    )
    section47s = group_by(
        Section47.objects.filter(episode_id__in=ep_ids, start_date__lte=period.end)
        .order_by("episode_id", "start_date", "id")
        .values("id", "episode_id", "start_date", "icpc_target", "completed_date", "icpc_not_required"),
        "episode_id",
    )
    icpc_by_s47: dict[int, dt.date] = {}
    unattached_icpc: dict[int, dt.date] = {}
    for row in (
        Conference.objects.filter(episode_id__in=ep_ids, kind__in=INITIAL_KINDS, conference_date__lte=period.end)
        .order_by("conference_date", "id")
        .values("episode_id", "section47_id", "conference_date")
    ):
        if row["section47_id"] is not None:
            icpc_by_s47.setdefault(row["section47_id"], row["conference_date"])
        elif period.contains(row["conference_date"]):
            unattached_icpc[row["episode_id"]] = row["conference_date"]
    plans_qs = ChildProtectionPlan.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start), episode_id__in=ep_ids, start_date__lte=period.end
    )
    plans = group_by(
        plans_qs.order_by("episode_id", "start_date", "id").values(
            "id",
            "episode_id",
            "start_date",
            "end_date",
            "initial_category",
            "latest_category",
            "number_of_previous_plans",
        ),
        "episode_id",
    )
    reviews: dict[int, list[dt.date]] = {}
    for plan_id, day in (
        Conference.objects.filter(
            plan_id__in=plans_qs.values("id"),
            kind=ConferenceKind.REVIEW,
            conference_date__gte=period.start,
            conference_date__lte=period.end,
        )
        .order_by("plan_id", "conference_date", "id")
        .values_list("plan_id", "conference_date")
    ):
        reviews.setdefault(plan_id, []).append(day)

    ordered = sorted(persons, key=lambda p: child_code(p["la_child_id"], p["id"]))
    builder = TablesBuilder(cin_header(period))
    ticker = Ticker(progress, len(ordered))
    person_ids: dict[str, int] = {}
    for person in ordered:
        code = child_code(person["la_child_id"], person["id"])
        person_ids[code] = person["id"]
        record = {
            "ChildIdentifiers": _identifiers(person, code, period),
            "Ethnicity": person["ethnicity"] or None,
            "Disabilities": sorted(disabilities.get(person["id"], [])),
            "CINdetails": [
                _episode(ep, period, assessments, cin_plans, section47s, icpc_by_s47, unattached_icpc, plans, reviews)
                for ep in ep_rows.get(person["id"], [])
            ],
        }
        builder.add_child(record)
        ticker.tick()
    return CINBuild(builder.build(), person_ids)


def cin_header(period: Period, serial: str = "1") -> dict[str, Any]:
    """The message header: collection end year and reference date (31 March), the council's LEA."""
    return {
        "Collection": "CIN",
        "Year": str(period.end.year),
        "ReferenceDate": period.end,
        "SourceLevel": "L",
        "LEA": la_number(),
        "SoftwareCode": "openCSC",
        "Release": "0.1",
        "SerialNo": serial,
        "DateTime": timezone.now().replace(microsecond=0, tzinfo=None).isoformat(),
    }


def _identifiers(person: Mapping[str, Any], code: str, period: Period) -> dict[str, Any]:
    born = period.cut(person["date_of_birth"])
    expected = person["expected_date_of_birth"]
    if born is None and person["date_of_birth"] is not None:
        expected = expected or person["date_of_birth"]  # born after the reference date: unborn on it
    upn = person["upn"] or None
    return {
        "LAchildID": code,
        "UPN": upn,
        "FormerUPN": person["former_upn"] or None,
        "UPNunknown": None if upn else (person["upn_unknown_reason"] or None),
        "PersonBirthDate": born,
        "ExpectedPersonBirthDate": None if born else expected,
        "Sex": person["sex"] or "U",
        "PersonDeathDate": period.cut(person["date_of_death"]),
    }


def _episode(
    ep: Mapping[str, Any],
    period: Period,
    assessments: Mapping[int, Sequence[Mapping[str, Any]]],
    cin_plans: Mapping[int, Sequence[Mapping[str, Any]]],
    section47s: Mapping[int, Sequence[Mapping[str, Any]]],
    icpc_by_s47: dict[int, dt.date],
    unattached_icpc: dict[int, dt.date],
    plans: Mapping[int, Sequence[Mapping[str, Any]]],
    reviews: dict[int, list[dt.date]],
) -> dict[str, Any]:
    eid = ep["id"]
    closed = period.cut(ep["closure_date"])
    record: dict[str, Any] = {
        "CINreferralDate": ep["referral_date"],
        "ReferralSource": ep["source"] or None,
        "PrimaryNeedCode": ep["primary_need"] or None,
        "CINclosureDate": closed,
        "ReasonForClosure": (ep["closure_reason"] or None) if closed else None,
        "DateOfInitialCPC": unattached_icpc.get(eid),
        "ReferralNFA": ep["referral_nfa"],
        "Assessments": [],
        "CINPlanDates": [],
        "Section47": [],
        "ChildProtectionPlans": [],
    }
    for a in assessments.get(eid, ()):
        authorised = period.cut(a["authorised_date"])
        factors = tuple(a["factors"] or ()) if authorised else None
        record["Assessments"].append(
            {
                "AssessmentActualStartDate": a["start_date"],
                "AssessmentAuthorisationDate": authorised,
                "AssessmentFactors": factors or None,
            }
        )
    for p in cin_plans.get(eid, ()):
        record["CINPlanDates"].append(
            {"CINPlanStartDate": p["start_date"], "CINPlanEndDate": period.cut(p["end_date"])}
        )
    for s in section47s.get(eid, ()):
        icpc = icpc_by_s47.get(s["id"])
        not_required = bool(s["icpc_not_required"]) and period.cut(s["completed_date"]) is not None
        finished = icpc if icpc is not None else (s["completed_date"] if not_required else None)
        if finished is not None and finished < period.start:
            continue  # the enquiry ended before the year began
        record["Section47"].append(
            {
                "S47ActualStartDate": s["start_date"],
                # No conference target for an enquiry that ended without one (ICPCnotRequired), as the
                # previous system's return left it out.
                "InitialCPCtarget": None if not_required else s["icpc_target"],
                "DateOfInitialCPC": icpc,
                "ICPCnotRequired": not_required,
            }
        )
    for p in plans.get(eid, ()):
        record["ChildProtectionPlans"].append(
            {
                "CPPstartDate": p["start_date"],
                "CPPendDate": period.cut(p["end_date"]),
                "InitialCategoryOfAbuse": p["initial_category"] or None,
                "LatestCategoryOfAbuse": p["latest_category"] or None,
                "NumberOfPreviousCPP": p["number_of_previous_plans"],
                "Reviews": reviews.get(p["id"], []),
            }
        )
    return record
