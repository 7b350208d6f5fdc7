"""Reads of the process."""

from __future__ import annotations

from viewflow.workflow.models import Task

from remediation.selectors import ACTION_LABELS as REMEDIATION_ACTIONS
from sanctions.selectors import ACTION_LABELS as SANCTION_ACTIONS
from violations.models import Case
from violations.selectors import ACTION_LABELS as CASE_ACTIONS

from .engine import OPEN_STATUSES

# The words for every audit action a case's timeline may show.
ACTION_LABELS = {**CASE_ACTIONS, **SANCTION_ACTIONS, **REMEDIATION_ACTIONS}


def open_case_tasks(case: Case) -> list[Task]:
    """The case's open human tasks, oldest first, with who holds them."""
    if not case.process_id:
        return []
    return list(
        Task.objects.filter(
            process_id=case.process_id, status__in=OPEN_STATUSES, flow_task_type="HUMAN"
        )
        .select_related("owner")
        .order_by("pk")
    )
