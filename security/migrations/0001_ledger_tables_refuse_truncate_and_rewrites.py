"""On PostgreSQL the ledger's tables refuse whatever would rewrite them, whoever asks.

``violations/0004`` made the events refuse UPDATE and DELETE. This adds:

- TRUNCATE is refused on both ledger tables, except to a database superuser. A superuser can
  switch any trigger off anyway (``session_replication_role = replica``), so the exception
  costs nothing, and Django's test runner, connected as one, empties tables with TRUNCATE.
- The chain heads: a row is never deleted, and an update may only move its head one event
  forward (what ``ledger.chain.append`` does) or leave it as it was; a shortened or renamed
  chain is refused.

What this does not stop (an owner or superuser who drops the triggers) is in
``docs/reliability.md``; ledger checkpoints, kept outside the database, catch it.
SQLite has no equivalent; this is a no-op there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS auditevent_no_truncate ON violations_auditevent;
CREATE TRIGGER auditevent_no_truncate
    BEFORE TRUNCATE ON violations_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();

DROP TRIGGER IF EXISTS auditchain_no_truncate ON violations_auditchain;
CREATE TRIGGER auditchain_no_truncate
    BEFORE TRUNCATE ON violations_auditchain
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();

CREATE OR REPLACE FUNCTION ledger_auditchain_moves_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.key = OLD.key
            AND NEW.length = OLD.length + 1 THEN
        RETURN NEW;
    END IF;
    -- A write that changes nothing (the test runner's reload, loaddata) passes, as for events.
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'violations_auditchain is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS auditchain_append_only ON violations_auditchain;
CREATE TRIGGER auditchain_append_only
    BEFORE UPDATE OR DELETE ON violations_auditchain
    FOR EACH ROW EXECUTE FUNCTION ledger_auditchain_moves_forward();
"""

DROP = """
DROP TRIGGER IF EXISTS auditchain_append_only ON violations_auditchain;
DROP FUNCTION IF EXISTS ledger_auditchain_moves_forward();
DROP TRIGGER IF EXISTS auditchain_no_truncate ON violations_auditchain;
DROP TRIGGER IF EXISTS auditevent_no_truncate ON violations_auditevent;
DROP FUNCTION IF EXISTS ledger_refuse_truncate();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("violations", "0009_audit_moves_to_ledger"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
