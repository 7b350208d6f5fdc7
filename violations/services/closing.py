"""Stage bookkeeping, outcome notices, closing and cancelling. Called by the process, which
holds the case locked (actor: system, except a case manager's cancellation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind

from .. import audit, policy
from ..exceptions import InvalidState
from ..models import Case, Outcome, OutcomeNotice, ReporterIdentity, Stage
from .clocks import clock_start, clock_stop
from .notices import reporter_notify
from .reporter_clocks import feedback_given

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTICE_TEXT = {
    Outcome.DISMISSED: _("After preliminary verification the report was dismissed."),
    Outcome.DUPLICATE: _("The report concerns a matter already under review in another case."),
    Outcome.NOT_ESTABLISHED: _("After investigation the reported violation was not established."),
    Outcome.SANCTIONED: _("The violation was established and has been dealt with."),
}


def case_enter_stage(*, case: Case, stage: str) -> None:
    """Move the case to ``stage`` and start its deadline. Idempotent for the same stage."""
    if case.stage == stage and case.stage_due_at is not None:
        return
    now = timezone.now()
    previous = case.stage
    clock_stop(case=case, kind=f"stage.{previous}", at=now)
    kind = DeadlineKind.of_stage(stage)
    case.stage = stage
    case.stage_entered_at = now
    case.stage_due_at = None
    if kind is not None:
        clock = clock_start(case=case, kind=kind, target=now.isoformat(), start=now)
        case.stage_due_at = clock.due_at
    audit.save(
        case,
        actor=None,
        reason=f"stage: {stage}",
        update_fields=["stage", "stage_entered_at", "stage_due_at"],
    )
    audit.record(
        action="stage.entered",
        actor=None,
        case=case,
        payload={
            "from": previous,
            "to": stage,
            "due": case.stage_due_at.isoformat() if case.stage_due_at else None,
        },
    )


def outcome_notice_send(*, case: Case) -> OutcomeNotice:
    """Tell the reporter (or the customer) how the case ended. Dismissed cases get one too."""
    outcome = case.outcome if case.outcome != Outcome.OPEN else Outcome.SANCTIONED
    # A protected reporter is written to through the vault: the notice names no one.
    vaulted = ReporterIdentity.objects.filter(case=case).select_related("user").first()
    if case.reported_by is not None and not case.is_anonymous:
        recipient = case.reported_by.get_username()
    elif vaulted is not None:
        recipient = "reporter (confidential channel)"
    else:
        recipient = "reporter"
    notice = OutcomeNotice(
        case=case, outcome=outcome, text=str(NOTICE_TEXT[Outcome(outcome)]), recipient=recipient
    )
    audit.save(notice, actor=None, reason="outcome notice")
    audit.record(
        action="outcome.notified",
        actor=None,
        case=case,
        payload={"outcome": outcome, "recipient": recipient},
    )
    with translation.override(None):
        # The untranslated sentence: the reporter reads it in their own language.
        msgid = str(NOTICE_TEXT[Outcome(outcome)])
    reporter_notify(case=case, kind="case.outcome", context={"notice": msgid})
    # The outcome is the reporter's final feedback.
    feedback_given(case=case, at=notice.sent_at)
    return notice


def case_close(*, case: Case) -> Case:
    """Freeze the case: stage closed, closing time, final outcome."""
    # The last stage's clock is met; anything else still timed no longer has to be done.
    clock_stop(case=case, kind=f"stage.{case.stage}")
    clock_stop(case=case, cancel=True)
    case.stage = Stage.CLOSED
    case.closed_at = timezone.now()
    case.stage_entered_at = case.closed_at
    case.stage_due_at = None
    if case.outcome == Outcome.OPEN:
        case.outcome = Outcome.SANCTIONED
    audit.save(
        case,
        actor=None,
        reason="closed",
        update_fields=["stage", "closed_at", "stage_entered_at", "stage_due_at", "outcome"],
    )
    audit.record(action="case.closed", actor=None, case=case, payload={"outcome": case.outcome})
    return case


def case_cancel(*, case: Case, actor: User, reason: str) -> Case:
    """End an open case without a finding, for a reason on its timeline (a report withdrawn
    for good cause, a case opened in error). The case manager's call, as are reassignments.

    Preconditions: the caller holds the case locked and cancels the process's open tasks in
    the same transaction (``casework.services.case_cancel``).
    """
    policy.require_not_party(actor, case)
    policy.require(actor, "manage_cases", _("Only a case manager can cancel a case."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is cancelled.")})
    if case.is_closed:
        raise InvalidState(_("This case is closed already."))
    previous = case.stage
    case.outcome = Outcome.CANCELLED
    case.stage = Stage.CLOSED
    case.closed_at = timezone.now()
    case.stage_entered_at = case.closed_at
    case.stage_due_at = None
    clock_stop(case=case, at=case.closed_at, cancel=True)
    audit.save(
        case,
        actor=actor,
        reason=reason,
        update_fields=["stage", "closed_at", "stage_entered_at", "stage_due_at", "outcome"],
    )
    audit.record(
        action="case.cancelled",
        actor=actor,
        case=case,
        reason=reason,
        payload={"stage": previous, "outcome": case.outcome},
    )
    return case
