"""The deadline rules a new installation starts with (the data migration loads them; the
admin changes them afterwards). The numbers the deployment's environment sets
(``ACCOUNTABILITY_DEFENCE_WORKING_DAYS`` and the like, read in ``config/settings.py``) are
taken when the rules are first loaded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

from .models import Basis, Kind, Severity, Source

STAGE_DAYS = {
    "verification": 5,
    "team": 3,
    "investigation": 30,
    "fact_finding": 10,
    "sanction_proposal": 10,
    "approval": 7,
    "post_approval": 60,
    "effectiveness_review": 14,
}

# The institution's calendar a new installation starts with.
CALENDAR = {"name": "Hong Kong", "country": "HK", "subdivision": "", "weekend": "5,6"}


def _days(value: Any, default: int) -> int:
    if isinstance(value, timedelta):
        return max(1, value.days)
    return int(value) if value else default


def default_rules() -> list[dict[str, Any]]:
    conf = settings.ACCOUNTABILITY
    sanctions = conf.get("SANCTIONS", {})
    stage_days = {
        **STAGE_DAYS,
        **{k: _days(v, 1) for k, v in conf.get("STAGE_DEADLINES", {}).items()},
    }
    days = Basis.CALENDAR_DAYS
    rules: list[dict[str, Any]] = [
        # The brief's seed: an initial response within 24 hours; a whistleblower report is
        # acknowledged within 7 days (EU Directive 2019/1937 art. 9).
        {
            "kind": Kind.ACKNOWLEDGEMENT,
            "basis": Basis.CALENDAR_HOURS,
            "amount": 24,
            "remind_before_hours": 6,
            "manager_after_hours": 4,
            "head_after_hours": 24,
        },
        {"kind": Kind.ACKNOWLEDGEMENT, "source": Source.WHISTLEBLOWER, "basis": days, "amount": 7},
        # Feedback to the reporter within three months of the acknowledgement reaching them
        # (EU Directive 2019/1937 art. 9(1)(f)), reminded a week before.
        {
            "kind": Kind.FEEDBACK,
            "basis": days,
            "amount": 90,
            "remind_before_hours": 7 * 24,
        },
        {
            "kind": Kind.DEFENCE,
            "basis": Basis.WORKING_DAYS,
            "amount": int(sanctions.get("DEFENCE_WORKING_DAYS") or 5),
        },
        {
            "kind": Kind.APPEAL_FILING,
            "basis": days,
            "amount": int(sanctions.get("APPEAL_WINDOW_DAYS") or 10),
        },
        {
            "kind": Kind.APPEAL_DECISION,
            "basis": days,
            "amount": int(sanctions.get("APPEAL_DECISION_DAYS") or 60),
        },
        {"kind": Kind.COMPLAINT, "basis": days, "amount": int(conf.get("COMPLAINT_DAYS") or 15)},
        {
            "kind": Kind.COMPLAINT_EXTENSION,
            "basis": days,
            "amount": int(conf.get("COMPLAINT_MAX_DAYS") or 30),
        },
        # Only a major violation is reported to the regulator.
        {
            "kind": Kind.REGULATOR_NOTICE,
            "severity": Severity.MAJOR,
            "basis": days,
            "amount": _days(conf.get("REGULATOR_NOTIFY_WITHIN"), 5),
        },
        # A corrective action is due on the date its plan gives; this is the date a plan
        # that names none gets, and the reminder and escalation timing.
        {"kind": Kind.CORRECTIVE_ACTION, "basis": days, "amount": 30, "remind_before_hours": 72},
        {
            "kind": Kind.REVIEW_DELAY,
            "basis": days,
            "amount": int(conf.get("REVIEW_DELAY_DAYS") or 90),
        },
    ]
    for stage, amount in stage_days.items():
        rules.append({"kind": Kind(f"stage.{stage}"), "basis": days, "amount": amount})
    return rules
