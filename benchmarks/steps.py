"""The application's own steps, driven through its services as a task page would.

The one module of the benchmarks that imports the application's services, its flow and
the test suite's walker: when those move or are renamed, this module is re-pointed and the
rest stays as it is.
"""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import time_machine
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from casework import services as work
from casework.engine import open_tasks
from casework.flows import CaseFlow
from tests.walk import Walker
from violations import services
from violations.models import Employee

# --- a case about a new subject ---------------------------------------------------------------

_subjects = iter(range(10_000, 10**9))


class BenchWalker(Walker):
    ready: dict = {}

    def task(self, case, name):
        task = self.ready.pop(name, None)
        return task if task is not None else super().task(case, name)


def walker(world):
    """A walker for a case about a new subject (repeat offences raise the sanction range)."""
    n = next(_subjects) + os.getpid() * 1_000_000
    subject = Employee.objects.create(
        staff_number=f"B{n}",
        name=f"Subject {n}",
        department=world.dept,
        line_manager=world.dept.head,
    )
    return BenchWalker(SimpleNamespace(**{**vars(world), "subject": subject}))


def report_case(world):
    """A new case, just reported."""
    return walker(world).report()


def _ready(w, case):
    """Hand the walker the case's open tasks as a task page would hold them, so the timed
    call is the service alone (the page's own read of its task is not the transition)."""
    if case is not None:
        w.ready = {t.flow_task.name: t for t in open_tasks(case).select_related("owner")}
    return w, case


def fire_case_timers(case):
    """Fire this case's scheduled timers as the dispatcher would once due (this process only)."""
    for task in Task.objects.filter(
        process_id=case.process_id, status=STATUS.SCHEDULED, flow_task_type="TIMER"
    ):
        with (
            time_machine.travel(task.scheduled + dt.timedelta(seconds=1), tick=False),
            task.activation() as activation,
        ):
            activation.start()
            activation.execute()


# --- a case brought to the step before the one timed --------------------------------------------


def to_find_facts(world):
    """A case whose team is formed: its investigation is open."""
    w = walker(world)
    case = w.report()
    w.verify(case)
    w.form_team(case)
    return w, case


def _to_approval(world):
    w = walker(world)
    return w, w.to_approval(w.report())


def _to_review(world):
    w, case = _to_approval(world)
    w.decide(case)
    w.execute(case)
    w.plan(case)
    w.complete_actions(case)
    fire_case_timers(case)
    return w, case


def _interviewed(world):
    w, case = to_find_facts(world)
    case = w.refresh(case)
    record_interview(case, world.investigator2, hours_ago=3, summary="Admitted.")
    return w, case


def _investigate(w, case):
    work.investigation_submit(
        task=w.task(case, "investigate"),
        actor=w.w.investigator,
        summary="Interviewed.",
        conclusion="Mis-sold.",
    )


def _investigated(world):
    w, case = _interviewed(world)
    _investigate(w, case)
    return w, case


# Each kind of step timed: shape -> (label, prepare, take). ``prepare(world)`` returns a walker
# and its case with the step's task ready; ``take(walker, case)`` is the call timed.
STEPS = {
    "start": ("start (report)", lambda world: (walker(world), None), lambda w, case: w.report()),
    "human": ("human step (investigate)", lambda world: _ready(*_interviewed(world)), _investigate),
    "if": (
        "gateway (find_facts -> If)",
        lambda world: _ready(*_investigated(world)),
        lambda w, case: w.find_facts(case),
    ),
    "switch": (
        "approval (reject -> Switch)",
        lambda world: _ready(*_to_approval(world)),
        lambda w, case: w.decide(case, "reject"),
    ),
    "split": (
        "parallel split (approve -> Split)",
        lambda world: _ready(*_to_approval(world)),
        lambda w, case: w.decide(case),
    ),
    "join": (
        "join (review -> Join -> close)",
        lambda world: _ready(*_to_review(world)),
        lambda w, case: w.review(case),
    ),
}


