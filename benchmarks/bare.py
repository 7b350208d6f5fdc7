"""The engine alone: a viewflow flow of stock nodes that each real step is timed against.

It has the node shapes of the steps the benchmark times (see ``steps.STEPS``) and nothing of
the application: viewflow's own Process and Task, stock nodes, no history, no audit, no
permission checks, no business records. Its gateways decide from the process's data, set
when the case starts, so a bare step costs only what viewflow does: the lock, the task rows,
the gateways. The way to each timed step is the shortest; only the nodes the timed step
passes through mirror the real flow's.

Its tasks are completed the stock way from code: ``task.activation()`` takes the flow's
lock and reads the task again, then the activation assigns the task if nobody holds it,
starts it and executes it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS


def _not_served(request, **kwargs):
    """No page serves the bare tasks: they are completed from code."""
    raise Http404


def _decision(value):
    return lambda activation: activation.process.data["decision"] == value


class BareFlow(flow.Flow):
    """Bare engine twin of the case process."""

    # A Join needs a lock that serialises its branches: viewflow's own row lock.
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle().Next(this.verify)
    verify = flow.View(_not_served).Next(this.investigate)
    investigate = flow.View(_not_served).Assign(this.lead).Next(this.find_facts)
    find_facts = flow.View(_not_served).Assign(this.lead).Next(this.established)
    established = (
        flow.If(lambda activation: activation.process.data["established"])
        .Then(this.propose)
        .Else(this.close)
    )
    propose = flow.View(_not_served).Next(this.approve)
    approve = flow.View(_not_served).Next(this.decided)
    decided = (
        flow.Switch()
        .Case(this.post_approval, _decision("approve"))
        .Case(this.propose, _decision("reject"))
        .Case(this.approve, _decision("pending"))
        .Default(this.investigate)
    )
    post_approval = (
        flow.Split()
        .Always(this.execute_sanctions)
        .Next(this.customer_feedback, case=lambda activation: activation.process.data["customer"])
        .Next(this.notify_regulator, case=lambda activation: activation.process.data["major"])
        .Always(this.plan_remediation)
    )
    execute_sanctions = flow.View(_not_served).Next(this.finished)
    customer_feedback = flow.View(_not_served).Next(this.finished)
    notify_regulator = flow.View(_not_served).Next(this.finished)
    plan_remediation = flow.View(_not_served).Next(this.review)
    review = flow.View(_not_served).Next(this.effective)
    effective = (
        flow.If(lambda activation: activation.process.data["effective"])
        .Then(this.finished)
        .Else(this.plan_remediation)
    )
    finished = flow.Join().Next(this.close)
    close = flow.Function(this.close_case).Next(this.end)
    end = flow.End()

    def lead(self, activation):
        return get_user_model()._default_manager.get(pk=activation.process.data["lead"])

    def close_case(self, activation):
        """The real flow closes its case here; the bare one has no case."""


# --- driving it -------------------------------------------------------------------------------

_OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def start(data):
    return BareFlow.start.run(_process_data=data)


def complete(task, user):
    """Complete an open human task from code, as ``user``."""
    with task.activation() as activation:
        if task.status == STATUS.NEW:
            activation.assign(user)
        activation.start(None)
        activation.execute()


def _data(world, decision="approve"):
    return {
        "lead": world.investigator.pk,
        "established": True,
        "decision": decision,
        "customer": False,
        "major": False,
        "effective": True,
    }


def _ready(world, name, decision="approve"):
    """A new bare case with its ``name`` task open, the task read as a task page would hold
    it, and the user who completes it."""
    process = start(_data(world, decision))
    for _ in range(20):
        tasks = list(
            Task.objects.filter(process=process, status__in=_OPEN)
            .select_related("owner")
            .order_by("pk")
        )
        for task in tasks:
            if task.flow_task.name == name:
                return task, task.owner or world.officer
        complete(tasks[0], tasks[0].owner or world.officer)
    raise RuntimeError(f"the bare case never reached {name}")


# The twin of each kind of step in ``steps.STEPS``: shape -> (prepare, take), where
# ``prepare(world)`` returns the two arguments ``take`` is timed with.
STEPS = {
    "start": (lambda world: (_data(world), None), lambda data, _: start(data)),
    "human": (lambda world: _ready(world, "investigate"), complete),
    "if": (lambda world: _ready(world, "find_facts"), complete),
    "switch": (lambda world: _ready(world, "approve", "reject"), complete),
    "split": (lambda world: _ready(world, "approve"), complete),
    "join": (lambda world: _ready(world, "review"), complete),
}


def clear():
    """Delete every bare case, so later sections read the database they read without them."""
    Process.objects.filter(flow_class=BareFlow).delete()
