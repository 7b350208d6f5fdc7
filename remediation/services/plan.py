"""The remediation plan: root causes, corrective actions, their completion and cancellation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind
from violations import audit, dates, policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case
from violations.services.clocks import clock_start, clock_stop, end_of_day
from violations.services.evidence import store_evidence

from ..models import ActionKind, ActionStatus, CorrectiveAction, RootCause, RootCauseCategory
from ..policy import action_owner_rule, may_cancel_actions
from ..selectors import current_round

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise
    from viewflow.workflow.models import Task


@dataclass(frozen=True)
class CauseSpec:
    category: str
    description: str


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    description: str
    owner: User
    due_date: dt.date
    causes: list[int] = field(default_factory=list)  # indexes into the plan's causes


def remediation_plan(
    *, case: Case, task, actor: User, causes: list[CauseSpec], actions: list[ActionSpec]
) -> list[CorrectiveAction]:
    """Record root causes and corrective actions (a new round after an unfavourable review).

    Preconditions: open plan_remediation task; actor may plan and is no party; at least one
    cause and one action; each action addresses at least one cause, has an owner who may
    complete actions and is no party, and a due date not in the past.
    """
    policy.require(actor, "plan_remediation", _("Only compliance officers plan remediation."))
    policy.require_not_party(actor, case)
    errors: list[StrOrPromise] = []
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
        elif problem := dates.planned(a.due_date, earliest=today):
            errors.append(_("Due date: %(problem)s") % {"problem": problem})
        if not policy.has(a.owner, "complete_action"):
            errors.append(
                _("%(user)s cannot own corrective actions.") % {"user": a.owner.get_username()}
            )
        else:
            try:
                policy.require_not_party(a.owner, case)
            except NotAllowed:
                errors.append(
                    _("%(user)s is a party to this case.") % {"user": a.owner.get_username()}
                )
    if errors:
        raise ValidationError(errors)
    rnd = current_round(case) + 1
    cause_rows = []
    for c in causes:
        cause = RootCause(
            case=case,
            round=rnd,
            category=c.category,
            description=c.description,
            identified_by=actor,
        )
        audit.save(cause, actor=actor, reason="root cause")
        cause_rows.append(cause)
    created = []
    for a in actions:
        action = CorrectiveAction(
            case=case,
            round=rnd,
            kind=a.kind,
            description=a.description,
            owner=a.owner,
            due_date=a.due_date,
        )
        audit.save(action, actor=actor, reason="corrective action planned")
        clock_start(
            case=case,
            kind=DeadlineKind.CORRECTIVE_ACTION,
            target=f"action:{action.pk}",
            label=action.description[:200],
            due_at=end_of_day(action.due_date),
            holder=action.owner,
        )
        action.root_causes.set([cause_rows[i] for i in a.causes])
        audit.touch(action)
        created.append(action)
    audit.record(
        action="remediation.planned",
        actor=actor,
        case=case,
        payload={
            "round": rnd,
            "causes": [c.category for c in causes],
            "actions": [[a.kind, a.owner.get_username(), a.due_date.isoformat()] for a in actions],
            "task": task.pk,
        },
    )
    return created


def action_complete(
    *,
    case: Case,
    task,
    actor: User,
    action: CorrectiveAction,
    completion_note: str,
    proof_upload=None,
    proof_link: str = "",
) -> CorrectiveAction:
    """The owner completes their corrective action with proof (a file or a link).

    Preconditions: open complete_action task for this action; actor is its owner.
    """
    policy.require(actor, "complete_action", _("You cannot complete corrective actions."))
    action_owner_rule(actor, action)
    if action.status != ActionStatus.OPEN:
        raise InvalidState(_("This corrective action is no longer open."))
    if not completion_note.strip():
        raise ValidationError({"completion_note": [_("Describe what was done.")]})
    if proof_upload is None and not proof_link.strip():
        raise ValidationError({"proof": [_("Attach proof: a file or a link.")]})
    if proof_upload is not None:
        action.proof = store_evidence(
            case=case,
            actor=actor,
            upload=proof_upload,
            kind="document",
            description=_("Proof of corrective action"),
        )
    action.proof_link = proof_link
    action.completion_note = completion_note
    action.status = ActionStatus.DONE
    action.completed_at = timezone.now()
    clock_stop(
        case=case,
        kind=DeadlineKind.CORRECTIVE_ACTION,
        target=f"action:{action.pk}",
        at=action.completed_at,
    )
    audit.save(
        action,
        actor=actor,
        reason="action completed",
        update_fields=["proof", "proof_link", "completion_note", "status", "completed_at"],
    )
    audit.record(
        action="action.completed",
        actor=actor,
        case=case,
        payload={"action": action.pk, "on_time": action.done_on_time, "task": task.pk},
    )
    return action


def action_cancel(
    *, case: Case, action: CorrectiveAction, actor: User, reason: str, task: Task | None
) -> CorrectiveAction:
    """Formally cancel an open corrective action, with a reason.

    Preconditions: the caller holds the case and the action locked and cancels the action's
    task (``casework.services.action_cancel``); actor manages cases or plans remediation,
    and is no party to the case; a reason is given; the action is open and of the case's
    current plan round; at least one other action of that round is not cancelled (a round
    is never emptied: plan a new round through an unfavourable review instead).
    """
    if not may_cancel_actions(actor):
        raise NotAllowed(
            _("Only the case manager or a remediation planner cancels corrective actions.")
        )
    policy.require_not_party(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for cancelling this action.")]})
    if action.status != ActionStatus.OPEN:
        raise InvalidState(_("Only an open corrective action can be cancelled."))
    if action.round != current_round(case):
        raise InvalidState(_("This action belongs to an earlier plan round."))
    others = (
        CorrectiveAction.objects.filter(case=case, round=action.round)
        .exclude(pk=action.pk)
        .exclude(status=ActionStatus.CANCELLED)
    )
    if not others.exists():
        raise InvalidState(
            _(
                "This is the last standing action of the plan; a plan needs at "
                "least one action carried out."
            )
        )
    if task is None:
        raise InvalidState(_("This action has no open task."))
    action.status = ActionStatus.CANCELLED
    action.cancel_reason = reason
    action.cancelled_by = actor
    action.cancelled_at = timezone.now()
    clock_stop(
        case=case,
        kind=DeadlineKind.CORRECTIVE_ACTION,
        target=f"action:{action.pk}",
        at=action.cancelled_at,
        cancel=True,
    )
    audit.save(
        action,
        actor=actor,
        reason="action cancelled",
        update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"],
    )
    audit.record(
        action="action.cancelled",
        actor=actor,
        case=case,
        reason=reason,
        payload={"action": action.pk, "task": task.pk},
    )
    return action
