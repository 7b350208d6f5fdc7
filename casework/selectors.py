"""Reads of the process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from remediation.selectors import ACTION_LABELS as REMEDIATION_ACTIONS
from sanctions.models import DefenceRecord, DefenceStatus
from sanctions.selectors import ACTION_LABELS as SANCTION_ACTIONS
from violations import audit
from violations.models import Case
from violations.selectors import ACTION_LABELS as CASE_ACTIONS

from .engine import OPEN_STATUSES

User = get_user_model()

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
        .select_related("owner__employee")
        .order_by("pk")
    )


@dataclass(frozen=True)
class Waiting:
    """What a case waits for besides a person's task, and until when."""

    kind: str  # "appeal_window", "review_delay" or "defence"
    until: dt.datetime | None


def waiting(case: Case, tasks: list[Task]) -> list[Waiting]:
    """The case's waits that no open task explains by itself: the flow's timers, and the
    persons' time to answer while the defence step is open. ``tasks``: its open human
    tasks (:func:`open_case_tasks`)."""
    if not case.process_id or case.is_closed:
        return []
    found = [
        Waiting(kind=TIMERS[task.flow_task.name], until=task.scheduled)
        for task in Task.objects.filter(
            process_id=case.process_id, status=STATUS.SCHEDULED
        ).order_by("pk")
        if task.flow_task is not None and task.flow_task.name in TIMERS
    ]
    if any(t.flow_task.name == "defence" for t in tasks):
        due = (
            DefenceRecord.objects.filter(proposal__case=case, status=DefenceStatus.PENDING)
            .order_by("-due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        if due:
            found.append(Waiting(kind="defence", until=due))
    return found


# The flow's timer nodes, by the wait they stand for.
TIMERS = {"appeal_window": "appeal_window", "wait_review": "review_delay"}


def case_managers() -> list[User]:
    """Whom to ask about a case that waits: the active case managers, by name."""
    return list(
        User.objects.filter(is_active=True, groups__permissions__codename="manage_cases")
        .select_related("employee")
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class Deed:
    """One thing a person did while holding a task, as the audit trail has it."""

    when: dt.datetime
    label: str
    reason: str


def deeds(task: Task, user) -> list[Deed]:
    """What ``user`` did while holding the finished ``task``: their audit events on its case
    from the task's creation to its end, labelled, with no case record read."""
    case = Case.objects.filter(process_id=task.process_id).only("pk").first()
    if case is None or task.finished is None:
        return []
    events = audit.events_of(case).filter(
        actor=user, occurred_at__gte=task.created, occurred_at__lte=task.finished
    )
    return [
        Deed(when=e.occurred_at, label=str(ACTION_LABELS.get(e.action, e.action)), reason=e.reason)
        for e in events.only("occurred_at", "action", "reason")
    ]


@dataclass(frozen=True)
class NextStep:
    title: str
    holder: User | None


def next_steps(case: Case) -> list[NextStep]:
    """Where the case went: its open human tasks and who holds them."""
    return [
        NextStep(title=str(t.flow_task.task_title), holder=t.owner) for t in open_case_tasks(case)
    ]
