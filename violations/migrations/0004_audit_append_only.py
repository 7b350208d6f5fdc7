"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks.

The trigger guards against the application (or a careless operator) rewriting the trail; it
is not proof against a database superuser, who can disable it: ``verify_audit`` detects what
such a person changes. TRUNCATE is left alone because the test runner empties tables with it;
truncation shows up in ``verify_audit`` as a chain shorter than its recorded head.
SQLite has no equivalent that would still let the test runner empty the table, so this is a
no-op there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION violations_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'violations_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS auditevent_append_only ON violations_auditevent;
CREATE TRIGGER auditevent_append_only
    BEFORE UPDATE OR DELETE ON violations_auditevent
    FOR EACH ROW EXECUTE FUNCTION violations_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS auditevent_append_only ON violations_auditevent;
DROP FUNCTION IF EXISTS violations_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("violations", "0003_reporter_identity_vault")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
