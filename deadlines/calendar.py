"""Working-day arithmetic over a jurisdiction's public holidays (the ``holidays`` package),
the institution's weekend and its own days (closures, extra holidays, extra working days).

Moments are aware datetimes; days are counted in the institution's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.utils import timezone

DAY = dt.timedelta(days=1)


@lru_cache(maxsize=16)
def _public_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    # The package adds a year's holidays the first time a date of that year is looked up.
    return holidays.country_holidays(country, subdiv=subdivision or None)


@dataclass(frozen=True)
class Calendar:
    country: str
    subdivision: str = ""
    weekend: frozenset[int] = frozenset({5, 6})
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.days_off:
            return False
        if day in self.extra_working_days:
            return True
        public = _public_holidays(self.country, self.subdivision)
        if day in public:
            return False
        if day.weekday() in self.weekend:
            # Some jurisdictions (mainland China) make up a holiday on a weekend day.
            return day in getattr(public, "weekend_workdays", ())
        return True

    def next_working_day(self, day: dt.date) -> dt.date:
        day += DAY
        while not self.is_working_day(day):
            day += DAY
        return day

    def add_working_days(self, moment: dt.datetime, days: int) -> dt.datetime:
        """The same time of day, ``days`` working days after ``moment``'s day (a start on a
        day off counts from that day, as the next working day would)."""
        local = timezone.localtime(moment)
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return _at(day, local)

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Seconds of [start, end) that fall on working days."""
        if end <= start:
            return 0.0
        total = 0.0
        cursor = timezone.localtime(start)
        end = timezone.localtime(end)
        while cursor < end:
            midnight = _midnight(cursor.date() + DAY, cursor)
            stop = min(midnight, end)
            if self.is_working_day(cursor.date()):
                total += (stop - cursor).total_seconds()
            cursor = stop
        return total

    def add_working_seconds(self, moment: dt.datetime, seconds: float) -> dt.datetime:
        """The moment ``seconds`` of working time after ``moment`` (days off do not count):
        how a paused working-day deadline resumes with the time it had left."""
        cursor = timezone.localtime(moment)
        while True:
            midnight = _midnight(cursor.date() + DAY, cursor)
            if self.is_working_day(cursor.date()):
                room = (midnight - cursor).total_seconds()
                if seconds <= room:
                    return cursor + dt.timedelta(seconds=seconds)
                seconds -= room
            cursor = midnight


def _midnight(day: dt.date, like: dt.datetime) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), like.tzinfo)


def _at(day: dt.date, like: dt.datetime) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, like.time().replace(tzinfo=None)), like.tzinfo
    )
