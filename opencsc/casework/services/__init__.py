"""Every casework write. Each function is keyword-only, told the acting user and an `Actor`, checks
access through `accounts.access`, refuses invariant violations with a `ValidationError` before
writing, and runs in one transaction that writes the change, its status-history row, its audit
event and any tray tasks together."""

from opencsc.casework.services.closure import episode_close
from opencsc.casework.services.front_door import (
    case_holder,
    contact_create,
    contact_decide,
    contact_take,
    mash_check_reply,
    mash_triage_record,
    notification_mark_read,
)
from opencsc.casework.services.looked_after import (
    adoption_record,
    adoption_update,
    care_episode_change,
    care_leaver_contact_record,
    care_period_end,
    care_period_start,
    dolo_end,
    dolo_record,
    health_check_record,
    lac_review_record,
    missing_record,
    previous_permanence_record,
    social_worker_episode_start,
    uasc_record,
    youth_conviction_record,
)
from opencsc.casework.services.prebirth import birth_record, unborn_child_register
from opencsc.casework.services.protection import (
    conference_record,
    core_group_record,
    cp_plan_end,
    cp_review_record,
    section47_complete,
    strategy_discussion_record,
)
from opencsc.casework.services.records import case_note_add, chronology_entry_add, task_assign, task_complete
from opencsc.casework.services.referrals import (
    assessment_authorise,
    assessment_complete,
    assessment_start,
    cin_plan_end,
    cin_plan_review,
    cin_plan_start,
    referral_create,
    visit_record,
)

__all__ = [
    "adoption_record",
    "adoption_update",
    "assessment_authorise",
    "assessment_complete",
    "assessment_start",
    "birth_record",
    "care_episode_change",
    "care_leaver_contact_record",
    "care_period_end",
    "care_period_start",
    "case_holder",
    "case_note_add",
    "chronology_entry_add",
    "cin_plan_end",
    "cin_plan_review",
    "cin_plan_start",
    "conference_record",
    "contact_create",
    "contact_decide",
    "contact_take",
    "core_group_record",
    "cp_plan_end",
    "cp_review_record",
    "dolo_end",
    "dolo_record",
    "episode_close",
    "health_check_record",
    "lac_review_record",
    "mash_check_reply",
    "mash_triage_record",
    "missing_record",
    "notification_mark_read",
    "previous_permanence_record",
    "referral_create",
    "section47_complete",
    "social_worker_episode_start",
    "strategy_discussion_record",
    "task_assign",
    "task_complete",
    "uasc_record",
    "unborn_child_register",
    "visit_record",
    "youth_conviction_record",
]
