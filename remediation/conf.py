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


def setting(name: str) -> Any:
    return settings.ACCOUNTABILITY.get(name, DEFAULTS[name])
