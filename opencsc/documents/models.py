"""Documents a partner organisation attaches to its request for support or its answer to a MASH
check (issue 16, deliverable 7; ADR 0032).

The row holds what the record needs to show and find the file: the child, the organisation, what it
is attached to, who sent it, its type (sniffed from its content, never taken from the name), its
size, and the content-addressed name of the encrypted file (`blob`), a keyed hash that says nothing
about the content. The original file name is encrypted like the content (it often names people).
The bytes live outside the web root under `OPENCSC_DOCUMENTS_DIR`, encrypted (`storage.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data
from opencsc.people.models import Person


class DocumentKind(models.TextChoices):
    """The types accepted, by what the content is (the value is the file's usual extension)."""

    PDF = "pdf", "PDF document"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel spreadsheet"
    ODT = "odt", "OpenDocument text"


CONTENT_TYPES: dict[str, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.PNG: "image/png",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.ODT: "application/vnd.oasis.opendocument.text",
}
EXTENSIONS: dict[str, tuple[str, ...]] = {
    DocumentKind.PDF: (".pdf",),
    DocumentKind.PNG: (".png",),
    DocumentKind.JPEG: (".jpg", ".jpeg"),
    DocumentKind.DOCX: (".docx",),
    DocumentKind.XLSX: (".xlsx",),
    DocumentKind.ODT: (".odt",),
}


@personal_data(
    id=NP,
    person=NP,
    agency=NP,
    check_request=NP,
    referral=NP,
    filename=C.OTHER_AGENCIES,
    kind=C.OTHER_AGENCIES,
    size=NP,
    blob=NP,
    key_id=NP,
    category=NP,
    uploaded_by=NP,
    uploaded_via=NP,
    uploaded_at=NP,
)
class Document(models.Model):
    """One file a partner organisation sent about a child, attached to exactly one of its requests
    for support or its answers to a check. `category` is the data category of the content (police
    answers: criminal offence data). Made only by `documents.services.document_attach`; read only
    through `documents.selectors` (staff: the child's access scope; partners: their own
    organisation's)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="documents")
    check_request = models.ForeignKey(
        "sharing.CheckRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # CASCADE: the partner's request goes with its contact when the record is disposed of; so do these.
    referral = models.ForeignKey(
        "sharing.PartnerReferral", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    filename = EncryptedTextField("File name", help_text="As the partner named it")
    kind = models.CharField("Type", max_length=8, choices=DocumentKind.choices)
    size = models.PositiveBigIntegerField(help_text="Bytes")
    blob = models.CharField(max_length=64, help_text="Keyed hash of the content: the stored file's name")
    key_id = models.CharField(
        max_length=32, blank=True, help_text="The field key the stored file is encrypted under (blank: not yet known)"
    )
    category = models.CharField(max_length=32, choices=C.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_via = models.CharField(max_length=150, blank=True, help_text="The organisation's API credential")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["blob"], name="document_blob")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(check_request__isnull=False) & Q(referral__isnull=True))
                | (Q(check_request__isnull=True) & Q(referral__isnull=False)),
                name="document_attached_to_one",
            )
        ]

    def __str__(self) -> str:
        return f"Document {self.reference}"

    @property
    def reference(self) -> str:
        return f"D-{self.pk:06d}" if self.pk else ""

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def attached_to(self) -> str:
        if self.check_request_id:
            return f"answer to check C-{self.check_request_id:06d}"
        return f"request for support S-{self.referral_id:06d}"

    @property
    def sender(self) -> str:
        who = (
            (self.uploaded_by.get_full_name() or str(self.uploaded_by))
            if self.uploaded_by is not None
            else f"API credential {self.uploaded_via}"
        )
        return f"{self.agency} ({who})"

    @property
    def size_words(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"
