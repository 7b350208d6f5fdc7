"""SLA clocks: start, pause, resume, stop. Called by the services where a stage, a window or
a piece of work starts and ends, inside their transaction (the case is locked by them).

A clock's length comes from the deadline rule of its kind (``deadlines.rules``) for the
case's severity and source; a working-day clock counts the institution's calendar."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from deadlines.models import WINDOWS, Basis
from deadlines.rules import Deadline, deadline

from ..models import OPEN_STATES, Case, Clock, ClockState

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def rule_of(case: Case, kind: str) -> Deadline:
    return deadline(kind, severity=case.severity or "", source=case.source or "")


def _open(case: Case, kind: str, target: str | None) -> Clock | None:
    """The open clock of ``kind`` and ``target`` (None: whichever is open)."""
    clocks = Clock.objects.filter(case=case, kind=kind, state__in=OPEN_STATES)
    if target is not None:
        clocks = clocks.filter(target=target)
    return clocks.order_by("-started_at").first()


def length_from_now(case: Case, kind: str) -> dt.timedelta:
    """How long the rule of ``kind`` runs if it starts now (for the flow's timers)."""
    now = timezone.now()
    return rule_of(case, kind).due(now) - now


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in the institution's time zone (a due date's deadline)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def first_check(clock: Clock, rule: Deadline) -> dt.datetime | None:
    """When the deadline scan must first look at a running clock: at the reminder, else at
    the due moment; never for a window or wait (running out is not anyone being late)."""
    if clock.kind in WINDOWS or clock.state != ClockState.RUNNING:
        return None
    clock.remind_at = clock.due_at - rule.remind_before
    if clock.reminded_at is None and clock.remind_at > clock.started_at:
        return clock.remind_at
    return clock.due_at


def clock_start(
    *,
    case: Case,
    kind: str,
    target: str = "",
    label: str = "",
    start: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
    holder: User | None = None,
) -> Clock:
    """Start the clock of ``kind`` (and ``target``) on ``case``. Idempotent: an open clock
    of the same item is returned as it is. ``due_at`` fixes the due moment (a corrective
    action due on the date its plan gives) instead of the rule's length."""
    found = _open(case, kind, target)
    if found is not None:
        return found
    rule = rule_of(case, kind)
    start = start or timezone.now()
    clock = Clock(
        case=case,
        kind=kind,
        target=target,
        label=label[:200],
        basis=Basis.CALENDAR_HOURS if rule.override is not None else rule.basis,
        started_at=start,
        due_at=due_at or rule.due(start),
        holder=holder,
    )
    clock.next_check_at = first_check(clock, rule)
    clock.save()
    return clock


def _remaining(clock: Clock, rule: Deadline, at: dt.datetime) -> float:
    if clock.due_at <= at:
        return (clock.due_at - at).total_seconds()
    if clock.basis == Basis.WORKING_DAYS and rule.calendar is not None:
        return rule.calendar.working_seconds_between(at, clock.due_at)
    return (clock.due_at - at).total_seconds()


def clock_pause(
    *, case: Case, kind: str, target: str | None = None, at: dt.datetime | None = None
) -> Clock | None:
    """Stop the clock counting (waiting for the subject's defence, for the customer); the
    time it had left is kept for :func:`clock_resume`. Already paused or none: no change."""
    clock = _open(case, kind, target)
    if clock is None or clock.state == ClockState.PAUSED:
        return clock
    at = at or timezone.now()
    rule = rule_of(case, kind)
    clock.remaining_seconds = _remaining(clock, rule, at)
    clock.state = ClockState.PAUSED
    clock.paused_at = at
    clock.next_check_at = None
    clock.save(update_fields=["remaining_seconds", "state", "paused_at", "next_check_at"])
    return clock


