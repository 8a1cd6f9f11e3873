"""The SSD tables as identifiable rows, read from the live record (a view of it, not a copy).

Children in scope: every child with a referral episode, a period of care or a help episode. One generator per table,
each one query (the health tables share one); values are strings as the SSD's nvarchar columns are (dates in
ISO form, flags Y/N, codes as the DfE's). Decrypting special-category fields happens here, and
nothing here is logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

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


def scope() -> QuerySet[Any, Any]:
    """The children in the dataset (a referral episode, a period of care, or an early help / Family
    Help episode), as a subquery (a borough's 60,000 ids never travel as a list)."""
    return pm.Person.objects.filter(
        Q(pk__in=cm.ReferralEpisode.objects.values("child_id"))
        | Q(pk__in=cm.PeriodOfCare.objects.values("child_id"))
        | Q(pk__in=cm.HelpEpisode.objects.values("child_id"))
    ).values("pk")


def children_in_scope() -> list[int]:
    return list(scope().order_by("pk").values_list("pk", flat=True))


def _rows(queryset: QuerySet[Any], *fields: str) -> Iterator[tuple[Any, ...]]:
    # values_list, not model instances: a tuple per row is several times cheaper at 500,000 rows, and
    # encrypted fields are still decrypted by their converters.
    return queryset.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)


def person() -> Iterator[Row]:
    mothers = set(
        pm.Relationship.objects.filter(
            person_id__in=scope(), kind=pm.RelationshipKind.PARENT, person__sex="F"
        ).values_list("person_id", flat=True)
    )
    fields = ("pk", "first_name", "last_name", "sex", "ethnicity", "date_of_birth", "nhs_number", "la_child_id")
    more = ("upn_unknown_reason", "expected_date_of_birth", "date_of_death")
    for pk, first, last, sex, ethnicity, born, nhs, la_id, upn_unknown, expected, died in _rows(
        pm.Person.objects.filter(pk__in=scope()), *fields, *more
    ):
        yield {
            "pers_person_id": pk,
            "pers_forename": first,
            "pers_surname": last,
            "pers_sex": sex,
            "pers_gender": "",
            "pers_ethnicity": ethnicity,
            "pers_dob": _d(born),
            "pers_common_child_id": nhs,
            "pers_legacy_id": la_id or "",
            "pers_upn_unknown": upn_unknown,
            "pers_send_flag": "",
            "pers_expected_dob": _d(expected),
            "pers_death_date": _d(died),
            "pers_is_mother": _yn(pk in mothers),
            "pers_nationality": "",
        }


def disability() -> Iterator[Row]:
    for pk, person_id, code in _rows(pm.Disability.objects.filter(person_id__in=scope()), "pk", "person_id", "code"):
        yield {"disa_person_id": person_id, "disa_table_id": pk, "disa_disability_code": code}


def address() -> Iterator[Row]:
    fields = ("pk", "person_id", "line1", "line2", "town", "postcode", "start_date", "end_date")
    for pk, person_id, line1, line2, town, postcode, start, end in _rows(
        pm.Address.objects.filter(person_id__in=scope()), *fields
    ):
        lines = {"line1": line1, "line2": line2, "town": town, "postcode": postcode}
        yield {
            "addr_table_id": pk,
            "addr_address_json": json.dumps(lines),
            "addr_person_id": person_id,
            "addr_address_type": "",
            "addr_address_start_date": _d(start),
            "addr_address_end_date": _d(end),
            "addr_address_postcode": postcode,
        }


def contacts() -> Iterator[Row]:
    sources = dict(codelists.choices("cin_referral_source"))
    for pk, child_id, day, source, decision in _rows(
        cm.Contact.objects.filter(child_id__in=scope()), "pk", "child_id", "contact_date", "source", "decision"
    ):
        yield {
            "cont_contact_id": pk,
            "cont_person_id": child_id,
            "cont_contact_date": _d(day),
            "cont_contact_source_code": source,
            "cont_contact_source_desc": sources.get(source, ""),
            "cont_contact_outcome_json": json.dumps({"decision": decision}) if decision else "",
        }


