"""Execution of approved sanctions and their life on the person's record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import audit, dates, policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case

from .. import policy as sanction_policy
from ..matrix import add_months
from ..models import (
    ON_RECORD,
    ProposalStatus,
    ProposedSanction,
    SanctionKind,
    SanctionProposal,
    SanctionStatus,
    SanctionType,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def approved_proposal(case) -> SanctionProposal | None:
    return case.sanction_proposals.filter(status=ProposalStatus.APPROVED).order_by("-round").first()


def to_execute(case, *, revised: bool):
    """The sanctions an execution step records: the approved proposal's on the first pass,
    the ones set by an appeal on the second."""
    proposal = approved_proposal(case)
    if proposal is None:
        return ProposedSanction.objects.none()
    qs = proposal.items.filter(status=SanctionStatus.APPROVED).select_related("employee")
    return qs.filter(appeal__isnull=not revised)


def _approved_on(case) -> dt.date:
    """The day the sanctions were decided: the last decision on the approved proposal (or
    the appeal that set them); a sanction cannot take effect before it."""
    proposal = approved_proposal(case)
    moments = [d.decided_at for d in proposal.decisions.all()] if proposal else []
    moments += [a.decided_at for a in case.appeals.all() if a.decided_at]
    return timezone.localdate(max(moments)) if moments else timezone.localdate()


def sanction_execute(
    *, case: Case, task, actor: User, executions: dict, revised: bool = False
) -> list[ProposedSanction]:
    """HR records that each approved sanction took effect.

    ``executions`` maps a sanction id to ``(effective_date, note)`` or
    ``(effective_date, note, parameters)``; the parameters record what was actually done
    (for a referral to judicial authorities its ``reference`` is required).

    Preconditions: open execute_sanctions (or execute_revised, after an appeal) task; actor
    is an HR officer and no party; an effective date for every sanction to execute, not
    before the decision and at most a year after it. Sets each
    sanction's end of record period from the catalogue.
    """
    policy.require(actor, "execute_sanction", _("Only HR officers record sanction execution."))
    policy.require_not_party(actor, case)
    if approved_proposal(case) is None:
        raise InvalidState(_("There is no approved proposal."))
    items = list(to_execute(case, revised=revised))
    months = dict(SanctionKind.objects.values_list("code", "record_months"))
    approved_on = _approved_on(case)
    errors = []
    for i in items:
        entry = executions.get(i.pk)
        if not entry or not entry[0]:
            errors.append(
                _("Give the effective date for: %(name)s, %(kind)s.")
                % {"name": i.employee.name, "kind": i.get_sanction_type_display()}
            )
        elif problem := dates.planned(entry[0], earliest=approved_on, max_ahead_days=366):
            errors.append(
                _("%(name)s, %(kind)s: effective date: %(problem)s")
                % {
                    "name": i.employee.name,
                    "kind": i.get_sanction_type_display(),
                    "problem": problem,
                }
            )
        elif i.sanction_type == SanctionType.JUDICIAL and not (
            len(entry) > 2 and str(entry[2].get("reference", "")).strip()
        ):
            errors.append(
                _("%(name)s: give the judicial authority's reference for the referral.")
                % {"name": i.employee.name}
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for item in items:
        date, note, *rest = executions[item.pk]
        item.effective_date, item.execution_note = date, note
        if rest and rest[0]:
            extra = {
                k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in rest[0].items()
            }
            item.parameters = {**item.parameters, "executed": extra}
        item.expires_on = add_months(date, months[item.sanction_type])
        item.status = SanctionStatus.EXECUTED
        item.executed_by = actor
        item.executed_at = now
        audit.save(
            item,
            actor=actor,
            reason="executed",
            update_fields=[
                "effective_date",
                "execution_note",
                "parameters",
                "expires_on",
                "status",
                "executed_by",
                "executed_at",
            ],
        )
    audit.record(
        action="sanctions.executed",
        actor=actor,
        case=case,
        payload={"sanctions": [i.pk for i in items], "task": task.pk, "revised": revised},
    )
    return items


def sanction_expire_due(*, today: dt.date | None = None) -> int:
    """Move every executed sanction whose record period is over to ``expired``. Daily; safe to
    re-run. Returns the number of sanctions expired."""
    today = today or timezone.localdate()
    due = ProposedSanction.objects.filter(
        status=SanctionStatus.EXECUTED, expires_on__lte=today
    ).values_list("proposal__case_id", "pk")
    by_case = defaultdict(list)
    for case_id, pk in due:
        by_case[case_id].append(pk)
    count = 0
    for case_id, pks in by_case.items():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            items = list(
                ProposedSanction.objects.select_for_update().filter(
                    pk__in=pks, status=SanctionStatus.EXECUTED, expires_on__lte=today
                )
            )
            now = timezone.now()
            for item in items:
                item.status = SanctionStatus.EXPIRED
                item.ended_at = now
                item.end_reason = "record period over"
                audit.save(
                    item,
                    actor=None,
                    reason="expired",
                    update_fields=["status", "ended_at", "end_reason"],
                )
            if items:
                audit.record(
                    action="sanctions.expired",
                    actor=None,
                    case=case,
                    payload={"sanctions": sorted(i.pk for i in items), "on": today.isoformat()},
                )
            count += len(items)
    return count


def _end(
    sanction: ProposedSanction, *, actor: User, reason: str, status: str, allowed: list[str]
) -> ProposedSanction:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        item = ProposedSanction.objects.select_related("proposal__case").get(pk=sanction.pk)
        case = Case.objects.select_for_update().get(pk=item.proposal.case_id)
        item = ProposedSanction.objects.select_for_update().get(pk=sanction.pk)
        sanction_policy.require(
            actor, "end_sanction", _("Only HR officers and case managers lift or revoke sanctions.")
        )
        policy.require_not_party(actor, case)
        if policy.is_responsible_person(actor, case):
            raise NotAllowed(_("You are a responsible person in this case."))
        if item.status not in allowed:
            raise InvalidState(
                _("This sanction is %(status)s and cannot be changed this way.")
                % {"status": item.get_status_display()}
            )
        previous = item.status
        item.status = status
        item.ended_at = timezone.now()
        item.ended_by = actor
        item.end_reason = reason.strip()
        audit.save(
            item,
            actor=actor,
            reason=status,
            update_fields=["status", "ended_at", "ended_by", "end_reason"],
        )
        audit.record(
            action=f"sanctions.{status}",
            actor=actor,
            case=case,
            reason=reason,
            payload={"item": item.pk, "from": previous, "employee": item.employee.staff_number},
        )
    return item


def sanction_lift(*, sanction: ProposedSanction, actor: User, reason: str) -> ProposedSanction:
    """End an active sanction before its record period is over (it stays on the record as
    lifted). Preconditions: the sanction is executed and active; actor may end sanctions and
    is no party; a reason."""
    return _end(
        sanction,
        actor=actor,
        reason=reason,
        status=SanctionStatus.LIFTED,
        allowed=[SanctionStatus.EXECUTED],
    )


def sanction_revoke(*, sanction: ProposedSanction, actor: User, reason: str) -> ProposedSanction:
    """Annul a sanction: it no longer counts on the person's record (for example when a
    court or a later review overturns it). Preconditions: the sanction is on the record;
    actor may end sanctions and is no party; a reason."""
    return _end(
        sanction, actor=actor, reason=reason, status=SanctionStatus.REVOKED, allowed=list(ON_RECORD)
    )
