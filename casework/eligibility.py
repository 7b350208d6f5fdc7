"""Who may hold a task: the claim rule, written once, and its SQL mirror for the queue.

:func:`require_task_eligible` decides whether a user may claim (or be handed) a task: the
task's permission, no party to the case, and the step's own rule in :data:`RULES`. The queue
filters with :func:`eligible_queue` before it paginates and counts; each exclusion in
:data:`EXCLUSIONS` must say no exactly where its rule raises, which
``tests/test_query_counts.py`` checks against :func:`require_task_eligible` for every step
and role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from remediation import policy as remediation_policy
from remediation.models import CorrectiveAction
from sanctions import policy as sanction_policy
from sanctions.models import (
    LEVEL_PERMISSION,
    ApprovalDecision,
    ApprovalLevel,
    ProposalStatus,
    SanctionProposal,
)
from violations import policy
from violations.exceptions import NotAllowed
from violations.models import Case, ReporterIdentity, TeamMember

from .steps import Step

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models.expressions import Combinable

    # What QuerySet.exclude takes: a Q, or a boolean expression such as Exists. Django makes
    # a Q of any mix of the two; django-stubs types some mixes (Q | Exists) as Combinable.
    Condition: TypeAlias = Q | Combinable


def _action_owner(user: User, case: Case, task: Task) -> None:
    from .services.steps import action_of_task

    remediation_policy.action_owner_rule(user, action_of_task(task))


# A step's own rule, beyond the task's permission and no party: ``rule(user, case, task)``
# raises NotAllowed.
RULES: dict[Step, Callable[..., None]] = {
    Step.APPROVE: lambda user, case, task: sanction_policy.approval_task_rule(user, case),
    Step.DECIDE_APPEAL: lambda user, case, task: sanction_policy.appeal_task_rule(user, case),
    Step.COMPLETE_ACTION: _action_owner,
    Step.REVIEW: lambda user, case, task: remediation_policy.review_task_rule(user, case),
}


def require_task_eligible(user: User, case: Case, task: Task) -> None:
    """May ``user`` hold ``task``? Role (the task's permission), no party, the step's rule."""
    if task.owner_permission and not user.has_perm(task.owner_permission):
        raise NotAllowed(_("Your role does not carry out this step."))
    policy.require_not_party(user, case)
    rule = RULES.get(task.flow_task.name)
    if rule is not None:
        rule(user, case, task)


# --- the same, in SQL ---------------------------------------------------------------------


def _party_exclusion(user: User) -> Condition:
    """``policy.require_not_party``: subjects, the reporter, declared conflicts."""
    q: Condition = Q(case_pk__isnull=True) | Q(process__case__reported_by_id=user.pk)
    q |= Exists(ReporterIdentity.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk))
    q |= Exists(
        TeamMember.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk, has_conflict=True)
    )
    emp = policy.employee_of(user)
    if emp is not None:
        q |= Exists(
            Case.subjects.through.objects.filter(case_id=OuterRef("case_pk"), employee_id=emp.pk)
        )
    return q


def _approve_exclusion(user: User) -> Condition:
    """``sanctions.policy.approval_task_rule``."""
    pending = Case.objects.filter(
        pk=OuterRef("case_pk"), sanction_proposals__status=ProposalStatus.PENDING
    )
    q: Condition = ~Exists(pending)
    q |= Exists(pending.filter(sanction_proposals__proposed_by_id=user.pk))
    q |= Exists(TeamMember.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk))
    emp = policy.employee_of(user)
    if emp is not None:
        q |= Exists(
            Case.objects.filter(pk=OuterRef("case_pk"), findings__responsible__employee_id=emp.pk)
        )
    # The department level also needs the head of a subject's department or of one above
    # it (``policy.headed_departments``), unless the user holds a higher level. (A higher
    # level alone does not list a department-level task: the task's own permission is
    # checked first, as in require_task_eligible.)
    higher = any(
        policy.has(user, LEVEL_PERMISSION[lvl])
        for lvl in (ApprovalLevel.COMPLIANCE, ApprovalLevel.SENIOR)
    )
    if not higher:
        dept_level = Q(owner_permission=f"violations.{LEVEL_PERMISSION[ApprovalLevel.DEPARTMENT]}")
        headed = policy.headed_departments(user.pk)
        if not headed:
            q |= dept_level
        else:
            heads = Case.subjects.through.objects.filter(
                case_id=OuterRef("case_pk"), employee__department_id__in=headed
            )
            q |= dept_level & ~Exists(heads)
    return q


def _complete_action_exclusion(user: User) -> Condition:
    """``remediation.policy.action_task_rule``: only the action's owner."""
    return ~Exists(CorrectiveAction.objects.filter(pk=OuterRef("action_pk"), owner_id=user.pk))


def _review_exclusion(user: User) -> Condition:
    """``remediation.policy.review_task_rule``: no owner of an action of the case."""
    return Exists(CorrectiveAction.objects.filter(case_id=OuterRef("case_pk"), owner_id=user.pk))


def _appeal_exclusion(user: User) -> Condition:
    """``sanctions.policy.appeal_task_rule``: only someone outside the original chain."""
    q: Condition = Exists(
        SanctionProposal.objects.filter(case_id=OuterRef("case_pk"), proposed_by_id=user.pk)
    )
    q |= Exists(
        ApprovalDecision.objects.filter(proposal__case_id=OuterRef("case_pk"), approver_id=user.pk)
    )
    q |= Exists(TeamMember.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk))
    emp = policy.employee_of(user)
    if emp is not None:
        q |= Exists(
            Case.objects.filter(pk=OuterRef("case_pk"), findings__responsible__employee_id=emp.pk)
        )
    return q


EXCLUSIONS: dict[Step, Callable[..., Condition]] = {
    Step.APPROVE: _approve_exclusion,
    Step.DECIDE_APPEAL: _appeal_exclusion,
    Step.COMPLETE_ACTION: _complete_action_exclusion,
    Step.REVIEW: _review_exclusion,
}


def eligible_queue(flow_class, user: User) -> QuerySet[Task]:
    """Unassigned tasks of the flow that ``user`` may claim, in one query."""
    qs = (
        Task.objects.user_queue(user, flow_class=flow_class)
        .filter(status=STATUS.NEW)
        .annotate(
            case_pk=F("process__case__id"),
            action_pk=Cast(KeyTextTransform("action", "data"), BigIntegerField()),
        )
    )
    excluded = _party_exclusion(user)
    for step, exclusion in EXCLUSIONS.items():
        excluded |= Q(flow_task=getattr(flow_class, step)) & exclusion(user)
    return qs.exclude(excluded)
