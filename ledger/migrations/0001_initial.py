"""The ledger's tables already exist (made by ``violations`` before the ledger became an app
of its own): this migration only records them in the ledger's state. ``violations`` 0009
drops the case column and forgets the models on its side."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditChain",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=40, unique=True, verbose_name="chain")),
                        ("length", models.PositiveBigIntegerField(default=0, verbose_name="length")),
                        ("head_hash", models.CharField(default="0" * 64, max_length=64, verbose_name="head hash")),
                    ],
                    options={
                        "verbose_name": "audit chain",
                        "verbose_name_plural": "audit chains",
                        "db_table": "violations_auditchain",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("seq", models.PositiveBigIntegerField(verbose_name="sequence")),
                        ("occurred_at", models.DateTimeField(verbose_name="time")),
                        ("actor_name", models.CharField(max_length=150, verbose_name="actor name")),
                        ("action", models.CharField(db_index=True, max_length=60, verbose_name="action")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("payload", models.JSONField(default=dict, verbose_name="payload")),
                        ("records", models.JSONField(default=list, verbose_name="records changed")),
                        ("prev_hash", models.CharField(max_length=64, verbose_name="previous hash")),
                        ("hash", models.CharField(max_length=64, verbose_name="hash")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="actor")),
                        ("chain", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events", to="ledger.auditchain", verbose_name="chain")),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "ordering": ["chain_id", "seq"],
                        "db_table": "violations_auditevent",
                        "constraints": [models.UniqueConstraint(fields=("chain", "seq"), name="audit_seq_unique_per_chain")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
