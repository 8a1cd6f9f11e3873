"""The partner API's own tables (ADR 0029): an organisation's API credentials (stored hashed, scoped,
rotatable with an overlap, revocable), the per-minute usage behind the rate limit, and the replies
kept for idempotency keys. None holds personal data: a kept reply carries references and times."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    CHECKS_READ = "checks:read", "Read the MASH checks sent to the organisation"
    CHECKS_ANSWER = "checks:answer", "Answer the MASH checks sent to the organisation"
    VIEWS_READ = "views:read", "Read the views shared with the organisation"
    REFERRALS_SUBMIT = "referrals:submit", "Send requests for support about a child to the front door"
    REFERRALS_READ = "referrals:read", "Read the status and outcome of the organisation's requests for support"


class ApiCredentialQuerySet(models.QuerySet["ApiCredential"]):
    def usable(self) -> ApiCredentialQuerySet:
        now = timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True, agency__is_active=True
        )


class ApiCredential(models.Model):
    """One API key of one partner organisation. The key is shown once, when issued; only its keyed
    hash is stored (`partners.credentials`). `prefix` is the public part, named in audit events and
    logs. Rotating issues a new key and sets `expires_at` on the old one, so the organisation can
    switch over without an outage; revoking ends a key at once."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="api_credentials")
    label = models.CharField(max_length=100, help_text="Which system of theirs uses it")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_repr = models.CharField(max_length=150)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiCredentialQuerySet.as_manager()

    class Meta:
        ordering = ["agency", "-created_at"]

    def __str__(self) -> str:
        return f"API credential {self.prefix} ({self.agency})"


class ApiUsage(models.Model):
    """Calls made with one credential in one minute: the rate limit's counter, shared by every
    process of the service because it lives in the database."""

    credential = models.ForeignKey(ApiCredential, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "window"], name="one_usage_row_per_minute")]

    def __str__(self) -> str:
        return f"{self.credential_id} {self.window:%Y-%m-%d %H:%M}: {self.count}"


class IdempotencyRecord(models.Model):
    """The reply given to a POST with an `Idempotency-Key`, so a retry of the same request gets the
    same reply and changes nothing, and the same key with a different request is refused."""

    credential = models.ForeignKey(ApiCredential, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "key"], name="one_reply_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.credential_id}:{self.key}"
