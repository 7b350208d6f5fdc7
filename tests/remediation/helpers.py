"""Shortcuts for remediation tests: get a case to the remediation plan, plan precisely."""

import datetime as dt

from django.utils import timezone
from viewflow.workflow.models import Task

from casework import services as work
from casework.engine import open_tasks
from remediation import services as rem
from tests.violations.factories import UserFactory
from violations import audit


def to_plan(walk, *, customer=False, severity="general", execute=True, people=None):
    """Report, investigate, decide; the case waits at the remediation plan."""
    case = walk.report(customer=customer)
    walk.to_approval(case, severity=severity, **({"people": people} if people else {}))
    walk.decide(case)
    if execute:
        walk.execute(case)
    return walk.refresh(case)


def second_owner():
    return UserFactory(username="owner2", roles=["Remediation owner"])


def plan(walk, case, *, causes, actions, actor=None):
    """``causes``: [(category, text)]; ``actions``: [(owner, [cause indexes], due_in_days)]."""
    specs = [
        rem.ActionSpec(
            kind="training",
            description=f"Action {i}",
            owner=owner,
            due_date=timezone.localdate() + dt.timedelta(days=due),
            causes=idx,
        )
        for i, (owner, idx, due) in enumerate(actions)
    ]
    return work.remediation_plan(
        task=walk.task(case, "plan_remediation"),
        actor=actor or walk.w.officer,
        causes=[rem.CauseSpec(c, t) for c, t in causes],
        actions=specs,
    )


def task_of(case, action):
    return next(
        t
        for t in Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN")
        if (t.data or {}).get("action") == action.pk
    )


def complete(action, case, actor=None):
    return work.action_complete(
        task=task_of(case, action),
        actor=actor or action.owner,
        completion_note="Done",
        proof_link="https://intranet.example/proof",
    )


def events(case):
    return audit.events_of(case).count()


def open_action_tasks(case):
    return list(open_tasks(case, "complete_action"))


def render_panel(case, user) -> str:
    """The remediation panel of the case page, rendered as the case page renders it."""
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get(case.get_absolute_url())
    request.user = user
    return Template("{% load remediation %}{% remediation_panel case %}").render(
        Context({"request": request, "case": case})
    )


def task_url(task, action="execute"):
    return f"/work/case/{task.process_id}/{task.flow_task.name}/{task.pk}/{action}/"
