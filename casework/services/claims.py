"""Claims, releases and reassignments. Viewflow keeps no history of them: the audit trail does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from violations import audit, policy
from violations.exceptions import Conflict, NotAllowed
from violations.models import Case

from ..eligibility import require_task_eligible
from ..engine import locked, refuse_if_closed
from .notices import task_announce, task_announce_release

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def task_eligible(user: User, task: Task) -> bool:
    case = Case.objects.get(process_id=task.process_id)
    try:
        require_task_eligible(user, case, task)
    except NotAllowed:
        return False
    return True


def task_claim(*, task, actor: User) -> Task:
    """Take an unassigned task. Preconditions: task open and unassigned; actor eligible."""
    with locked(task) as task:
        refuse_if_closed(task)
        if task.owner_id:
            raise Conflict(
                _("%(user)s has already taken this task.") % {"user": task.owner.get_username()}
            )
        case = Case.objects.get(process_id=task.process_id)
        require_task_eligible(actor, case, task)
        task.flow_task.activation_class(task).assign(actor)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        audit.record(
            action="task.claimed",
            actor=actor,
            case=case,
            payload={"task": task.pk, "step": task.flow_task.name},
        )
    return task


def task_unassign(*, task, actor: User, reason: str = "") -> Task:
    """Put a task back in the queue. Preconditions: actor holds it or manages cases, and is
    no party to the case (a lead who declared a conflict does nothing on it: the case
    manager's "replace the lead" step moves the task)."""
    with locked(task) as task:
        refuse_if_closed(task)
        case = Case.objects.get(process_id=task.process_id)
        if task.owner_id is None:
            raise Conflict(_("Nobody holds this task."))
        if task.owner_id != actor.pk and not policy.has(actor, "manage_cases"):
            raise NotAllowed(_("Only the holder or a case manager can release this task."))
        policy.require_not_party(actor, case)
        previous = task.owner.get_username()
        holder = task.owner_id
        task.owner = None
        task.status = STATUS.NEW
        task.assigned = None
        task.save(update_fields=["owner", "status", "assigned"])
        event = audit.record(
            action="task.released",
            actor=actor,
            case=case,
            reason=reason,
            payload={"task": task.pk, "step": task.flow_task.name, "from": previous},
        )
        task_announce_release(
            task=task, case=case, release_id=event.pk, released_by={holder, actor.pk}
        )
    return task


def task_reassign(*, task, actor: User, to_user: User, reason: str) -> Task:
    """Hand a task to someone else. Preconditions: actor manages cases and is no party;
    ``to_user`` is eligible for the step; a reason is given."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the reassignment.")]})
    with locked(task) as task:
        refuse_if_closed(task)
        case = Case.objects.get(process_id=task.process_id)
        policy.require(actor, "manage_cases", _("Only case managers reassign work."))
        policy.require_not_party(actor, case)
        require_task_eligible(to_user, case, task)
        hand_over(task, case=case, to_user=to_user, actor=actor, reason=reason)
    return task


def hand_over(task: Task, *, case: Case, to_user: User, actor: User, reason: str) -> None:
    """Give ``task`` to ``to_user`` and record who did it and why. Preconditions: the
    caller holds the process lock and has checked that the hand-over is allowed."""
    previous = task.owner.get_username() if task.owner_id else None
    task.owner = to_user
    task.status = STATUS.ASSIGNED
    task.assigned = timezone.now()
    task.save(update_fields=["owner", "status", "assigned"])
    audit.record(
        action="task.reassigned",
        actor=actor,
        case=case,
        reason=reason,
        payload={
            "task": task.pk,
            "step": task.flow_task.name,
            "from": previous,
            "to": to_user.get_username(),
        },
    )
    task_announce(task=task, case=case, reason=reason)
