"""The case flow moved from ``violations/flows.py`` to ``casework/flows.py``.

viewflow keeps the flow's place in its rows (``viewflow_process.flow_class`` as
``violations/flows.CaseFlow``, ``viewflow_task.flow_task`` as
``violations/flows.CaseFlow.<node>``): every running and finished case is pointed at the new
place, or viewflow could not find its flow.
"""

from django.db import migrations

OLD, NEW = "violations/flows.CaseFlow", "casework/flows.CaseFlow"


def _repoint(schema_editor, old: str, new: str) -> None:
    for table, column in (("viewflow_process", "flow_class"), ("viewflow_task", "flow_task")):
        schema_editor.execute(
            f"UPDATE {table} SET {column} = REPLACE({column}, %s, %s) WHERE {column} LIKE %s",
            [old, new, f"{old}%"],
        )


def forwards(apps, schema_editor):
    _repoint(schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _repoint(schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("violations", "0009_audit_moves_to_ledger"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
