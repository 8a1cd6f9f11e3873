"""Lifting the append-only guard, for the one legitimate case: tests that play the attacker to
prove `verify_audit` catches tampering. Never called by application code."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

from django.db import connection

_migration = importlib.import_module("opencsc.audit.migrations.0002_append_only")


@contextlib.contextmanager
def append_only_guard_lifted() -> Iterator[None]:
    with connection.schema_editor() as editor:
        _migration.remove(None, editor)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            _migration.install(None, editor)
