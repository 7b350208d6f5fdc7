"""The audit chains and events belong to the ``ledger`` app from now on (same tables).

An event no longer names a case by a foreign key: its chain (``case:<id>``) does, and the
case reference is in its hashed payload, so the column goes. The content types follow the
models, so permissions granted on them stay granted.
"""

from django.db import migrations


def move_content_types(apps, schema_editor, src="violations", dst="ledger"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("auditchain", "auditevent"):
        if not ContentType.objects.filter(app_label=dst, model=model).exists():
            ContentType.objects.filter(app_label=src, model=model).update(app_label=dst)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, src="ledger", dst="violations")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledger", "0001_initial"),
        ("violations", "0008_open_task_owner_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditevent", name="violations__case_id_09478b_idx"),
        migrations.RemoveField(model_name="auditevent", name="case"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="AuditChain"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
