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
from viewflow.workflow import lock
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from . import audit, policy
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
    outer_memo = getattr(_held, "memo", None)
    outer_locked = getattr(_locked, "cases", {})
    _held.cases = {**outer, case.pk: case}
    _held.memo = {}
    try:
        with audit.chains_held(), policy.standings_kept():
            yield
    finally:
        _held.cases = outer
        _held.memo = outer_memo
        _locked.cases = outer_locked


def remember(case: Case, name: str, obj) -> None:
    """Within a step, the record a service just wrote that the engine's gateway asks for
    next (the latest finding, proposal, review): the gateway takes it from here instead of
    reading it back. Outside a step, nothing is kept."""
    memo = getattr(_held, "memo", None)
    if memo is not None:
        memo[(case.pk, name)] = obj


def recall(case: Case, name: str):
    """What :func:`remember` kept for ``case`` in the running step, or None."""
    memo = getattr(_held, "memo", None)
    return memo.get((case.pk, name)) if memo else None


def adopt_new_process(case: Case) -> None:
    """A case and its process both created in the running transaction, within
    :func:`holding`: the flow lock on that process passes through to this instance (no
    other transaction can see either row before commit)."""
    if case.pk not in getattr(_held, "cases", {}):
        raise RuntimeError("adopt_new_process() runs only while the new case is held")
    _locked.cases = {**getattr(_locked, "cases", {}), case.process_id: case}


def held_case(process_id) -> Case | None:
    """The case of ``process_id`` if a running step holds it (see :func:`lock_case`)."""
    return next((c for c in getattr(_held, "cases", {}).values() if c.process_id == process_id),
                None)


def lock_case(case: Case) -> Case:
    """The case row locked for the current write: inside :func:`human_task`, the instance
    the step already locked (one read, one writer); under the flow lock (a timer, a
    viewflow page), the instance the lock read; otherwise a fresh locked read."""
    held = getattr(_held, "cases", {}).get(case.pk)
    if held is not None:
        return held
    locked = getattr(_locked, "cases", {}).get(case.process_id)
    if locked is not None and locked.pk == case.pk:
        return locked
    return Case.objects.select_for_update().get(pk=case.pk)


_locked = threading.local()


class CaseLock(lock.SelectForUpdateLock):
    """viewflow's row lock on the process, taken together with the case row in one read.

    Every path that changes a case's process (our steps, viewflow's timers and pages) takes
    this lock: ``SELECT … FROM case JOIN process … FOR UPDATE`` locks both rows in the same
    order everywhere, waits rather than failing (viewflow's default NOWAIT catches the lock
    error inside its own atomic block, which on PostgreSQL left the services' transaction
    aborted, so the loser of a race got a 500 instead of "already completed"), and returns
    the case as the lock holder sees it, so the step reads it no second time. Services
    outside the process lock the case row alone (:func:`lock_case`), and wait here for it.
    A process whose case is not linked yet (the start of a case, which created both in its
    own transaction) is locked by its process row as viewflow would.
    """

    def __init__(self):
        super().__init__(nowait=False)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        held = getattr(_locked, "cases", {})
        if process_pk in held:  # re-entered by the engine inside a step: already ours
            yield
            return
        # Within a step no savepoint: any error there fails the step's transaction as a
        # whole (human_task re-raises); viewflow's own pages and timers keep theirs.
        with transaction.atomic(savepoint=not getattr(_locked, "in_step", False)):
            case = (Case.objects.select_related("process").select_for_update()
                    .filter(process_id=process_pk).first())
            if case is None:
                flow_class.process_class._default_manager.filter(
                    pk=process_pk).select_for_update().exists()
            _locked.cases = {**held, process_pk: case}
            try:
                yield
            finally:
                _locked.cases = held


@contextmanager
def _in_step() -> Iterator[None]:
    outer = getattr(_locked, "in_step", False)
    _locked.in_step = True
    try:
        yield
    finally:
        _locked.in_step = outer


def locked_case(process_pk) -> Case | None:
    """The case the flow lock read for ``process_pk``, while that lock is held."""
    return getattr(_locked, "cases", {}).get(process_pk)


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
        with transaction.atomic(), _in_step(), flow_class.lock(process_id):
            task = _load_task(task)
            if task.flow_task is None or task.flow_task.name not in names:
                raise InvalidState(_("This task is not the expected step of the case."))
            refuse_if_closed(task)
            if task.owner_id and task.owner_id != actor.pk:
                raise Conflict(
                    _("This task is assigned to %(user)s.") % {"user": task.owner.get_username()}
                )
            case = locked_case(process_id)
            if case is None:  # not expected: the lock reads the case of a linked process
                case = Case.objects.select_for_update().get(process_id=process_id)
            activation = task.flow_task.activation_class(task)
            # The engine's callbacks (gateways, stage bookkeeping) reach the case through
            # the process: give them this locked instance rather than a second read.
            Case._meta.get_field("process").remote_field.set_cached_value(activation.process, case)
            with holding(case):
                yield Step(task=task, case=case, activation=activation)
                if task.status == STATUS.NEW:
                    # What viewflow's assign() does, without its own write: the one save
                    # at completion stores the owner with the rest.
                    task.owner = actor
                    task.status = STATUS.ASSIGNED
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
