"""Scrubbing for disposal (ADR 0030): the witness table, and the append-only triggers replaced by
ones that allow exactly one kind of UPDATE: a row whose seq has a witness, keeping its seq, hashes,
action, subject and object ids. DELETE is still refused. The witness table is append-only too."""

from django.db import migrations, models

TABLE = "audit_auditevent"
WITNESS = "audit_scrubbedevent"
# The columns a scrub never changes.
KEPT = ("seq", "prev_hash", "hash", "action", "subject_person_id", "object_type", "object_id", "actor_id")

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION opencsc_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND EXISTS (SELECT 1 FROM {WITNESS} w WHERE w.seq = OLD.seq)
     AND {" AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in KEPT)} THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING MESSAGE = 'audit events are append-only (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION opencsc_audit_append_only();
CREATE OR REPLACE FUNCTION opencsc_audit_witness_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'audit witnesses are append-only (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_witness_append_only ON {WITNESS};
CREATE TRIGGER audit_witness_append_only BEFORE UPDATE OR DELETE ON {WITNESS}
  FOR EACH ROW EXECUTE FUNCTION opencsc_audit_witness_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS opencsc_audit_append_only();
DROP TRIGGER IF EXISTS audit_witness_append_only ON {WITNESS};
DROP FUNCTION IF EXISTS opencsc_audit_witness_append_only();
"""
_SQLITE_REFUSED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEPT)
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_no_update;",
    f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} "
    f"WHEN NOT EXISTS (SELECT 1 FROM {WITNESS} w WHERE w.seq = OLD.seq) OR {_SQLITE_REFUSED} BEGIN "
    "SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;",
    "DROP TRIGGER IF EXISTS audit_no_delete;",
    f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} BEGIN "
    "SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)'); END;",
    f"CREATE TRIGGER audit_witness_no_update BEFORE UPDATE ON {WITNESS} BEGIN "
    "SELECT RAISE(ABORT, 'audit witnesses are append-only (UPDATE refused)'); END;",
    f"CREATE TRIGGER audit_witness_no_delete BEFORE DELETE ON {WITNESS} BEGIN "
    "SELECT RAISE(ABORT, 'audit witnesses are append-only (DELETE refused)'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_update;",
    "DROP TRIGGER IF EXISTS audit_no_delete;",
    "DROP TRIGGER IF EXISTS audit_witness_no_update;",
    "DROP TRIGGER IF EXISTS audit_witness_no_delete;",
]


def statements(vendor, up):
    if vendor == "postgresql":
        return [POSTGRES_UP if up else POSTGRES_DOWN]
    if vendor == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    return []


def install(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor, up=True):
        schema_editor.execute(statement)


def restore_strict(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor, up=False):
        schema_editor.execute(statement)
    previous = __import__("importlib").import_module("opencsc.audit.migrations.0002_append_only")
    for statement in previous.statements(schema_editor.connection.vendor, up=True):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_database_identity_for_anchors")]

    operations = [
        migrations.CreateModel(
            name="ScrubbedEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(help_text="The scrubbed event's position in the chain", unique=True)),
                ("witness", models.CharField(max_length=64)),
                (
                    "key_index",
                    models.PositiveSmallIntegerField(help_text="Which chain key made the witness (0 = oldest)"),
                ),
                ("scrubbed_at", models.DateTimeField()),
                (
                    "cause",
                    models.CharField(
                        help_text="What scrubbed it, for example a disposal certificate", max_length=64
                    ),
                ),
            ],
        ),
        migrations.RunPython(install, restore_strict),
    ]
