"""The deadline rules and the institution's working-day calendar a new installation starts
with (``deadlines/defaults.py``; the numbers the environment sets are taken now), vouched for
by one ``config.genesis`` event on the system chain like the rest of the reference data.

Rules already present (by kind, severity and source) are left as they are. It runs the
application's own models and service, so it comes after every schema migration of the
deadlines models; a later schema change to them must re-vouch their rows the same way.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from deadlines.defaults import CALENDAR, default_rules
    from deadlines.models import DeadlineRule, WorkingCalendar
    from violations.services.reference import reference_genesis

    rows = []
    if not WorkingCalendar.objects.filter(is_default=True).exists():
        rows.append(WorkingCalendar.objects.create(is_default=True, **CALENDAR))
    for rule in default_rules():
        scope = {
            "kind": rule["kind"],
            "severity": rule.get("severity", ""),
            "source": rule.get("source", ""),
        }
        if DeadlineRule.objects.filter(**scope).exists():
            continue
        fields = {k: v for k, v in rule.items() if k not in scope}
        rows.append(DeadlineRule.objects.create(**scope, **fields))
    reference_genesis(rows=rows, reason="deadline rules and calendar loaded by migrations")


class Migration(migrations.Migration):
    dependencies = [
        ("violations", "0011_deadline_clocks"),
        ("deadlines", "0001_calendars_and_deadline_rules"),
        ("sanctions", "0005_reference_data_genesis"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
