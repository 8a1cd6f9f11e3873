"""The one place CP-IS talks to the sharing app: each upload is recorded as a statutory transfer,
one disclosure per person in that person's disclosure log (`sharing.services.disclosure_record_transfer`,
under the STAT-NHS-CPIS agreement for the "health-protection" purpose).

* The person whose NHS number is in a record (the child, or the mother for an unborn child's plan):
  NHS number and referral information (the fact and dates of the plan).
* An unborn child whose plan is sent against the mother: referral information only (nothing about
  the unborn child is in the file, but the plan is theirs, so it appears in their log too).

Called inside the upload's transaction: if the agreement does not allow the transfer, the build fails
and nothing is written or handed over.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from opencsc.audit.services import Actor
from opencsc.core.categories import DataCategory
from opencsc.cpis.models import PlanType, Upload, UploadRecord

CPIS_AGENCY_CODE = "nhs-cpis"
CPIS_PURPOSE_CODE = "health-protection"


class TransferNotAllowed(Exception):
    """The CP-IS agreement is missing, expired or does not cover the upload."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _reference(upload: Upload, record: UploadRecord) -> dict[str, Any]:
    return {
        "key": f"cpis.UploadRecord:{record.pk}",
        "model": "cpis.UploadRecord",
        "id": record.pk,
        "category": DataCategory.REFERRAL.value,
        "title": f"CP-IS upload {upload.sequence}, record {record.number}: "
        f"{PlanType(record.plan_type).label} ({record.get_action_display().lower()})",
    }


def record_upload(*, actor: Actor, upload: Upload, records: list[UploadRecord]) -> int:
    """Write the disclosures for one upload; returns how many. Raises TransferNotAllowed."""
    from opencsc.privacy.models import Purpose
    from opencsc.sharing.models import Agency
    from opencsc.sharing.rules import SharingRefused
    from opencsc.sharing.services import disclosure_record_transfer

    agency = Agency.objects.filter(code=CPIS_AGENCY_CODE).first()
    purpose = Purpose.objects.filter(code=CPIS_PURPOSE_CODE).first()
    if agency is None or purpose is None:
        raise TransferNotAllowed(
            ["NHS England CP-IS is not in the agency register, or the CP-IS purpose is not in the processing register"]
        )
    subjects: dict[int, list[dict[str, Any]]] = defaultdict(list)
    unborn: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record.subject_id is not None:
            subjects[record.subject_id].append(_reference(upload, record))
        if record.plan_type == PlanType.UCP:
            for child_id in record.child_ids:
                unborn[child_id].append(_reference(upload, record))
    from opencsc.people.models import Person

    existing = set(Person.objects.filter(pk__in=[*subjects, *unborn]).values_list("pk", flat=True))
    unborn_only = {pk: refs for pk, refs in unborn.items() if pk not in subjects and pk in existing}
    subjects = {pk: refs for pk, refs in subjects.items() if pk in existing}
    reference = f"CP-IS upload {upload.sequence}"
    written = 0
    try:
        if subjects:
            written += disclosure_record_transfer(
                actor=actor,
                agency=agency,
                purpose=purpose,
                person_ids=list(subjects),
                categories=[DataCategory.NHS_NUMBER, DataCategory.REFERRAL],
                reference=reference,
                records=subjects,
            )
        if unborn_only:
            written += disclosure_record_transfer(
                actor=actor,
                agency=agency,
                purpose=purpose,
                person_ids=list(unborn_only),
                categories=[DataCategory.REFERRAL],
                reference=reference,
                records=unborn_only,
            )
    except SharingRefused as exc:
        raise TransferNotAllowed(exc.reasons) from exc
    return written
