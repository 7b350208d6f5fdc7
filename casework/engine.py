"""Driving the case process from services.

Viewflow skips its own permission checks when a task is completed from code, so the domain
services check permissions themselves (``violations.policy`` and its peers) and
:func:`human_task` finishes exactly one open task under the process lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from violations.exceptions import Conflict, InvalidState
from violations.models import Case

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class CaseLock(lock.SelectForUpdateLock):
    """viewflow's row lock on the process, taken together with the case row.

    Every path that changes a case's process (the steps, viewflow's timers and pages, the
    services that cancel or reassign tasks) takes this lock: ``SELECT … FROM case JOIN
    process … FOR UPDATE`` locks both rows in the same order everywhere and waits rather
    than failing (viewflow's default NOWAIT catches the lock error inside its own atomic
    block, which on PostgreSQL left the caller's transaction aborted, so the loser of a race
    got a 500 instead of "already completed"). A process whose case is not linked yet (the
    start of a case, created in the same transaction) is locked by its process row.
    """

    def __init__(self):
        super().__init__(nowait=False)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            case = (
                Case.objects.select_related("process")
                .select_for_update()
                .filter(process_id=process_pk)
                .first()
            )
            if case is None:
                flow_class.process_class._default_manager.select_for_update().filter(
                    pk=process_pk
                ).first()
            yield


@dataclass
class HeldStep:
    task: Task
    case: Case
    activation: Activation


def load_task(task_or_pk) -> Task:
    pk = getattr(task_or_pk, "pk", task_or_pk)
    try:
        return Task.objects.select_related("process", "owner").get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise InvalidState(_("This task does not exist.")) from None


def refuse_if_closed(task: Task) -> None:
    if task.status not in OPEN_STATUSES:
        who = task.owner.get_username() if task.owner_id else _("someone else")
        raise Conflict(
            _("This task was already completed by %(user)s; your submission was not saved.")
            % {"user": who}
        )


@contextmanager
def locked(task) -> Iterator[Task]:
    """The task read again under its process's lock, inside one transaction."""
    known = task if isinstance(task, Task) else load_task(task)
    with transaction.atomic(), known.flow_task.flow_class.lock(known.process_id):
        yield load_task(known)


@contextmanager
def human_task(task, *, actor: User, expected: str | Iterable[str]) -> Iterator[HeldStep]:
    """Lock the process, re-read the task, let the caller write, then complete the task.

    Preconditions: ``task`` is an open task of the step ``expected``; if it is assigned, it
    is assigned to ``actor``. The caller checks the actor's permission inside the block, so a
    refusal rolls back everything, the claim included.
    """
    names = {expected} if isinstance(expected, str) else set(expected)
    with locked(task) as task:
        if task.flow_task is None or task.flow_task.name not in names:
            raise InvalidState(_("This task is not the expected step of the case."))
        refuse_if_closed(task)
        if task.owner_id and task.owner_id != actor.pk:
            raise Conflict(
                _("This task is assigned to %(user)s.") % {"user": task.owner.get_username()}
            )
        case = Case.objects.get(process_id=task.process_id)
        activation = task.flow_task.activation_class(task)
        # The engine's callbacks (gateways, stage bookkeeping) reach the case through the
        # process: give them the instance the step writes rather than a second read.
        Case._meta.get_field("process").remote_field.set_cached_value(activation.process, case)
        yield HeldStep(task=task, case=case, activation=activation)
        if task.status == STATUS.NEW:
            activation.assign(actor)
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()


def open_tasks(case: Case, step: str | None = None):
    """The case's open tasks (of one step, if named), oldest first."""
    qs = Task.objects.filter(process_id=case.process_id, status__in=OPEN_STATUSES)
    if step:
        qs = qs.filter(flow_task=node(step))
    return qs.order_by("pk")


def open_task(case: Case, step: str) -> Task | None:
    return open_tasks(case, step).select_related("owner").first()


def node(name: str):
    """The node of the case flow named ``name``."""
    from .flows import CaseFlow  # the flow imports the task pages, which import this module

    return getattr(CaseFlow, name)
