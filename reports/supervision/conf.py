"""Supervision settings, overridable under ``ACCOUNTABILITY["SUPERVISION"]``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Recurrence and repeat offenders: an established case counts as a repeat when the same
    # person was responsible in another established case reported within this many days
    # before it; the repeat-offender table looks back this many days from the period's end.
    "RECURRENCE_DAYS": 365,
    # The dashboard's trend covers at most this many months (a longer period is refused).
    "MAX_MONTHS": 120,
}


def get(name: str) -> Any:
    overrides = getattr(settings, "ACCOUNTABILITY", {}).get("SUPERVISION", {})
    return overrides.get(name, DEFAULTS[name])