def cin_episodes() -> Iterator[Row]:
    sources = dict(codelists.choices("cin_referral_source"))
    fields = ("pk", "child_id", "referral_date", "primary_need", "source", "referral_nfa")
    more = ("closure_reason", "closure_date", "recorded_by_id")
    for pk, child_id, referred, need, source, nfa, reason, closed, worker in _rows(
        cm.ReferralEpisode.objects.filter(child_id__in=scope()), *fields, *more
    ):
        yield {
            "cine_referral_id": pk,
            "cine_person_id": child_id,
            "cine_referral_date": _d(referred),
            "cine_cin_primary_need_code": need,
            "cine_referral_source_code": source,
            "cine_referral_source_desc": sources.get(source, ""),
            "cine_referral_outcome_json": "",
            "cine_referral_nfa": _yn(nfa),
            "cine_close_reason": reason,
            "cine_close_date": _d(closed),
            "cine_referral_team": "",
            "cine_referral_worker_id": _id(worker),
        }


def cin_assessments() -> Iterator[Row]:
    fields = ("pk", "child_id", "episode_id", "start_date", "child_seen_on", "authorised_date", "completed_date")
    for pk, child_id, episode_id, start, seen, authorised, completed, outcome, worker in _rows(
        cm.Assessment.objects.filter(child_id__in=scope()), *fields, "outcome", "recorded_by_id"
    ):
        yield {
            "cina_assessment_id": pk,
            "cina_person_id": child_id,
            "cina_referral_id": episode_id,
            "cina_assessment_start_date": _d(start),
            "cina_assessment_child_seen": _yn(seen is not None),
            "cina_assessment_auth_date": _d(authorised or completed),
            "cina_assessment_outcome_json": json.dumps({"outcome": outcome}) if outcome else "",
            "cina_assessment_outcome_nfa": _yn(outcome == "nfa") if outcome else "",
            "cina_assessment_team": "",
            "cina_assessment_worker_id": _id(worker),
        }


def assessment_factors() -> Iterator[Row]:
    rows = cm.Assessment.objects.filter(child_id__in=scope()).exclude(factors=[])
    for pk, factors in _rows(rows, "pk", "factors"):
        yield {"cinf_table_id": pk, "cinf_assessment_id": pk, "cinf_assessment_factors_json": json.dumps(factors)}


def cin_plans() -> Iterator[Row]:
    fields = ("pk", "episode_id", "child_id", "start_date", "end_date", "recorded_by_id")
    for pk, episode_id, child_id, start, end, worker in _rows(
        cm.ChildInNeedPlan.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "cinp_cin_plan_id": pk,
            "cinp_referral_id": episode_id,
            "cinp_person_id": child_id,
            "cinp_cin_plan_start_date": _d(start),
            "cinp_cin_plan_end_date": _d(end),
            "cinp_cin_plan_team": "",
            "cinp_cin_plan_worker_id": _id(worker),
        }


def s47_enquiry() -> Iterator[Row]:
    fields = ("pk", "episode_id", "child_id", "start_date", "completed_date", "outcome", "recorded_by_id")
    for pk, episode_id, child_id, start, completed, outcome, worker in _rows(
        cm.Section47.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "s47e_s47_enquiry_id": pk,
            "s47e_referral_id": episode_id,
            "s47e_person_id": child_id,
            "s47e_s47_start_date": _d(start),
            "s47e_s47_end_date": _d(completed),
            "s47e_s47_nfa": _yn(outcome == "nfa") if outcome else "",
            "s47e_s47_outcome_json": json.dumps({"outcome": outcome}) if outcome else "",
            "s47e_s47_completed_by_worker_id": _id(worker),
            "s47e_s47_completed_by_team": "",
        }


