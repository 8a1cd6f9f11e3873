"""Lifting the append-only guard, for the one legitimate case: tests that play the attacker to
prove `verify_audit` catches tampering. Never called by application code."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

from django.db import connection

_migration = importlib.import_module("opencsc.audit.migrations.0004_scrubbed_events")


def _run(up: bool) -> None:
    with connection.cursor() as cursor:
        for statement in _migration.statements(connection.vendor, up=up):
            cursor.execute(statement)


@contextlib.contextmanager
def append_only_guard_lifted() -> Iterator[None]:
    _run(up=False)
    try:
        yield
    finally:
        _run(up=True)
