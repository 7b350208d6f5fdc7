"""Proposing sanctions (with the matrix, precedents and the notice to be heard) and the
approval decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind
from notifications.services import notify
from violations import audit, policy
from violations.exceptions import InvalidState
from violations.models import Case, Finding, ResponsiblePerson, Severity
from violations.services.clocks import clock_pause, clock_start, rule_of

from .. import selectors
from ..models import (
    ApprovalDecision,
    Assessment,
    Decision,
    DefenceRecord,
    DefenceStatus,
    ProposalStatus,
    ProposedSanction,
    SanctionKind,
    SanctionProposal,
    SanctionStatus,
    SanctionType,
)
from ..policy import pending_proposal, require_may_approve
from .params import Normalised, SanctionItem, normalise

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

__all__ = ["PersonFactors", "SanctionItem", "sanction_decide", "sanction_propose"]


@dataclass(frozen=True)
class PersonFactors:
    """Mitigating facts the proposer attests for one person (the rest are read from the case)."""

    self_reported: bool = False
    cooperated: bool = False
    loss_repaid: bool = False


def _validate_items(
    items: list[SanctionItem], responsible: list[ResponsiblePerson], kinds: dict[str, SanctionKind]
) -> tuple[list[Normalised], list[StrOrPromise]]:
    errors: list[StrOrPromise] = []
    params: list[Normalised] = []
    ids = {r.pk for r in responsible}
    covered = set()
    for item in items:
        name = item.responsible.employee.name
        if item.responsible.pk not in ids:
            errors.append(
                _("%(name)s is not a responsible person in the current finding.") % {"name": name}
            )
        if item.sanction_type not in SanctionType.values or item.sanction_type not in kinds:
            errors.append(_("Unknown sanction type."))
            params.append(Normalised({}))
            continue
        covered.add(item.responsible.pk)
        normalised, item_errors = normalise(item, today=timezone.localdate())
        params.append(normalised)
        errors.extend(item_errors)
    for r in responsible:
        if r.pk not in covered:
            errors.append(
                _("Propose at least one sanction for %(name)s.") % {"name": r.employee.name}
            )
    return params, errors


def defence_notice(case: Case, finding: Finding, employee, items: list[SanctionItem], due) -> str:
    kinds = ", ".join(str(SanctionType(i.sanction_type).label) for i in items)
    return str(
        _(
            "Case %(ref)s. Findings: %(nature)s (severity: %(severity)s). Proposed sanction(s) for "
            "%(name)s: %(kinds)s. You may submit a statement of defence until %(due)s."
        )
        % {
            "ref": case.reference,
            "nature": finding.nature,
            "severity": finding.get_severity_display(),
            "name": employee.name,
            "kinds": kinds,
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        }
    )


def sanction_propose(
    *,
    case: Case,
    task,
    actor: User,
    items: list[SanctionItem],
    justification: str,
    factors: dict[int, PersonFactors] | None = None,
) -> SanctionProposal:
    """Propose sanctions for every responsible person of the latest finding.

    Preconditions: open propose task; actor may propose and is no party; every responsible
    person gets at least one well-formed sanction; a justification is given; a sanction
    outside the person's matrix range carries its own written justification. ``factors`` maps
    a responsible person's id to the mitigating facts the proposer attests.

    Effects: the proposal, its items (flagged when outside the range), one matrix assessment
    per person, and a notice to each person of the proposed findings and sanctions with the
    deadline for a statement of defence.
    """
    factors = factors or {}
    policy.require(actor, "propose_sanction", _("Only compliance officers propose sanctions."))
    policy.require_not_party(actor, case)
    finding = case.findings.order_by("-round").first()
    if finding is None or not finding.established:
        raise InvalidState(_("Sanctions follow an established finding."))
    responsible = list(finding.responsible.select_related("employee"))
    kinds = {k.code: k for k in SanctionKind.objects.filter(active=True)}
    params, errors = _validate_items(items, responsible, kinds)
    if not justification.strip():
        errors.append(_("Give the justification for the proposal."))
    if errors:
        raise ValidationError(errors)

    ranges = {
        rp.pk: selectors.assess(finding, rp, **vars(factors.get(rp.pk, PersonFactors())))
        for rp in responsible
    }
    outside = []
    for item in items:
        r = ranges[item.responsible.pk].range
        if not r.allows(item.sanction_type):
            outside.append(item)
            if not item.justification.strip():
                errors.append(
                    _(
                        "%(name)s: %(kind)s is outside the range (%(lo)s to %(hi)s); give a written "
                        "justification for it."
                    )
                    % {
                        "name": item.responsible.employee.name,
                        "kind": kinds[item.sanction_type].name,
                        "lo": kinds[r.lightest].name,
                        "hi": kinds[r.gravest].name,
                    }
                )
    if errors:
        raise ValidationError(errors)

    gravest = max((kinds[i.sanction_type] for i in items), key=lambda k: k.grade)
    proposal = SanctionProposal(
        case=case,
        round=case.sanction_proposals.count() + 1,
        justification=justification,
        proposed_by=actor,
        required_level=gravest.approval_level,
        approvals_required=gravest.approvers_required,
    )
    audit.save(proposal, actor=actor, reason="sanctions proposed")
    for item, p in zip(items, params, strict=True):
        audit.save(
            ProposedSanction(
                proposal=proposal,
                responsible=item.responsible,
                employee=item.responsible.employee,
                sanction_type=item.sanction_type,
                detail=item.detail.strip(),
                amount=p.amount,
                period_start=p.period_start,
                period_end=p.period_end,
                parameters=p.parameters,
                outside_range=item in outside,
                range_justification=item.justification.strip() if item in outside else "",
            ),
            actor=actor,
            reason="sanction proposed",
        )
    precedents = selectors.precedents(case, category=finding.category, severity=finding.severity)
    now = timezone.now()
    due = rule_of(case, DeadlineKind.DEFENCE).due(now)
    notices = []
    # While the people concerned may answer, the proposal stage waits for them.
    clock_pause(case=case, kind=f"stage.{case.stage}", at=now)
    clock_start(
        case=case,
        kind=DeadlineKind.DEFENCE,
        target=f"proposal:{proposal.pk}",
        start=now,
        due_at=due,
    )
    for rp in responsible:
        pr = ranges[rp.pk]
        f = factors.get(rp.pk, PersonFactors())
        own = [i for i in items if i.responsible.pk == rp.pk]
        grade = max(kinds[i.sanction_type].grade for i in own)
        audit.save(
            Assessment(
                proposal=proposal,
                responsible=rp,
                employee=rp.employee,
                self_reported=f.self_reported,
                cooperated=f.cooperated,
                loss_repaid=f.loss_repaid,
                prior_cases=pr.prior_cases,
                lightest=pr.range.lightest,
                gravest=pr.range.gravest,
                recommended=pr.range.recommended,
                also_allowed=list(pr.range.also_allowed),
                reasons=[pr.base_note, *[r.text for r in pr.range.reasons]],
                comparison=precedents.compare(grade),
            ),
            actor=actor,
            reason="matrix assessment",
        )
        notice = defence_notice(case, finding, rp.employee, own, due)
        notices.append([rp.employee.staff_number, due.isoformat(), notice])
        audit.save(
            DefenceRecord(
                proposal=proposal, employee=rp.employee, notified_at=now, notice=notice, due_at=due
            ),
            actor=actor,
            reason="right to be heard: notified",
        )
        defence_notify(case=case, finding=finding, employee=rp.employee, items=own, due=due)
    audit.record(
        action="sanctions.proposed",
        actor=actor,
        case=case,
        reason=justification,
        payload={
            "round": proposal.round,
            "level": proposal.required_level,
            "approvers": proposal.approvals_required,
            "sanctions": sorted(
                [i.responsible.employee.staff_number, i.sanction_type] for i in items
            ),
            "outside_range": sorted(
                [i.responsible.employee.staff_number, i.sanction_type] for i in outside
            ),
            "defence_due": due.isoformat(),
            # Each notice as sent, so the signed trail a regulator receives holds it.
            "notices": sorted(notices),
            "task": task.pk,
        },
    )
    return proposal


def defence_notify(
    *, case: Case, finding: Finding, employee, items: list[SanctionItem], due
) -> None:
    """The notice to be heard, to the employee concerned, in their language; an employee
    without a login is handed the notice on paper (the defence record keeps its text)."""
    if not employee.user_id:
        return
    with translation.override(None):
        # Untranslated labels: each is shown in the recipient's language when sent.
        severity = str(Severity(finding.severity).label) if finding.severity else ""
        kinds = [str(SanctionType(i.sanction_type).label) for i in items]
    notify(
        employee.user,
        "sanction.defence_notice",
        case_reference=case.reference,
        context={
            "ref": case.reference,
            "nature": finding.nature,
            "severity": severity,
            "name": employee.name,
            "kinds": kinds,
            "due": due.isoformat(),
        },
        mandatory=True,
    )


def decision_notify(*, case: Case, proposal: SanctionProposal, reason: str) -> None:
    """The final decision on a proposal, to its proposer."""
    if proposal.proposed_by is None:
        return
    with translation.override(None):
        result = str(ProposalStatus(proposal.status).label)
    notify(
        proposal.proposed_by,
        "sanction.decided",
        case_reference=case.reference,
        context={"round": proposal.round, "result": result, "reason": reason},
        link=case.get_absolute_url(),
    )


def sanction_decide(
    *, case: Case, task, actor: User, decision: str, reason: str = ""
) -> ApprovalDecision:
    """Approve, reject (back to proposal) or return for more investigation.

    Preconditions: open approve task; a pending proposal whose persons have been heard (a
    statement, a waiver, or the deadline passed); the actor passes segregation of duties,
    holds the required level and has not already approved this proposal; a rejection or
    return gives its reason. A proposal needing two approvers stays pending after the first
    approval, and the flow offers the approval again to a different approver.
    """
    proposal = pending_proposal(case)
    if proposal is None:
        raise InvalidState(_("There is no proposal awaiting approval."))
    require_may_approve(actor, case, proposal)
    if proposal.defences.filter(status=DefenceStatus.PENDING).exists():
        raise InvalidState(_("The persons concerned have not all been heard yet."))
    if decision not in Decision.values:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting or returning.")]})
    record = ApprovalDecision(
        proposal=proposal,
        approver=actor,
        level=proposal.required_level,
        decision=decision,
        reason=reason,
    )
    audit.save(record, actor=actor, reason=f"approval: {decision}")
    approvals = proposal.decisions.filter(decision=Decision.APPROVE).count()
    final = decision != Decision.APPROVE or approvals >= proposal.approvals_required
    if final:
        proposal.status = {
            Decision.APPROVE: ProposalStatus.APPROVED,
            Decision.REJECT: ProposalStatus.REJECTED,
            Decision.RETURN: ProposalStatus.RETURNED,
        }[Decision(decision)]
        audit.save(proposal, actor=actor, reason=f"approval: {decision}", update_fields=["status"])
        new_status = (
            SanctionStatus.APPROVED if decision == Decision.APPROVE else SanctionStatus.REJECTED
        )
        for item in proposal.items.all():
            item.status = new_status
            audit.save(item, actor=actor, reason=f"approval: {decision}", update_fields=["status"])
        decision_notify(case=case, proposal=proposal, reason=reason)
    audit.record(
        action=f"sanctions.{decision}",
        actor=actor,
        case=case,
        reason=reason,
        payload={
            "round": proposal.round,
            "level": proposal.required_level,
            "approvals": approvals,
            "approvers_required": proposal.approvals_required,
            "final": final,
            "task": task.pk,
        },
    )
    return record
