"""Overdue work is escalated by the deadline scan (``violations.services.deadlines``); this
name stays for callers of the earlier escalation."""

from __future__ import annotations

from .deadlines import ScanResult, deadline_scan


def overdue_escalate(*, now=None) -> ScanResult:
    """The deadline scan: reminders, breaches and the three escalation levels."""
    return deadline_scan(now=now)
