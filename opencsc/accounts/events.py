"""The audit event names for the second factor's life: enrolment codes and four-eyes device resets."""

from __future__ import annotations

from opencsc.audit.events import Kind, register

EVENTS: dict[str, tuple[Kind, str]] = {
    "auth.enrolment_code_issue": (Kind.SECURITY, "Issued an authenticator-app enrolment code"),
    "auth.enrolment_code_use": (Kind.SECURITY, "Used an authenticator-app enrolment code"),
    "auth.enrolment_code_refused": (Kind.SECURITY, "Entered a wrong, used or expired enrolment code"),
    "auth.mfa_reset_request": (Kind.SECURITY, "Asked for a user's authenticator app to be removed"),
    "auth.mfa_reset_approve": (Kind.SECURITY, "Approved removing a user's authenticator app"),
    "auth.mfa_reset_decline": (Kind.SECURITY, "Declined removing a user's authenticator app"),
    "auth.mfa_admin_view": (Kind.SECURITY, "Viewed users' sign-in set-up"),
}


def register_all() -> None:
    for name, (kind, description) in EVENTS.items():
        register(name, kind, description)
