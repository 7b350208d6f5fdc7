"""Which audit actions other systems hear of, and with which facts.

``audit.record`` hands every case event to :func:`case_event`; an action named in
``ACTIONS`` becomes a webhook event, queued by ``notifications.webhooks`` in the same
transaction (each subscriber's scope then keeps only the facts it may see). The facts of
the case itself are read here; an app above this one adds its own for its events through
:func:`register_facts` (``sanctions`` gives the sanctions with the staff numbers they
concern), from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from notifications import webhooks

# audit action -> webhook event (an approval counts only when final: :func:`_event_of`).
ACTIONS: dict[str, str] = {
    "case.reported": webhooks.CASE_REPORTED,
    "stage.entered": webhooks.STAGE_CHANGED,
    "sanctions.approve": webhooks.SANCTION_APPROVED,
    "sanctions.executed": webhooks.SANCTION_EXECUTED,
    "case.closed": webhooks.CASE_CLOSED,
    "case.cancelled": webhooks.CASE_CLOSED,
}

Facts = Callable[[Any, str, Mapping[str, Any]], Mapping[str, Any]]
_FACTS: dict[str, list[Facts]] = {}


def register_facts(event: str, provider: Facts) -> None:
    """Add ``provider(case, action, payload) -> facts`` to what ``event`` carries."""
    if event not in webhooks.EVENTS:
        raise LookupError(f"unknown webhook event {event!r}")
    providers = _FACTS.setdefault(event, [])
    if provider not in providers:
        providers.append(provider)


def _event_of(action: str, payload: Mapping[str, Any]) -> str | None:
    event = ACTIONS.get(action)
    # The flow's first task confirms the stage a new case starts in: no change to tell.
    if event == webhooks.STAGE_CHANGED and payload.get("from") == payload.get("to"):
        return None
    # An approval that still waits for a second approver approves nothing yet.
    if event == webhooks.SANCTION_APPROVED and not payload.get("final"):
        return None
    return event


def case_event(*, action: str, case, payload: Mapping[str, Any]) -> int:
    """Queue the webhook event of ``action`` on ``case``, if any; return deliveries written.
    Preconditions: inside the transaction of the change, after its audit event."""
    event = _event_of(action, payload)
    if event is None:
        return 0

    def facts() -> dict[str, Any]:
        known: dict[str, Any] = {
            "reference": case.reference,
            "stage": case.stage,
            "outcome": case.outcome,
        }
        if event == webhooks.STAGE_CHANGED:
            known["previous_stage"] = payload.get("from")
        for provider in _FACTS.get(event, []):
            known.update(provider(case, action, payload))
        return known

    return webhooks.webhook_event(
        event,
        case_reference=case.reference,
        reported_by=case.reported_by_id,
        facts=facts,
    )
