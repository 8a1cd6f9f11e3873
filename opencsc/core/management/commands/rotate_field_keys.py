"""Re-encrypt every encrypted field, and every file an app keeps encrypted with the key ring (the
documents' files, registered in `crypto.ROTATIONS`), under the primary key, so an old key can then
be removed.

Resumable: rows already under the primary key are skipped, and work is committed in batches, so the
command can be stopped and run again. Run it after putting the new key first in OPENCSC_FIELD_KEYS;
remove the old key only when it reports 0 rows left.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from opencsc.core import crypto
from opencsc.core.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[Any, EncryptedTextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def rotate(batch_size: int = 1000) -> dict[str, int]:
    """Re-encrypt stale ciphertexts, then the registered files; returns {"model.field": rows
    re-encrypted, "documents.Document files": files re-encrypted, ...}."""
    primary = crypto.keyring().primary_id
    counts: dict[str, int] = {}
    for model, field in encrypted_columns():
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        quote = connection.ops.quote_name
        done = 0
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Reads the raw ciphertext (not through the model) to see which key sealed it.
                    cursor.execute(
                        f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
                        f"WHERE {quote(column)} <> '' AND {quote(column)} NOT LIKE %s LIMIT %s",
                        [f"{crypto.PREFIX}:{primary}:%", batch_size],
                    )
                    rows = cursor.fetchall()
                for row_pk, token in rows:
                    plaintext = crypto.decrypt(token, context=field._context)
                    model._default_manager.filter(pk=row_pk).update(**{field.name: plaintext})
            done += len(rows)
            if len(rows) < batch_size:
                break
        counts[f"{model._meta.label}.{field.name}"] = done
    for rotation in crypto.ROTATIONS:
        counts.update(rotation())
    return counts


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields under the primary key in OPENCSC_FIELD_KEYS (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate(options["batch_size"])
        for name, count in counts.items():
            if count:
                self.stdout.write(f"{name}: {count} re-encrypted")
        for name in [name for name in counts if name.endswith(" missing")]:
            if missing := counts.pop(name):
                self.stderr.write(f"{name}: {missing} (rows name files not on disk: find them before removing a key)")
        self.stdout.write(f"Done: {sum(counts.values())} values re-encrypted under key {crypto.keyring().primary_id}.")
