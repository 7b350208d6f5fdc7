"""The process's automatic nodes (violations.nodes): one write each, the same record.

Inside a step a gateway, function or end node decides first and writes its task row once,
already done, with no savepoint; the process graph it leaves is viewflow's. Under a timer
(errors recorded on the node instead of failing the transition) the nodes keep viewflow's
own path, so a failing gateway is recorded as ERROR and the timer's work is kept.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from remediation import services as rem
from tests.sql import statements
from violations.flows import CaseFlow
from violations.models import AuditEvent, Stage, Verification
from violations.workflow import open_task

pytestmark = pytest.mark.django_db


def _task(case, name):
    return Task.objects.get(process_id=case.process_id, flow_task=getattr(CaseFlow, name))


def test_a_gateway_in_a_step_is_written_once_done_and_linked(walk):
    case = walk.report()
    verify = walk.task(case, "verify")
    sql = statements(lambda: walk.verify(case))
    gateway = _task(case, "verified")
    assert gateway.status == STATUS.DONE
    assert gateway.finished is not None and gateway.finished >= gateway.created
    assert list(gateway.previous.all()) == [verify]
    assert [t.flow_task.name for t in gateway.leading.all()] == ["form_team"]
    # One INSERT for the gateway's row and none of viewflow's NEW-then-DONE update of it;
    # the step as a whole sets no savepoint.
    gateway_writes = [s for s in sql if s.startswith(('INSERT INTO "viewflow_task" ',
                                                      'UPDATE "viewflow_task" '))]
    assert len(gateway_writes) == 3  # close verify, insert the If, insert form_team
    savepoints = [s for s in sql if s.startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the step's own transaction, inside the test's


def test_the_close_path_writes_function_and_end_once_and_finishes_the_process(walk):
    case = walk.report()
    walk.verify(case, outcome="dismiss", reason="Product was suitable; records complete.")
    notice, end = _task(case, "notify_outcome"), _task(case, "end")
    for task in (notice, end):
        assert task.status == STATUS.DONE and task.started and task.finished
    assert list(end.previous.all()) == [notice]
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED
    assert case.process.status == "DONE" and case.process.finished is not None
    assert walk.open_names(case) == []


def test_a_failing_gateway_fails_the_whole_step_and_changes_nothing(walk, monkeypatch):
    case = walk.report()
    task = walk.task(case, "verify")
    events = AuditEvent.objects.filter(case=case).count()
    tasks = Task.objects.filter(process_id=case.process_id).count()

    def broken(activation):
        raise RuntimeError("condition failed")

    monkeypatch.setattr(CaseFlow.verified, "_condition", broken)
    with pytest.raises(RuntimeError, match="condition failed"):
        walk.verify(case)
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.finished is None
    assert Task.objects.filter(process_id=case.process_id).count() == tasks
    assert AuditEvent.objects.filter(case=case).count() == events
    assert walk.refresh(case).stage == Stage.VERIFICATION
    assert not Verification.objects.filter(case=case).exists()
    monkeypatch.undo()
    walk.verify(case)  # nothing was left half-done: the step goes through afterwards
    assert walk.open_names(case) == ["form_team"]


def test_under_a_timer_a_failing_gateway_is_recorded_as_viewflow_does(walk, monkeypatch):
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)

    def broken(activation):
        raise RuntimeError("appeal lookup failed")

    monkeypatch.setattr(CaseFlow.appealed, "_condition", broken)
    walk.close_appeal_window(case)  # the dispatcher's path: no exception escapes
    timer = _task(case, "appeal_window")
    gateway = _task(case, "appealed")
    assert timer.status == STATUS.DONE
    assert gateway.status == STATUS.ERROR
    assert gateway.data["_exception"]["title"] == "appeal lookup failed"
    assert list(gateway.previous.all()) == [timer]


def test_the_join_reads_its_branches_once_and_waits_for_every_branch(walk):
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case)
    walk.plan(case, actions=2)
    first = open_task(case, "complete_action")
    sql = statements(lambda: rem.action_complete(
        task=first, actor=walk.w.owner, completion_note="Training held",
        proof_link="https://intranet.example/training/42"))
    # One branch of two arrived: the join waits, its branches read once.
    assert walk.open_names(case) == ["actions_done", "complete_action", "finished"]
    previous_reads = [s for s in sql if 'INNER JOIN "viewflow_task_previous"' in s]
    assert len(previous_reads) == 1
    walk.complete_actions(case)
    assert walk.open_names(case) == ["finished", "wait_review"]
    join = _task(case, "actions_done")
    assert join.status == STATUS.DONE
    assert join.previous.count() == 2


def test_a_join_completed_under_a_timer_closes_the_case(walk, settings):
    """The appeal window is the last branch to arrive: the timer's path (viewflow's own,
    with its savepoint) completes the join, the close function and the end."""
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY,
                               "EFFECTIVENESS_REVIEW_DELAY": dt.timedelta(hours=1)}
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)
    walk.plan(case)
    walk.complete_actions(case)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        assert fire_due_timers() == 1  # the review's wait; the appeal window is still open
    walk.review(case)
    assert walk.open_names(case) == ["appeal_window", "finished"]
    walk.close_appeal_window(case)
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED and case.process.status == "DONE"
    assert walk.open_names(case) == []
    join = _task(case, "finished")
    assert join.status == STATUS.DONE
    assert sorted(t.flow_task.name for t in join.previous.all()) == ["appealed", "effective"]
    assert _task(case, "end").status == STATUS.DONE
