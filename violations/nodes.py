"""viewflow's automatic nodes, each writing its task row once.

viewflow inserts an automatic node's task (If, Switch, Split, Function, End) as NEW, does
the node's work inside a savepoint, then updates the row to DONE: two writes and two
savepoint statements for a node that decides in memory. The savepoint exists for a
background trigger: viewflow's timers run with ``propagate_exception=False``, record a
failing node as ERROR and commit the rest, so the node's partial work must be undone alone.

Inside one of our steps (and anywhere an error propagates) the transition is one
transaction that fails as a whole, so the node does its work first and then inserts its
row already DONE, with its link to the task before it: the same rows, the same order of
signals, one write. Under a background trigger the nodes keep viewflow's own path
unchanged, savepoint and ERROR record included.

The Join keeps its row (it waits for several branches), reads the incoming branches once
per arrival instead of three times, and sets no savepoint where an error propagates.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.timezone import now
from viewflow.workflow import flow
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.switch import SwitchActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS


def _errors_propagate() -> bool:
    """True where a failing node fails the whole transition (our steps, viewflow's pages);
    False under viewflow's background triggers, which record the failure on the node."""
    return context.propagate_exception


class SettledOnCreate:
    """Mixin for an automatic node's activation: decide, then write the task once, DONE.

    ``settle()`` is the node's work, done before its row exists (it must not need the
    task's primary key); ``settled()`` runs after the row is written.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        if not _errors_propagate():
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation.settle()
        task.status = STATUS.DONE
        task.finished = now()
        task.save()
        task.previous.add(prev_activation.task)
        activation.settled()
        return activation

    def settle(self) -> None:
        raise NotImplementedError

    def settled(self) -> None:
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class IfOnce(SettledOnCreate, IfActivation):
    def settle(self):
        self._condition_result = self.flow_task._condition(self)


class SwitchOnce(SettledOnCreate, SwitchActivation):
    def settle(self):
        for node, cond in self.flow_task._branches:
            if cond is None or cond(self):
                self.next_task = node
                break
        if not self.next_task:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class SplitOnce(SettledOnCreate, SplitActivation):
    def settle(self):
        for node, cond, _data_source in self.flow_task._branches:
            if cond is None or cond(self):
                self.next_tasks.append((node, None))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class FunctionOnce(SettledOnCreate, FunctionActivation):
    def settle(self):
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.flow_task._func(self)


class EndOnce(SettledOnCreate, EndActivation):
    _process_finished = False

    def settle(self):
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        # The end's own row is not written yet, so every unfinished row is another branch.
        active = self.flow_class.task_class._default_manager.filter(
            process=self.process, finished__isnull=True).count()
        if active == 0:
            self.process.status = PROCESS.DONE
            self.process.finished = now()
            self.process.save()
            self._process_finished = True

    def settled(self):
        super().settled()
        if self._process_finished:
            flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class JoinOnce(JoinActivation):
    """viewflow's Join, reading its incoming branches once per arrival.

    ``is_done`` is asked twice (the transition's condition is checked, then checked again
    as it runs) and ``complete`` reads the branches a third time; nothing changes between
    those reads within one arrival, so the first answer is kept.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """viewflow's lookup-or-create of the join's task, with the process the arriving
        branch already holds (viewflow read it again for every arrival)."""
        task_class = flow_task.flow_class.task_class
        tasks = list(task_class._default_manager.filter(
            flow_task=flow_task, process=prev_activation.process,
            status__in=[STATUS.NEW, STATUS.STARTED])[:2])
        if len(tasks) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if tasks:
            task = tasks[0]
            task.process = prev_activation.process
        else:
            if token.is_split_token():
                token = token.get_base_split_token()
            task = task_class(process=prev_activation.process, flow_task=flow_task, token=token)
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        task.previous.add(prev_activation.task)
        return cls(task)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prefixes = None
        self._active = None

    def _join_token_prefixes(self):
        if self._prefixes is None:
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self):
        prefixes = self._join_token_prefixes()
        if len(prefixes) != 1:
            return len(prefixes) > 1
        if self.flow_task._continue_on_condition:
            return super().is_done()
        if self._active is None:
            self._active = self._active_join_tasks(next(iter(prefixes))).exists()
        return not self._active

    @JoinActivation.status.super()
    def complete(self):
        if not _errors_propagate():
            return super().complete.original()
        with transaction.atomic(savepoint=False):
            prefixes = self._join_token_prefixes()
            if len(prefixes) > 1:
                raise FlowRuntimeError(
                    f"Multiple tokens {prefixes} came to join {self.flow_task.name}")
            if prefixes and self.flow_task._continue_on_condition:
                active_tasks = self._active_join_tasks(next(iter(prefixes)))
                if active_tasks.exists() and self.flow_task._continue_on_condition(
                        self, active_tasks):
                    self.cancel_active_tasks(active_tasks)
            self.task.finished = now()
            self.task.save()
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class If(flow.If):
    activation_class = IfOnce


class Switch(flow.Switch):
    activation_class = SwitchOnce


class Split(flow.Split):
    activation_class = SplitOnce


class Function(flow.Function):
    activation_class = FunctionOnce


class End(flow.End):
    activation_class = EndOnce


class Join(flow.Join):
    activation_class = JoinOnce
