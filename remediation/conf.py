"""Remediation settings, read from ``settings.ACCOUNTABILITY`` with the brief's defaults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A customer complaint is answered within 15 days of the report; a complex one may be
    # extended, with a reason, up to 30 days.
    "COMPLAINT_DAYS": 15,
    "COMPLAINT_MAX_DAYS": 30,
    # A major violation is reported to the regulator within this time of the fact finding
    # that graded it major.
    "REGULATOR_NOTIFY_WITHIN": timedelta(days=5),
}


# Deadlines are reference data (deadlines.DeadlineRule); the numbers above seed the rules.
RULES = {
    "COMPLAINT_DAYS": "complaint",
    "COMPLAINT_MAX_DAYS": "complaint_extension",
    "REGULATOR_NOTIFY_WITHIN": "regulator_notice",
}


def setting(name: str) -> Any:
    if name in RULES:
        from deadlines.models import Severity
        from deadlines.rules import deadline

        rule = deadline(RULES[name], severity=Severity.MAJOR)
        return rule.length if name == "REGULATOR_NOTIFY_WITHIN" else rule.amount
    return settings.ACCOUNTABILITY.get(name, DEFAULTS[name])
