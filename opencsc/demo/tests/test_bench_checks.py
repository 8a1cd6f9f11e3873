"""The benchmarks' bulk-made MASH checks are the services' checks without the preparation's audit
events: the same rows in the same models with the same values, and the partner API answers them alike."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from opencsc.accounts.models import AllocationKind, Role, TeamKind
from opencsc.accounts.tests.factories import AllocationFactory, TeamFactory, UserFactory
from opencsc.audit.models import SubjectVersion
from opencsc.audit.services import Actor
from opencsc.demo.bench_checks import QUESTION, check_send_through_services, checks_bulk_send
from opencsc.partners import credentials
from opencsc.people.models import Address
from opencsc.people.tests.factories import ChildFactory
from opencsc.sharing import services as sharing_services
from opencsc.sharing.demo import seed_agencies
from opencsc.sharing.items import pack_digest
from opencsc.sharing.models import Agency, CheckRequest, CheckStatus
from opencsc.sharing.portal_services import partner_member_add

pytestmark = pytest.mark.django_db
POLICE = "Exampleton Constabulary Public Protection Unit"


@pytest.fixture
def police(db):
    seed_agencies()
    agency = Agency.objects.get(name=POLICE)
    user = UserFactory(username="pc", role=Role.PARTNER, team=TeamFactory(name=agency.name, kind=TeamKind.PARTNER))
    partner_member_add(actor=Actor.system("tests"), added_by=None, user=user, agency=agency)
    return agency


def _child(worker, team):
    child = ChildFactory()
    AllocationFactory(person=child, team=team, worker=worker, kind=AllocationKind.ALLOCATED_WORKER)
    Address.objects.create(
        person=child, line1="1 Bench Street", town="Exampleton", postcode="ZZ1 1ZZ", start_date=dt.date(2020, 1, 1)
    )
    return child


def _by_services(worker, mash, child, police) -> CheckRequest:
    return check_send_through_services(worker=worker, mash=mash, child=child, agency=police)


def _snapshot() -> dict[str, set[Any]]:
    return {m._meta.label: set(m._default_manager.values_list("pk", flat=True)) for m in apps.get_models()}


def _new(before: dict[str, set[Any]], after: dict[str, set[Any]]) -> dict[str, set[Any]]:
    return {label: after[label] - before[label] for label in after if after[label] - before[label]}


def _label_named(model_name: str, made: dict[str, set[Any]]) -> str | None:
    return next((label for label in made if label.split(".")[1].lower() == model_name), None)


def _ids_of(obj: models.Model, name: str, made: dict[str, set[Any]]) -> set[str]:
    """The ids made with the check of the model that `<x>object_type` names beside `<x>object_id`."""
    if not name.endswith("object_id"):
        return set()
    kind = getattr(obj, name.replace("object_id", "object_type"), "")
    return {str(pk) for pk in made.get(kind, ())}


def _shape(label: str, pks: set[Any], made: dict[str, set[Any]], child_id: int) -> list[dict[str, Any]]:
    """The rows' values with what must differ between two checks named, not compared: their own
    ids and the ids of the rows made with them, the child, the moments they were written."""
    model = apps.get_model(label)
    rows = []
    for obj in model._default_manager.filter(pk__in=pks).order_by("pk"):
        row: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            value = getattr(obj, field.attname)
            if (
                field.primary_key
                or isinstance(field, models.DateTimeField)
                or field.name in ("pack_digest", "audit_seq")
            ):
                continue
            target = field.related_model._meta.label if isinstance(field, models.ForeignKey) else None
            if target is None and field.name.endswith("_id"):  # a plain id column (a table kept by triggers)
                prefix = field.name.removesuffix("_id")
                target = "people.Person" if prefix in ("person", "child") else _label_named(prefix, made)
            if target == "people.Person" and value == child_id:
                value = "<child>"
            elif (target and value in made.get(target, ())) or (
                isinstance(value, str) and value in _ids_of(obj, field.name, made)
            ):
                value = "<made with it>"
            elif field.name == "records":
                value = [{k: v for k, v in r.items() if k not in ("id", "key")} for r in value]
            row[field.name] = value
        rows.append(row)
    return rows


def test_a_bulk_made_check_is_a_service_made_one_without_its_audit_events(
    social_worker, mash_practitioner, east_team, police
):
    first, second = _child(social_worker, east_team), _child(social_worker, east_team)
    start = _snapshot()
    by_service = _by_services(social_worker, mash_practitioner, first, police)
    middle = _snapshot()
    [bulk_id] = checks_bulk_send(mash=mash_practitioner, agency=police, pairs=[(social_worker, second)], count=1)
    end = _snapshot()
    service_rows, bulk_rows = _new(start, middle), _new(middle, end)

    assert "audit.AuditEvent" in service_rows and "audit.AuditEvent" not in bulk_rows
    service_rows.pop("audit.AuditEvent")
    assert set(service_rows) == set(bulk_rows)  # the same models, audit events apart
    for label in service_rows:
        assert len(service_rows[label]) == len(bulk_rows[label]), label
        if label == "audit.SubjectVersion":
            continue  # one bump per child in bulk; one per event by the services
        assert _shape(label, service_rows[label], service_rows, first.pk) == _shape(
            label, bulk_rows[label], bulk_rows, second.pk
        ), label
    assert SubjectVersion.objects.get(person_id=second.pk).version >= 1  # the child's stored digests go stale

    bulk = CheckRequest.objects.select_related("disclosure__agency", "disclosure__purpose").get(pk=bulk_id)
    items = sharing_services._chosen_items(second, [r["key"] for r in bulk.disclosure.records])
    assert bulk.disclosure.pack_digest == pack_digest(sharing_services.pack_header(bulk.disclosure), items)
    assert by_service.disclosure.audit_seq is not None and bulk.disclosure.audit_seq is None


def test_the_api_answers_a_bulk_made_check_as_it_answers_a_service_made_one(
    social_worker, mash_practitioner, east_team, police
):
    first, second = _child(social_worker, east_team), _child(social_worker, east_team)
    by_service = _by_services(social_worker, mash_practitioner, first, police)
    [bulk_id] = checks_bulk_send(mash=mash_practitioner, agency=police, pairs=[(social_worker, second)], count=1)
    _, key = credentials.credential_issue(
        actor=Actor.system("tests"), agency=police, label="RMS", scopes=["checks:read", "checks:answer"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert {c["id"] for c in client.get("/api/v1/checks/").json()} == {by_service.pk, bulk_id}

    def answer(check_id: int) -> tuple[dict[str, Any], dict[str, set[Any]], dict[str, Any]]:
        before = _snapshot()
        detail = client.get(f"/api/v1/checks/{check_id}/").json()
        response = client.post(
            f"/api/v1/checks/{check_id}/answer/",
            data=json.dumps({"summary": "Nothing known to us"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"k-{check_id}",
        )
        assert response.status_code == 201
        return detail, _new(before, _snapshot()), response.json()

    detail_s, rows_s, answered_s = answer(by_service.pk)
    detail_b, rows_b, answered_b = answer(bulk_id)
    assert {k: len(v) for k, v in rows_s.items()} == {k: len(v) for k, v in rows_b.items()}
    assert [s["category"] for s in detail_s["child"]["sections"]] == [
        s["category"] for s in detail_b["child"]["sections"]
    ]
    assert detail_s["question"] == detail_b["question"] == QUESTION
    assert answered_s["status"] == answered_b["status"] == CheckStatus.ANSWERED
    assert CheckRequest.objects.filter(pk__in=[by_service.pk, bulk_id], status=CheckStatus.ANSWERED).count() == 2


def test_the_bulk_path_refuses_what_the_services_refuse(
    social_worker, mash_practitioner, east_team, police, outsider, settings
):
    child = _child(social_worker, east_team)
    settings.OPENCSC_ENVIRONMENT = "production"
    with pytest.raises(Exception, match="production"):
        checks_bulk_send(mash=mash_practitioner, agency=police, pairs=[(social_worker, child)], count=1)
    settings.OPENCSC_ENVIRONMENT = "test"
    with pytest.raises(Exception, match="cannot change"):
        checks_bulk_send(mash=mash_practitioner, agency=police, pairs=[(outsider, child)], count=1)
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied: a social worker does not send checks)
        checks_bulk_send(mash=social_worker, agency=police, pairs=[(social_worker, child)], count=1)
    assert not CheckRequest.objects.exists()