def initial_cp_conference() -> Iterator[Row]:
    initial = cm.Conference.objects.filter(
        child_id__in=scope(),
        kind__in=[cm.ConferenceKind.INITIAL, cm.ConferenceKind.PRE_BIRTH, cm.ConferenceKind.TRANSFER_IN],
    )
    fields = ("pk", "section47_id", "child_id", "started_plan", "episode_id", "kind", "target_date")
    for pk, s47_id, child_id, plan_id, episode_id, kind, target, day, outcome, chair in _rows(
        initial, *fields, "conference_date", "outcome", "chair_id"
    ):
        yield {
            "icpc_icpc_id": pk,
            "icpc_icpc_meeting_id": pk,
            "icpc_s47_enquiry_id": _id(s47_id),
            "icpc_person_id": child_id,
            "icpc_cp_plan_id": _id(plan_id),
            "icpc_referral_id": episode_id,
            "icpc_icpc_transfer_in": _yn(kind == cm.ConferenceKind.TRANSFER_IN),
            "icpc_icpc_target_date": _d(target),
            "icpc_icpc_date": _d(day),
            "icpc_icpc_outcome_cp_flag": _yn(outcome == cm.ConferenceOutcome.PLAN),
            "icpc_icpc_outcome_json": json.dumps({"outcome": outcome}) if outcome else "",
            "icpc_icpc_team": "",
            "icpc_icpc_worker_id": _id(chair),
        }


def cp_plans() -> Iterator[Row]:
    fields = ("pk", "episode_id", "conference_id", "child_id", "start_date", "end_date")
    for pk, episode_id, conference_id, child_id, start, end, initial, latest in _rows(
        cm.ChildProtectionPlan.objects.filter(child_id__in=scope()), *fields, "initial_category", "latest_category"
    ):
        yield {
            "cppl_cp_plan_id": pk,
            "cppl_referral_id": episode_id,
            "cppl_icpc_id": _id(conference_id),
            "cppl_person_id": child_id,
            "cppl_cp_plan_start_date": _d(start),
            "cppl_cp_plan_end_date": _d(end),
            "cppl_cp_plan_initial_category": initial,
            "cppl_cp_plan_ola": "N",
            "cppl_cp_plan_latest_category": latest,
        }


def cla_episodes(placement_of: dict[int, int] | None = None) -> Iterator[Row]:
    """`placement_of`: each episode's placement (its first episode's key), so the row joins to
    ssd_cla_placement; without it each episode names itself."""
    placement_of = placement_of or {}
    fields = ("pk", "child_id", "start_date", "reason_new_episode", "primary_need", "end_date", "reason_ceased")
    for pk, child_id, start, rne, need, end, ceased, period_id, entered in _rows(
        cm.CareEpisode.objects.filter(child_id__in=scope()), *fields, "period_id", "period__start_date"
    ):
        yield {
            "clae_cla_episode_id": pk,
            "clae_person_id": child_id,
            "clae_cla_episode_start_date": _d(start),
            "clae_cla_episode_start_reason": rne,
            "clae_cla_primary_need_code": need,
            "clae_cla_episode_ceased_date": _d(end),
            "clae_cla_episode_ceased_reason": ceased,
            "clae_cla_id": period_id,
            "clae_referral_id": "",
            "clae_cla_placement_id": placement_of.get(pk, pk),
            "clae_entered_care_date": _d(entered),
            "clae_cla_last_iro_contact_date": "",
        }


def cla_reviews() -> Iterator[Row]:
    fields = ("pk", "period_id", "due_date", "review_date", "participation")
    for pk, period_id, due, day, participation in _rows(
        cm.LookedAfterReview.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "clar_cla_review_id": pk,
            "clar_cla_id": period_id,
            "clar_cla_review_due_date": _d(due),
            "clar_cla_review_date": _d(day),
            "clar_cla_review_cancelled": "N",
            "clar_cla_review_participation": participation,
        }


