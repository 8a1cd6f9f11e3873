"""What the CP-IS app keeps: each upload built (and each record in it, so acknowledgements and
notifications can be matched back to the child), each message imported from NHS England, and each
notification it carried.

NHS numbers are kept encrypted with their keyed blind index (the number is what was disclosed, and a
delete record must repeat it after the child's number has changed). Access notifications say a child
attended an NHS urgent care setting, which is health information: encrypted at rest.
See docs/adr/0008-cpis.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core import codelists
from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class PlanType(models.TextChoices):
    """The three CP-IS cohorts, named after their HL7 templates' date prefixes."""

    CPP = "CPP", "Child protection plan"
    LAC = "LAC", "Looked-after child"
    UCP = "UCP", "Unborn child protection plan"


class RecordAction(models.TextChoices):
    LIVE = "live", "Current or recently ended"
    DELETE = "delete", "Delete from CP-IS"


# CPR06 is success; every other per-record response means CP-IS does not hold the record.
SUCCESS_CODE = "CPR06"
FAILURE_CODES = frozenset(codelists.codes("cpis_upload_record_response")) - {SUCCESS_CODE}


class Upload(models.Model):
    """One CP-IS Local Authority Upload (REPC_MT000002GB01) as built. The file itself is not kept:
    its records are (below), and `content_sha256` identifies the exact file handed over."""

    sequence = models.PositiveIntegerField(unique=True, help_text="The file's identifying sequence number")
    created_at = models.DateTimeField(default=timezone.now)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=150)
    record_count = models.PositiveIntegerField(default=0)
    delete_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Records by plan type")
    content_sha256 = models.CharField(max_length=64)
    disclosures = models.PositiveIntegerField(default=0, help_text="Disclosures written to children's logs")

    class Meta:
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"CP-IS upload {self.sequence}"

    @property
    def file_name(self) -> str:
        return f"cpis-upload-{self.sequence:06d}.xml"


@personal_data(
    id=NP,
    upload=NP,
    number=NP,
    plan_type=C.REFERRAL,
    action=C.REFERRAL,
    subject=NP,
    child_ids=NP,
    source_type=NP,
    source_ids=NP,
    nhs_number=C.NHS_NUMBER,
    nhs_number_index=C.NHS_NUMBER,
    start_date=C.REFERRAL,
    end_date=C.REFERRAL,
    delete_date=C.REFERRAL,
    response_code=C.REFERRAL,
    response_detail=C.REFERRAL,
    responded_at=NP,
)
class UploadRecord(models.Model):
    """One record of an upload: whose NHS number was sent (the child, or the mother for an unborn
    child's plan), the children it is about, the plan it came from and the dates sent."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="records")
    number = models.PositiveIntegerField(help_text="Position in the file, from 1")
    plan_type = models.CharField(max_length=3, choices=PlanType.choices)
    action = models.CharField(max_length=6, choices=RecordAction.choices, default=RecordAction.LIVE)
    subject = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="cpis_records"
    )
    child_ids = models.JSONField(default=list, help_text="The children the plan is about (the unborn child for UCP)")
    source_type = models.CharField(max_length=64)
    source_ids = models.JSONField(default=list)
    nhs_number = EncryptedTextField()
    nhs_number_index = models.CharField(max_length=64, db_index=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    delete_date = models.DateField(null=True, blank=True)
    response_code = models.CharField(max_length=5, blank=True, choices=codelists.choices("cpis_upload_record_response"))
    response_detail = models.CharField(max_length=100, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["upload", "number"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "number"], name="cpis_one_record_per_position"),
            models.CheckConstraint(
                condition=Q(action="live", delete_date__isnull=True) | Q(action="delete", delete_date__isnull=False),
                name="cpis_delete_date_only_on_delete",
            ),
        ]

    def __str__(self) -> str:
        return f"CP-IS record {self.number} of upload {self.upload_id}"

    @property
    def failed(self) -> bool:
        return self.response_code in FAILURE_CODES


class MessageType(models.TextChoices):
    """CP-ISMessageType codes of the messages NHS England sends to a council."""

    ACKNOWLEDGEMENT = "02", "CP-IS Local Authority Acknowledgement Response"
    ACCESS = "05", "CP-IS Access to Service Notification"
    INACTIVE = "06", "CP-IS Inactive NHS Number Notification"


class InboundMessage(models.Model):
    """One file imported from NHS England. The content hash and the message's own id make an import
    idempotent: the same file twice changes nothing."""

    message_type = models.CharField(max_length=2, choices=MessageType.choices)
    message_id = models.CharField(max_length=100, help_text="The message's id (for an acknowledgement, the upload's)")
    content_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=150)
    upload = models.ForeignKey(Upload, null=True, blank=True, on_delete=models.PROTECT, related_name="acknowledgements")
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message_type", "message_id"], name="cpis_one_message_per_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_message_type_display()} {self.pk}"


class NotificationKind(models.TextChoices):
    ACCESS = "access", "Access to service"
    INACTIVE = "inactive", "Inactive NHS number"


@personal_data(
    id=NP,
    message=NP,
    kind=NP,
    nhs_number=C.NHS_NUMBER,
    nhs_number_index=C.NHS_NUMBER,
    subject=NP,
    child_ids=NP,
    setting_ods=C.HEALTH,
    setting_name=C.HEALTH,
    accessed_at=C.HEALTH,
    task_ids=NP,
    chronology_ids=NP,
)
class Notification(models.Model):
    """An access-to-service or inactive-NHS-number notification, matched to the children whose
    record it concerns (none when CP-IS names a number this service never sent)."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=8, choices=NotificationKind.choices)
    nhs_number = EncryptedTextField()
    nhs_number_index = models.CharField(max_length=64, db_index=True)
    subject = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="cpis_notifications"
    )
    child_ids = models.JSONField(default=list)
    setting_ods = EncryptedTextField(blank=True, help_text="ODS code of the NHS setting")
    setting_name = EncryptedTextField(blank=True)
    accessed_at = models.DateTimeField(null=True, blank=True)
    task_ids = models.JSONField(default=list)
    chronology_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"CP-IS notification {self.pk}"

    @property
    def matched(self) -> bool:
        return bool(self.child_ids)
