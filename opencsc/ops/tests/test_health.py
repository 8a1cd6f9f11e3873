"""/healthz (alive) and /readyz (ready: database, migrations, audit chain head, scheduled jobs)."""

from __future__ import annotations

import pytest
from django.test import Client

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event
from opencsc.ops import health, jobs


def _ready(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.status_code, response.json()


@pytest.mark.django_db
def test_liveness_needs_nothing_but_the_process(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_ready_when_everything_is_in_order(client: Client) -> None:
    record_event(actor=Actor.system("test"), action="audit.verify")
    jobs.run("anchor_audit")
    status, body = _ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "audit_chain", "scheduled_jobs"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_not_ready_while_a_scheduled_job_has_failed(client: Client, test_job: jobs.Job) -> None:
    def fail() -> str:
        raise RuntimeError("MESH outbox unavailable")

    test_job.state["action"] = fail  # type: ignore[attr-defined]
    with pytest.raises(jobs.JobFailed):
        jobs.run("test_job")
    status, body = _ready(client)
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["scheduled_jobs"]["ok"] is False
    assert "test_job: last run failed" in body["checks"]["scheduled_jobs"]["detail"]
    assert body["checks"]["database"]["ok"] and body["checks"]["audit_chain"]["ok"]

    test_job.state["action"] = None  # type: ignore[attr-defined]
    jobs.run("test_job")  # the next good run clears it
    assert _ready(client)[0] == 200


@pytest.mark.django_db
def test_not_ready_when_the_hmac_key_does_not_match_the_chain(client: Client, settings: object) -> None:
    record_event(actor=Actor.system("test"), action="audit.verify")
    settings.OPENCSC_AUDIT_HMAC_KEY = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktMDE="  # type: ignore[attr-defined]
    status, body = _ready(client)
    assert status == 503 and not body["checks"]["audit_chain"]["ok"]
    assert "does not match its hash" in body["checks"]["audit_chain"]["detail"]


@pytest.mark.django_db
def test_not_ready_when_the_chain_is_behind_its_anchor(client: Client) -> None:
    event = record_event(actor=Actor.system("test"), action="audit.verify")
    chain.write_anchor(event.seq + 5, "f" * 64, "2026-01-01T00:00:00+00:00")  # as after a restore that lost events
    status, body = _ready(client)
    assert status == 503 and "behind the anchored seq" in body["checks"]["audit_chain"]["detail"]


@pytest.mark.django_db
def test_not_ready_when_an_anchor_differs(client: Client) -> None:
    event = record_event(actor=Actor.system("test"), action="audit.verify")
    chain.write_anchor(event.seq, "0" * 64, "2026-01-01T00:00:00+00:00")
    assert _ready(client)[0] == 503
    assert AuditEvent.objects.filter(seq=event.seq).exists()


@pytest.mark.django_db
def test_not_ready_with_migrations_missing(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor

    real = MigrationExecutor.migration_plan

    def pretend_one_is_missing(self: MigrationExecutor, targets: object, clean_start: bool = False) -> list:
        migration = self.loader.graph.nodes[("ops", "0001_job_runs")]
        return [(migration, False), *real(self, targets, clean_start)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", pretend_one_is_missing)
    monkeypatch.setattr(health, "_migrations_ok_until", 0.0)
    status, body = _ready(client)
    assert status == 503 and "ops.0001_job_runs" in body["checks"]["migrations"]["detail"]
