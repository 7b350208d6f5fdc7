"""Training attendance becomes a record of its own: completion per attendee, and a due date
per session.

The plain many-to-many table of attendees becomes the table of ``TrainingAttendance`` (the
model takes its name and columns), so every existing attendee stays; new columns are added
to it. Existing attendees are then vouched for by the ledger (one history row each and one
event per case the session answers), as every row of an audited model must be.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def vouch_existing(apps, schema_editor):
    from remediation.services.training import training_attendance_carry_over

    training_attendance_carry_over()


class Migration(migrations.Migration):
    dependencies = [
        ("remediation", "0003_actions_cancel_training_complaint_clock"),
        ("violations", "0015_deadline_rules_seed"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltrainingsession",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="to be completed by"),
        ),
        migrations.AddField(
            model_name="trainingsession",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="to be completed by"),
        ),
        # The model over the table the plain relation made: state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TrainingAttendance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "employee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="training_attendance",
                                to="violations.employee",
                                verbose_name="attendee",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                db_column="trainingsession_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance",
                                to="remediation.trainingsession",
                                verbose_name="training session",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "training attendance",
                        "verbose_name_plural": "training attendance",
                        "db_table": "remediation_trainingsession_attendees",
                        "ordering": ["session_id", "employee_id"],
                        "unique_together": {("session", "employee")},
                    },
                ),
                migrations.AlterField(
                    model_name="trainingsession",
                    name="attendees",
                    field=models.ManyToManyField(
                        related_name="training_sessions",
                        through="remediation.TrainingAttendance",
                        to="violations.employee",
                        verbose_name="attendees",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="trainingattendance",
            name="completed",
            field=models.BooleanField(default=False, verbose_name="completed"),
        ),
        migrations.AddField(
            model_name="trainingattendance",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="completed at"),
        ),
        migrations.AddField(
            model_name="trainingattendance",
            name="completion_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="completion recorded by",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalTrainingAttendance",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("completed", models.BooleanField(default=False, verbose_name="completed")),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "completion_recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="completion recorded by",
                    ),
                ),
                (
                    "employee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="violations.employee",
                        verbose_name="attendee",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        db_column="trainingsession_id",
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="remediation.trainingsession",
                        verbose_name="training session",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical training attendance",
                "verbose_name_plural": "historical training attendance",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(vouch_existing, migrations.RunPython.noop),
    ]