def care_leavers() -> Iterator[Row]:
    """One row per care leaver: their latest contact (the SSD keeps the current position)."""
    latest: dict[int, tuple[Any, ...]] = {}
    fields = ("pk", "child_id", "contact_date", "in_touch", "accommodation", "accommodation_suitable", "activity")
    for row in _rows(cm.CareLeaverContact.objects.filter(child_id__in=scope()), *fields, "recorded_by_id"):
        if row[1] not in latest or row[2] >= latest[row[1]][2]:
            latest[row[1]] = row
    for pk, child_id, day, in_touch, accommodation, suitable, activity, worker in sorted(latest.values()):
        yield {
            "clea_table_id": pk,
            "clea_person_id": child_id,
            "clea_care_leaver_eligibility": "",
            "clea_care_leaver_in_touch": in_touch,
            "clea_care_leaver_latest_contact": _d(day),
            "clea_care_leaver_accommodation": accommodation,
            "clea_care_leaver_accom_suitable": _yn(suitable),
            "clea_care_leaver_activity": activity,
            "clea_pathway_plan_review_date": "",
            "clea_care_leaver_personal_advisor": "",
            "clea_care_leaver_allocated_team": "",
            "clea_care_leaver_worker_id": _id(worker),
        }


K = cm.HealthCheckKind
HEALTH_KINDS = {K.HEALTH_ASSESSMENT: "health_assessment", K.TEETH_CHECK: "dental_check", K.HEALTH_CHECK: "health_check"}
Check = tuple[int, int, str, Any, str, str]  # pk, child id, kind, date, SDQ score, SDQ reason


def _all_checks() -> list[Check]:
    # `kind` is encrypted at rest, so it is filtered after decryption; the decrypted rows are read
    # once and shared by the five health tables (the note, free text, is never read).
    fields = ("pk", "child_id", "kind", "check_date", "sdq_score", "sdq_reason")
    return list(_rows(cm.HealthCheck.objects.filter(child_id__in=scope()), *fields))


def cla_health(checks: list[Check]) -> Iterator[Row]:
    for pk, child_id, kind, day, _score, _reason in checks:
        if kind in HEALTH_KINDS:
            yield {
                "clah_health_check_id": pk,
                "clah_person_id": child_id,
                "clah_health_check_type": HEALTH_KINDS[K(kind)],
                "clah_health_check_date": _d(day),
                "clah_health_check_status": "completed",
            }


def cla_immunisations(checks: list[Check]) -> Iterator[Row]:
    for _pk, child_id, kind, day, _score, _reason in checks:
        if kind == K.IMMUNISATIONS:
            yield {
                "clai_person_id": child_id,
                "clai_immunisations_status": "Y",
                "clai_immunisations_status_date": _d(day),
            }


def cla_substance_misuse(checks: list[Check]) -> Iterator[Row]:
    received = {child_id for _pk, child_id, kind, *_ in checks if kind == K.INTERVENTION_RECEIVED}
    for pk, child_id, kind, day, _score, _reason in checks:
        if kind == K.SUBSTANCE_MISUSE:
            yield {
                "clas_substance_misuse_id": pk,
                "clas_person_id": child_id,
                "clas_substance_misuse_date": _d(day),
                "clas_substance_misused": "Y",
                "clas_intervention_received": _yn(child_id in received),
            }


def sdq_scores(checks: list[Check]) -> Iterator[Row]:
    for pk, child_id, kind, day, score, reason in checks:
        if kind == K.SDQ:
            yield {
                "csdq_table_id": pk,
                "csdq_person_id": child_id,
                "csdq_sdq_completed_date": _d(day),
                "csdq_sdq_reason": reason,
                "csdq_sdq_score": score,
            }


def missing() -> Iterator[Row]:
    fields = (
        "pk",
        "child_id",
        "start_date",
        "kind",
        "end_date",
        "return_interview_offered",
        "return_interview_accepted",
    )
    for pk, child_id, start, kind, end, offered, accepted in _rows(
        cm.MissingEpisode.objects.filter(child_id__in=scope()), *fields
    ):
        yield {
            "miss_table_id": pk,
            "miss_person_id": child_id,
            "miss_missing_episode_start_date": _d(start),
            "miss_missing_episode_type": kind,
            "miss_missing_episode_end_date": _d(end),
            "miss_missing_rhi_offered": _yn(offered),
            "miss_missing_rhi_accepted": _yn(accepted),
        }
