"""The SSD tables openCSC produces, their columns in the SSD's order and names, and how each column
is treated in the pseudonymised export. This module is the schema: the builder fills exactly these
columns, the writer writes them in this order, and docs/standard-dataset.md documents them (a test
holds the three together).

Column names follow the Standard Safeguarding Dataset (data-to-insight, `ssd_*` objects; see
docs/standard-dataset.md for the version and what is not yet produced).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a column holds, which decides what the pseudonymised export does with it."""

    PERSON = "person"  # the child's key: keyed hash
    KEY = "key"  # a record's key (referral, assessment...): keyed hash, so files still join
    IDENTIFIER = "identifier"  # name, NHS number, LA child id, free address: left empty
    BIRTH = "birth"  # date of birth, expected date of birth, date of death: year and month only
    POSTCODE = "postcode"  # postcode: its district (outward code) only
    FREE_TEXT = "free_text"  # anything typed: left empty
    VALUE = "value"  # codes, flags, event dates, scores: as recorded


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.VALUE
    entity: str = ""  # for PERSON and KEY: what the key identifies, so a key hashes alike in every file


def _person(name: str) -> Column:
    return Column(name, Kind.PERSON, "person")


def _key(name: str, entity: str) -> Column:
    return Column(name, Kind.KEY, entity)


