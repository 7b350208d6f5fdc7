"""The deadline scan: reminders before a deadline, and a breach told to the holder, then to
the holder's manager, then to the compliance head, each once.

Run by the scheduler (``manage.py scan_deadlines``). Idempotent and safe to run on several
machines at once: each clock due for a look is claimed with ``SELECT … FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite serialises writers), moved on to its next check in the same
transaction, and every notice carries a dedupe key naming the clock, its due moment and the
level, so a repeat tells no one twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from deadlines.models import Kind as DeadlineKind
from deadlines.rules import Deadline
from notifications import kinds
from notifications.services import notify

from .. import audit
from ..models import Clock, ClockState, Employee
from .clocks import rule_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NEARING = kinds.register(
    kinds.Kind(
        key="deadline.nearing",
        label=_("A deadline of mine is near"),
        subject=_("Due soon: %(what)s (%(case)s)"),
        body=_("%(what)s in case %(case)s is due on %(due)s.\n\nOpen it: %(url)s"),
        translate=("what",),
        dates=("due",),
    )
)
BREACHED = kinds.register(
    kinds.Kind(
        key="deadline.breached",
        label=_("A deadline of mine was missed"),
        subject=_("Overdue: %(what)s (%(case)s)"),
        body=_("%(what)s in case %(case)s was due on %(due)s and is overdue.\n\nOpen it: %(url)s"),
        mandatory=True,
        translate=("what",),
        dates=("due",),
    )
)
ESCALATED = kinds.register(
    kinds.Kind(
        key="deadline.escalated",
        label=_("Overdue work is escalated to me"),
        subject=_("Escalated, overdue: %(what)s (%(case)s)"),
        body=_(
            "%(what)s in case %(case)s was due on %(due)s and is still overdue. It is held "
            "by %(holder)s. It is escalated to you as %(as)s.\n\nOpen it: %(url)s"
        ),
        mandatory=True,
        translate=("what", "as"),
        dates=("due",),
    )
)
AS_MANAGER = _("their manager")
AS_HEAD = _("compliance head")
NOBODY = _("nobody (waiting in a queue)")


@dataclass
class ScanResult:
    reminded: int = 0
    breached: int = 0
    escalated: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})
    clocks: int = 0


def _open_task_owner(clock: Clock) -> User | None:
    if not clock.case.process_id:
        return None
    task = (
        Task.objects.filter(
            process_id=clock.case.process_id,
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
            owner__isnull=False,
        )
        .select_related("owner")
        .order_by("-created")
        .first()
    )
    return task.owner if task else None


def holder_of(clock: Clock) -> User | None:
    """Who must act: the clock's holder, else whoever holds the case's open task."""
    return clock.holder or _open_task_owner(clock)


def manager_of(user: User | None, clock: Clock) -> list[User]:
    """The holder's line manager, else the head of their department, else the head of the
    case's department, else the case managers."""
    employee = (
        Employee.objects.filter(user=user)
        .select_related("line_manager__user", "department__head__user")
        .first()
        if user is not None
        else None
    )
    for candidate in (
        employee and employee.line_manager,
        employee and employee.department.head,
        clock.case.department.head,
    ):
        if (
            candidate is not None
            and candidate.user is not None
            and candidate.user_id != getattr(user, "pk", None)
        ):
            return [candidate.user]
    return _with_perm("manage_cases")


