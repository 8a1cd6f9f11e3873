"""What every casework record shares: the child it is about, who recorded it, and timestamps; the
status-history row kept for every transition; and the codes used across stages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data
from opencsc.people.models import Person

# Tags shared by every CaseworkRecord: keys, timestamps and the recording worker are not personal
# data about the child (the worker's identity is workforce data, held in accounts).
BASE_TAGS = {"id": NP, "child": NP, "created_at": NP, "updated_at": NP, "recorded_by": NP}


class CaseworkRecord(models.Model):
    """Base of every casework row: one child, who recorded it, when."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


@personal_data(
    id=NP,
    child=NP,
    object_type=NP,
    object_id=NP,
    from_status=NP,
    to_status=NP,
    effective_date=NP,
    changed_at=NP,
    changed_by=NP,
    actor_repr=NP,
    note=NP,
)
class StatusChange(models.Model):
    """One transition of one casework record: who moved it, when, from which status to which.

    Written by the service that makes the change, in the same transaction as its audit event. The
    generated chronology is read from these rows. `note` carries a fixed, code-generated label
    (never free text about the child), so it is not personal data.
    """

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="casework_status_changes")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=32)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    effective_date = models.DateField(help_text="The date the change happened in the child's life")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=150)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["effective_date", "changed_at", "pk"]
        indexes = [
            models.Index(fields=["child", "effective_date"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.from_status or '-'} -> {self.to_status}"


class ReasonForClosure(models.TextChoices):
    """CIN census ReasonForClosure (same codes as `codelists.codes("cin_reason_for_closure")`)."""

    RC1 = "RC1", "Adopted (RC1)"
    RC2 = "RC2", "Died (RC2)"
    RC3 = "RC3", "Child arrangements order (RC3)"
    RC4 = "RC4", "Special guardianship order (RC4)"
    RC5 = "RC5", "Transferred to services of another local authority (RC5)"
    RC6 = "RC6", "Transferred to adult social care services (RC6)"
    RC7 = "RC7", "Services ceased for any other reason, including child no longer in need (RC7)"
    RC8 = "RC8", "Case closed after assessment, no further action (RC8)"
    RC9 = "RC9", "Case closed after assessment, referred to early help (RC9)"


class CategoryOfAbuse(models.TextChoices):
    """CIN census Initial/LatestCategoryOfAbuse."""

    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    SAB = "SAB", "Sexual abuse"
    EMO = "EMO", "Emotional abuse"
    MUL = "MUL", "Multiple"


class ReasonNewEpisode(models.TextChoices):
    """SSDA903 RNE: why a looked-after episode began."""

    S = "S", "Started to be looked after (S)"
    L = "L", "Change of legal status only (L)"
    P = "P", "Change of placement and carer(s) only (P)"
    T = "T", "Change of placement but same carer(s) only (T)"
    B = "B", "Change of legal status and placement and carer(s) on the same day (B)"
    U = "U", "Change of legal status and placement but same carer(s) on the same day (U)"


class Stage(models.TextChoices):
    """Generic statuses used in status history."""

    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Awaiting authorisation"
    AUTHORISED = "authorised", "Authorised"
    COMPLETED = "completed", "Completed"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"
    ENDED = "ended", "Ended"