V = Column
TABLES: dict[str, list[Column]] = {
    "ssd_person": [
        _person("pers_person_id"),
        Column("pers_forename", Kind.IDENTIFIER),
        Column("pers_surname", Kind.IDENTIFIER),
        V("pers_sex"),
        V("pers_gender"),
        V("pers_ethnicity"),
        Column("pers_dob", Kind.BIRTH),
        Column("pers_common_child_id", Kind.IDENTIFIER),
        Column("pers_legacy_id", Kind.IDENTIFIER),
        V("pers_upn_unknown"),
        V("pers_send_flag"),
        Column("pers_expected_dob", Kind.BIRTH),
        Column("pers_death_date", Kind.BIRTH),
        V("pers_is_mother"),
        V("pers_nationality"),
    ],
    "ssd_disability": [_person("disa_person_id"), _key("disa_table_id", "disability"), V("disa_disability_code")],
    "ssd_address": [
        _key("addr_table_id", "address"),
        Column("addr_address_json", Kind.IDENTIFIER),
        _person("addr_person_id"),
        V("addr_address_type"),
        V("addr_address_start_date"),
        V("addr_address_end_date"),
        Column("addr_address_postcode", Kind.POSTCODE),
    ],
    "ssd_contacts": [
        _key("cont_contact_id", "contact"),
        _person("cont_person_id"),
        V("cont_contact_date"),
        V("cont_contact_source_code"),
        V("cont_contact_source_desc"),
        V("cont_contact_outcome_json"),
    ],
    "ssd_cin_episodes": [
        _key("cine_referral_id", "referral"),
        _person("cine_person_id"),
        V("cine_referral_date"),
        V("cine_cin_primary_need_code"),
        V("cine_referral_source_code"),
        V("cine_referral_source_desc"),
        V("cine_referral_outcome_json"),
        V("cine_referral_nfa"),
        V("cine_close_reason"),
        V("cine_close_date"),
        V("cine_referral_team"),
        _key("cine_referral_worker_id", "worker"),
    ],
    "ssd_cin_assessments": [
        _key("cina_assessment_id", "assessment"),
        _person("cina_person_id"),
        _key("cina_referral_id", "referral"),
        V("cina_assessment_start_date"),
        V("cina_assessment_child_seen"),
        V("cina_assessment_auth_date"),
        V("cina_assessment_outcome_json"),
        V("cina_assessment_outcome_nfa"),
        V("cina_assessment_team"),
        _key("cina_assessment_worker_id", "worker"),
    ],
    "ssd_assessment_factors": [
        _key("cinf_table_id", "assessment_factors"),
        _key("cinf_assessment_id", "assessment"),
        V("cinf_assessment_factors_json"),
    ],
    "ssd_cin_plans": [
        _key("cinp_cin_plan_id", "cin_plan"),
        _key("cinp_referral_id", "referral"),
        _person("cinp_person_id"),
        V("cinp_cin_plan_start_date"),
        V("cinp_cin_plan_end_date"),
        V("cinp_cin_plan_team"),
        _key("cinp_cin_plan_worker_id", "worker"),
    ],
    "ssd_s47_enquiry": [
        _key("s47e_s47_enquiry_id", "s47"),
        _key("s47e_referral_id", "referral"),
        _person("s47e_person_id"),
        V("s47e_s47_start_date"),
        V("s47e_s47_end_date"),
        V("s47e_s47_nfa"),
        V("s47e_s47_outcome_json"),
        _key("s47e_s47_completed_by_worker_id", "worker"),
        V("s47e_s47_completed_by_team"),
    ],
    "ssd_initial_cp_conference": [
        _key("icpc_icpc_id", "conference"),
        _key("icpc_icpc_meeting_id", "conference"),
        _key("icpc_s47_enquiry_id", "s47"),
        _person("icpc_person_id"),
        _key("icpc_cp_plan_id", "cp_plan"),
        _key("icpc_referral_id", "referral"),
        V("icpc_icpc_transfer_in"),
        V("icpc_icpc_target_date"),
        V("icpc_icpc_date"),
        V("icpc_icpc_outcome_cp_flag"),
        V("icpc_icpc_outcome_json"),
        V("icpc_icpc_team"),
        _key("icpc_icpc_worker_id", "worker"),
    ],
    "ssd_cp_plans": [
        _key("cppl_cp_plan_id", "cp_plan"),
        _key("cppl_referral_id", "referral"),
        _key("cppl_icpc_id", "conference"),
        _person("cppl_person_id"),
        V("cppl_cp_plan_start_date"),
        V("cppl_cp_plan_end_date"),
        V("cppl_cp_plan_initial_category"),
        V("cppl_cp_plan_ola"),
        V("cppl_cp_plan_latest_category"),
    ],
    "ssd_cla_episodes": [
        _key("clae_cla_episode_id", "care_episode"),
        _person("clae_person_id"),
        V("clae_cla_episode_start_date"),
        V("clae_cla_episode_start_reason"),
        V("clae_cla_primary_need_code"),
        V("clae_cla_episode_ceased_date"),
        V("clae_cla_episode_ceased_reason"),
        _key("clae_cla_id", "period_of_care"),
        _key("clae_referral_id", "referral"),
        _key("clae_cla_placement_id", "care_episode"),
        V("clae_entered_care_date"),
        V("clae_cla_last_iro_contact_date"),
    ],
    "ssd_cla_reviews": [
        _key("clar_cla_review_id", "cla_review"),
        _key("clar_cla_id", "period_of_care"),
        V("clar_cla_review_due_date"),
        V("clar_cla_review_date"),
        V("clar_cla_review_cancelled"),
        V("clar_cla_review_participation"),
    ],
    "ssd_cla_health": [
        _key("clah_health_check_id", "health_check"),
        _person("clah_person_id"),
        V("clah_health_check_type"),
        V("clah_health_check_date"),
        V("clah_health_check_status"),
    ],
    "ssd_cla_immunisations": [
        _person("clai_person_id"),
        V("clai_immunisations_status"),
        V("clai_immunisations_status_date"),
    ],
    "ssd_cla_substance_misuse": [
        _key("clas_substance_misuse_id", "health_check"),
        _person("clas_person_id"),
        V("clas_substance_misuse_date"),
        V("clas_substance_misused"),
        V("clas_intervention_received"),
    ],
    "ssd_sdq_scores": [
        _key("csdq_table_id", "health_check"),
        _person("csdq_person_id"),
        V("csdq_sdq_completed_date"),
        V("csdq_sdq_reason"),
        V("csdq_sdq_score"),
    ],
    "ssd_missing": [
        _key("miss_table_id", "missing"),
        _person("miss_person_id"),
        V("miss_missing_episode_start_date"),
        V("miss_missing_episode_type"),
        V("miss_missing_episode_end_date"),
        V("miss_missing_rhi_offered"),
        V("miss_missing_rhi_accepted"),
    ],
    "ssd_care_leavers": [
        _key("clea_table_id", "care_leaver"),
        _person("clea_person_id"),
        V("clea_care_leaver_eligibility"),
        V("clea_care_leaver_in_touch"),
        V("clea_care_leaver_latest_contact"),
        V("clea_care_leaver_accommodation"),
        V("clea_care_leaver_accom_suitable"),
        V("clea_care_leaver_activity"),
        V("clea_pathway_plan_review_date"),
        Column("clea_care_leaver_personal_advisor", Kind.IDENTIFIER),
        V("clea_care_leaver_allocated_team"),
        _key("clea_care_leaver_worker_id", "worker"),
    ],
}


def columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]
