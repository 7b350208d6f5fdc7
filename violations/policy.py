"""Who may do what on a case: roles, segregation of duties and need-to-know.

Every service asks here; views, the API and the admin only ever call services and selectors,
so one rule holds everywhere.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .exceptions import NotAllowed
from .models import Case, Employee, TeamMember

PERM = "violations.{}"


def has(user, codename: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PERM.format(codename)))


def require(user, codename: str, message) -> None:
    if not has(user, codename):
        raise NotAllowed(message)


def employee_of(user) -> Employee | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def is_subject(user, case: Case) -> bool:
    emp = employee_of(user)
    return emp is not None and case.subjects.filter(pk=emp.pk).exists()


def is_reporter(user, case: Case) -> bool:
    return bool(user and user.is_authenticated and case.reported_by_id == user.pk)


def has_declared_conflict(user, case: Case) -> bool:
    return TeamMember.objects.filter(case=case, user=user, has_conflict=True).exists()


def is_responsible_person(user, case: Case) -> bool:
    from .models import ResponsiblePerson

    emp = employee_of(user)
    return (
        emp is not None
        and ResponsiblePerson.objects.filter(finding__case=case, employee=emp).exists()
    )


def require_not_party(user, case: Case) -> None:
    """Subjects, the reporter and anyone with a declared conflict never work on the case."""
    if is_subject(user, case):
        raise NotAllowed(_("You are a subject of this case and cannot work on it."))
    if is_reporter(user, case):
        raise NotAllowed(_("You reported this case and cannot work on it."))
    if has_declared_conflict(user, case):
        raise NotAllowed(_("You declared a conflict of interest on this case."))


def cleared_membership(user, case: Case) -> TeamMember | None:
    return (
        TeamMember.objects.filter(
            case=case, user=user, active=True, has_conflict=False, declared_at__isnull=False
        )
        .select_related("user")
        .first()
    )


def require_cleared_team_member(user, case: Case, *, lead: bool = False) -> TeamMember:
    require_not_party(user, case)
    membership = TeamMember.objects.filter(case=case, user=user, active=True).first()
    if membership is None:
        raise NotAllowed(_("You are not on the investigation team of this case."))
    if membership.declared_at is None:
        raise NotAllowed(
            _("Declare that you have no conflict of interest before working on this case.")
        )
    if membership.has_conflict:
        raise NotAllowed(_("You declared a conflict of interest on this case."))
    if lead and membership.role != "lead":
        raise NotAllowed(_("Only the lead investigator can do this."))
    return membership


# --- need to know ---------------------------------------------------------------------------


def sees_all_cases(user) -> bool:
    return has(user, "view_all_cases") or has(user, "audit_cases")


def visible_cases(user, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose details the user may read. Subjects never see their own cases."""
    qs = Case.objects.all() if qs is None else qs
    if not user or not user.is_authenticated:
        return qs.none()
    emp = employee_of(user)
    if sees_all_cases(user):
        visible = qs
    else:
        team = Q(
            team__user=user,
            team__active=True,
            team__has_conflict=False,
            team__declared_at__isnull=False,
        )
        holds_task = Q(
            process__task__owner=user,
            process__task__status__in=["ASSIGNED", "STARTED"],
        )
        # Only routine work that is not about this case's people: a verifier needs to see
        # the report it verifies, an approver the proposal it decides.
        visible = qs.filter(team | holds_task)
        if has(user, "verify_case") or has(user, "propose_sanction"):
            visible = qs.filter(
                team | holds_task | Q(stage__in=["verification", "sanction_proposal"])
            )
    if emp is not None:
        visible = visible.exclude(subjects=emp)
    visible = visible.exclude(team__user=user, team__has_conflict=True)
    return visible.distinct()


def can_view_case(user, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def can_see_reporter(user, case: Case) -> bool:
    """Anonymous reports keep the reporter's identity from everyone on the case."""
    if case.is_anonymous:
        return False
    return can_view_case(user, case)


# --- who may hold a task ----------------------------------------------------------------------

_task_rules: dict = {}


def register_task_rule(node_name: str, rule) -> None:
    """Add an eligibility rule for a step: ``rule(user, case, task)`` raises NotAllowed.

    Apps that own a step's business (sanctions, remediation) register their segregation-of-
    duties rules here at start-up, so claims, reassignments and queues all apply them.
    """
    _task_rules.setdefault(node_name, []).append(rule)


def require_task_eligible(user, case: Case, task) -> None:
    """May ``user`` hold ``task``? Role (the task's permission), no party, step rules."""
    if task.owner_permission and not user.has_perm(task.owner_permission):
        raise NotAllowed(_("Your role does not carry out this step."))
    require_not_party(user, case)
    for rule in _task_rules.get(task.flow_task.name, []):
        rule(user, case, task)