# --- whole cases --------------------------------------------------------------------------------

CASE_TRANSITIONS = 12  # report, verify, form_team, investigate, find_facts, propose, defence,
# approve, execute, plan, complete_action, review (timers fired by the engine are not counted)


def whole_case(world):
    """One case from report to close, every step through its service."""
    w = walker(world)
    case = w.report()
    w.verify(case)
    work.team_form(
        task=w.task(case, "form_team"), actor=world.manager, lead=world.investigator, members=[]
    )
    services.team_declare(case=case, actor=world.investigator, has_conflict=False)
    case = w.refresh(case)
    record_interview(case, world.investigator, hours_ago=1, summary="Seen.", interviewee="Chan")
    work.investigation_submit(
        task=w.task(case, "investigate"),
        actor=world.investigator,
        summary="Interviewed.",
        conclusion="Mis-sold.",
    )
    w.find_facts(case)
    w.propose(case)
    w.decide(case)
    w.execute(case, close_appeal_window=False)
    w.plan(case)
    w.complete_actions(case)
    fire_case_timers(case)
    w.review(case)
    fire_case_timers(case)  # the appeal window, if still open
    assert w.refresh(case).stage == "closed", w.open_names(case)


def record_interview(case, actor, *, hours_ago, summary, interviewee="Chan Tai Man"):
    services.interview_record(
        case=case,
        actor=actor,
        interviewee=interviewee,
        held_at=max(timezone.now() - dt.timedelta(hours=hours_ago), case.reported_at),
        summary=summary,
    )


# --- the process rows of seeded cases -----------------------------------------------------------


def seeded_process(kind, now):
    """The process of a seeded case of ``kind`` (closed, queue, inbox or investigate)."""
    closed = kind == "closed"
    return Process(
        flow_class=CaseFlow,
        status=PROCESS.DONE if closed else PROCESS.NEW,
        created=now,
        finished=now if closed else None,
    )


def seeded_tasks(process_id, kind, world, now):
    """The task rows a seeded case of ``kind`` has: closed, or waiting at verify (in the
    officers' queue or one officer's inbox), or under investigation."""
    tasks = [
        Task(
            process_id=process_id,
            flow_task=CaseFlow.start_from_code,
            flow_task_type="START",
            status=STATUS.DONE,
            finished=now,
        )
    ]
    if kind == "closed":
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=CaseFlow.end,
                flow_task_type="END",
                status=STATUS.DONE,
                finished=now,
            )
        )
    elif kind == "investigate":
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=CaseFlow.investigate,
                flow_task_type="HUMAN",
                status=STATUS.ASSIGNED,
                owner=world.investigator,
                assigned=now,
                owner_permission="violations.investigate_case",
            )
        )
    else:
        inbox = kind == "inbox"
        tasks.append(
            Task(
                process_id=process_id,
                flow_task=CaseFlow.verify,
                flow_task_type="HUMAN",
                status=STATUS.ASSIGNED if inbox else STATUS.NEW,
                owner=world.officer if inbox else None,
                assigned=now if inbox else None,
                owner_permission="violations.verify_case",
            )
        )
    return tasks


# --- documents ----------------------------------------------------------------------------------


def reports_missing() -> str | None:
    """Why the reports app cannot be driven, or None when it can."""
    try:
        import reports.pdf
        import reports.selectors
        import reports.services  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


def render_case_file(case, viewer):
    """The internal case-file PDF of ``case`` as ``viewer`` would download it."""
    from reports.pdf import render_casefile_pdf
    from reports.selectors import build_casefile

    return render_casefile_pdf(build_casefile(case, profile="internal", viewer=viewer), lang="en")


def export_bundle(case, dest):
    """The regulator bundle of ``case``, written to the open file ``dest``."""
    from reports.services import bundle_export

    bundle_export(case=case, actor=None, dest=dest)
