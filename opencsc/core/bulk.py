"""Inserting many rows at once: PostgreSQL's COPY where it is available, `bulk_create` elsewhere.

For loads of hundreds of thousands of rows (a borough's people, their audit events). COPY skips
building one huge parameterised INSERT per batch, which is where `bulk_create` spends most of its
time at that scale. The values are prepared exactly as `bulk_create` prepares them (each field's
`pre_save` and `get_db_prep_save`, so encrypted fields are encrypted and `auto_now` is set), and
the rows go into the caller's transaction. No `save()`, no signals: the same as `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence
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
