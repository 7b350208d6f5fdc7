"""The right to be heard: recording each person's statement of defence, or that none came."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind
from violations import audit, policy
from violations.exceptions import InvalidState
from violations.models import Case
from violations.services.clocks import clock_resume, clock_stop

from ..models import Defence, DefenceStatus
from ..policy import pending_proposal

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def defence_record(*, case: Case, task, actor: User, responses: dict[int, tuple[str, str]]) -> list:
    """Record, for each person notified of the proposal, their answer.

    ``responses`` maps an employee id to ``(outcome, text)``: ``statement`` with the text of
    the statement of defence, ``waived`` (the person declined to answer), or ``none`` (no
    statement came by the deadline, allowed only once the deadline has passed).

    Preconditions: open defence task; actor is a compliance officer and no party; every person
    still awaited gets an answer. Completes the step: the proposal goes to approval.
    """
    policy.require(
        actor, "propose_sanction", _("Only compliance officers record statements of defence.")
    )
    policy.require_not_party(actor, case)
    proposal = pending_proposal(case)
    if proposal is None:
        raise InvalidState(_("There is no proposal awaiting a defence."))
    now = timezone.now()
    records = list(proposal.defences.select_related("employee"))
    errors = []
    for rec in records:
        if rec.status != DefenceStatus.PENDING:
            continue
        outcome, text = responses.get(rec.employee_id, ("", ""))
        name = rec.employee.name
        if outcome not in Defence.values:
            errors.append(_("Record the answer of %(name)s.") % {"name": name})
        elif outcome == Defence.STATEMENT and not (text or "").strip():
            errors.append(
                _("%(name)s: give the text of the statement of defence.") % {"name": name}
            )
        elif outcome == Defence.NONE and now <= rec.due_at:
            errors.append(
                _("%(name)s still has until %(due)s to answer.")
                % {"name": name, "due": timezone.localtime(rec.due_at).strftime("%Y-%m-%d %H:%M")}
            )
    if errors:
        raise ValidationError(errors)
    changed = []
    for rec in records:
        if rec.status != DefenceStatus.PENDING:
            continue
        outcome, text = responses[rec.employee_id]
        rec.status = outcome
        rec.statement = (text or "").strip()
        rec.received_at = now if outcome != Defence.NONE else None
        rec.recorded_by = actor
        audit.save(
            rec,
            actor=actor,
            reason=f"defence: {outcome}",
            update_fields=["status", "statement", "received_at", "recorded_by"],
        )
        changed.append(rec)
    audit.record(
        action="defence.recorded",
        actor=actor,
        case=case,
        payload={
            "round": proposal.round,
            "task": task.pk,
            "answers": sorted([r.employee.staff_number, r.status] for r in changed),
            # The words themselves, so the signed trail a regulator receives holds them.
            "statements": sorted(
                [r.employee.staff_number, r.statement] for r in changed if r.statement
            ),
        },
    )
    _defence_over(case, proposal, now)
    return changed


def _defence_over(case: Case, proposal, now) -> None:
    clock_stop(case=case, kind=DeadlineKind.DEFENCE, target=f"proposal:{proposal.pk}", at=now)
    clock_resume(case=case, kind=f"stage.{case.stage}", at=now)


def defence_close(*, case: Case, task, now) -> list:
    """Record that nobody still awaited answered by the deadline, once every deadline of
    the pending proposal has passed; returns the records closed (empty: nothing to close).

    Preconditions: the caller holds the case locked and completes the defence step when
    something was closed (``casework.services.defence_close_overdue``).
    """
    proposal = pending_proposal(case)
    if proposal is None:
        return []
    pending = list(
        proposal.defences.filter(status=DefenceStatus.PENDING).select_related("employee")
    )
    if any(rec.due_at >= now for rec in pending):
        return []
    for rec in pending:
        rec.status = DefenceStatus.NONE
        audit.save(rec, actor=None, reason="defence: deadline passed", update_fields=["status"])
    audit.record(
        action="defence.window_closed",
        actor=None,
        case=case,
        payload={
            "round": proposal.round,
            "task": task.pk,
            "no_statement": sorted(r.employee.staff_number for r in pending),
        },
    )
    _defence_over(case, proposal, now)
    return pending


__all__ = ["defence_close", "defence_record"]
