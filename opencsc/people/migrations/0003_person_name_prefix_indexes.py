"""Indexes for person search by the start of a name (and by LA child id), on PostgreSQL.

Search asks `UPPER(name) LIKE 'SMI%'` (Django's istartswith). A btree on UPPER(name) with
text_pattern_ops answers that by range scan whatever the database collation; without it every
search reads the whole person table. SQLite (the embedded demo database) has no operator classes and
small tables, so these are created on PostgreSQL only; they live outside the model state on purpose
(Django cannot express an operator class on an expression index portably).
"""

from __future__ import annotations

from django.db import migrations

# (index name, table, column)
INDEXES = [
    ("person_last_name_prefix", "people_person", "last_name"),
    ("person_first_name_prefix", "people_person", "first_name"),
    ("person_preferred_name_prefix", "people_person", "preferred_name"),
    ("personname_last_name_prefix", "people_personname", "last_name"),
    ("personname_first_name_prefix", "people_personname", "first_name"),
]
# Search by LA child id is case-insensitive (UPPER(la_child_id) = UPPER(%s)): the unique index on the
# column itself cannot answer it.
EQUALITY_INDEXES = [("person_la_child_id_upper", "people_person", "la_child_id")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ((UPPER("{column}"::text)) text_pattern_ops)'
        )
    for name, table, column in EQUALITY_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ((UPPER("{column}"::text)))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES + EQUALITY_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_expected_birth_index"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
