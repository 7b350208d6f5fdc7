"""The append-only trigger lets through an UPDATE that changes nothing.

Since migrations write a genesis event, the audit table holds a row from the start; the test
runner's serialized rollback (and ``loaddata``) writes rows back as they are, which Django
does as an UPDATE. Refusing a write that changes nothing protects nothing; any change to a
column is still refused.
"""

from django.db import migrations

LENIENT = """
CREATE OR REPLACE FUNCTION violations_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'violations_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

STRICT = """
CREATE OR REPLACE FUNCTION violations_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'violations_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def lenient(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LENIENT, params=None)


def strict(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STRICT, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_event_salt"),
        ("violations", "0009_audit_moves_to_ledger"),
    ]

    operations = [migrations.RunPython(lenient, strict)]