def _with_perm(codename: str) -> list[User]:
    User = get_user_model()
    return list(
        User.objects.filter(
            Q(groups__permissions__codename=codename) | Q(user_permissions__codename=codename),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def compliance_heads() -> list[User]:
    return _with_perm("approve_compliance_level")


def _tell(users, key: str, clock: Clock, level: str, extra: dict | None = None) -> int:
    case = clock.case
    context = {
        "case": case.reference,
        "what": _msgid(clock),
        "due": clock.due_at.isoformat(),
        "url": case.get_absolute_url(),
        **(extra or {}),
    }
    told = 0
    for user in users:
        if user is None:
            continue
        sent = notify(
            user,
            key,
            case_reference=case.reference,
            context=context,
            link=case.get_absolute_url(),
            dedupe_key=f"clock:{clock.pk}:{clock.due_at.isoformat()}:{level}",
        )
        told += sent is not None
    return told


def msgid(text) -> str:
    """A lazy label as its msgid: the notice is rendered later in the recipient's language."""
    with translation.override(None):
        return str(text)


def _msgid(clock: Clock) -> str:
    if clock.label:
        return clock.label
    try:
        return msgid(DeadlineKind(clock.kind).label)
    except ValueError:
        return clock.kind


def _advance(clock: Clock, rule: Deadline, now: dt.datetime, result: ScanResult) -> None:
    holder = holder_of(clock)
    if clock.due_at > now:
        if clock.reminded_at is None and clock.remind_at and now >= clock.remind_at:
            _tell([holder], NEARING.key, clock, "remind")
            clock.reminded_at = now
            result.reminded += 1
        clock.next_check_at = clock.due_at
        return
    payload = {
        "what": clock.kind,
        "item": clock.target,
        "due": clock.due_at.isoformat(),
        "holder": holder.get_username() if holder else None,
    }
    if clock.escalation_level < 1:
        clock.breached_at = clock.breached_at or clock.due_at
        clock.reminded_at = clock.reminded_at or now
        clock.escalation_level = 1
        recipients = [holder] if holder is not None else manager_of(None, clock)
        _tell(recipients, BREACHED.key, clock, "breach")
        audit.record(
            action="deadline.escalated",
            actor=None,
            case=clock.case,
            payload={**payload, "escalation": 1},
        )
        result.breached += 1
    breached = clock.breached_at or clock.due_at
    holder_name = holder.get_full_name() or holder.get_username() if holder else str(NOBODY)
    steps = ((2, rule.manager_after, AS_MANAGER), (3, rule.head_after, AS_HEAD))
    for level, delay, as_ in steps:
        if clock.escalation_level >= level or now < breached + delay:
            continue
        recipients = manager_of(holder, clock) if level == 2 else compliance_heads()
        _tell(
            recipients,
            ESCALATED.key,
            clock,
            f"level{level}",
            {"holder": holder_name, "as": msgid(as_)},
        )
        audit.record(
            action="deadline.escalated",
            actor=None,
            case=clock.case,
            payload={
                **payload,
                "escalation": level,
                "to": [u.get_username() for u in recipients],
            },
        )
        clock.escalation_level = level
        result.escalated[level] += 1
    if clock.escalation_level < 2:
        clock.next_check_at = breached + rule.manager_after
    elif clock.escalation_level < 3:
        clock.next_check_at = max(breached + rule.head_after, now + dt.timedelta(seconds=1))
    else:
        clock.next_check_at = None
    if clock.next_check_at is not None and clock.next_check_at <= now:
        clock.next_check_at = now + dt.timedelta(seconds=1)


def deadline_scan(*, now: dt.datetime | None = None, batch: int = 200) -> ScanResult:
    """Remind, mark breaches and escalate every running clock whose next check has come.

    Preconditions: none; run it as often as wanted (every few minutes)."""
    now = now or timezone.now()
    result = ScanResult()
    rules: dict[tuple[str, str, str], Deadline] = {}
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        with transaction.atomic():
            due = Clock.objects.filter(next_check_at__lte=now, state=ClockState.RUNNING).order_by(
                "next_check_at", "pk"
            )
            if skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            else:
                due = due.select_for_update()
            clocks = list(due.select_related("case", "case__department__head", "holder")[:batch])
            if not clocks:
                return result
            for clock in clocks:
                case = clock.case
                key = (clock.kind, case.severity or "", case.source or "")
                if key not in rules:
                    rules[key] = rule_of(case, clock.kind)
                _advance(clock, rules[key], now, result)
                clock.save(
                    update_fields=[
                        "reminded_at",
                        "breached_at",
                        "escalation_level",
                        "next_check_at",
                    ]
                )
                result.clocks += 1
