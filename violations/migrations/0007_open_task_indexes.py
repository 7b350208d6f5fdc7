"""Indexes over open tasks only, for the inbox, the queue and their menu counters.

Open work stays small while history grows: nearly every row of ``viewflow_task`` is done.
Viewflow indexes ``status`` and ``owner`` on their own, and SQLite's planner, which knows only
the average number of rows per value, sees neither as selective (three statuses, a few
owners), so it read every process of the flow to count an inbox. These partial indexes hold
only the tasks waiting in a queue (``NEW``) or in someone's inbox (``ASSIGNED``); a query that
names that status uses them whatever the size of the history. PostgreSQL gets the same
indexes (its statistics found the rare statuses already; these are smaller).

Viewflow's table, so plain SQL rather than model state; ``makemigrations`` has nothing to add.
"""

from django.db import migrations

INDEXES = {
    # inbox: owner = me AND status = 'ASSIGNED'
    "violations_task_assigned_owner": "viewflow_task (owner_id) WHERE status = 'ASSIGNED'",
    # queue: status = 'NEW' ORDER BY created DESC
    "violations_task_new_created": "viewflow_task (created) WHERE status = 'NEW'",
}


class Migration(migrations.Migration):
    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("violations", "0006_case_search_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {target}" for name, target in INDEXES.items()],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
