"""Sanction-stage settings, overridable under ``ACCOUNTABILITY["SANCTIONS"]``.

Reference data an institution edits often (the catalogue, the matrix, severity grades) lives
in the database and the admin; the few numbers below change rarely and are deployment
policy, so they are settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Repeat offence: sanctions on the person's record within this many months.
    "REPEAT_LOOKBACK_MONTHS": 12,
    # Steps each factor moves the range (positive: graver, negative: lighter).
    "STEPS": {
        "repeat": 1,
        "repeat_multiple": 2,  # two or more earlier sanctioned cases in the window
        "leadership": 1,
        "self_reported": -1,
        "cooperation": -1,
        "loss_repaid": -1,
    },
    # Customer loss thresholds, ascending: (at least this amount, steps). The highest met counts.
    "LOSS_THRESHOLDS": [(Decimal("50000"), 1), (Decimal("500000"), 2)],
    # Precedents: closed cases of the same category and severity within this many years.
    "PRECEDENT_YEARS": 3,
    "PRECEDENT_LIMIT": 20,
    # Right to be heard: working days the person has to answer the proposal.
    "DEFENCE_WORKING_DAYS": 5,
    # Appeal: days after the decision is notified (execution) to appeal, days to decide it.
    "APPEAL_WINDOW_DAYS": 10,
    # A window counted in minutes instead (the demo's short wait); unset in production.
    "APPEAL_WINDOW_MINUTES": None,
    "APPEAL_DECISION_DAYS": 60,
    # ISO 4217 codes a fine or a deduction may be given in; the first is offered first.
    "CURRENCIES": ["HKD", "CNY", "USD", "TWD", "EUR"],
}


def get(name: str) -> Any:
    overrides = settings.ACCOUNTABILITY.get("SANCTIONS", {})
    return overrides.get(name, DEFAULTS[name])


def appeal_window():
    """How long the appeal window runs if it opens now: the deadline rule (reference data;
    the numbers above only seed it)."""
    from django.utils import timezone

    from deadlines.models import Kind
    from deadlines.rules import deadline

    now = timezone.now()
    return deadline(Kind.APPEAL_FILING).due(now) - now
