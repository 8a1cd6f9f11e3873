"""The SSD tables added to the first nineteen: family, immigration status, mothers, legal status,
linked identifiers (the UPN), early help, visits, CP reviews, placements, care-plan-free looked-after
tables, convictions, permanence, and the workforce tables (involvements, professionals, departments).

Same rules as `build`: values_list reads, no names of children beyond the identifiable person table,
free text never read (the early help reason, the conviction's description), values as strings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from opencsc.accounts import models as am
from opencsc.casework import models as cm
from opencsc.casework.models.looked_after import date_perm
from opencsc.people import models as pm
from opencsc.standard_data.ssd.build import Row, _d, _id, _rows, _yn, scope
from opencsc.standard_data.ssd.schema import columns


def family() -> Iterator[Row]:
    for pk, family_id, person_id in _rows(
        pm.FamilyMembership.objects.filter(person_id__in=scope()), "pk", "family_id", "person_id"
    ):
        yield {"fami_table_id": pk, "fami_family_id": family_id, "fami_person_id": person_id}


def immigration_status() -> Iterator[Row]:
    fields = ("pk", "child_id", "start_date", "ceased_date")
    for pk, child_id, start, ceased in _rows(cm.UascStatus.objects.filter(child_id__in=scope()), *fields):
        yield {
            "immi_person_id": child_id,
            "immi_immigration_status_id": pk,
            "immi_immigration_status": "UASC",
            "immi_immigration_status_start_date": _d(start),
            "immi_immigration_status_end_date": _d(ceased),
        }


def mother() -> Iterator[Row]:
    """A child in the dataset who is a mother, and each of her children (SSDA903 MOTHER, MC_DOB)."""
    mothers = pm.Relationship.objects.filter(person_id__in=scope(), person__sex="F", kind=pm.RelationshipKind.PARENT)
    for pk, mother_id, child_id, born in _rows(mothers, "pk", "person_id", "relative_id", "relative__date_of_birth"):
        yield {
            "moth_table_id": pk,
            "moth_person_id": mother_id,
            "moth_childs_person_id": child_id,
            "moth_childs_dob": _d(born),
        }


def linked_identifiers() -> Iterator[Row]:
    """The UPN and former UPN (the identifiable export only: the pseudonymised one empties the value)."""
    people = pm.Person.objects.filter(pk__in=scope()).exclude(upn="", former_upn="")
    for pk, upn, former in _rows(people, "pk", "upn", "former_upn"):
        for suffix, kind, value in (("upn", "Unique Pupil Number", upn), ("former_upn", "Former UPN", former)):
            if value:
                yield {
                    "link_table_id": f"{pk}-{suffix}",
                    "link_person_id": pk,
                    "link_identifier_type": kind,
                    "link_identifier_value": value,
                    "link_valid_from_date": "",
                    "link_valid_to_date": "",
                }


def early_help_episodes() -> Iterator[Row]:
    """Early help / Family Help episodes. The reason is typed free text, so it is never exported."""
    fields = ("pk", "child_id", "start_date", "end_date", "end_reason", "organisation", "lead_practitioner_id")
    for pk, child_id, start, end, end_reason, organisation, worker in _rows(
        cm.HelpEpisode.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "earl_episode_id": pk,
            "earl_person_id": child_id,
            "earl_episode_start_date": _d(start),
            "earl_episode_end_date": _d(end),
            "earl_episode_reason": "",
            "earl_episode_end_reason": end_reason,
            "earl_episode_organisation": organisation,
            "earl_episode_worker_id": _id(worker),
        }


def _visits(kind: str) -> Iterator[tuple[Any, ...]]:
    return _rows(
        cm.Visit.objects.filter(child_id__in=scope(), kind=kind), "pk", "child_id", "visit_date", "seen", "seen_alone"
    )


Span = tuple[int, dt.date, dt.date | None]  # pk, start, end


def _spans(queryset: Any) -> dict[int, list[Span]]:
    spans: dict[int, list[Span]] = defaultdict(list)
    for pk, child_id, start, end in _rows(
        queryset.filter(child_id__in=scope()), "pk", "child_id", "start_date", "end_date"
    ):
        spans[child_id].append((pk, start, end))
    return spans


def _during(spans: list[Span], day: dt.date) -> int | None:
    """The span live on `day` (starts on or before it, ends on or after it, or is open)."""
    return next((pk for pk, start, end in spans if start <= day and (end is None or end >= day)), None)


def cin_visits() -> Iterator[Row]:
    for pk, child_id, day, seen, alone in _visits(cm.VisitKind.CIN):
        yield {
            "cinv_cin_visit_id": pk,
            "cinv_person_id": child_id,
            "cinv_cin_visit_date": _d(day),
            "cinv_cin_visit_seen": _yn(seen),
            "cinv_cin_visit_seen_alone": _yn(alone),
            "cinv_cin_visit_bedroom": "",
        }


def cp_visits() -> Iterator[Row]:
    plans = _spans(cm.ChildProtectionPlan.objects)
    for pk, child_id, day, seen, alone in _visits(cm.VisitKind.CP):
        yield {
            "cppv_cp_visit_id": pk,
            "cppv_person_id": child_id,
            "cppv_cp_plan_id": _id(_during(plans.get(child_id, []), day)),
            "cppv_cp_visit_date": _d(day),
            "cppv_cp_visit_seen": _yn(seen),
            "cppv_cp_visit_seen_alone": _yn(alone),
            "cppv_cp_visit_bedroom": "",
        }


def cp_reviews() -> Iterator[Row]:
    reviews = cm.Conference.objects.filter(child_id__in=scope(), kind=cm.ConferenceKind.REVIEW)
    fields = ("pk", "child_id", "plan_id", "target_date", "conference_date", "outcome", "quorate")
    for pk, child_id, plan_id, due, day, outcome, quorate in _rows(reviews, *fields):
        yield {
            "cppr_cp_review_id": pk,
            "cppr_person_id": child_id,
            "cppr_cp_plan_id": _id(plan_id),
            "cppr_cp_review_due": _d(due),
            "cppr_cp_review_date": _d(day),
            "cppr_cp_review_meeting_id": pk,
            "cppr_cp_review_outcome_continue_cp": _yn(outcome == cm.ConferenceOutcome.PLAN),
            "cppr_cp_review_quorate": _yn(quorate),
            "cppr_cp_review_participation": "",
        }


def cla_visits() -> Iterator[Row]:
    periods = _spans(cm.PeriodOfCare.objects)
    for pk, child_id, day, seen, alone in _visits(cm.VisitKind.LAC):
        yield {
            "clav_cla_visit_id": pk,
            "clav_cla_id": _id(_during(periods.get(child_id, []), day)),
            "clav_person_id": child_id,
            "clav_cla_visit_date": _d(day),
            "clav_cla_visit_seen": _yn(seen),
            "clav_cla_visit_seen_alone": _yn(alone),
        }


@dataclass
class Run:
    """Consecutive care episodes of one period that share something: a legal status, or a placement
    (every episode after the first changed only the legal status, RNE L)."""

    pk: int  # the first episode's, which names the run
    child_id: int
    period_id: int
    start: dt.date
    end: dt.date | None
    first: tuple[Any, ...]
    last: tuple[Any, ...]


EPISODE_FIELDS = (
    "pk",
    "child_id",
    "period_id",
    "start_date",
    "end_date",
    "reason_new_episode",
    "legal_status",
    "placement_type",
    "placement_provider",
    "urn",
    "placement_postcode",
    "reason_place_change",
)


def care_episodes() -> list[tuple[Any, ...]]:
    rows = cm.CareEpisode.objects.filter(child_id__in=scope()).order_by("period_id", "start_date", "pk")
    return list(rows.values_list(*EPISODE_FIELDS).iterator(chunk_size=2000))


def runs(episodes: list[tuple[Any, ...]], *, placement: bool) -> list[Run]:
    """Legal statuses (placement=False: a run lasts while the status is unchanged) or placements
    (placement=True: a run lasts while each next episode is a change of legal status only)."""
    out: list[Run] = []
    for row in episodes:
        pk, child_id, period_id, start, end, rne, legal = row[:7]
        prev = out[-1] if out else None
        same_period = prev is not None and prev.period_id == period_id and prev.end == start
        continues = rne == "L" if placement else (prev is not None and prev.last[6] == legal)
        if prev is not None and same_period and continues:
            prev.end, prev.last = end, row
        else:
            out.append(Run(pk, child_id, period_id, start, end, row, row))
    return out


def legal_status(episodes: list[tuple[Any, ...]]) -> Iterator[Row]:
    for run in runs(episodes, placement=False):
        yield {
            "lega_legal_status_id": run.pk,
            "lega_person_id": run.child_id,
            "lega_legal_status": run.first[6],
            "lega_legal_status_start_date": _d(run.start),
            "lega_legal_status_end_date": _d(run.end),
        }


def placement_of(episodes: list[tuple[Any, ...]]) -> dict[int, int]:
    """Each episode's placement (the pk of the placement's first episode)."""
    out: dict[int, int] = {}
    placements = runs(episodes, placement=True)
    by_first = {run.pk: run for run in placements}
    current = 0
    for row in episodes:
        if row[0] in by_first:
            current = row[0]
        out[row[0]] = current
    return out


def cla_placement(episodes: list[tuple[Any, ...]]) -> Iterator[Row]:
    for run in runs(episodes, placement=True):
        _pk, _child, _period, _s, _e, _rne, _legal, kind, provider, urn, postcode, _reason = run.first
        yield {
            "clap_cla_placement_id": run.pk,
            "clap_cla_placement_start_date": _d(run.start),
            "clap_cla_placement_type": kind,
            "clap_cla_placement_urn": urn,
            "clap_cla_placement_distance": "",
            "clap_cla_id": run.period_id,
            "clap_cla_placement_provider": provider,
            "clap_cla_placement_postcode": postcode,
            "clap_cla_placement_end_date": _d(run.end),
            "clap_cla_placement_change_reason": run.last[11] if run.end else "",
            "clap_person_id": run.child_id,
        }


def cla_convictions() -> Iterator[Row]:
    """Convictions of looked-after children: the date only; the description is free text, never read."""
    for pk, child_id, day in _rows(
        cm.YouthConviction.objects.filter(child_id__in=scope()), "pk", "child_id", "convicted_on"
    ):
        yield {
            "clac_cla_conviction_id": pk,
            "clac_person_id": child_id,
            "clac_cla_conviction_date": _d(day),
            "clac_cla_conviction_offence": "",
        }


def cla_previous_permanence() -> Iterator[Row]:
    fields = ("pk", "child_id", "option", "la_code", "order_day", "order_month", "order_year")
    for pk, child_id, option, la_code, day, month, year in _rows(
        cm.PreviousPermanence.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "lapp_table_id": pk,
            "lapp_person_id": child_id,
            "lapp_previous_permanence_order_date": date_perm(option, day, month, year),
            "lapp_previous_permanence_option": option,
            "lapp_previous_permanence_la": la_code,
        }


PLACEMENT_ORDERS = ("E1", "D1")


def permanence(episodes: list[tuple[Any, ...]]) -> Iterator[Row]:
    """Adoption milestones (SSDA903 PlacedAdoption, AD1), one row per adoption record. The placement
    order date is the start of the period's first placement or freeing order (legal status E1/D1)."""
    orders: dict[int, dt.date] = {}
    for row in episodes:
        if row[6] in PLACEMENT_ORDERS and row[2] not in orders:
            orders[row[2]] = row[3]
    fields = ("pk", "child_id", "period_id", "decision_date", "match_date", "placed_date", "adoption_order_date")
    more = ("placed_ceased_date", "reason_placed_ceased", "foster_carer_adoption", "number_of_adopters")
    for row in _rows(
        cm.AdoptionRecord.objects.filter(child_id__in=scope()), *fields, *more, "adopter_sex", "adopter_legal_status"
    ):
        pk, child_id, period_id, decided, matched, placed, adopted, ceased, reason, by_carer, adopters, sex, ls = row
        out: Row = dict.fromkeys(columns("ssd_permanence"), "")
        out.update(
            perm_table_id=pk,
            perm_person_id=child_id,
            perm_cla_id=period_id,
            perm_adm_decision_date=_d(decided),
            perm_placement_order_date=_d(orders.get(period_id)),
            perm_placed_for_adoption_date=_d(placed),
            perm_matched_date=_d(matched),
            perm_adopted_by_carer_flag=_yn(by_carer),
            perm_decision_reversed_date=_d(ceased),
            perm_decision_reversed_reason=reason,
            perm_permanence_order_date=_d(adopted),
            perm_permanence_order_type="Adoption order" if adopted else "",
            perm_adopter_sex=sex,
            perm_adopter_legal_status=ls,
            perm_number_of_adopters=_id(adopters),
        )
        yield out


