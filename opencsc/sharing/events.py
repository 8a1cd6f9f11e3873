"""The audit event names the sharing app writes. Every disclosure writes exactly one
`sharing.disclosure` or `sharing.transfer` event (Kind.DISCLOSURE) in the transaction that records it."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "sharing.disclosure": (Kind.DISCLOSURE, "Shared information about a person with another agency"),
    "sharing.transfer": (Kind.DISCLOSURE, "Sent a person's information in a statutory transfer (DfE, CP-IS)"),
    "sharing.refused": (Kind.SECURITY, "Was refused a share that no sharing agreement allows"),
    "sharing.pack_open": (Kind.CONSULTATION, "Opened a disclosure pack"),
    "sharing.request_log": (Kind.COLLECTION, "Logged a third-party request for information"),
    "sharing.request_decide": (Kind.ALTERATION, "Decided a third-party request for information"),
    "sharing.request_view": (Kind.CONSULTATION, "Read a third-party request to decide it"),
    "sharing.agency_change": (Kind.ALTERATION, "Changed the agency register"),
    "sharing.agreement_change": (Kind.ALTERATION, "Changed a sharing agreement"),
    # The partner portal (ADR 0029)
    "sharing.partner_member_add": (Kind.ALTERATION, "Added a partner-agency user to their organisation"),
    "sharing.partner_member_disable": (Kind.ALTERATION, "Disabled a partner-agency user of their organisation"),
    "sharing.partner_members_view": (Kind.CONSULTATION, "Viewed their organisation's portal users"),
    "sharing.check_send": (Kind.ALTERATION, "Sent a MASH check to a partner organisation through the portal"),
    "sharing.check_open": (Kind.CONSULTATION, "A partner opened a MASH check sent to their organisation"),
    "sharing.check_answer": (Kind.COLLECTION, "A partner answered a MASH check through the portal"),
    "sharing.checks_sent_view": (Kind.CONSULTATION, "Viewed the MASH checks sent to partners"),
    "sharing.portal_view": (Kind.CONSULTATION, "A partner viewed their organisation's portal lists"),
    "sharing.portal_refused": (Kind.SECURITY, "A partner was refused something outside their organisation"),
    "sharing.view_create": (Kind.ALTERATION, "Delivered a disclosure as a shared view in the partner portal"),
    "sharing.view_revoke": (Kind.ALTERATION, "Revoked a shared view in the partner portal"),
    "sharing.view_open": (Kind.CONSULTATION, "A partner opened a shared view of a child's information"),
    "sharing.referral_submit": (Kind.COLLECTION, "A partner sent a request for support about a child"),
    "sharing.referral_open": (Kind.CONSULTATION, "A partner opened their organisation's request for support"),
    "sharing.view_refused": (Kind.SECURITY, "A partner tried to open a shared view that had expired or been revoked"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
