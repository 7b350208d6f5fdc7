"""Completing a human step: the domain service of the step, under the process lock, and
then the task.

Each function here takes ``task`` (the open task of its step) and ``actor`` and the
step's own fields, and hands them to the domain service of the same name (in
``violations``, ``sanctions`` or ``remediation``), which checks permissions and segregation
of duties, writes and records the audit event. A refusal there rolls back everything, the
claim included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from remediation import services as remediation
from remediation.models import CorrectiveAction
from sanctions import services as sanctions
from violations import services as violations
from violations.exceptions import InvalidState

from ..engine import human_task
from ..steps import Step
from .process import lead_replace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _completes(
    step: Step | tuple[Step, ...],
    service: Callable[..., Any],
    prepare: Callable[..., dict] | None = None,
) -> Callable[..., Any]:
    """The function that completes ``step`` with ``service``; ``prepare(task)`` gives what
    the service needs to know of the task beyond the case."""
    expected = step if isinstance(step, tuple) else (step,)

    def complete(*, task, actor: User, **fields):
        with human_task(task, actor=actor, expected=expected) as held:
            extra = prepare(held.task) if prepare else {}
            return service(case=held.case, task=held.task, actor=actor, **extra, **fields)

    complete.__name__ = complete.__qualname__ = service.__name__
    complete.__doc__ = f"Complete the {', '.join(expected)} step.\n\n{service.__doc__ or ''}"
    return complete


def action_of_task(task) -> CorrectiveAction:
    """The corrective action a ``complete_action`` task is for (the flow puts its id in the
    task's data)."""
    action_pk = (task.data or {}).get("action")
    if action_pk is not None:
        try:
            return CorrectiveAction.objects.select_related("owner").get(pk=action_pk)
        except (CorrectiveAction.DoesNotExist, ValueError, TypeError):
            pass
    raise InvalidState(_("This task has no corrective action."))


verification_complete = _completes(Step.VERIFY, violations.verification_complete)
team_form = _completes(Step.FORM_TEAM, violations.team_form)
investigation_submit = _completes(Step.INVESTIGATE, violations.investigation_submit)
facts_determine = _completes(Step.FIND_FACTS, violations.facts_determine)
sanction_propose = _completes(Step.PROPOSE, sanctions.sanction_propose)
defence_record = _completes(Step.DEFENCE, sanctions.defence_record)
sanction_decide = _completes(Step.APPROVE, sanctions.sanction_decide)
sanction_execute = _completes(
    (Step.EXECUTE_SANCTIONS, Step.EXECUTE_REVISED),
    sanctions.sanction_execute,
    prepare=lambda task: {"revised": task.flow_task.name == Step.EXECUTE_REVISED},
)
appeal_decide = _completes(Step.DECIDE_APPEAL, sanctions.appeal_decide)
customer_feedback_record = _completes(Step.CUSTOMER_FEEDBACK, remediation.customer_feedback_record)
regulator_notify = _completes(Step.NOTIFY_REGULATOR, remediation.regulator_notify)
remediation_plan = _completes(Step.PLAN_REMEDIATION, remediation.remediation_plan)
action_complete = _completes(
    Step.COMPLETE_ACTION,
    remediation.action_complete,
    prepare=lambda task: {"action": action_of_task(task)},
)
effectiveness_review = _completes(Step.REVIEW, remediation.effectiveness_review)

# Which function completes each step (the demo driver and the tests walk it).
COMPLETES: dict[Step, Callable[..., Any]] = {
    Step.VERIFY: verification_complete,
    Step.FORM_TEAM: team_form,
    Step.INVESTIGATE: investigation_submit,
    Step.FIND_FACTS: facts_determine,
    Step.PROPOSE: sanction_propose,
    Step.DEFENCE: defence_record,
    Step.APPROVE: sanction_decide,
    Step.EXECUTE_SANCTIONS: sanction_execute,
    Step.DECIDE_APPEAL: appeal_decide,
    Step.EXECUTE_REVISED: sanction_execute,
    Step.CUSTOMER_FEEDBACK: customer_feedback_record,
    Step.NOTIFY_REGULATOR: regulator_notify,
    Step.PLAN_REMEDIATION: remediation_plan,
    Step.COMPLETE_ACTION: action_complete,
    Step.REVIEW: effectiveness_review,
    Step.REPLACE_LEAD: lead_replace,
}
