"""Who may do what on a case: roles, segregation of duties and need-to-know.

Every service asks here; views, the API and the admin only ever call services and selectors,
so one rule holds everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .exceptions import NotAllowed
from .models import Case, Department, Employee, TeamMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import StrOrPromise

    # Whoever a request or a record names: a user, an anonymous visitor, or nobody. The
    # rules that take one say no to the last two.
    AnyUser: TypeAlias = User | AnonymousUser | None

PERM = "violations.{}"


def has(user: AnyUser, codename: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PERM.format(codename)))


def require(user: AnyUser, codename: str, message: StrOrPromise) -> None:
    if not has(user, codename):
        raise NotAllowed(message)


def employee_of(user: AnyUser) -> Employee | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


class Standing:
    """What a user is to a case, for segregation of duties.

    Each fact is read when a rule first asks for it and kept on this object; a service reads
    the standing once (:func:`standing`) and passes it to each further check, so a step asks
    the database each question at most once. Nothing outlives the object.
    """

    def __init__(self, user: AnyUser, case: Case) -> None:
        self.case = case
        self._known = bool(user and user.is_authenticated and case.pk is not None)
        # Only asked about when known: the rules answer no for nobody without a query.
        self.user_id: int = (user.pk or 0) if self._known and user else 0

    @cached_property
    def subject(self) -> bool:
        return (
            self._known
            and Case.subjects.through.objects.filter(
                case_id=self.case.pk, employee__user_id=self.user_id
            ).exists()
        )

    @cached_property
    def in_vault(self) -> bool:
        """The reporter an identity-protected case keeps in the vault."""
        from .models import ReporterIdentity

        return (
            self._known
            and ReporterIdentity.objects.filter(case_id=self.case.pk, user_id=self.user_id).exists()
        )

    @cached_property
    def _memberships(self) -> list[Mapping[str, Any]]:
        if not self._known:
            return []
        return list(
            TeamMember.objects.filter(case_id=self.case.pk, user_id=self.user_id)
            .order_by("pk")
            .values("role", "active", "declared_at", "has_conflict")
        )

    @property
    def conflict(self) -> bool:
        """Declared a conflict of interest on this case, at any time."""
        return any(m["has_conflict"] for m in self._memberships)

    @property
    def on_team(self) -> bool:
        """Named to the team, at any time."""
        return bool(self._memberships)

    @property
    def _active(self) -> Mapping[str, Any] | None:
        return next((m for m in self._memberships if m["active"]), None)

    @property
    def role(self) -> str | None:
        """The role of the active membership, if any."""
        return self._active["role"] if self._active else None

    @property
    def declared(self) -> bool:
        """The active membership's declaration is made."""
        return bool(self._active and self._active["declared_at"])

    @property
    def member_conflict(self) -> bool:
        """The active membership declares a conflict."""
        return bool(self._active and self._active["has_conflict"])

    @cached_property
    def responsible(self) -> bool:
        """A responsible person in a finding of the case."""
        from .models import ResponsiblePerson

        return (
            self._known
            and ResponsiblePerson.objects.filter(
                finding__case_id=self.case.pk, employee__user_id=self.user_id
            ).exists()
        )

    @cached_property
    def heads_subject_department(self) -> bool:
        """Heads the department of a subject of the case, or a department above it (see
        :func:`headed_departments`): the department rule of approval and of sight."""
        if not self._known:
            return False
        headed = headed_departments(self.user_id)
        return bool(headed) and (
            Case.subjects.through.objects.filter(
                case_id=self.case.pk, employee__department_id__in=headed
            ).exists()
        )


def headed_departments(user_id: int | None) -> set[int]:
    """The departments a user heads, with every department below them (a division's head
    heads its branches): the one department rule, for approving sanctions at department
    level and for seeing the cases that wait for it. One query over the department tree,
    which an institution keeps small."""
    if not user_id:
        return set()
    rows = list(Department.objects.values_list("pk", "parent_id", "head__user_id"))
    headed = {pk for pk, _parent, head_user in rows if head_user == user_id}
    children: dict[int, list[int]] = {}
    for pk, parent, _head_user in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    todo = list(headed)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in headed:
                headed.add(child)
                todo.append(child)
    return headed


def standing(user: AnyUser, case: Case) -> Standing:
    """What ``user`` is to ``case``: each fact read when first asked (see :class:`Standing`)."""
    return Standing(user, case)


def is_subject(user: User, case: Case, standing_: Standing | None = None) -> bool:
    return (standing_ or standing(user, case)).subject


def is_reporter(user: AnyUser, case: Case, standing_: Standing | None = None) -> bool:
    """Named reporter, or the reporter an identity-protected case keeps in the vault.

    Policy may ask the vault; it never tells anyone the answer beyond yes or no.
    """
    if not user or not user.is_authenticated:
        return False
    if case.reported_by_id == user.pk:
        return True
    return (standing_ or standing(user, case)).in_vault


def has_declared_conflict(user: User, case: Case, standing_: Standing | None = None) -> bool:
    return (standing_ or standing(user, case)).conflict


