"""The facts a sanction event gives other systems: each sanction with the staff number of the
person it concerns (never a name; a scope decides whether the staff numbers go at all)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notifications import webhooks as events
from violations.webhooks import register_facts

from .models import ProposedSanction, SanctionStatus


def _row(item: ProposedSanction) -> dict[str, Any]:
    return {
        "id": item.pk,
        "staff_number": item.employee.staff_number,
        "sanction": item.sanction_type,
        "status": item.status,
        "effective_date": item.effective_date.isoformat() if item.effective_date else None,
        "active_until": item.expires_on.isoformat() if item.expires_on else None,
    }


def approved_facts(case, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    from .services.execution import approved_proposal

    proposal = approved_proposal(case)
    items = (
        proposal.items.filter(status=SanctionStatus.APPROVED).select_related("employee")
        if proposal is not None
        else ProposedSanction.objects.none()
    )
    return {"sanctions": [_row(i) for i in items.order_by("pk")]}


def executed_facts(case, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    items = ProposedSanction.objects.filter(pk__in=payload.get("sanctions", [])).select_related(
        "employee"
    )
    return {"sanctions": [_row(i) for i in items.order_by("pk")]}


def register() -> None:
    register_facts(events.SANCTION_APPROVED, approved_facts)
    register_facts(events.SANCTION_EXECUTED, executed_facts)
