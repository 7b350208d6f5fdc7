"""Training sessions held because of cases, with their attendees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import audit, dates, policy
from violations.exceptions import NotAllowed
from violations.models import Case, Employee

from ..models import RootCause, TrainingAttendance, TrainingSession
from ..policy import may_record_training, may_record_training_completion

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def training_record(
    *,
    actor: User,
    topic: str,
    held_on: dt.date,
    trainer: str,
    attendees: Iterable[Employee],
    cases: Iterable[Case],
    root_causes: Iterable[RootCause] = (),
    notes: str = "",
    due_date: dt.date | None = None,
) -> TrainingSession:
    """Record a training session and the cases and root causes it answers.

    Preconditions: actor plans remediation, manages cases or owns corrective actions, and is
    no party to any linked case; topic and trainer given; held today or earlier; at least one
    attendee and one case; every root cause belongs to one of the linked cases; a due date
    for completion, if given, is not before the session.
    """
    attendees, root_causes = list(attendees), list(root_causes)
    case_ids = sorted({c.pk for c in cases})
    with transaction.atomic():
        locked = list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
        if not may_record_training(actor):
            raise NotAllowed(
                _("Only remediation planners, owners and the case manager record training.")
            )
        for case in locked:
            policy.require_not_party(actor, case)
        errors: dict[str, list] = {}
        if not topic.strip():
            errors["topic"] = [_("Give the topic of the training.")]
        if not trainer.strip():
            errors["trainer"] = [_("Name the trainer.")]
        if held_on > timezone.localdate():
            errors["held_on"] = [_("Record a training once it has been held.")]
        elif problem := next(
            (p for c in locked if (p := dates.done_since_report(held_on, case=c))), None
        ):
            errors["held_on"] = [problem]
        if due_date is not None and due_date < held_on:
            errors["due_date"] = [_("Training cannot be due before it is held.")]
        if not attendees:
            errors["attendees"] = [_("Name at least one attendee.")]
        if not locked:
            errors["cases"] = [_("Link the training to at least one case.")]
        if any(rc.case_id not in case_ids for rc in root_causes):
            errors["root_causes"] = [
                _("A root cause answered must belong to one of the linked cases.")
            ]
        if errors:
            raise ValidationError(errors)
        session = TrainingSession(
            topic=topic,
            held_on=held_on,
            trainer=trainer,
            notes=notes,
            recorded_by=actor,
            due_date=due_date,
        )
        audit.save(session, actor=actor, reason="training recorded")
        for employee in {e.pk: e for e in attendees}.values():
            audit.save(
                TrainingAttendance(session=session, employee=employee),
                actor=actor,
                reason="training recorded",
            )
        session.cases.set(locked)
        session.root_causes.set(root_causes)
        audit.touch(session)
        # The session answers several cases: each case's chain vouches for it.
        for case in locked:
            audit.record(
                action="training.recorded",
                actor=actor,
                case=case,
                records=[session],
                payload={
                    "training": session.pk,
                    "topic": topic,
                    "held_on": held_on.isoformat(),
                    "due_date": due_date.isoformat() if due_date else None,
                    "attendees": len(attendees),
                    "root_causes": sorted(rc.pk for rc in root_causes if rc.case_id == case.pk),
                },
            )
    return session


def training_completion_record(
    *,
    attendance: TrainingAttendance,
    actor: User,
    completed: bool,
    completed_at: dt.datetime | None = None,
    reason: str = "",
) -> TrainingAttendance:
    """Record that an attendee completed the training (or correct a completion recorded in
    error, with a reason).

    Preconditions: actor plans remediation, manages cases or is an HR officer, is no party
    to any case the session answers, and is not the attendee; a completion is not in the
    future nor before the session; withdrawing one needs a reason; the state changes.
    """
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=attendance.session_id)
        row = TrainingAttendance.objects.select_for_update().get(pk=attendance.pk)
        if not may_record_training_completion(actor):
            raise NotAllowed(
                _("Only compliance officers, case managers and HR officers record completion.")
            )
        own = policy.employee_of(actor)
        if own is not None and own.pk == row.employee_id:
            raise NotAllowed(_("Nobody records the completion of their own training."))
        cases = list(session.cases.order_by("pk"))
        for case in cases:
            policy.require_not_party(actor, case)
        now = timezone.now()
        errors: dict[str, list] = {}
        if completed == row.completed:
            errors["completed"] = [
                _("This completion is already recorded.")
                if completed
                else _("No completion is recorded to withdraw.")
            ]
        if completed:
            completed_at = completed_at or now
            if completed_at > now:
                errors["completed_at"] = [_("A completion cannot be in the future.")]
            elif timezone.localdate(completed_at) < session.held_on:
                errors["completed_at"] = [_("A completion cannot be before the session.")]
        elif not reason.strip():
            errors["reason"] = [_("Say why the completion is withdrawn.")]
        if errors:
            raise ValidationError(errors)
        row.completed = completed
        row.completed_at = completed_at if completed else None
        row.completion_recorded_by = actor
        audit.save(
            row,
            actor=actor,
            reason=reason or "training completed",
            update_fields=["completed", "completed_at", "completion_recorded_by"],
        )
        for case in cases:
            audit.record(
                action="training.completed" if completed else "training.completion_withdrawn",
                actor=actor,
                case=case,
                reason=reason,
                records=[row],
                payload={
                    "training": session.pk,
                    "topic": session.topic,
                    "attendee": row.employee_id,
                    "completed_at": row.completed_at.isoformat() if row.completed_at else None,
                },
            )
    return row


def training_attendance_carry_over() -> None:
    """Vouch for the attendees recorded before attendance was a record of its own (the
    migration that made it one calls this): each gets a history row, and one
    ``config.migrated`` event on the system chain carries their digests."""
    from violations.services.reference import reference_migrated

    rows: list[models.Model] = list(TrainingAttendance.objects.order_by("pk"))
    reference_migrated(rows=rows, reason="training attendance became a record")
