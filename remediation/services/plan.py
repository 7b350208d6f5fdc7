"""The remediation plan: root causes, corrective actions, their completion and cancellation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed

from violations import audit, policy
from violations.exceptions import Conflict, InvalidState, NotAllowed
from violations.models import Case
from violations.services.evidence import store_evidence
from violations.workflow import case_flow, human_task, open_task, open_tasks

from ..models import ActionKind, ActionStatus, CorrectiveAction, RootCause, RootCauseCategory
from ..policy import action_of_task, may_cancel_actions
from ..selectors import current_round


@dataclass(frozen=True)
class CauseSpec:
    category: str
    description: str


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    description: str
    owner: object
    due_date: dt.date
    causes: list[int] = field(default_factory=list)  # indexes into the plan's causes


def remediation_plan(*, task, actor, causes: list[CauseSpec], actions: list[ActionSpec]) -> list[CorrectiveAction]:
    """Record root causes and corrective actions (a new round after an unfavourable review).

    Preconditions: open plan_remediation task; actor may plan and is no party; at least one
    cause and one action; each action addresses at least one cause, has an owner who may
    complete actions and is no party, and a due date not in the past.
    """
    with human_task(task, actor=actor, expected="plan_remediation") as step:
        case = step.case
        policy.require(actor, "plan_remediation", _("Only compliance officers plan remediation."))
        policy.require_not_party(actor, case)
        errors: list = []
        if not causes:
            errors.append(_("Record at least one root cause."))
        if not actions:
            errors.append(_("Plan at least one corrective action."))
        for c in causes:
            if c.category not in RootCauseCategory.values or not c.description.strip():
                errors.append(_("Every root cause needs a category and a description."))
        today = timezone.localdate()
        for a in actions:
            if a.kind not in ActionKind.values or not a.description.strip():
                errors.append(_("Every action needs a kind and a description."))
            if not a.causes or any(i < 0 or i >= len(causes) for i in a.causes):
                errors.append(_("Every action must address at least one of the root causes."))
            if a.due_date < today:
                errors.append(_("A due date cannot be in the past."))
            if not policy.has(a.owner, "complete_action"):
                errors.append(_("%(user)s cannot own corrective actions.") % {"user": a.owner.get_username()})
            else:
                try:
                    policy.require_not_party(a.owner, case)
                except NotAllowed:
                    errors.append(_("%(user)s is a party to this case.") % {"user": a.owner.get_username()})
        if errors:
            raise ValidationError(errors)
        rnd = current_round(case) + 1
        cause_rows = []
        for c in causes:
            row = RootCause(case=case, round=rnd, category=c.category, description=c.description,
                            identified_by=actor)
            audit.save(row, actor=actor, reason="root cause")
            cause_rows.append(row)
        created = []
        for a in actions:
            row = CorrectiveAction(case=case, round=rnd, kind=a.kind, description=a.description,
                                   owner=a.owner, due_date=a.due_date)
            audit.save(row, actor=actor, reason="corrective action planned")
            row.root_causes.set([cause_rows[i] for i in a.causes])
            audit.touch(row)
            created.append(row)
        audit.record(
            action="remediation.planned", actor=actor, case=case,
            payload={"round": rnd, "causes": [c.category for c in causes],
                     "actions": [[a.kind, a.owner.get_username(), a.due_date.isoformat()] for a in actions],
                     "task": step.task.pk},
        )
    return created


def action_complete(*, task, actor, completion_note: str, proof_upload=None, proof_link: str = "") -> CorrectiveAction:
    """The owner completes their corrective action with proof (a file or a link).

    Preconditions: open complete_action task for this action; actor is its owner.
    """
    with human_task(task, actor=actor, expected="complete_action") as step:
        case = step.case
        policy.require(actor, "complete_action", _("You cannot complete corrective actions."))
        action = action_of_task(step.task)
        if action.owner_id != actor.pk:
            raise NotAllowed(_("Only the owner of this corrective action can complete it."))
        if action.status != ActionStatus.OPEN:
            raise InvalidState(_("This corrective action is no longer open."))
        if not completion_note.strip():
            raise ValidationError({"completion_note": [_("Describe what was done.")]})
        if proof_upload is None and not proof_link.strip():
            raise ValidationError({"proof": [_("Attach proof: a file or a link.")]})
        if proof_upload is not None:
            action.proof = store_evidence(case=case, actor=actor, upload=proof_upload, kind="document",
                                          description=_("Proof of corrective action"))
        action.proof_link = proof_link
        action.completion_note = completion_note
        action.status = ActionStatus.DONE
        action.completed_at = timezone.now()
        audit.save(action, actor=actor, reason="action completed",
                   update_fields=["proof", "proof_link", "completion_note", "status", "completed_at"])
        audit.record(action="action.completed", actor=actor, case=case,
                     payload={"action": action.pk, "on_time": action.done_on_time, "task": step.task.pk})
    return action


def _action_task(case: Case, action: CorrectiveAction):
    for task in open_tasks(case, "complete_action"):
        if (task.data or {}).get("action") == action.pk:
            return task
    return None


def action_cancel(*, action: CorrectiveAction | int, actor, reason: str) -> CorrectiveAction:
    """Formally cancel an open corrective action, with a reason, and cancel its task.

    Preconditions: actor manages cases or plans remediation, and is no party to the case; a
    reason is given; the action is open and of the case's current plan round; at least one
    other action of that round is not cancelled (a round is never emptied: plan a new round
    through an unfavourable review instead); its task has not been started.

    When the cancelled task was the last one outstanding, the "all actions done" join is
    re-evaluated here, because viewflow's cancel does not move the process on by itself.
    """
    pk = getattr(action, "pk", action)
    row = CorrectiveAction.objects.filter(pk=pk).select_related("case").first()
    if row is None:
        raise InvalidState(_("There is no such corrective action."))
    flow_class = case_flow()
    try:
        with transaction.atomic(), flow_class.lock(row.case.process_id):
            case = Case.objects.select_for_update().get(pk=row.case_id)
            action = CorrectiveAction.objects.select_for_update().get(pk=pk)
            if not may_cancel_actions(actor):
                raise NotAllowed(_("Only the case manager or a remediation planner cancels corrective actions."))
            policy.require_not_party(actor, case)
            if not reason.strip():
                raise ValidationError({"reason": [_("Give the reason for cancelling this action.")]})
            if action.status != ActionStatus.OPEN:
                raise InvalidState(_("Only an open corrective action can be cancelled."))
            if action.round != current_round(case):
                raise InvalidState(_("This action belongs to an earlier plan round."))
            standing = (CorrectiveAction.objects.filter(case=case, round=action.round)
                        .exclude(pk=action.pk).exclude(status=ActionStatus.CANCELLED))
            if not standing.exists():
                raise InvalidState(_("This is the last standing action of the plan; a plan needs at "
                                     "least one action carried out."))
            task = _action_task(case, action)
            if task is None:
                raise InvalidState(_("This action has no open task."))
            activation = task.flow_task.activation_class(task)
            if not activation.cancel.can_proceed():
                raise Conflict(_("The owner is completing this action at this moment."))
            activation.cancel()
            action.status = ActionStatus.CANCELLED
            action.cancel_reason = reason
            action.cancelled_by = actor
            action.cancelled_at = timezone.now()
            audit.save(action, actor=actor, reason="action cancelled",
                       update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
            audit.record(action="action.cancelled", actor=actor, case=case, reason=reason,
                         payload={"action": action.pk, "task": task.pk})
            join = open_task(case, "actions_done")
            if join is not None:
                _continue_join(join)
    except FlowLockFailed:
        raise Conflict(_("Someone else is working on this case at this moment. Nothing was saved; "
                         "please try again.")) from None
    return action


def _continue_join(join_task) -> None:
    """What viewflow does when a task reaches a join, for a join reached by a cancellation."""
    activation = join_task.flow_task.activation_class(join_task)
    if activation.activate.can_proceed():
        activation.activate()
    if activation.complete.can_proceed():
        activation.complete()
        activation.activate_next()


