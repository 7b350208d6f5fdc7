"""The deadline rules and the institution's working-day calendar a new installation starts
with (``deadlines/defaults.py``; the numbers the environment sets are taken now), vouched for
by one ``config.genesis`` event on the system chain like the rest of the reference data.

Rules already present (by kind, severity and source) are left as they are. Cases open at
the upgrade get the clocks of their current stage and of a missing acknowledgement, so the
deadline scan sees them (an overdue one is told to its holder once more at the first scan,
then escalated as any other). It runs the
application's own models and service, so it comes after every schema migration of the
deadlines models; a later schema change to them must re-vouch their rows the same way.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from deadlines.defaults import CALENDAR, default_rules
    from deadlines.models import DeadlineRule, WorkingCalendar
    from violations.services.reference import reference_genesis

    # Created without history rows, as the reference catalogue is on a new database: the
    # genesis event vouches for them, and history starts with the first edit in the admin.
    rows = []
    if not WorkingCalendar.objects.filter(is_default=True).exists():
        rows += WorkingCalendar.objects.bulk_create([WorkingCalendar(is_default=True, **CALENDAR)])
    rules = []
    for rule in default_rules():
        scope = {
            "kind": rule["kind"],
            "severity": rule.get("severity", ""),
            "source": rule.get("source", ""),
        }
        if DeadlineRule.objects.filter(**scope).exists():
            continue
        fields = {k: v for k, v in rule.items() if k not in scope}
        rules.append(DeadlineRule(**scope, **fields))
    rows += DeadlineRule.objects.bulk_create(rules)
    reference_genesis(rows=rows, reason="deadline rules and calendar loaded by migrations")
    start_open_clocks(apps)


def start_open_clocks(apps):
    """Cases open before deadline clocks existed get the clocks of what they owe now: the
    stage they are in (its due moment as recorded) and an acknowledgement still missing."""
    Case = apps.get_model("violations", "Case")
    Clock = apps.get_model("violations", "Clock")
    clocks = []
    for case in Case.objects.exclude(stage="closed").iterator(chunk_size=2000):
        if case.stage_due_at is not None:
            clocks.append(
                Clock(
                    case_id=case.pk,
                    kind=f"stage.{case.stage}",
                    target=case.stage_entered_at.isoformat(),
                    basis="calendar_days",
                    started_at=case.stage_entered_at,
                    due_at=case.stage_due_at,
                    next_check_at=case.stage_due_at,
                )
            )
        if case.acknowledged_at is None:
            clocks.append(
                Clock(
                    case_id=case.pk,
                    kind="acknowledgement",
                    basis="calendar_hours",
                    started_at=case.reported_at,
                    due_at=case.acknowledge_due_at,
                    next_check_at=case.acknowledge_due_at,
                )
            )
    Clock.objects.bulk_create(clocks, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("violations", "0014_deadline_clocks"),
        ("deadlines", "0001_calendars_and_deadline_rules"),
        ("sanctions", "0008_structured_sanction_parameters"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
