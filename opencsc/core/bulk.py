"""Inserting many rows at once: PostgreSQL's COPY where it is available, `bulk_create` elsewhere.

For loads of hundreds of thousands of rows (a borough's people, their audit events). COPY skips
building one huge parameterised INSERT per batch, which is where `bulk_create` spends most of its
time at that scale. The values are prepared exactly as `bulk_create` prepares them (each field's
`pre_save` and `get_db_prep_save`, so encrypted fields are encrypted and `auto_now` is set), and
the rows go into the caller's transaction. No `save()`, no signals: the same as `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections, models
from django.db.models import Model

BATCH = 5000


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys from the model's sequence (PostgreSQL)."""
    table = model._meta.db_table
    pk = model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count])
        return [row[0] for row in cursor.fetchall()]


def bulk_insert(model: type[Model], objs: Sequence[Any], *, need_ids: bool = False) -> None:
    """Insert `objs` (unsaved instances of `model`). With `need_ids`, each gets its primary key
    (on PostgreSQL from the sequence, before the COPY; elsewhere as `bulk_create` gives them)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    with_pk = need_ids or all(obj.pk is not None for obj in objs)
    if need_ids and any(obj.pk is None for obj in objs):
        for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    real = connections[connection.alias]  # not the proxy: every attribute read through it costs a lookup
    plain = [_is_plain(f) for f in fields]
    with real.cursor() as cursor, cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            obj._state.adding, obj._state.db = False, real.alias
            copy.write_row(
                [
                    getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), real)
                    for f, is_plain in zip(fields, plain, strict=True)
                ]
            )


# Fields whose prepared value on PostgreSQL is the attribute itself (str, int, bool, date, datetime or
# None), so COPY can take it as it is: a million rows of twenty-odd columns spend most of their time
# in Django's generic preparation otherwise. Anything else (encrypted text, JSON, IP addresses,
# decimals, fields filled in on save) goes through `pre_save` and `get_db_prep_save` as in bulk_create.
_PLAIN = (
    models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.PositiveIntegerField,
    models.SmallIntegerField, models.PositiveSmallIntegerField, models.BooleanField, models.DateField,
    models.DateTimeField, models.AutoField, models.BigAutoField, models.ForeignKey, models.OneToOneField,
    models.FloatField,
)  # fmt: skip


def _is_plain(field: Any) -> bool:
    if type(field) not in _PLAIN:  # exact classes: a subclass (an encrypted field) may prepare its value
        return False
    return not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def insert_values(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as plain values, one per field named in `columns` (attnames), without
    building a model instance for each: on PostgreSQL straight into COPY, elsewhere through
    `bulk_create`. Only plain fields (see `_PLAIN`, values as the column takes them) and JSON fields
    (a dict or list, written as JSON) may be named, with the values the caller wants stored (no
    `pre_save`: give `auto_now` times yourself); fields left out get the column's database default or
    NULL, so callers name every field the model would fill. Half a million model instances
    were a large part of an import's time (issue 12)."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    json_at = [isinstance(f, models.JSONField) for f in fields]
    for f, is_json in zip(fields, json_at, strict=True):
        # auto_now fields are plain here (the caller gives the time); an IP address goes as its text
        if not is_json and type(f) not in (*_PLAIN, models.GenericIPAddressField):
            raise ValueError(f"{meta.label}.{f.name} needs Django's preparation: use bulk_insert")
    if connection.vendor != "postgresql":
        names = [f.attname for f in fields]  # type: ignore[union-attr]
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    sql_columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    real = connections[connection.alias]
    with real.cursor() as cursor, cursor.cursor.copy(f"COPY {meta.db_table} ({sql_columns}) FROM STDIN") as copy:
        if not any(json_at):
            for row in rows:
                copy.write_row(row)
            return
        for row in rows:
            copy.write_row([json.dumps(v) if j else v for v, j in zip(row, json_at, strict=True)])


@contextmanager
def secondary_indexes_dropped(tables: Sequence[str], *, foreign_keys: bool = True) -> Iterator[None]:
    """Within the caller's transaction (PostgreSQL only; elsewhere nothing happens): drop the
    tables' non-unique indexes (and, with `foreign_keys`, their foreign keys), and re-create them
    with the same definitions when the block ends, each in one pass, so a load of hundreds of
    thousands of rows does not maintain a dozen B-trees and queue a deferred foreign-key check row
    by row. Unique indexes and primary keys stay. The tables are locked against readers until the
    commit: for loads into a nearly empty system (onboarding), never for everyday writes. If the
    block raises, the transaction's rollback puts everything back."""
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    indexes: list[tuple[str, str]] = []
    foreign: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN"
                " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x'))"
                " AND i.indexdef NOT LIKE %s",
                [table, table, "%UNIQUE%"],
            )
            indexes += cursor.fetchall()
            if foreign_keys:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                foreign += [(table, name, definition) for name, definition in cursor.fetchall()]
        for table, name, _ in foreign:
            cursor.execute(f'ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign:
            cursor.execute(f'ALTER TABLE {connection.ops.quote_name(table)} ADD CONSTRAINT "{name}" {definition}')