def is_responsible_person(user: User, case: Case, standing_: Standing | None = None) -> bool:
    return (standing_ or standing(user, case)).responsible


def declared_conflicts(user: User) -> QuerySet:
    """The ``case_id`` of every case the user declared a conflict on: nothing there is
    theirs to do any more, not even to release a task (a subquery for a list of tasks)."""
    return TeamMember.objects.filter(user=user, has_conflict=True).values("case_id")


def declared_conflict_processes(user: AnyUser) -> set[int]:
    """:func:`declared_conflicts` as process ids, read once for all the tasks a page asks
    about."""
    if not user or not user.is_authenticated:
        return set()
    return set(
        Case.objects.filter(pk__in=declared_conflicts(user), process__isnull=False).values_list(
            "process_id", flat=True
        )
    )


def require_not_party(user: User, case: Case, standing_: Standing | None = None) -> Standing:
    """Subjects, the reporter and anyone with a declared conflict never work on the case.
    Returns the standing it read, for the caller's further checks."""
    found = standing_ or standing(user, case)
    if found.subject:
        raise NotAllowed(_("You are a subject of this case and cannot work on it."))
    if is_reporter(user, case, found):
        raise NotAllowed(_("You reported this case and cannot work on it."))
    if found.conflict:
        raise NotAllowed(_("You declared a conflict of interest on this case."))
    return found


def require_cleared_team_member(
    user: User, case: Case, *, lead: bool = False, standing_: Standing | None = None
) -> Standing:
    membership = require_not_party(user, case, standing_)
    if membership.role is None:
        raise NotAllowed(_("You are not on the investigation team of this case."))
    if not membership.declared:
        raise NotAllowed(
            _("Declare that you have no conflict of interest before working on this case.")
        )
    if membership.member_conflict:
        raise NotAllowed(_("You declared a conflict of interest on this case."))
    if lead and membership.role != "lead":
        raise NotAllowed(_("Only the lead investigator can do this."))
    return membership


# --- need to know ---------------------------------------------------------------------------
#
# A case is visible to:
#   * compliance heads and case managers (``view_all_cases``) and internal auditors
#     (``audit_cases``, read-only: no write service accepts them);
#   * its investigation team, each member only after declaring no conflict of interest;
#   * a user while they hold an open task of the case;
#   * a user who could claim an open, unassigned task of the case from the queue (their role
#     carries the task's permission), so they can decide whether to take it. This replaces a
#     rule by stage ("every officer sees every case in verification"): it follows the task
#     actually waiting, so an approver sees a proposal only while it awaits their level and
#     nobody sees a case because of a stage whose task is already someone else's. An approval
#     at department level is the department head's only for the cases of their department
#     and the departments below it (the rule the approval itself applies: heads of other
#     branches see nothing of it);
# and never, whatever the roles, to a subject of the case, someone who declared a conflict, or
# a team member who has not declared yet.
# The reporter is no party that may work on a case, so reporting gives no sight of it
# beyond status and outcome (``MyReportsView``); the queue rule skips them.


def sees_all_cases(user: AnyUser) -> bool:
    return has(user, "view_all_cases") or has(user, "audit_cases")


def _user_permissions(user: User) -> set[str]:
    return set(user.get_all_permissions()) if user.is_active else set()


