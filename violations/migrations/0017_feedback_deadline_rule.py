"""The feedback deadline (issue 19): its rule (``deadlines/defaults.py``, 90 calendar days),
vouched for by a ``config.genesis`` event on the system chain, without a history row, as
``0015_deadline_rules_seed`` loads the others; an installation that already has it is left
as it is.

Open cases acknowledged before the feedback clock existed get one, from their
acknowledgement (the reporter was told then): the deadline scan reminds and escalates them
like any other, and one already past due is told once at the first scan, then escalated.
"""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from deadlines.defaults import default_rules
    from deadlines.models import DeadlineRule, Kind
    from violations.services.reference import reference_genesis

    rules = []
    for rule in default_rules():
        if rule["kind"] != Kind.FEEDBACK:
            continue
        scope = {
            "kind": rule["kind"],
            "severity": rule.get("severity", ""),
            "source": rule.get("source", ""),
        }
        if DeadlineRule.objects.filter(**scope).exists():
            continue
        fields = {k: v for k, v in rule.items() if k not in scope}
        rules.append(DeadlineRule(**scope, **fields))
    rows = DeadlineRule.objects.bulk_create(rules)
    reference_genesis(rows=rows, reason="feedback deadline rule loaded by migrations")
    start_feedback_clocks(apps)


def start_feedback_clocks(apps):
    from deadlines.models import DeadlineRule, Kind

    rule = DeadlineRule.objects.filter(kind=Kind.FEEDBACK, severity="", source="").first()
    if rule is None:
        return
    if rule.basis == "calendar_hours":
        length = dt.timedelta(hours=rule.amount)
    else:  # calendar days; a working-day rule is counted as calendar days here
        length = dt.timedelta(days=rule.amount)
    Case = apps.get_model("violations", "Case")
    Clock = apps.get_model("violations", "Clock")
    open_cases = (
        Case.objects.exclude(stage="closed")
        .filter(acknowledged_at__isnull=False)
        .exclude(clocks__kind="feedback")
    )
    clocks = []
    for case in open_cases.iterator(chunk_size=2000):
        due = case.acknowledged_at + length
        remind = due - dt.timedelta(hours=rule.remind_before_hours)
        clocks.append(
            Clock(
                case_id=case.pk,
                kind="feedback",
                basis="calendar_days",
                started_at=case.acknowledged_at,
                due_at=due,
                holder_id=case.acknowledged_by_id,
                remind_at=remind,
                # As violations.services.clocks.first_check: the reminder, else the due moment.
                next_check_at=remind if remind > case.acknowledged_at else due,
            )
        )
    Clock.objects.bulk_create(clocks, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("violations", "0016_retention_and_legal_hold"),
        ("deadlines", "0002_feedback_deadline_kind"),
        ("sanctions", "0008_structured_sanction_parameters"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
