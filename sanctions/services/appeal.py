"""Appeals: filed on behalf of a sanctioned person within the window, decided outside the
original chain."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind
from violations import audit, policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case
from violations.services.clocks import clock_start, clock_stop, rule_of

from .. import policy as sanction_policy
from ..models import Appeal, AppealOutcome, AppealStatus, ProposedSanction, SanctionStatus
from .execution import approved_proposal
from .params import SanctionItem, normalise

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def appeal_file(
    *, case: Case, actor: User, employee, grounds: str, window_closes_at: dt.datetime | None
) -> Appeal:
    """Record a sanctioned person's appeal (subjects have no login: HR or compliance records
    it for them).

    Preconditions: actor may file appeals and is no party; the person's sanctions in this
    case have been executed (the decision was notified) and the appeal window is still open;
    no earlier appeal by the person against this decision; grounds are given. The caller
    holds the case locked and says when its appeal window closes (None: it has closed).
    """
    if not grounds.strip():
        raise ValidationError({"grounds": [_("Give the grounds of the appeal.")]})
    with transaction.atomic():
        sanction_policy.require(
            actor, "file_appeal", _("Only HR and compliance staff record appeals.")
        )
        policy.require_not_party(actor, case)
        proposal = approved_proposal(case)
        executed = (
            proposal.items.filter(employee=employee, status=SanctionStatus.EXECUTED)
            if proposal
            else ProposedSanction.objects.none()
        )
        if not executed.exists():
            raise InvalidState(
                _("%(name)s has no executed sanction in this case to appeal against.")
                % {"name": employee.name}
            )
        now = timezone.now()
        if window_closes_at is None or window_closes_at <= now:
            raise InvalidState(_("The appeal window for this case has closed."))
        if Appeal.objects.filter(proposal=proposal, employee=employee).exists():
            raise InvalidState(
                _("%(name)s has already appealed against this decision.") % {"name": employee.name}
            )
        appeal = Appeal(
            case=case,
            proposal=proposal,
            employee=employee,
            grounds=grounds.strip(),
            filed_at=now,
            filed_by=actor,
            decide_by=rule_of(case, DeadlineKind.APPEAL_DECISION).due(max(now, window_closes_at)),
        )
        audit.save(appeal, actor=actor, reason="appeal filed")
        clock_start(
            case=case,
            kind=DeadlineKind.APPEAL_DECISION,
            target=f"appeal:{appeal.pk}",
            start=now,
            due_at=appeal.decide_by,
        )
        audit.record(
            action="appeal.filed",
            actor=actor,
            case=case,
            reason=grounds,
            payload={
                "appeal": appeal.pk,
                "employee": employee.staff_number,
                "decide_by": appeal.decide_by.isoformat(),
            },
        )
    return appeal


def appeal_decide(
    *,
    case: Case,
    task,
    actor: User,
    appeal: Appeal,
    outcome: str,
    reason: str,
    items: list[SanctionItem] | None = None,
) -> Appeal:
    """Uphold, modify or revoke the sanctions the appeal is against.

    Preconditions: open decide_appeal task; the appeal is open and belongs to the case; the
    actor may decide appeals and took no part in the case or its decision (not a party,
    proposer, approver, investigator or responsible person); reasons are given; a
    modification gives the new, well-formed sanctions, which replace the old ones and go
    through execution again.
    """
    items = items or []
    sanction_policy.require_may_decide_appeal(actor, case)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.case_id != case.pk:
        raise NotAllowed(_("This appeal belongs to another case."))
    if appeal.status != AppealStatus.OPEN:
        raise InvalidState(_("This appeal has already been decided."))
    errors: list[StrOrPromise] = []
    if outcome not in AppealOutcome.values:
        errors.append(_("Choose uphold, modify or revoke."))
    if not reason.strip():
        errors.append(_("Give the reasons for the decision."))
    current = list(
        appeal.proposal.items.filter(employee=appeal.employee, status=SanctionStatus.EXECUTED)
    )
    params = []
    if outcome == AppealOutcome.MODIFY:
        if not items:
            errors.append(_("Give the sanctions that replace the appealed ones."))
        for item in items:
            if item.responsible.employee_id != appeal.employee_id:
                errors.append(_("A modified sanction must concern the appellant."))
            p, item_errors = normalise(item, today=timezone.localdate())
            params.append(p)
            errors.extend(item_errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    clock_stop(case=case, kind=DeadlineKind.APPEAL_DECISION, target=f"appeal:{appeal.pk}", at=now)
    ended = SanctionStatus.SUPERSEDED if outcome == AppealOutcome.MODIFY else SanctionStatus.REVOKED
    if outcome != AppealOutcome.UPHOLD:
        for old in current:
            old.status = ended
            old.ended_at, old.ended_by, old.end_reason = now, actor, reason.strip()
            audit.save(
                old,
                actor=actor,
                reason=f"appeal {outcome}",
                update_fields=["status", "ended_at", "ended_by", "end_reason"],
            )
    for item, p in zip(items if outcome == AppealOutcome.MODIFY else [], params, strict=False):
        audit.save(
            ProposedSanction(
                proposal=appeal.proposal,
                responsible=item.responsible,
                employee=appeal.employee,
                sanction_type=item.sanction_type,
                detail=item.detail.strip(),
                amount=p.amount,
                period_start=p.period_start,
                period_end=p.period_end,
                parameters=p.parameters,
                status=SanctionStatus.APPROVED,
                appeal=appeal,
            ),
            actor=actor,
            reason="set on appeal",
        )
    appeal.status = outcome
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, now, reason.strip()
    audit.save(
        appeal,
        actor=actor,
        reason=f"appeal {outcome}",
        update_fields=["status", "decided_by", "decided_at", "decision_reason"],
    )
    audit.record(
        action=f"appeal.{outcome}",
        actor=actor,
        case=case,
        reason=reason,
        payload={
            "appeal": appeal.pk,
            "employee": appeal.employee.staff_number,
            "ended": sorted(o.pk for o in current) if outcome != AppealOutcome.UPHOLD else [],
            "new": sorted(i.sanction_type for i in items)
            if outcome == AppealOutcome.MODIFY
            else [],
            "late": now > appeal.decide_by,
            "task": task.pk,
        },
    )
    return appeal
