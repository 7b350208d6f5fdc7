"""Case history rows keep the case's subjects (simple-history's ``m2m_fields``), so the
page "the case as it was on ..." names who a past state was about.

Existing history rows get the subjects the case has now: before this migration no
service changed a case's subjects after the report, so they are the subjects each of
those rows had.
"""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


def backfill(apps, schema_editor):
    HistoricalCase = apps.get_model("violations", "HistoricalCase")
    Snapshot = apps.get_model("violations", "HistoricalCase_subjects")
    Links = apps.get_model("violations", "Case").subjects.through
    # Each snapshot keeps the id of the link it copies (a required column, as simple-history
    # fills it when it records a change).
    subjects: dict[int, list[tuple[int, int]]] = {}
    links = Links.objects.order_by("pk").values_list("pk", "case_id", "employee_id")
    for link_id, case_id, employee_id in links:
        subjects.setdefault(case_id, []).append((link_id, employee_id))
    rows = [
        Snapshot(id=link_id, history_id=history_id, case_id=case_id, employee_id=employee_id)
        for history_id, case_id in HistoricalCase.objects.values_list("history_id", "id")
        for link_id, employee_id in subjects.get(case_id, [])
    ]
    Snapshot.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("violations", "0012_category_name_unique_in_parent"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCase_subjects",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="violations.case",
                    ),
                ),
                (
                    "employee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="violations.employee",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="violations.historicalcase",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalCase_subjects",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
