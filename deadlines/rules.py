"""Which rule times a deadline, and the moment it falls due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from .calendar import Calendar
from .defaults import CALENDAR, default_rules
from .models import Basis, DayKind, DeadlineRule, Kind, WorkingCalendar

HOUR = dt.timedelta(hours=1)


def calendar_of(row: WorkingCalendar | None = None) -> Calendar:
    """The working days of ``row``, or of the institution's calendar."""
    if row is None:
        row = WorkingCalendar.objects.filter(is_default=True).first()
    if row is None:
        return Calendar(country=CALENDAR["country"], subdivision=CALENDAR["subdivision"])
    off, extra = set(), set()
    for day, kind in row.institution_days.values_list("date", "kind"):
        (extra if kind == DayKind.WORKING else off).add(day)
    return Calendar(
        country=row.country,
        subdivision=row.subdivision,
        weekend=row.weekend_days,
        days_off=frozenset(off),
        extra_working_days=frozenset(extra),
    )


@dataclass(frozen=True)
class Deadline:
    kind: str
    basis: str
    amount: int
    calendar: Calendar | None = None
    remind_before: dt.timedelta = 24 * HOUR
    manager_after: dt.timedelta = 24 * HOUR
    head_after: dt.timedelta = 72 * HOUR
    # A fixed length set by the deployment (the demo's short waits) instead of the rule.
    override: dt.timedelta | None = None

    def due(self, start: dt.datetime) -> dt.datetime:
        if self.override is not None:
            return start + self.override
        if self.basis == Basis.WORKING_DAYS:
            return (self.calendar or calendar_of()).add_working_days(start, self.amount)
        if self.basis == Basis.CALENDAR_HOURS:
            return start + self.amount * HOUR
        return start + dt.timedelta(days=self.amount)

    @property
    def counts_working_days(self) -> bool:
        return self.override is None and self.basis == Basis.WORKING_DAYS

    @property
    def length(self) -> dt.timedelta:
        """The nominal length (working days taken as days): for display and sizes."""
        if self.override is not None:
            return self.override
        if self.basis == Basis.CALENDAR_HOURS:
            return self.amount * HOUR
        return dt.timedelta(days=self.amount)


def _code_default(kind: str, severity: str, source: str) -> dict | None:
    best = None
    for rule in default_rules():
        if rule["kind"] != kind:
            continue
        if rule.get("severity", "") not in ("", severity):
            continue
        if rule.get("source", "") not in ("", source):
            continue
        if best is None or _specificity(rule) > _specificity(best):
            best = rule
    return best


def _specificity(rule) -> tuple[bool, bool]:
    get = rule.get if isinstance(rule, dict) else lambda k, d="": getattr(rule, k)
    return (bool(get("severity", "")), bool(get("source", "")))


def deadline(kind: str, *, severity: str = "", source: str = "") -> Deadline:
    """The deadline ``kind`` for a case of this severity and source: the most specific rule
    in the database, else the code's default; a deployment override
    (``ACCOUNTABILITY["DEADLINE_OVERRIDES"]``, the demo's short waits) wins over both."""
    override = settings.ACCOUNTABILITY.get("DEADLINE_OVERRIDES", {}).get(str(kind))
    rows = [
        r
        for r in DeadlineRule.objects.filter(
            kind=kind, severity__in=["", severity or ""], source__in=["", source or ""]
        ).select_related("calendar")
    ]
    if rows:
        row = max(rows, key=_specificity)
        return Deadline(
            kind=str(kind),
            basis=row.basis,
            amount=row.amount,
            calendar=calendar_of(row.calendar) if row.basis == Basis.WORKING_DAYS else None,
            remind_before=row.remind_before_hours * HOUR,
            manager_after=row.manager_after_hours * HOUR,
            head_after=row.head_after_hours * HOUR,
            override=override,
        )
    rule = _code_default(kind, severity or "", source or "")
    if rule is None:
        raise LookupError(f"no deadline rule for {kind}")
    return Deadline(
        kind=str(kind),
        basis=rule["basis"],
        amount=rule["amount"],
        remind_before=rule.get("remind_before_hours", 24) * HOUR,
        manager_after=rule.get("manager_after_hours", 24) * HOUR,
        head_after=rule.get("head_after_hours", 72) * HOUR,
        override=override,
    )


__all__ = ["Deadline", "Kind", "calendar_of", "deadline"]
