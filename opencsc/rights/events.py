"""The audit event names the rights app writes."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "rights.request_receive": (Kind.COLLECTION, "Received a rights request or enquiry"),
    "rights.request_refused_input": (Kind.SECURITY, "Refused a public rights request form post"),
    "rights.request_view": (Kind.CONSULTATION, "Viewed a rights request"),
    "rights.queue_view": (Kind.CONSULTATION, "Viewed the rights request queue"),
    "rights.identity_verify": (Kind.ALTERATION, "Recorded the requester's identity check"),
    "rights.subject_link": (Kind.COMBINATION, "Linked a rights request to a person's record"),
    "rights.extend": (Kind.ALTERATION, "Extended the time to answer a rights request"),
    "rights.close": (Kind.ALTERATION, "Answered or closed a rights request"),
    "rights.bundle_build": (Kind.COMBINATION, "Compiled a subject access bundle"),
    "rights.bundle_view": (Kind.CONSULTATION, "Reviewed a subject access bundle"),
    "rights.redaction_decide": (Kind.ALTERATION, "Decided a redaction in a subject access bundle"),
    "rights.bundle_render": (Kind.CONSULTATION, "Rendered a subject access bundle as PDF"),
    "rights.bundle_release": (Kind.DISCLOSURE, "Released a subject access bundle to the data subject"),
    "rights.rectify": (Kind.ALTERATION, "Recorded what a rectification corrected"),
    "rights.dispute_note": (Kind.COLLECTION, "Kept a requester's statement as a note of dispute on the record"),
    "rights.recipient_notify": (Kind.DISCLOSURE, "Told a recipient of a correction (Article 19)"),
    "rights.restriction_set": (Kind.SECURITY, "Restricted processing of a person's record (Article 18)"),
    "rights.restriction_lift": (Kind.SECURITY, "Lifted a restriction of processing"),
    "rights.retention_review": (Kind.CONSULTATION, "Listed the records due for disposal (dry run)"),
    "rights.disposal_prepare": (Kind.CONSULTATION, "Prepared a disposal batch from the retention rules"),
    "rights.disposal_approve": (Kind.ALTERATION, "Approved a disposal batch (the second pair of eyes)"),
    "rights.disposal_person": (Kind.ERASURE, "Disposed of a person's record under the retention rules"),
    "rights.disposal_refused": (Kind.ALTERATION, "Kept a record of a disposal batch (legal hold, or no longer due)"),
    "rights.disposal_carry_out": (Kind.ERASURE, "Carried out a disposal batch"),
    "rights.disposal_view": (Kind.CONSULTATION, "Viewed a disposal batch or its certificate"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)


register_all()
