"""The audit event names casework writes. Each service writes exactly one of these per change."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "casework.view": (Kind.CONSULTATION, "Viewed a child's casework"),
    "casework.tray_view": (Kind.CONSULTATION, "Viewed a work tray"),
    "casework.families_led_view": (Kind.CONSULTATION, "Viewed the families they lead as a partner"),
    "casework.contact_create": (Kind.COLLECTION, "Recorded a contact about a child"),
    "casework.mash_triage": (Kind.COLLECTION, "Recorded MASH triage of a contact"),
    "casework.mash_check_request": (Kind.DISCLOSURE, "Asked another agency for information (MASH check)"),
    "casework.mash_check_reply": (Kind.COLLECTION, "Recorded another agency's reply to a MASH check"),
    "casework.contact_decide": (Kind.ALTERATION, "Decided the outcome of a contact"),
    "casework.referral_create": (Kind.COLLECTION, "Opened a referral episode"),
    "casework.assessment_start": (Kind.COLLECTION, "Started a child and family assessment"),
    "casework.assessment_submit": (Kind.ALTERATION, "Completed an assessment for authorisation"),
    "casework.assessment_authorise": (Kind.ALTERATION, "Authorised an assessment"),
    "casework.strategy_record": (Kind.COLLECTION, "Recorded a strategy discussion"),
    "casework.s47_start": (Kind.COLLECTION, "Started a section 47 enquiry"),
    "casework.s47_complete": (Kind.ALTERATION, "Completed a section 47 enquiry"),
    "casework.conference_record": (Kind.COLLECTION, "Recorded a child protection conference"),
    "casework.cp_plan_start": (Kind.COLLECTION, "Started a child protection plan"),
    "casework.cp_plan_category": (Kind.ALTERATION, "Changed the category of a child protection plan"),
    "casework.cp_plan_end": (Kind.ALTERATION, "Ended a child protection plan"),
    "casework.core_group_record": (Kind.COLLECTION, "Recorded a core group meeting"),
    "casework.visit_record": (Kind.COLLECTION, "Recorded a statutory visit"),
    "casework.cin_plan_start": (Kind.COLLECTION, "Started a child in need plan"),
    "casework.cin_plan_review": (Kind.COLLECTION, "Reviewed a child in need plan"),
    "casework.cin_plan_end": (Kind.ALTERATION, "Ended a child in need plan"),
    "casework.unborn_register": (Kind.COLLECTION, "Recorded an unborn child"),
    "casework.birth_record": (Kind.ALTERATION, "Recorded the birth of an unborn child"),
    "casework.care_period_start": (Kind.COLLECTION, "Started a period of care"),
    "casework.care_episode_change": (Kind.ALTERATION, "Changed legal status, placement or carer"),
    "casework.care_period_end": (Kind.ALTERATION, "Ended a period of care"),
    "casework.lac_review_record": (Kind.COLLECTION, "Recorded a looked-after review"),
    "casework.missing_record": (Kind.COLLECTION, "Recorded a missing or away episode"),
    "casework.health_check_record": (Kind.COLLECTION, "Recorded a looked-after health check"),
    "casework.youth_conviction_record": (Kind.COLLECTION, "Recorded a looked-after child's conviction"),
    "casework.adoption_record": (Kind.COLLECTION, "Recorded an adoption milestone"),
    "casework.care_leaver_contact": (Kind.COLLECTION, "Recorded contact with a care leaver"),
    "casework.sw_episode_start": (Kind.ALTERATION, "Changed the child's social worker"),
    "casework.uasc_record": (Kind.COLLECTION, "Recorded unaccompanied asylum-seeking status"),
    "casework.previous_permanence_record": (Kind.COLLECTION, "Recorded or corrected a child's previous permanence"),
    "casework.dolo_record": (Kind.COLLECTION, "Recorded a deprivation of liberty order"),
    "casework.dolo_end": (Kind.ALTERATION, "Ended a deprivation of liberty order"),
    "casework.episode_close": (Kind.ALTERATION, "Closed a referral episode"),
    "casework.note_add": (Kind.COLLECTION, "Wrote a case note"),
    "casework.chronology_add": (Kind.COLLECTION, "Added a chronology entry"),
    "casework.task_open": (Kind.ALTERATION, "Opened a task for work a system process found"),
    "casework.task_assign": (Kind.ALTERATION, "Allocated a task"),
    "casework.task_complete": (Kind.ALTERATION, "Marked a task done"),
    "casework.mash_queue_view": (Kind.CONSULTATION, "Viewed the MASH queue of contacts"),
    "casework.contact_view": (Kind.CONSULTATION, "Viewed a contact about a child, its triage and checks"),
    "casework.contact_take": (Kind.ALTERATION, "Took a contact about a child from the MASH queue"),
    "casework.contact_pass": (Kind.ALTERATION, "Passed a contact about a child to their allocated worker"),
    "casework.notification_read": (Kind.ALTERATION, "Marked a notification read"),
    "casework.help_episode_open": (Kind.COLLECTION, "Opened an early help or Family Help episode"),
    "casework.help_lead_change": (Kind.ALTERATION, "Changed a family's lead practitioner"),
    "casework.help_assessment_start": (Kind.COLLECTION, "Started a whole-family assessment"),
    "casework.help_assessment_complete": (Kind.COLLECTION, "Completed a whole-family assessment"),
    "casework.help_plan_start": (Kind.COLLECTION, "Agreed a family's help plan"),
    "casework.help_goal_add": (Kind.COLLECTION, "Added a goal to a family's help plan"),
    "casework.help_plan_review": (Kind.COLLECTION, "Reviewed a family's help plan"),
    "casework.help_episode_close": (Kind.ALTERATION, "Ended an early help or Family Help episode"),
    "casework.help_step_up": (Kind.ALTERATION, "Stepped a family up from help to children's social care"),
    "casework.taf_member_add": (Kind.COLLECTION, "Added a practitioner to the Team Around the Family"),
    "casework.network_meeting_offer": (Kind.COLLECTION, "Offered a family network meeting"),
    "casework.network_meeting_record": (Kind.COLLECTION, "Recorded a family network meeting and the family's plan"),
    "casework.service_refer": (Kind.COLLECTION, "Referred a child or family to a service"),
    "casework.service_update": (Kind.COLLECTION, "Recorded a service's start, attendance or end"),
    "casework.service_catalogue_add": (Kind.COLLECTION, "Added a service to the services catalogue"),
    "casework.service_catalogue_change": (Kind.ALTERATION, "Changed a service in the services catalogue"),
    "casework.lead_cp_practitioner_set": (Kind.ALTERATION, "Named the lead child protection practitioner"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
