"""Time left to a deadline, in words the person reads at a glance."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


def _amount(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours >= 48:
        days = hours // 24
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours >= 1:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, int(seconds // 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.filter
def time_left(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """ "3 days left" or "5 hours overdue"."""
    if due is None:
        return ""
    seconds = (due - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        return gettext("%(time)s left") % {"time": _amount(seconds)}
    return gettext("%(time)s overdue") % {"time": _amount(-seconds)}


@register.filter
def seconds_left(seconds: float | None) -> str:
    """A paused clock's time left: "2 days left"."""
    if seconds is None:
        return ""
    if seconds < 0:
        return gettext("%(time)s overdue") % {"time": _amount(-seconds)}
    return gettext("%(time)s left") % {"time": _amount(seconds)}


@register.filter
def is_past(due: dt.datetime | None) -> bool:
    return due is not None and due < timezone.now()