def clock_resume(
    *, case: Case, kind: str, target: str | None = None, at: dt.datetime | None = None
) -> Clock | None:
    """Start a paused clock again: due when the time it had left has run, counted as its
    rule counts (working days skip days off)."""
    clock = _open(case, kind, target)
    if clock is None or clock.state != ClockState.PAUSED:
        return clock
    at = at or timezone.now()
    rule = rule_of(case, kind)
    left = clock.remaining_seconds or 0.0
    if clock.basis == Basis.WORKING_DAYS and rule.calendar is not None and left > 0:
        clock.due_at = rule.calendar.add_working_seconds(at, left)
    else:
        clock.due_at = at + dt.timedelta(seconds=left)
    clock.paused_seconds += (at - clock.paused_at).total_seconds() if clock.paused_at else 0
    clock.state = ClockState.RUNNING
    clock.paused_at = None
    clock.remaining_seconds = None
    clock.next_check_at = first_check(clock, rule)
    clock.save(
        update_fields=[
            "due_at",
            "paused_seconds",
            "state",
            "paused_at",
            "remaining_seconds",
            "remind_at",
            "next_check_at",
        ]
    )
    return clock


def clock_reschedule(
    *, case: Case, kind: str, target: str | None = None, due_at: dt.datetime
) -> Clock | None:
    """A new due moment for an open clock (a complaint answer extended, a corrective
    action's date moved): reminders and escalations start over for it."""
    clock = _open(case, kind, target)
    if clock is None:
        return None
    rule = rule_of(case, kind)
    clock.due_at = due_at
    clock.breached_at = None
    clock.reminded_at = None
    clock.escalation_level = 0
    clock.next_check_at = first_check(clock, rule)
    clock.save(
        update_fields=[
            "due_at",
            "breached_at",
            "reminded_at",
            "escalation_level",
            "remind_at",
            "next_check_at",
        ]
    )
    return clock


def clock_extend(
    *, case: Case, kind: str, target: str | None = None, by: dt.timedelta
) -> Clock | None:
    """Give an open clock more time (a complex complaint's answer extended): its due moment
    moves by ``by``. A paused clock keeps the extra time for when it counts again, so an
    extension granted while waiting for the customer is not lost on resuming."""
    clock = _open(case, kind, target)
    if clock is None:
        return None
    if clock.state == ClockState.PAUSED:
        clock.remaining_seconds = (clock.remaining_seconds or 0.0) + by.total_seconds()
        clock.due_at += by
        # As for a running clock: reminders and escalations start over for the new time.
        clock.breached_at = None
        clock.reminded_at = None
        clock.escalation_level = 0
        clock.save(
            update_fields=[
                "remaining_seconds",
                "due_at",
                "breached_at",
                "reminded_at",
                "escalation_level",
            ]
        )
        return clock
    return clock_reschedule(case=case, kind=kind, target=target, due_at=clock.due_at + by)


def clock_stop(
    *,
    case: Case,
    kind: str | None = None,
    target: str | None = None,
    at: dt.datetime | None = None,
    cancel: bool = False,
) -> int:
    """Stop the open clocks of ``case`` (of ``kind`` and ``target`` when given): completed,
    or cancelled when the work they timed no longer has to be done. A clock stopped late
    keeps its breach. Returns how many stopped."""
    at = at or timezone.now()
    clocks = Clock.objects.filter(case=case, state__in=OPEN_STATES)
    if kind is not None:
        clocks = clocks.filter(kind=kind)
    if target is not None:
        clocks = clocks.filter(target=target)
    stopped = 0
    for clock in clocks:
        if clock.state == ClockState.RUNNING and at > clock.due_at and clock.breached_at is None:
            clock.breached_at = clock.due_at
        if clock.state == ClockState.PAUSED and clock.paused_at:
            clock.paused_seconds += (at - clock.paused_at).total_seconds()
        clock.state = ClockState.CANCELLED if cancel else ClockState.COMPLETED
        clock.stopped_at = at
        clock.next_check_at = None
        clock.save(
            update_fields=["breached_at", "paused_seconds", "state", "stopped_at", "next_check_at"]
        )
        stopped += 1
    return stopped
