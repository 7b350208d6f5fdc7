"""Training sessions held because of cases, with their attendees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import audit, dates, policy
from violations.exceptions import NotAllowed
from violations.models import Case, Employee

from ..models import RootCause, TrainingSession
from ..policy import may_record_training

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
) -> TrainingSession:
    """Record a training session and the cases and root causes it answers.

    Preconditions: actor plans remediation, manages cases or owns corrective actions, and is
    no party to any linked case; topic and trainer given; held today or earlier; at least one
    attendee and one case; every root cause belongs to one of the linked cases.
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
            topic=topic, held_on=held_on, trainer=trainer, notes=notes, recorded_by=actor
        )
        audit.save(session, actor=actor, reason="training recorded")
        session.attendees.set(attendees)
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
                    "attendees": len(attendees),
                    "root_causes": sorted(rc.pk for rc in root_causes if rc.case_id == case.pk),
                },
            )
    return session
