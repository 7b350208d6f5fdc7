"""Date rules the services share: a date a user gives about a case must fit the case's
time line (not before it was reported where that makes no sense, not in the future for
something already done, not absurdly far ahead for something planned).

Each check returns the message to show, or None; the service puts it under the form field
it came from, so the page shows it beside the field.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# A planned date further ahead than this is a typing error (a year typed as 2062).
MAX_AHEAD_DAYS = 5 * 366


def reported_on(case) -> dt.date:
    return timezone.localdate(case.reported_at)


def done_since_report(value: dt.date | dt.datetime | None, *, case) -> str | None:
    """Something already done because of the case (a notice sent, an interview held, a
    payment made): on or after the day the case was reported, and not in the future."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return _("Give the date and time with a time zone.")
        if value > timezone.now():
            return _("This cannot be in the future.")
        # Forms give minutes: a notice sent in the minute the case was reported is fine.
        if value < case.reported_at.replace(second=0, microsecond=0):
            return _("This cannot be before the case was reported (%(when)s).") % {
                "when": date_format(timezone.localtime(case.reported_at), "DATETIME_FORMAT")
            }
        return None
    if value > timezone.localdate():
        return _("This cannot be in the future.")
    if value < reported_on(case):
        return _("This cannot be before the case was reported (%(when)s).") % {
            "when": date_format(reported_on(case), "DATE_FORMAT")
        }
    return None


def planned(
    value: dt.date | None, *, earliest: dt.date, max_ahead_days: int = MAX_AHEAD_DAYS
) -> str | None:
    """A date something is to happen on: not before ``earliest`` (usually today or the
    decision it follows), and not absurdly far ahead."""
    if value is None:
        return None
    if value < earliest:
        return _("This cannot be before %(when)s.") % {"when": date_format(earliest, "DATE_FORMAT")}
    if value > earliest + dt.timedelta(days=max_ahead_days):
        return _("This is too far ahead (at most %(years)d years).") % {
            "years": max_ahead_days // 365
        }
    return None


__all__ = ["MAX_AHEAD_DAYS", "done_since_report", "planned", "reported_on"]
