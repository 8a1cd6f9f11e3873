"""Every SSD table in the schema's order, with the builder that fills it, and the tables the record
has no data for (written with their header only; docs/standard-dataset.md says why for each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from opencsc.standard_data.ssd import build, build_more
from opencsc.standard_data.ssd.build import Row
from opencsc.standard_data.ssd.schema import TABLES

# Tables openCSC writes with their header only, because the record holds no such data (the reason
# is in docs/standard-dataset.md; a test holds the two together).
EMPTY = {
    "ssd_cla_care_plan": "no care plan or permanence plan is recorded as data",
    "ssd_pre_proceedings": "pre-proceedings (PLO) are not recorded",
    "ssd_voice_of_child": "the SSD's questions to the child are not asked in the record",
    "ssd_send": "special educational needs are held by education, not this record",
    "ssd_ehcp_requests": "EHC plans are held by education, not this record",
    "ssd_ehcp_assessment": "EHC plans are held by education, not this record",
    "ssd_ehcp_named_plan": "EHC plans are held by education, not this record",
    "ssd_ehcp_active_plans": "EHC plans are held by education, not this record",
    "ssd_sen_need": "EHC plans are held by education, not this record",
    "ssd_s251_finance": "placement costs are not recorded (the SSD's columns are placeholders)",
}


def _empty() -> Iterator[Row]:
    return iter(())


def all_tables() -> Iterator[tuple[str, Iterator[Row]]]:
    """(table, its rows) for every table, in the schema's order. Rows are built lazily, one table at
    a time; the health checks and care episodes are read once and shared by the tables built on them."""
    checks = build._all_checks()
    episodes = build_more.care_episodes()
    placement_of = build_more.placement_of(episodes)
    builders: dict[str, Callable[[], Iterator[Row]]] = {
        "ssd_person": build.person,
        "ssd_family": build_more.family,
        "ssd_address": build.address,
        "ssd_disability": build.disability,
        "ssd_immigration_status": build_more.immigration_status,
        "ssd_mother": build_more.mother,
        "ssd_legal_status": lambda: build_more.legal_status(episodes),
        "ssd_linked_identifiers": build_more.linked_identifiers,
        "ssd_contacts": build.contacts,
        "ssd_early_help_episodes": build_more.early_help_episodes,
        "ssd_cin_episodes": build.cin_episodes,
        "ssd_cin_assessments": build.cin_assessments,
        "ssd_assessment_factors": build.assessment_factors,
        "ssd_cin_plans": build.cin_plans,
        "ssd_cin_visits": build_more.cin_visits,
        "ssd_s47_enquiry": build.s47_enquiry,
        "ssd_initial_cp_conference": build.initial_cp_conference,
        "ssd_cp_plans": build.cp_plans,
        "ssd_cp_visits": build_more.cp_visits,
        "ssd_cp_reviews": build_more.cp_reviews,
        "ssd_cla_episodes": lambda: build.cla_episodes(placement_of),
        "ssd_cla_placement": lambda: build_more.cla_placement(episodes),
        "ssd_cla_reviews": build.cla_reviews,
        "ssd_cla_visits": build_more.cla_visits,
        "ssd_cla_health": lambda: build.cla_health(checks),
        "ssd_cla_immunisations": lambda: build.cla_immunisations(checks),
        "ssd_cla_substance_misuse": lambda: build.cla_substance_misuse(checks),
        "ssd_cla_convictions": build_more.cla_convictions,
        "ssd_sdq_scores": lambda: build.sdq_scores(checks),
        "ssd_missing": build.missing,
        "ssd_cla_previous_permanence": build_more.cla_previous_permanence,
        "ssd_permanence": lambda: build_more.permanence(episodes),
        "ssd_care_leavers": build.care_leavers,
        "ssd_involvements": build_more.involvements,
        "ssd_professionals": build_more.professionals,
        "ssd_department": build_more.department,
    }
    missing = set(TABLES) - set(builders) - set(EMPTY)
    if missing:
        raise LookupError(f"No builder for {sorted(missing)}")
    for table in TABLES:
        yield table, builders.get(table, _empty)()
