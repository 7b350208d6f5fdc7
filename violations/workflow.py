"""Driving the case process from services.

Viewflow skips its own permission checks when a task is completed from code, so services
check permissions themselves (``violations.policy``) and use :func:`human_task` to finish
exactly one open task under the process row lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from . import audit
from .exceptions import Conflict, InvalidState
from .models import Case

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def case_flow():
    """The case process. Imported lazily: flows.py wires every app and is imported by no model."""
    return import_module("violations.flows").CaseFlow


@dataclass
class Step:
    task: Task
    case: Case
    activation: Any


def _load_task(task_or_pk) -> Task:
    pk = getattr(task_or_pk, "pk", task_or_pk)
    try:
        return Task.objects.select_related("process", "owner").get(pk=pk)
    except Task.DoesNotExist:
        raise InvalidState(_("This task does not exist.")) from None


def refuse_if_closed(task: Task) -> None:
    if task.status not in OPEN_STATUSES:
        who = task.owner.get_username() if task.owner_id else _("someone else")
        raise Conflict(
            _("This task was already completed by %(user)s; your submission was not saved.")
            % {"user": who}
        )


_held = threading.local()


@contextmanager
def holding(case: Case) -> Iterator[None]:
    """While a step runs, ``case`` is the row it locked and the instance it writes (the
    block must be left as a whole on any error, as :func:`human_task` is)."""
    outer = getattr(_held, "cases", {})
    _held.cases = {**outer, case.pk: case}
    try:
        with audit.chains_held():
            yield
    finally:
        _held.cases = outer


def held_case(process_id) -> Case | None:
    """The case of ``process_id`` if a running step holds it (see :func:`lock_case`)."""
    return next((c for c in getattr(_held, "cases", {}).values() if c.process_id == process_id),
                None)


def lock_case(case: Case) -> Case:
    """The case row locked for the current write: inside :func:`human_task`, the instance
    the step already locked (one read, one writer); otherwise a fresh locked read."""
    held = getattr(_held, "cases", {}).get(case.pk)
    if held is not None:
        return held
    return Case.objects.select_for_update().get(pk=case.pk)


@contextmanager
def human_task(task, *, actor, expected: str | Iterable[str]) -> Iterator[Step]:
    """Lock the process, re-read the task, let the caller write, then complete the task.

    Preconditions: ``task`` is an open task of node ``expected``; if it is assigned, it is
    assigned to ``actor``. The caller checks the actor's permission inside the block, so a
    refusal rolls back everything, the claim included.
    """
    names = {expected} if isinstance(expected, str) else set(expected)
    flow_class = case_flow()
    # The process to lock; the task itself is read again under the lock.
    process_id = getattr(task, "process_id", None) or _load_task(task).process_id
    try:
        with transaction.atomic(), flow_class.lock(process_id):
            task = _load_task(task)
            if task.flow_task is None or task.flow_task.name not in names:
                raise InvalidState(_("This task is not the expected step of the case."))
            refuse_if_closed(task)
            if task.owner_id and task.owner_id != actor.pk:
                raise Conflict(
                    _("This task is assigned to %(user)s.") % {"user": task.owner.get_username()}
                )
            case = Case.objects.select_for_update().get(process_id=task.process_id)
            activation = task.flow_task.activation_class(task)
            # The engine's callbacks (gateways, stage bookkeeping) reach the case through
            # the process: give them this locked instance rather than a second read.
            Case._meta.get_field("process").remote_field.set_cached_value(activation.process, case)
            with holding(case):
                yield Step(task=task, case=case, activation=activation)
                if task.status == STATUS.NEW:
                    activation.assign(actor)
                if task.status == STATUS.ASSIGNED:
                    activation.start(None)
                activation.execute()
    except FlowLockFailed:
        raise Conflict(
            _("Someone else is working on this case at this moment. Nothing was saved; please try again.")
        ) from None


def node(name: str):
    return getattr(case_flow(), name)


def open_tasks(case: Case, name: str | None = None):
    qs = Task.objects.filter(process_id=case.process_id, status__in=OPEN_STATUSES)
    if name:
        qs = qs.filter(flow_task=node(name))
    return qs.order_by("pk")


def open_task(case: Case, name: str) -> Task | None:
    return open_tasks(case, name).select_related("owner").first()