def involvements() -> Iterator[Row]:
    """Every allocation of a child in the dataset to a team or worker (the worker's role in it), with
    the SSDA903 reason for a change of social worker where the SWEpisodes record has one."""
    reasons = {
        (child_id, worker_id, start): reason
        for child_id, worker_id, start, reason in cm.SocialWorkerEpisode.objects.filter(
            child_id__in=scope()
        ).values_list("child_id", "worker_id", "start_date", "reason")
    }
    fields = ("pk", "worker_id", "kind", "team_id", "start_date", "end_date", "person_id")
    for pk, worker, kind, team, start, end, person_id in _rows(
        am.Allocation.objects.filter(person_id__in=scope()), *fields
    ):
        yield {
            "invo_involvements_id": pk,
            "invo_professional_id": _id(worker),
            "invo_professional_role_id": kind,
            "invo_professional_team": team,
            "invo_involvement_start_date": _d(start),
            "invo_involvement_end_date": _d(end),
            "invo_worker_change_reason": reasons.get((person_id, worker, start), ""),
            "invo_person_id": person_id,
            "invo_referral_id": "",
        }


PRACTITIONERS = (
    am.Role.SOCIAL_WORKER,
    am.Role.MASH_PRACTITIONER,
    am.Role.TEAM_MANAGER,
    am.Role.CONFERENCE_CHAIR,
    am.Role.PARTNER,
)


