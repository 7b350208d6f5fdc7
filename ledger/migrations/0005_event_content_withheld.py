"""Events whose content was erased after its retention keep each erased field as its salted
commitment (``withheld``), and the append-only trigger lets exactly that update through: only
``payload``, ``reason`` and ``withheld`` change, ``withheld`` only grows, and only on an
event with commitments. Whether each commitment is the one the hash covers is for
``verify_audit`` to say, as for any other column."""

from django.db import migrations, models

ERASABLE = """
CREATE OR REPLACE FUNCTION violations_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.chain_id = OLD.chain_id AND NEW.seq = OLD.seq
       AND NEW.occurred_at = OLD.occurred_at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_name = OLD.actor_name AND NEW.action = OLD.action
       AND NEW.records = OLD.records AND NEW.prev_hash = OLD.prev_hash
       AND NEW.hash = OLD.hash AND NEW.salt = OLD.salt AND OLD.salt <> ''
       AND NEW.withheld @> OLD.withheld AND NEW.withheld <> OLD.withheld
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'violations_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

# As 0004 left it.
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


def erasable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ERASABLE, params=None)


def lenient(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LENIENT, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="withheld",
            field=models.JSONField(blank=True, default=dict, verbose_name="withheld content"),
        ),
        migrations.RunPython(erasable, lenient),
    ]
