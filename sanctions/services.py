"""Sanction proposals, approval decisions and execution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import audit, policy
from violations.exceptions import InvalidState
from violations.models import ResponsiblePerson
from violations.workflow import human_task

from .models import (
    GRADE,
    LEVEL_FOR_TYPE,
    ApprovalDecision,
    Decision,
    ProposalStatus,
    ProposedSanction,
    SanctionProposal,
    SanctionStatus,
    SanctionType,
)
from .policy import pending_proposal, require_may_approve


@dataclass(frozen=True)
class SanctionItem:
    responsible: ResponsiblePerson
    sanction_type: str
    detail: str = ""
    amount: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def _validate_items(items: list[SanctionItem], responsible: list[ResponsiblePerson]) -> list[str]:
    errors = []
    ids = {r.pk for r in responsible}
    covered = set()
    for item in items:
        name = item.responsible.employee.name
        if item.responsible.pk not in ids:
            errors.append(_("%(name)s is not a responsible person in the current finding.") % {"name": name})
        if item.sanction_type not in SanctionType.values:
            errors.append(_("Unknown sanction type."))
            continue
        covered.add(item.responsible.pk)
        if item.sanction_type == SanctionType.WARNING and item.detail not in ("oral", "written"):
            errors.append(_("%(name)s: say whether the warning is oral or written.") % {"name": name})
        if item.sanction_type == SanctionType.SUSPENSION:
            if not (item.period_start and item.period_end) or item.period_end < item.period_start:
                errors.append(_("%(name)s: a suspension needs a start and an end date, in order.") % {"name": name})
        if item.sanction_type == SanctionType.DEDUCTION and not (item.amount and item.amount > 0):
            errors.append(_("%(name)s: a deduction needs a positive amount.") % {"name": name})
        if item.sanction_type == SanctionType.DEMOTION and not item.detail.strip():
            errors.append(_("%(name)s: say from which position to which.") % {"name": name})
    for r in responsible:
        if r.pk not in covered:
            errors.append(_("Propose at least one sanction for %(name)s.") % {"name": r.employee.name})
    return errors


def sanction_propose(*, task, actor, items: list[SanctionItem], justification: str) -> SanctionProposal:
    """Propose sanctions for every responsible person of the latest finding.

    Preconditions: open propose task; actor may propose and is no party; every responsible
    person gets at least one well-formed sanction; a justification is given.
    """
    with human_task(task, actor=actor, expected="propose") as step:
        case = step.case
        policy.require(actor, "propose_sanction", _("Only compliance officers propose sanctions."))
        policy.require_not_party(actor, case)
        finding = case.findings.order_by("-round").first()
        if finding is None or not finding.established:
            raise InvalidState(_("Sanctions follow an established finding."))
        responsible = list(finding.responsible.select_related("employee"))
        errors = _validate_items(items, responsible)
        if not justification.strip():
            errors.append(_("Give the justification for the proposal."))
        if errors:
            raise ValidationError(errors)
        gravest = max(items, key=lambda i: GRADE[i.sanction_type]).sanction_type
        proposal = SanctionProposal(
            case=case, round=case.sanction_proposals.count() + 1, justification=justification,
            proposed_by=actor, required_level=LEVEL_FOR_TYPE[SanctionType(gravest)],
        )
        audit.save(proposal, actor=actor, reason="sanctions proposed")
        for item in items:
            audit.save(
                ProposedSanction(
                    proposal=proposal, responsible=item.responsible,
                    employee=item.responsible.employee, sanction_type=item.sanction_type,
                    detail=item.detail, amount=item.amount, period_start=item.period_start,
                    period_end=item.period_end,
                ),
                actor=actor, reason="sanction proposed",
            )
        audit.record(
            action="sanctions.proposed", actor=actor, case=case, reason=justification,
            payload={"round": proposal.round, "level": proposal.required_level,
                     "items": sorted([i.responsible.employee.staff_number, i.sanction_type] for i in items),
                     "task": step.task.pk},
        )
    return proposal


def sanction_decide(*, task, actor, decision: str, reason: str = "") -> ApprovalDecision:
    """Approve, reject (back to proposal) or return for more investigation.

    Preconditions: open approve task; a pending proposal; the actor passes segregation of
    duties and holds the required level; a rejection or return gives its reason.
    """
    with human_task(task, actor=actor, expected="approve") as step:
        case = step.case
        proposal = pending_proposal(case)
        if proposal is None:
            raise InvalidState(_("There is no proposal awaiting approval."))
        require_may_approve(actor, case, proposal)
        if decision not in Decision.values:
            raise ValidationError({"decision": [_("Choose a decision.")]})
        if decision != Decision.APPROVE and not reason.strip():
            raise ValidationError({"reason": [_("Give the reason for rejecting or returning.")]})
        record = ApprovalDecision(proposal=proposal, approver=actor, level=proposal.required_level,
                                  decision=decision, reason=reason)
        audit.save(record, actor=actor, reason=f"approval: {decision}")
        proposal.status = {
            Decision.APPROVE: ProposalStatus.APPROVED,
            Decision.REJECT: ProposalStatus.REJECTED,
            Decision.RETURN: ProposalStatus.RETURNED,
        }[Decision(decision)]
        audit.save(proposal, actor=actor, reason=f"approval: {decision}", update_fields=["status"])
        new_status = SanctionStatus.APPROVED if decision == Decision.APPROVE else SanctionStatus.REJECTED
        for item in proposal.items.all():
            item.status = new_status
            audit.save(item, actor=actor, reason=f"approval: {decision}", update_fields=["status"])
        audit.record(action=f"sanctions.{decision}", actor=actor, case=case, reason=reason,
                     payload={"round": proposal.round, "level": proposal.required_level,
                              "task": step.task.pk})
    return record


def approved_proposal(case) -> SanctionProposal | None:
    return case.sanction_proposals.filter(status=ProposalStatus.APPROVED).order_by("-round").first()


def sanction_execute(*, task, actor, executions: dict[int, tuple[dt.date, str]]) -> list[ProposedSanction]:
    """HR records that each approved sanction took effect.

    Preconditions: open execute_sanctions task; actor is an HR officer and no party; an
    effective date for every approved sanction.
    """
    with human_task(task, actor=actor, expected="execute_sanctions") as step:
        case = step.case
        policy.require(actor, "execute_sanction", _("Only HR officers record sanction execution."))
        policy.require_not_party(actor, case)
        proposal = approved_proposal(case)
        if proposal is None:
            raise InvalidState(_("There is no approved proposal."))
        items = list(proposal.items.filter(status=SanctionStatus.APPROVED).select_related("employee"))
        missing = [i.employee.name for i in items if i.pk not in executions or not executions[i.pk][0]]
        if missing:
            raise ValidationError(
                _("Give the effective date for: %(names)s.") % {"names": ", ".join(missing)})
        now = timezone.now()
        for item in items:
            item.effective_date, item.execution_note = executions[item.pk]
            item.status = SanctionStatus.EXECUTED
            item.executed_by = actor
            item.executed_at = now
            audit.save(item, actor=actor, reason="executed",
                       update_fields=["effective_date", "execution_note", "status", "executed_by", "executed_at"])
        audit.record(action="sanctions.executed", actor=actor, case=case,
                     payload={"items": [i.pk for i in items], "task": step.task.pk})
    return items
