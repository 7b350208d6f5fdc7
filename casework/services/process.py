"""Services that move the process itself: starting a case, and the changes that cancel,
complete or hand over tasks besides a step's own completion."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from remediation import services as remediation
from remediation.models import CorrectiveAction
from sanctions import services as sanctions
from sanctions.models import Appeal
from violations import services as violations
from violations.exceptions import Conflict, InvalidState
from violations.models import Case, TeamMember, TeamRole

from ..engine import OPEN_STATUSES as OPEN
from ..engine import human_task, node, open_task, open_tasks
from ..steps import Step
from .claims import hand_over

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _flow():
    from ..flows import CaseFlow  # the flow imports the task pages, which import services

    return CaseFlow


def case_report(**report) -> Case:
    """Record a reported violation (``violations.services.case_report``, same arguments)
    and start its process: the case, its attachments, the process and the first task commit
    together or not at all."""
    with transaction.atomic():
        case = violations.case_report(**report)
        _flow().start_from_code.run(case=case)
    return case


def portal_report(**report) -> tuple[Case, str]:
    """A report from the reporting portal (``violations.services.portal_report``, same
    arguments) with its process started, in one transaction; returns the case and its
    receipt code (shown once to the reporter, never stored)."""
    with transaction.atomic():
        case, code = violations.portal_report(**report)
        _flow().start_from_code.run(case=case)
    return case, code


def case_report_at_desk(*, actor: User, give_receipt: bool, **report) -> tuple[Case, str]:
    """A report entered by staff (``case_report``); for a customer complaint received by
    telephone or at the counter, with ``give_receipt``, also a receipt code for the
    customer (returned, to be handed over once), all in one transaction."""
    with transaction.atomic():
        case = case_report(actor=actor, **report)
        code = ""
        if give_receipt:
            if not case.customer_involved:
                raise ValidationError(
                    {"give_receipt": [_("Only a customer complaint gets a receipt code.")]}
                )
            code = violations.receipt_issue_at_desk(case=case, actor=actor)
    return case, code


# The steps the lead investigator holds; they follow a new lead.
LEAD_STEPS = (Step.INVESTIGATE, Step.FIND_FACTS)


def _change_team(case: Case, *, actor: User, reason: str, **change) -> None:
    """``violations.services.team_change``, then the lead's open tasks follow a new lead.
    Preconditions: the caller holds the process lock."""
    violations.team_change(case=case, actor=actor, reason=reason, **change)
    new_lead = change.get("new_lead")
    if new_lead is None:
        return
    for task in open_tasks(case).filter(flow_task_type="HUMAN").select_related("owner"):
        if task.flow_task.name in LEAD_STEPS and task.owner_id != new_lead.pk:
            hand_over(task, case=case, to_user=new_lead, actor=actor, reason=reason)


def team_change(*, case: Case, actor: User, reason: str, **change) -> None:
    """Change the investigation team (``violations.services.team_change``); the lead's
    open investigation and fact-finding tasks follow a new lead, and a waiting "replace the
    lead" task is done by naming one."""
    with transaction.atomic(), _flow().lock(case.process_id):
        case = Case.objects.get(pk=case.pk)
        _change_team(case, actor=actor, reason=reason, **change)
        if change.get("new_lead") is None:
            return
        for task in open_tasks(case, Step.REPLACE_LEAD):
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.NEW:
                activation.assign(actor)
            if task.status == STATUS.ASSIGNED:
                activation.start(None)
            activation.execute()


def lead_replace(*, task, actor: User, new_lead: User, reason: str) -> None:
    """Complete the "replace the lead investigator" step: name a new lead (who declares
    before seeing anything), who takes over the lead's open tasks.

    Preconditions: an open replace_lead task; actor is a case manager and no party (checked
    by ``violations.services.team_change``); ``new_lead`` is an investigator and no party;
    a reason is given.
    """
    with human_task(task, actor=actor, expected=Step.REPLACE_LEAD) as held:
        _change_team(held.case, actor=actor, reason=reason, new_lead=new_lead, task=held.task)


def team_declare(*, case: Case, actor: User, has_conflict: bool, statement: str = "") -> TeamMember:
    """A team member's conflict-of-interest declaration
    (``violations.services.team_declare``). When the lead declares a conflict, the case
    manager gets a "replace the lead investigator" task: the lead's own tasks wait for the
    new lead."""
    if case.process_id is None:
        return violations.team_declare(
            case=case, actor=actor, has_conflict=has_conflict, statement=statement
        )
    with transaction.atomic(), _flow().lock(case.process_id):
        case = Case.objects.get(pk=case.pk)
        member = violations.team_declare(
            case=case, actor=actor, has_conflict=has_conflict, statement=statement
        )
        if member.has_conflict and member.role == TeamRole.LEAD:
            _open_replace_lead(case)
    return member


