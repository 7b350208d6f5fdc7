"""Segregation of duties for remediation steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from violations import policy
from violations.exceptions import NotAllowed
from violations.models import Case

from .models import CorrectiveAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def action_owner_rule(user: User, action: CorrectiveAction) -> None:
    """Each owner completes their own action, nobody else's."""
    if action.owner_id != user.pk:
        raise NotAllowed(_("Only the owner of this corrective action can complete it."))


def review_task_rule(user: User, case: Case) -> None:
    """Whoever carried out the remediation does not judge whether it worked."""
    if CorrectiveAction.objects.filter(case=case, owner=user).exists():
        raise NotAllowed(_("You own a corrective action of this case and cannot review it."))


def may_cancel_actions(user: User) -> bool:
    """The case manager, or a compliance officer who plans remediation."""
    return policy.has(user, "manage_cases") or policy.has(user, "plan_remediation")


def may_extend_complaint_clock(user: User) -> bool:
    return policy.has(user, "manage_cases") or policy.has(user, "record_customer_feedback")


def may_wait_for_customer(user: User, case: Case, standing_=None) -> bool:
    """Who records what the customer is asked and answers: whoever may extend the complaint
    clock, and is no party to the case (the rule of ``customer_information_request``)."""
    if not may_extend_complaint_clock(user):
        return False
    found = standing_ or policy.standing(user, case)
    return not (found.subject or found.conflict or policy.is_reporter(user, case, found))


def may_record_training(user: User) -> bool:
    """Planners, the case manager and remediation owners (who often run the training)."""
    return any(policy.has(user, p) for p in ("plan_remediation", "manage_cases", "complete_action"))


def may_record_training_completion(user: User) -> bool:
    """Compliance officers (who plan remediation), the case manager and HR officers."""
    return any(
        policy.has(user, p) for p in ("plan_remediation", "manage_cases", "execute_sanction")
    )


def may_read_training_register(user: User) -> bool:
    """Those who record training or its completion, and whoever sees every case."""
    return (
        may_record_training(user)
        or may_record_training_completion(user)
        or policy.sees_all_cases(user)
    )