def last_30_september(today: dt.date) -> dt.date:
    this_year = dt.date(today.year, 9, 30)
    return this_year if this_year < today else dt.date(today.year - 1, 9, 30)


def professionals(today: dt.date | None = None) -> Iterator[Row]:
    """Practitioners (not analysts, governance or administrators), with the children allocated to
    each on the previous 30 September (the CSC workforce census date)."""
    census = last_30_september(today or timezone.localdate())
    caseload: dict[int, int] = defaultdict(int)
    for worker_id in (
        am.Allocation.objects.current(census)
        .filter(kind=am.AllocationKind.ALLOCATED_WORKER, worker__isnull=False)
        .values_list("worker_id", flat=True)
    ):
        caseload[worker_id] += 1
    users = am.User.objects.filter(role__in=PRACTITIONERS)
    fields = ("pk", "username", "first_name", "last_name", "job_title", "team__name", "role")
    for pk, username, first, last, title, team, role in _rows(users, *fields):
        yield {
            "prof_professional_id": pk,
            "prof_staff_id": username,
            "prof_professional_name": f"{first} {last}".strip(),
            "prof_social_worker_registration_no": "",
            "prof_professional_job_title": title or am.Role(role).label,
            "prof_professional_caseload": caseload.get(pk, 0),
            "prof_professional_department": team or "",
            "prof_full_time_equivalency": "",
            "prof_agency_worker_flag": "",
        }


def department() -> Iterator[Row]:
    for pk, name in am.Team.objects.order_by("pk").values_list("pk", "name"):
        yield {"dept_team_id": pk, "dept_team_name": name, "dept_team_parent_id": "", "dept_team_parent_name": ""}
