"""The SSD tables as identifiable rows, read from the live record (a view of it, not a copy).

Children in scope: every child with a referral episode or a period of care. One generator per table,
each a handful of set-based queries; values are strings as the SSD's nvarchar columns are (dates in
ISO form, flags Y/N, codes as the DfE's). Decrypting special-category fields happens here, and
nothing here is logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Q

from opencsc.casework import models as cm
from opencsc.core import codelists
from opencsc.people import models as pm

Row = dict[str, Any]
CHUNK = 2000


def _d(value: Any) -> str:
    return value.isoformat() if value else ""


def _yn(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def _id(value: Any) -> str:
    return "" if value is None else str(value)


def children_in_scope() -> list[int]:
    ids = set(cm.ReferralEpisode.objects.values_list("child_id", flat=True))
    ids |= set(cm.PeriodOfCare.objects.values_list("child_id", flat=True))
    return sorted(ids)


def person(ids: list[int]) -> Iterator[Row]:
    mothers = set(
        pm.Relationship.objects.filter(person_id__in=ids, kind=pm.RelationshipKind.PARENT, person__sex="F").values_list(
            "person_id", flat=True
        )
    )
    people = pm.Person.objects.filter(pk__in=ids).order_by("pk")
    for p in people.iterator(chunk_size=CHUNK):
        yield {
            "pers_person_id": p.pk,
            "pers_forename": p.first_name,
            "pers_surname": p.last_name,
            "pers_sex": p.sex,
            "pers_gender": "",
            "pers_ethnicity": p.ethnicity,
            "pers_dob": _d(p.date_of_birth),
            "pers_common_child_id": p.nhs_number,
            "pers_legacy_id": p.la_child_id or "",
            "pers_upn_unknown": p.upn_unknown_reason,
            "pers_send_flag": "",
            "pers_expected_dob": _d(p.expected_date_of_birth),
            "pers_death_date": _d(p.date_of_death),
            "pers_is_mother": _yn(p.pk in mothers),
            "pers_nationality": "",
        }


def disability(ids: list[int]) -> Iterator[Row]:
    for d in pm.Disability.objects.filter(person_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        yield {"disa_person_id": d.person_id, "disa_table_id": d.pk, "disa_disability_code": d.code}


def address(ids: list[int]) -> Iterator[Row]:
    for a in pm.Address.objects.filter(person_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        lines = {"line1": a.line1, "line2": a.line2, "town": a.town, "postcode": a.postcode}
        yield {
            "addr_table_id": a.pk,
            "addr_address_json": json.dumps(lines),
            "addr_person_id": a.person_id,
            "addr_address_type": "",
            "addr_address_start_date": _d(a.start_date),
            "addr_address_end_date": _d(a.end_date),
            "addr_address_postcode": a.postcode,
        }


def cin_episodes(ids: list[int]) -> Iterator[Row]:
    sources = dict(codelists.choices("cin_referral_source"))
    for e in cm.ReferralEpisode.objects.filter(child_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "cine_referral_id": e.pk,
            "cine_person_id": e.child_id,
            "cine_referral_date": _d(e.referral_date),
            "cine_cin_primary_need_code": e.primary_need,
            "cine_referral_source_code": e.source,
            "cine_referral_source_desc": sources.get(e.source, ""),
            "cine_referral_outcome_json": "",
            "cine_referral_nfa": _yn(e.referral_nfa),
            "cine_close_reason": e.closure_reason,
            "cine_close_date": _d(e.closure_date),
            "cine_referral_team": "",
            "cine_referral_worker_id": _id(e.recorded_by_id),
        }


def cin_assessments(ids: list[int]) -> Iterator[Row]:
    for a in cm.Assessment.objects.filter(child_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "cina_assessment_id": a.pk,
            "cina_person_id": a.child_id,
            "cina_referral_id": a.episode_id,
            "cina_assessment_start_date": _d(a.start_date),
            "cina_assessment_child_seen": _yn(a.child_seen_on is not None),
            "cina_assessment_auth_date": _d(a.authorised_date or a.completed_date),
            "cina_assessment_outcome_json": json.dumps({"outcome": a.outcome}) if a.outcome else "",
            "cina_assessment_outcome_nfa": _yn(a.outcome == "nfa") if a.outcome else "",
            "cina_assessment_team": "",
            "cina_assessment_worker_id": _id(a.recorded_by_id),
        }


def assessment_factors(ids: list[int]) -> Iterator[Row]:
    rows = cm.Assessment.objects.filter(child_id__in=ids).exclude(factors=[]).order_by("pk")
    for pk, factors in rows.values_list("pk", "factors").iterator(chunk_size=CHUNK):
        yield {"cinf_table_id": pk, "cinf_assessment_id": pk, "cinf_assessment_factors_json": json.dumps(factors)}


def cp_plans(ids: list[int]) -> Iterator[Row]:
    for p in cm.ChildProtectionPlan.objects.filter(child_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "cppl_cp_plan_id": p.pk,
            "cppl_referral_id": p.episode_id,
            "cppl_icpc_id": _id(p.conference_id),
            "cppl_person_id": p.child_id,
            "cppl_cp_plan_start_date": _d(p.start_date),
            "cppl_cp_plan_end_date": _d(p.end_date),
            "cppl_cp_plan_initial_category": p.initial_category,
            "cppl_cp_plan_ola": "N",
            "cppl_cp_plan_latest_category": p.latest_category,
        }


def cla_episodes(ids: list[int]) -> Iterator[Row]:
    episodes = cm.CareEpisode.objects.filter(child_id__in=ids).select_related("period").order_by("pk")
    for e in episodes.iterator(chunk_size=CHUNK):
        yield {
            "clae_cla_episode_id": e.pk,
            "clae_person_id": e.child_id,
            "clae_cla_episode_start_date": _d(e.start_date),
            "clae_cla_episode_start_reason": e.reason_new_episode,
            "clae_cla_primary_need_code": e.primary_need,
            "clae_cla_episode_ceased_date": _d(e.end_date),
            "clae_cla_episode_ceased_reason": e.reason_ceased,
            "clae_cla_id": e.period_id,
            "clae_referral_id": "",
            "clae_cla_placement_id": e.pk,
            "clae_entered_care_date": _d(e.period.start_date),
            "clae_cla_last_iro_contact_date": "",
        }


def _checks(ids: list[int], kinds: set[str]) -> Iterator[cm.HealthCheck]:
    # `kind` is encrypted at rest: filtered after decryption.
    for h in cm.HealthCheck.objects.filter(child_id__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
        if h.kind in kinds:
            yield h


K = cm.HealthCheckKind
HEALTH_KINDS = {K.HEALTH_ASSESSMENT: "health_assessment", K.TEETH_CHECK: "dental_check", K.HEALTH_CHECK: "health_check"}


def cla_health(ids: list[int]) -> Iterator[Row]:
    for h in _checks(ids, set(HEALTH_KINDS)):
        yield {
            "clah_health_check_id": h.pk,
            "clah_person_id": h.child_id,
            "clah_health_check_type": HEALTH_KINDS[K(h.kind)],
            "clah_health_check_date": _d(h.check_date),
            "clah_health_check_status": "completed",
        }


def cla_immunisations(ids: list[int]) -> Iterator[Row]:
    for h in _checks(ids, {K.IMMUNISATIONS}):
        yield {
            "clai_person_id": h.child_id,
            "clai_immunisations_status": "Y",
            "clai_immunisations_status_date": _d(h.check_date),
        }


def cla_substance_misuse(ids: list[int]) -> Iterator[Row]:
    received = {h.child_id for h in _checks(ids, {K.INTERVENTION_RECEIVED})}
    for h in _checks(ids, {K.SUBSTANCE_MISUSE}):
        yield {
            "clas_substance_misuse_id": h.pk,
            "clas_person_id": h.child_id,
            "clas_substance_misuse_date": _d(h.check_date),
            "clas_substance_misused": "Y",
            "clas_intervention_received": _yn(h.child_id in received),
        }


def sdq_scores(ids: list[int]) -> Iterator[Row]:
    for h in _checks(ids, {K.SDQ}):
        yield {
            "csdq_table_id": h.pk,
            "csdq_person_id": h.child_id,
            "csdq_sdq_completed_date": _d(h.check_date),
            "csdq_sdq_reason": h.sdq_reason,
            "csdq_sdq_score": h.sdq_score,
        }


def missing(ids: list[int]) -> Iterator[Row]:
    rows = cm.MissingEpisode.objects.filter(Q(child_id__in=ids)).order_by("pk")
    for m in rows.iterator(chunk_size=CHUNK):
        yield {
            "miss_table_id": m.pk,
            "miss_person_id": m.child_id,
            "miss_missing_episode_start_date": _d(m.start_date),
            "miss_missing_episode_type": m.kind,
            "miss_missing_episode_end_date": _d(m.end_date),
            "miss_missing_rhi_offered": _yn(m.return_interview_offered),
            "miss_missing_rhi_accepted": _yn(m.return_interview_accepted),
        }


BUILDERS: dict[str, Callable[[list[int]], Iterator[Row]]] = {
    "ssd_person": person,
    "ssd_disability": disability,
    "ssd_address": address,
    "ssd_cin_episodes": cin_episodes,
    "ssd_cin_assessments": cin_assessments,
    "ssd_assessment_factors": assessment_factors,
    "ssd_cp_plans": cp_plans,
    "ssd_cla_episodes": cla_episodes,
    "ssd_cla_health": cla_health,
    "ssd_cla_immunisations": cla_immunisations,
    "ssd_cla_substance_misuse": cla_substance_misuse,
    "ssd_sdq_scores": sdq_scores,
    "ssd_missing": missing,
}