def visible_cases(user: AnyUser, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose details the user may read: the one rule for lists, pages, files, the admin,
    the workflow pages and the API.

    Written so its cost follows what the user may see, not how many cases exist: the cases a
    user sees through the team or a task are one ``IN`` over the user's own memberships and
    the open tasks (a union of index lookups), and each exclusion is one uncorrelated
    ``NOT IN`` over the user's own rows, read once per query rather than once per case.
    """
    from viewflow.workflow.status import STATUS

    qs = Case.objects.all() if qs is None else qs
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if sees_all_cases(user):
        visible = qs
    else:
        # The cleared team; the holder of an open task; anyone whose role could claim the
        # task waiting in the queue, unless they reported the case.
        team = TeamMember.objects.filter(
            user=user,
            active=True,
            has_conflict=False,
            declared_at__isnull=False,
        ).values("case_id")
        holds_task = Case.objects.filter(
            process__task__owner=user,
            process__task__status__in=[STATUS.ASSIGNED, STATUS.STARTED],
        ).values("pk")
        parts = [team.order_by(), holds_task.order_by()]
        parts += _claimable(user)
        visible = qs.filter(pk__in=parts[0].union(*parts[1:], all=True))
    for hidden in _never_visible(user):
        visible = visible.exclude(pk__in=hidden)
    return visible


# The permission of an approval waiting at department level, and of the levels above it
# (``sanctions.models.LEVEL_PERMISSION`` names the same codenames of this app).
DEPARTMENT_APPROVAL = PERM.format("approve_department_level")
HIGHER_APPROVALS = (PERM.format("approve_compliance_level"), PERM.format("approve_senior_level"))


def _claimable(user: User) -> list[QuerySet]:
    """The cases with an open, unassigned step the user's role could claim, unless they
    reported the case: a role alone is enough for most steps, but an approval at department
    level waits only for the heads of a subject's department (or of a department above it),
    as the approval itself does; a higher approval level sees it as it may decide it. Each
    is a ``pk`` subquery (one ``filter`` call each, so the task conditions meet on one task
    row)."""
    from viewflow.workflow.status import STATUS

    from .models import ReporterIdentity

    perms = _user_permissions(user)
    if not perms:
        return []
    waiting = {
        "process__task__status": STATUS.NEW,
        "process__task__owner__isnull": True,
        "process__task__flow_task_type": "HUMAN",
    }
    by_department = DEPARTMENT_APPROVAL in perms and not perms.intersection(HIGHER_APPROVALS)
    by_role = perms - {DEPARTMENT_APPROVAL} if by_department else perms
    found = []
    if by_role:
        found.append(Case.objects.filter(**waiting, process__task__owner_permission__in=by_role))
    headed = headed_departments(user.pk) if by_department else set()
    if headed:
        found.append(
            Case.objects.filter(
                **waiting,
                process__task__owner_permission=DEPARTMENT_APPROVAL,
                subjects__department_id__in=headed,
            )
        )
    reported = ReporterIdentity.objects.filter(user=user).values("case_id")
    return [
        qs.exclude(reported_by=user).exclude(pk__in=reported).values("pk").order_by()
        for qs in found
    ]


def _never_visible(user: User) -> list[QuerySet]:
    """The user's own rows that hide a case whatever else holds: being one of its subjects;
    being named to its team but not yet declared (nothing, not even through a task the flow
    assigned to them, such as the lead's investigation task); a declared conflict (never
    again). Each is a ``case_id`` subquery."""
    hidden: list[QuerySet] = []
    emp = employee_of(user)
    if emp is not None:
        hidden.append(Case.subjects.through.objects.filter(employee=emp).values("case_id"))
    hidden.append(
        TeamMember.objects.filter(user=user)
        .filter(Q(has_conflict=True) | Q(active=True, declared_at__isnull=True))
        .values("case_id")
    )
    return hidden


def kept_from(user: AnyUser, case: Case) -> bool:
    """The case is hidden from the user whatever their role: a subject of it, a declared
    conflict, or named to its team and not yet declared (:func:`_never_visible`). Pages that
    are not the case's own but name it (a disciplinary record, a sanction) ask this."""
    if not user or not user.is_authenticated:
        return True
    return any(rows.filter(case_id=case.pk).exists() for rows in _never_visible(user))


def cases_kept_from(user: User) -> Q:
    """:func:`kept_from` as a condition on cases (``Case.objects.filter(...)``)."""
    kept = Q(pk__in=[])
    for rows in _never_visible(user):
        kept |= Q(pk__in=rows)
    return kept


def visible_among(user: AnyUser, case_ids) -> set[int]:
    """Which of ``case_ids`` the user may see: for a list that shows a case's details beside
    rows it shows for another reason (a task the user did, say), asked once per page."""
    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return set()
    return set(visible_cases(user, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def duplicate_candidates(user: AnyUser, case: Case) -> QuerySet[Case]:
    """The cases a verifier may name as the earlier report ``case`` duplicates: those they
    may see, less the case itself and any case they reported (a party names no case of
    their own: ``require_not_party``), newest first."""
    from .models import ReporterIdentity

    qs = visible_cases(user).exclude(pk=case.pk)
    if user and user.is_authenticated:
        qs = qs.exclude(reported_by=user).exclude(
            pk__in=ReporterIdentity.objects.filter(user=user).values("case_id")
        )
    return qs.order_by("-reported_at")


def count_visible(user: AnyUser, qs: QuerySet[Case]) -> int:
    """``visible_cases(user, qs).count()``, at a cost that follows what is hidden.

    A user who sees every case sees all of ``qs`` but the few their own rows hide, so the
    count is ``qs``'s count less the hidden ones among it: two counts the database answers
    from an index (on SQLite, the single count with ``NOT IN`` probed the hidden list for
    every row, eight times slower at 100,000 cases). Anyone else sees few cases; their
    count is the list's own.
    """
    if not (user and user.is_authenticated and user.is_active and sees_all_cases(user)):
        return visible_cases(user, qs).count()
    hidden = Q()
    for rows in _never_visible(user):
        hidden |= Q(pk__in=rows)
    return qs.count() - qs.filter(hidden).count()


def can_view_case(user: AnyUser, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def can_see_reporter(user: AnyUser, case: Case) -> bool:
    """Identity-protected reports keep the reporter from everyone: the vault unmasks, with a
    second person's approval, and only through ``reporter_identity_view``."""
    if case.is_anonymous:
        return False
    return can_view_case(user, case)


def read_only(user: User | AnonymousUser) -> bool:
    """Internal auditors read everything and change nothing."""
    return has(user, "audit_cases") and not user.is_superuser
