"""The queue tasks nobody holds yet, by owner: who could claim a case's waiting task.

``policy.visible_cases`` finds the cases a user could claim from the queue by
``status = 'NEW' AND owner_id IS NULL``. On SQLite the planner answered that from viewflow's
``owner_id`` index, whose NULL entries are every finished start and end task (200,000 at
100,000 cases); this partial index holds the NEW tasks only. See 0007.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("violations", "0007_open_task_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS violations_task_new_owner "
            "ON viewflow_task (owner_id) WHERE status = 'NEW'",
            "DROP INDEX IF EXISTS violations_task_new_owner",
        ),
    ]
