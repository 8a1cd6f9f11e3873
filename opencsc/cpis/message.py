"""The CP-IS Local Authority Upload (REPC_MT000002GB01), built with lxml.

Modelled on the CP-IS Domain Message Specification 1.0 RC5 (HL7 V3, namespace urn:hl7-org:v3): a
file header (creationTime, the identifying sequence number as id/@extension, transmissionQuantity =
number of records), the sending organisation (the council: ODS code, name, office-hours and
out-of-hours telephone numbers), then one `record` per plan with a ChildSubject or UnbornChildSubject
(the NHS number only: the child's, or the mother's for an unborn child) and one of the information
templates with its start, end and delete dates. As the specification's ITS does, fixed values
(classCode, moodCode, code, template ids, OIDs) are left off the wire. Nothing else is written: no
names, dates of birth, addresses or free text. `ALLOWED_ELEMENTS` and `ALLOWED_ATTRIBUTES` are the
whole vocabulary, and the tests compare every file against them. See docs/adr/0008-cpis.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from opencsc.cpis.models import PlanType, RecordAction

HL7_NS = "urn:hl7-org:v3"
UPLOAD_ROOT = "REPC_MT000002GB01"
ACK_ROOT = "REPC_MT000003GB01"
ACCESS_ROOT = "REPC_MT000004GB01"
INACTIVE_ROOT = "REPC_MT000005GB01"

SUBJECT_TEMPLATE = {PlanType.CPP: "ChildSubject", PlanType.LAC: "ChildSubject", PlanType.UCP: "UnbornChildSubject"}
INFORMATION_TEMPLATE = {
    PlanType.CPP: "ChildProtectionPlanInformationUpload",
    PlanType.LAC: "LookedAfterChildInformationUpload",
    PlanType.UCP: "UnbornChildPlanInformationUpload",
}

ALLOWED_ELEMENTS = frozenset(
    {
        UPLOAD_ROOT,
        "creationTime",
        "id",
        "transmissionQuantity",
        "communicationFunctionSnd",
        "organisation",
        "name",
        "telecom",
        "record",
        "subject",
        "pertinentInformation",
        *SUBJECT_TEMPLATE.values(),
        *INFORMATION_TEMPLATE.values(),
        *(f"{t}{part}Date" for t in PlanType.values for part in ("Start", "End", "Delete")),
    }
)
ALLOWED_ATTRIBUTES = frozenset({"value", "extension", "use"})


@dataclass(frozen=True)
class Council:
    """Who CP-IS shows NHS staff to call: the responsible council and its two numbers."""

    ods_code: str
    name: str
    office_hours_phone: str
    out_of_hours_phone: str


@dataclass(frozen=True)
class UploadLine:
    """One record as written: the only personal item is the NHS number."""

    plan_type: str
    nhs_number: str
    start_date: dt.date
    end_date: dt.date | None
    delete_date: dt.date | None
    action: str = RecordAction.LIVE


def hl7_date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def hl7_timestamp(moment: dt.datetime) -> str:
    """yyyymmddhhmmss+zzzz: with hours present the offset must be too."""
    return moment.strftime("%Y%m%d%H%M%S%z")


def _tel(number: str) -> str:
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


def _el(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{HL7_NS}}}{tag}", attributes)


def build_upload(
    *,
    sequence: int,
    created_at: dt.datetime,
    council: Council,
    lines: Iterable[UploadLine],
    total: int,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The upload file as UTF-8 bytes. `total` is the record count (transmissionQuantity); the lines
    must number exactly that many."""
    root = etree.Element(f"{{{HL7_NS}}}{UPLOAD_ROOT}", nsmap={None: HL7_NS})
    _el(root, "creationTime", value=hl7_timestamp(created_at))
    _el(root, "id", extension=str(sequence))
    _el(root, "transmissionQuantity", value=str(total))
    organisation = _el(_el(root, "communicationFunctionSnd"), "organisation")
    _el(organisation, "id", extension=council.ods_code)
    _el(organisation, "name").text = council.name
    _el(organisation, "telecom", use="WP", value=_tel(council.office_hours_phone))
    _el(organisation, "telecom", use="EC", value=_tel(council.out_of_hours_phone))
    written = 0
    for written, line in enumerate(lines, start=1):
        record = _el(root, "record")
        _el(record, "id", extension=str(written))
        subject = _el(_el(record, "subject"), SUBJECT_TEMPLATE[PlanType(line.plan_type)])
        _el(subject, "id", extension=line.nhs_number)
        info = _el(_el(record, "pertinentInformation"), INFORMATION_TEMPLATE[PlanType(line.plan_type)])
        prefix = line.plan_type
        _el(info, f"{prefix}StartDate", value=hl7_date(line.start_date))
        if line.end_date is not None:
            _el(info, f"{prefix}EndDate", value=hl7_date(line.end_date))
        if line.delete_date is not None:
            _el(info, f"{prefix}DeleteDate", value=hl7_date(line.delete_date))
        if progress is not None:
            progress(1)
    if written != total:
        raise ValueError(f"transmissionQuantity {total} does not match the {written} records written")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
