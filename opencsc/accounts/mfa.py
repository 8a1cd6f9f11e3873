"""The second factor's life: enrolment codes and four-eyes device resets. Every change is audited in
its own transaction.

Why: a password alone must never be enough to set up the second factor, or a stolen password for an
account that has not enrolled yet (every new account) is a full compromise. So enrolment needs a code
that only a system administrator can issue, for one named user, usable once, for
OPENCSC_MFA_ENROLMENT_HOURS. Only an HMAC of the code (keyed with SECRET_KEY) is stored, so a copy of the
database does not give usable codes. Removing someone's app (a lost phone) needs two administrators.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencsc.accounts import access
from opencsc.accounts.models import DeviceResetRequest, EnrolmentCode, User
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event

# Crockford-style alphabet: no 0/O or 1/I/L to misread when the code is read out over the phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_CODE_LENGTH = 12  # about 59 bits: guessing online, behind a password and a throttle, is hopeless
_HMAC_SALT = "opencsc.accounts.mfa.enrolment-code"
MIN_RESET_REASON = 10


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return salted_hmac(_HMAC_SALT, normalise_code(code), algorithm="sha256").hexdigest()


def _format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_code_issue(*, actor: Actor, issued_by: User | None, user: User) -> str:
    """Issue a new enrolment code for `user` and return it (formatted XXXX-XXXX-XXXX): the only time
    it exists in clear. Earlier unused codes for the user are revoked. Refused for a user who already
    has an app (remove it first, with four eyes), for an inactive user, and for oneself."""
    if issued_by is not None and not access.can_manage_sign_in(issued_by):
        raise PermissionDenied
    if issued_by is not None and issued_by.pk == user.pk:
        raise ValidationError("You cannot issue an enrolment code for your own account: ask another administrator")
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is not an active user")
    if has_confirmed_device(user):
        raise ValidationError(
            f"{user.get_username()} already has an authenticator app. Ask for it to be removed first."
        )
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        issued = EnrolmentCode.objects.create(
            user=user,
            code_hash=_hash(code),
            issued_by=issued_by,
            issued_by_process="" if issued_by is not None else actor.name,
            issued_at=now,
            expires_at=now + dt.timedelta(hours=settings.OPENCSC_MFA_ENROLMENT_HOURS),
        )
        record_event(
            actor=actor,
            action="auth.enrolment_code_issue",
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            detail={"enrolment_code_id": issued.pk, "expires_at": issued.expires_at.isoformat()},
        )
    return _format(code)


def enrolment_attempts_exhausted(user: User) -> bool:
    """Whether the user has typed too many refused enrolment codes lately. Counted from the audit log,
    which every worker process shares, so the limit holds however many servers answer."""
    since = timezone.now() - dt.timedelta(minutes=settings.OPENCSC_MFA_ENROLMENT_LOCK_MINUTES)
    refused = AuditEvent.objects.filter(
        action="auth.enrolment_code_refused", object_id=str(user.pk), occurred_at__gte=since
    ).count()
    return refused >= settings.OPENCSC_MFA_ENROLMENT_ATTEMPTS


def enrolment_code_redeem(*, actor: Actor, user: User, code: str) -> EnrolmentCode:
    """Use an enrolment code: it must have been issued for this very user, be unused, unrevoked and
    unexpired. It is spent at once (single use), and any app the user half set up before is removed,
    so a secret shown before the code was checked is worthless. A refusal is audited too."""
    if enrolment_attempts_exhausted(user):
        record_event(
            actor=actor,
            action="auth.enrolment_code_refused",
            outcome="denied",
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            reason="too many wrong codes",
            detail={"enrolment_code_id": None, "throttled": True},
        )
        raise ValidationError(
            f"Too many wrong enrolment codes: wait {settings.OPENCSC_MFA_ENROLMENT_LOCK_MINUTES} minutes, "
            "then try again, or ask your administrator for a new code"
        )
    found = EnrolmentCode.objects.filter(code_hash=_hash(code), user=user).first()
    if found is None or not found.is_usable:
        record_event(
            actor=actor,
            action="auth.enrolment_code_refused",
            outcome="denied",
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            detail={"enrolment_code_id": found.pk if found else None},
        )
        raise ValidationError("That enrolment code is wrong, has been used or has expired: ask for a new one")
    with transaction.atomic():
        spent = EnrolmentCode.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=timezone.now())
        if spent != 1:  # a second session raced us to it
            raise ValidationError("That enrolment code has been used: ask for a new one")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        record_event(
            actor=actor,
            action="auth.enrolment_code_use",
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            detail={"enrolment_code_id": found.pk},
        )
    found.refresh_from_db()
    return found


def device_reset_request(*, actor: Actor, requested_by: User, user: User, reason: str) -> DeviceResetRequest:
    """The first pair of eyes: ask for `user`'s authenticator app to be removed, saying why."""
    if not access.can_manage_sign_in(requested_by):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < MIN_RESET_REASON:
        raise ValidationError({"reason": f"Say why in at least {MIN_RESET_REASON} characters"})
    if DeviceResetRequest.objects.filter(user=user, status=DeviceResetRequest.Status.PENDING).exists():
        raise ValidationError("A removal is already waiting for a second administrator")
    with transaction.atomic():
        request = DeviceResetRequest.objects.create(user=user, reason=reason, requested_by=requested_by)
        record_event(
            actor=actor,
            action="auth.mfa_reset_request",
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            reason=reason,
            detail={"reset_request_id": request.pk},
        )
    return request


def device_reset_decide(*, actor: Actor, decided_by: User, request: DeviceResetRequest, approve: bool) -> None:
    """The second pair of eyes: a different administrator approves (every device of the user is
    removed and their unused codes revoked; they need a new enrolment code) or declines."""
    if not access.can_manage_sign_in(decided_by):
        raise PermissionDenied
    if decided_by.pk == request.requested_by_id:
        raise ValidationError("A different administrator must decide: you asked for this removal")
    now = timezone.now()
    with transaction.atomic():
        locked = DeviceResetRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != DeviceResetRequest.Status.PENDING:
            raise ValidationError("This removal has already been decided")
        locked.status = DeviceResetRequest.Status.APPROVED if approve else DeviceResetRequest.Status.DECLINED
        locked.decided_by, locked.decided_at = decided_by, now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        removed = 0
        if approve:
            removed, _ = TOTPDevice.objects.filter(user=locked.user).delete()
            EnrolmentCode.objects.filter(user=locked.user, used_at__isnull=True, revoked_at__isnull=True).update(
                revoked_at=now
            )
        record_event(
            actor=actor,
            action="auth.mfa_reset_approve" if approve else "auth.mfa_reset_decline",
            object_type="accounts.User",
            object_id=str(locked.user_id),
            object_repr=locked.user.get_username(),
            detail={"reset_request_id": locked.pk, "requested_by": locked.requested_by_id, "devices_removed": removed},
        )
    request.refresh_from_db()
