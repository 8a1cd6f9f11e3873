"""Issuing, rotating, revoking and checking partner organisations' API keys (ADR 0029).

A key looks like `ocsc_<prefix>_<secret>`. Only an HMAC of the whole key (keyed with SECRET_KEY) is
stored, so a copy of the database gives no usable key; the key itself is returned once, to whoever
issued it. Scopes are limited to what the organisation's sharing agreements can support: checks
scopes need an organisation the front door asks for checks, with a current agreement for
safeguarding; reading shared views needs any current agreement; sending requests for support (and
reading their outcome) needs only an active organisation, since the council receives rather than
shares. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from opencsc.audit.services import Actor, record_event
from opencsc.partners.models import ApiCredential, Scope
from opencsc.privacy.models import Purpose
from opencsc.sharing import rules
from opencsc.sharing.models import Agency, SharingAgreement
from opencsc.sharing.portal_services import CHECK_AGENCY_KIND, CHECK_PURPOSE

_SALT = "opencsc.partners.api-key"
_PREFIX_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"


def _hash(key: str) -> str:
    return salted_hmac(_SALT, key, algorithm="sha256").hexdigest()


def allowed_scopes(agency: Agency) -> set[str]:
    """The scopes the organisation's current agreements can support."""
    if not agency.is_active:
        return set()
    referrals = {Scope.REFERRALS_SUBMIT.value, Scope.REFERRALS_READ.value}
    if not SharingAgreement.objects.current().for_agency(agency).exists():
        return referrals
    scopes = {Scope.VIEWS_READ.value, *referrals}
    purpose = Purpose.objects.filter(code=CHECK_PURPOSE).first()
    asked_for_checks = agency.recipient_type.code in CHECK_AGENCY_KIND and purpose is not None
    if asked_for_checks and rules.evaluate(agency=agency, purpose=purpose).agreement is not None:  # type: ignore[arg-type]
        scopes |= {Scope.CHECKS_READ.value, Scope.CHECKS_ANSWER.value}
    return scopes


def _new_key() -> tuple[str, str]:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(10))
    return prefix, f"ocsc_{prefix}_{secrets.token_urlsafe(32)}"


def credential_issue(*, actor: Actor, agency: Agency, label: str, scopes: Iterable[str]) -> tuple[ApiCredential, str]:
    """A new key for the organisation with the scopes asked for (each must be one its agreements
    support). Returns the credential and the key, which is never stored or shown again. Audits
    `partners.api_credential_issue`."""
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in Scope.values]
    if unknown or not wanted:
        raise ValidationError({"scopes": f"Choose scopes from: {', '.join(Scope.values)}"})
    refused = sorted(set(wanted) - allowed_scopes(agency))
    if refused:
        raise ValidationError(
            {"scopes": f"{agency}'s sharing agreements do not support {', '.join(refused)}: ask information governance"}
        )
    prefix, key = _new_key()
    with transaction.atomic():
        credential = ApiCredential.objects.create(
            agency=agency,
            label=label.strip()[:100] or "API",
            prefix=prefix,
            key_hash=_hash(key),
            scopes=wanted,
            created_by_repr=actor.name,
        )
        record_event(
            actor=actor,
            action="partners.api_credential_issue",
            obj=credential,
            detail={"agency": agency.pk, "prefix": prefix, "scopes": wanted},
        )
    return credential, key


def credential_rotate(*, actor: Actor, credential: ApiCredential, overlap_hours: int = 24) -> tuple[ApiCredential, str]:
    """A new key with the same organisation and scopes; the old one keeps working for
    `overlap_hours` (0 ends it at once) so the organisation can switch over. Audits
    `partners.api_credential_rotate`."""
    if credential.revoked_at is not None or credential.replaced_by_id is not None:
        raise ValidationError("This key has been revoked or already rotated")
    if not 0 <= overlap_hours <= 24 * 7:
        raise ValidationError("The overlap must be between 0 hours and 7 days")
    with transaction.atomic():
        fresh, key = credential_issue(
            actor=actor, agency=credential.agency, label=credential.label, scopes=credential.scopes
        )
        ends = timezone.now() + dt.timedelta(hours=overlap_hours)
        credential.expires_at = min(credential.expires_at or ends, ends)
        credential.replaced_by = fresh
        credential.save(update_fields=["expires_at", "replaced_by"])
        record_event(
            actor=actor,
            action="partners.api_credential_rotate",
            obj=credential,
            detail={"prefix": credential.prefix, "new_prefix": fresh.prefix, "old_key_ends": ends.isoformat()},
        )
    return fresh, key


def credential_revoke(*, actor: Actor, credential: ApiCredential) -> ApiCredential:
    """End a key at once: its next request is refused. Audits `partners.api_credential_revoke`."""
    with transaction.atomic():
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        record_event(
            actor=actor, action="partners.api_credential_revoke", obj=credential, detail={"prefix": credential.prefix}
        )
    return credential


def credential_for_key(key: str) -> ApiCredential | None:
    """The usable credential a presented key belongs to, or None (malformed, unknown, wrong secret,
    expired, revoked, or its organisation no longer active). Compares hashes in constant time."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "ocsc" or not parts[1] or len(key) > 200:
        return None
    credential = ApiCredential.objects.usable().select_related("agency").filter(prefix=parts[1]).first()
    if credential is None or not constant_time_compare(credential.key_hash, _hash(key)):
        return None
    return credential