def _open_replace_lead(case: Case) -> None:
    """Open the flow's replace_lead task beside the lead's waiting task, unless one is open.

    viewflow starts a node's task from a previous task's activation (its boundary events
    arm their tasks the same way, ``Activation.create`` then ``activate``); the branch ends
    at its own End node.
    """
    if open_tasks(case, Step.REPLACE_LEAD).exists():
        return
    process_tasks = Task.objects.filter(process_id=case.process_id).order_by("-pk")
    anchor = (
        next(
            (t for t in process_tasks.filter(status__in=OPEN) if t.flow_task.name in LEAD_STEPS),
            None,
        )
        or process_tasks.first()
    )
    flow = _flow()
    activation = flow.replace_lead.activation_class.create(
        flow.replace_lead, anchor.flow_task.activation_class(anchor), anchor.token
    )
    activation.activate()


def case_cancel(*, case: Case, actor: User, reason: str) -> Case:
    """Cancel a case (``violations.services.case_cancel``: a case manager, with a reason)
    and with it every open task and the process, in one transaction. This, not viewflow's
    own cancel pages, is how a case leaves its course early; a task being worked on at this
    moment refuses it (Conflict) and nothing changes."""
    with transaction.atomic(), _flow().lock(case.process_id):
        case = Case.objects.select_related("process").get(pk=case.pk)
        violations.case_cancel(case=case, actor=actor, reason=reason)
        if case.process_id is not None:
            try:
                _flow().instance.cancel(case.process)
            except FlowRuntimeError as exc:
                raise Conflict(
                    _("A step of this case is being worked on at this moment; try again.")
                ) from exc
    return case


def appeal_window_closes_at(case: Case) -> dt.datetime | None:
    """When the case's appeal window closes, while its timer still runs (a timer waits as
    SCHEDULED); None once it has closed."""
    timer = (
        Task.objects.filter(
            process_id=case.process_id, flow_task=node("appeal_window"), status=STATUS.SCHEDULED
        )
        .only("scheduled")
        .first()
    )
    return timer.scheduled if timer else None


def appeal_file(*, case: Case, actor: User, employee, grounds: str) -> Appeal:
    """Record a sanctioned person's appeal (``sanctions.services.appeal_file``) while the
    case's appeal window is open."""
    with transaction.atomic(), _flow().lock(case.process_id):
        case = Case.objects.get(pk=case.pk)
        return sanctions.appeal_file(
            case=case,
            actor=actor,
            employee=employee,
            grounds=grounds,
            window_closes_at=appeal_window_closes_at(case),
        )


def _action_task(case: Case, action: CorrectiveAction) -> Task | None:
    for task in open_tasks(case, Step.COMPLETE_ACTION):
        if (task.data or {}).get("action") == action.pk:
            return task
    return None


def action_cancel(*, action: CorrectiveAction | int, actor: User, reason: str) -> CorrectiveAction:
    """Cancel an open corrective action (``remediation.services.action_cancel``) and its
    task; its task must not have been started.

    When the cancelled task was the last one outstanding, the "all actions done" join is
    re-evaluated here, because viewflow's cancel does not move the process on by itself.
    """
    pk = action.pk if isinstance(action, CorrectiveAction) else action
    row = CorrectiveAction.objects.filter(pk=pk).select_related("case").first()
    if row is None:
        raise InvalidState(_("There is no such corrective action."))
    with transaction.atomic(), _flow().lock(row.case.process_id):
        case = Case.objects.get(pk=row.case_id)
        action = CorrectiveAction.objects.select_for_update().get(pk=pk)
        task = _action_task(case, action)
        remediation.action_cancel(case=case, action=action, actor=actor, reason=reason, task=task)
        if task is None:  # refused by the service already, after its own checks
            raise InvalidState(_("This action has no open task."))
        activation = task.flow_task.activation_class(task)
        if not activation.cancel.can_proceed():
            raise Conflict(_("The owner is completing this action at this moment."))
        activation.cancel()
        join = open_task(case, "actions_done")
        if join is not None:
            _continue_join(join)
    return action


def _continue_join(join_task: Task) -> None:
    """What viewflow does when a task reaches a join, for a join reached by a cancellation."""
    activation = join_task.flow_task.activation_class(join_task)
    if activation.activate.can_proceed():
        activation.activate()
    if activation.complete.can_proceed():
        activation.complete()
        activation.activate_next()


def defence_close_overdue(*, now=None) -> int:
    """Close every defence window that has run out: persons who did not answer by the
    deadline are recorded as such and the case goes to approval. Run daily; safe to re-run.
    Returns the number of cases moved on."""
    now = now or timezone.now()
    flow = _flow()
    closed = 0
    candidates = Task.objects.filter(
        flow_task=flow.defence, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
    for task_pk, process_pk in candidates.values_list("pk", "process_id"):
        with transaction.atomic(), flow.lock(process_pk):
            task = Task.objects.get(pk=task_pk)
            if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
                continue
            case = Case.objects.get(process_id=process_pk)
            if not sanctions.defence_close(case=case, task=task, now=now):
                continue
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.NEW:
                activation.assign(None)  # the system closes the window; nobody held the step
            activation.start(None)
            activation.execute()
            closed += 1
    return closed
