"""Reading what NHS England sends: acknowledgements (REPC_MT000003GB01), access-to-service
notifications (REPC_MT000004GB01) and inactive NHS number notifications (REPC_MT000005GB01).

Files are untrusted. They are parsed with defusedxml with every DTD refused (so no entity expansion
such as "billion laughs", no external entities, no external DTD), after a size check, and then read
strictly: the root must be one of the three messages in the HL7 V3 namespace, and every value used is
checked. Any problem raises `CpisFileError` with a message saying what is wrong; nothing is written
(the importer in `services` runs only after parsing succeeds, in one transaction).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree as SafeET
from django.conf import settings

from opencsc.core import codelists
from opencsc.core.uploads import FileRefused, check_bytes
from opencsc.cpis.message import ACCESS_ROOT, ACK_ROOT, HL7_NS, INACTIVE_ROOT
from opencsc.cpis.models import MessageType
from opencsc.people.identifiers import nhs_number_error, normalise_nhs_number

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 100_000
_NS = {"h": HL7_NS}
_TS = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?([+-]\d{4})?$")
_ODS = re.compile(r"^[A-Z0-9]{3,10}$")

# Every message type openCSC knows by its root element, with its CP-ISMessageType code.
_ROOT_TYPES = {
    "REPC_MT000002GB01": "01",
    "QUPC_MT000006GB01": "03",
    "REPC_MT000007GB01": "04",
    ACK_ROOT: MessageType.ACKNOWLEDGEMENT.value,
    ACCESS_ROOT: MessageType.ACCESS.value,
    INACTIVE_ROOT: MessageType.INACTIVE.value,
}
IMPORTABLE = {ACK_ROOT, ACCESS_ROOT, INACTIVE_ROOT}


class CpisFileError(FileRefused):
    """The file cannot be imported. The message says why, in words IG staff can act on."""


@dataclass(frozen=True)
class AckRecord:
    number: int
    nhs_number: str
    code: str
    detail: str = ""


@dataclass(frozen=True)
class Acknowledgement:
    upload_sequence: int
    created_at: dt.datetime
    quantity: int
    records: list[AckRecord] = field(default_factory=list)


@dataclass(frozen=True)
class AccessNotice:
    message_id: str
    created_at: dt.datetime
    nhs_number: str
    accessed_at: dt.datetime
    setting_ods: str
    setting_name: str


@dataclass(frozen=True)
class InactiveNotice:
    message_id: str
    created_at: dt.datetime
    nhs_number: str


Parsed = Acknowledgement | AccessNotice | InactiveNotice


def max_bytes() -> int:
    return int(getattr(settings, "OPENCSC_CPIS_MAX_FILE_BYTES", DEFAULT_MAX_BYTES))


def parse(data: bytes) -> Parsed:
    """Parse one file from NHS England, or raise CpisFileError."""
    root = _safe_root(data)
    tag = _local(root.tag)
    if not root.tag.startswith(f"{{{HL7_NS}}}"):
        raise CpisFileError(
            f"This is not a CP-IS message: its root element <{tag}> is not in the HL7 V3 namespace ({HL7_NS})"
        )
    if tag not in IMPORTABLE:
        if tag in _ROOT_TYPES:
            name = codelists.describe("cpis_message_type", _ROOT_TYPES[tag])
            raise CpisFileError(
                f"This is a {name} message ({tag}, type {_ROOT_TYPES[tag]}): only acknowledgements, "
                "access to service notifications and inactive NHS number notifications can be imported"
            )
        raise CpisFileError(f"This is not a CP-IS message this service can import: the root element is <{tag}>")
    if tag == ACK_ROOT:
        return _acknowledgement(root)
    if tag == ACCESS_ROOT:
        return _access(root)
    return _inactive(root)


def message_type_of(parsed: Parsed) -> str:
    if isinstance(parsed, Acknowledgement):
        return MessageType.ACKNOWLEDGEMENT.value
    if isinstance(parsed, AccessNotice):
        return MessageType.ACCESS.value
    return MessageType.INACTIVE.value


# --- Safe parsing -----------------------------------------------------------------------------------


def _safe_root(data: bytes) -> Element:
    if not data or not data.strip():
        raise CpisFileError("The file is empty")
    check_bytes(data, limit=max_bytes(), name="The file", what="a CP-IS message")
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise CpisFileError(
            "The file declares a document type (DTD). CP-IS messages never do, and a DTD can be used to "
            "attack the service, so the file was refused"
        ) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise CpisFileError("The file declares XML entities. CP-IS messages never do, so the file was refused") from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise CpisFileError("The file refers to an external resource, so it was refused") from exc
    except defusedxml.DefusedXmlException as exc:
        raise CpisFileError("The file uses XML features CP-IS messages never use, so it was refused") from exc
    except ParseError as exc:
        raise CpisFileError(f"The file is not well-formed XML ({exc}). Ask NHS England to send it again") from exc
    except (ValueError, UnicodeError) as exc:
        raise CpisFileError("The file is not readable XML text") from exc


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _one(node: Element, path: str, what: str) -> Element:
    found = node.findall(path, _NS)
    if len(found) != 1:
        raise CpisFileError(f"{what}: expected exactly one, found {len(found)}")
    return found[0]


def _attr(node: Element, name: str, what: str) -> str:
    value = (node.get(name) or "").strip()
    if not value:
        raise CpisFileError(f"{what} has no {name}")
    if len(value) > 200:
        raise CpisFileError(f"{what} is too long")
    return value


def _timestamp(value: str, what: str) -> dt.datetime:
    match = _TS.match(value)
    if not match:
        raise CpisFileError(f"{what} '{value[:40]}' is not an HL7 timestamp like 20250602103000+0100")
    day, hour, minute, second, offset = match.groups()
    if hour is not None and offset is None:
        raise CpisFileError(f"{what} '{value[:40]}' has a time but no time zone offset")
    sign = 1 if (offset or "+0000")[0] == "+" else -1
    hours, minutes = int((offset or "+0000")[1:3]), int((offset or "+0000")[3:5])
    if hours > 14 or minutes > 59:
        raise CpisFileError(f"{what} '{value[:40]}' has an impossible time zone offset")
    zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        return dt.datetime(
            int(day[:4]), int(day[4:6]), int(day[6:8]), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=zone
        )
    except ValueError as exc:
        raise CpisFileError(f"{what} '{value[:40]}' is not a real date and time") from exc


def _nhs_number(value: str, what: str) -> str:
    number = normalise_nhs_number(value)
    if nhs_number_error(number):
        raise CpisFileError(f"{what} '{value[:20]}' is not a valid NHS number")
    return number


def _integer(value: str, what: str, minimum: int = 0) -> int:
    if not re.fullmatch(r"-?\d{1,9}", value):
        raise CpisFileError(f"{what} '{value[:20]}' is not a whole number")
    number = int(value)
    if number < minimum:
        raise CpisFileError(f"{what} must be {minimum} or more")
    return number


def _message_id(root: Element) -> str:
    node = _one(root, "h:id", "The message id (<id root=...>)")
    value = _attr(node, "root", "The message id")
    try:
        return str(uuid.UUID(value)).upper()
    except ValueError as exc:
        raise CpisFileError(f"The message id '{value[:40]}' is not a UUID") from exc


def _created(root: Element) -> dt.datetime:
    node = _one(root, "h:creationTime", "The creation time")
    return _timestamp(_attr(node, "value", "The creation time"), "The creation time")


# --- Messages ---------------------------------------------------------------------------------------


def _acknowledgement(root: Element) -> Acknowledgement:
    created = _created(root)
    id_node = _one(root, "h:id", "The upload's sequence number (<id extension=...>)")
    sequence_text = _attr(id_node, "extension", "The upload's sequence number")
    if sequence_text == "-1":
        raise CpisFileError(
            "NHS England rejected the whole upload (file-level error, sequence -1): no record was processed. "
            "Check the upload and build it again"
        )
    sequence = _integer(sequence_text, "The upload's sequence number", minimum=1)
    quantity_node = _one(root, "h:transmissionQuantity", "The record count (transmissionQuantity)")
    quantity = _integer(_attr(quantity_node, "value", "transmissionQuantity"), "transmissionQuantity")
    nodes = root.findall("h:acknowledgementRecord", _NS)
    if len(nodes) > MAX_RECORDS:
        raise CpisFileError(f"The acknowledgement lists more than {MAX_RECORDS} records")
    if len(nodes) > quantity:
        raise CpisFileError(f"The acknowledgement lists {len(nodes)} records but says it processed {quantity}")
    valid = codelists.codes("cpis_upload_record_response")
    records, seen = [], set()
    for position, node in enumerate(nodes, start=1):
        where = f"Acknowledgement record {position}"
        number = _integer(_attr(_one(node, "h:id", f"{where} id"), "extension", f"{where} id"), f"{where} id", 1)
        if number in seen:
            raise CpisFileError(f"{where} repeats record {number}")
        seen.add(number)
        subject_id = _one(node, "h:subject/h:id", f"{where} NHS number")
        nhs = _nhs_number(_attr(subject_id, "extension", f"{where} NHS number"), f"{where} NHS number")
        detail = _one(node, "h:acknowledgementDetail", f"{where} response")
        code = _attr(detail, "code", f"{where} response")
        if code not in valid:
            raise CpisFileError(f"{where} has response code '{code[:10]}', which is not a CP-IS code (CPR01 to CPR07)")
        qualifier = detail.find("h:qualifier", _NS)
        extra = (qualifier.get("code") or "").strip()[:100] if qualifier is not None else ""
        records.append(AckRecord(number=number, nhs_number=nhs, code=code, detail=extra))
    return Acknowledgement(upload_sequence=sequence, created_at=created, quantity=quantity, records=records)


def _patient_nhs_number(root: Element) -> str:
    node = _one(root, "h:subject/h:patient/h:id", "The NHS number (subject/patient/id)")
    return _nhs_number(_attr(node, "extension", "The NHS number"), "The NHS number")


def _access(root: Element) -> AccessNotice:
    message_id, created = _message_id(root), _created(root)
    nhs = _patient_nhs_number(root)
    event = _one(root, "h:accessEvent", "The access event")
    when = _timestamp(
        _attr(_one(event, "h:effectiveTime", "The access time"), "value", "The access time"), "The access time"
    )
    location = _one(event, "h:location", "The NHS setting (location)")
    ods = _attr(_one(location, "h:id", "The setting's ODS code"), "extension", "The setting's ODS code").upper()
    if not _ODS.match(ods):
        raise CpisFileError(f"The setting's ODS code '{ods[:20]}' is not an ODS code")
    name_node = location.find("h:name", _NS)
    name = " ".join((name_node.text or "").split())[:200] if name_node is not None else ""
    return AccessNotice(
        message_id=message_id, created_at=created, nhs_number=nhs, accessed_at=when, setting_ods=ods, setting_name=name
    )


def _inactive(root: Element) -> InactiveNotice:
    return InactiveNotice(message_id=_message_id(root), created_at=_created(root), nhs_number=_patient_nhs_number(root))
