"""Working days: Hong Kong's public holidays, the weekend and the institution's own days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from deadlines import models as deadlines_models
from deadlines.calendar import Calendar
from deadlines.models import Basis, DayKind, DeadlineRule, InstitutionDay, Kind, WorkingCalendar
from deadlines.rules import calendar_of, deadline
from violations.models import Severity, Source

HKT = ZoneInfo("Asia/Hong_Kong")
HK = Calendar(country="HK")


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=HKT)


def test_across_a_weekend_and_hong_kong_public_holidays_lands_on_the_right_working_day(settings):
    settings.TIME_ZONE = "Asia/Hong_Kong"
    friday = dt.date(2026, 4, 3)
    # Saturday, Sunday (Tomb-Sweeping Day), Easter Monday, Tuesday (Tomb-Sweeping Day
    # observed) do not count.
    assert HK.add_working_days(at(friday), 1) == at(dt.date(2026, 4, 8))
    assert HK.add_working_days(at(friday), 2) == at(dt.date(2026, 4, 9))
    assert HK.add_working_days(at(dt.date(2026, 4, 2)), 1) == at(friday)


def test_the_rule_counts_the_institution_calendar_and_its_typhoon_closure(db, settings):
    settings.TIME_ZONE = "Asia/Hong_Kong"
    calendar = WorkingCalendar.objects.get(is_default=True)
    assert calendar.country == "HK"
    InstitutionDay.objects.create(
        calendar=calendar, date=dt.date(2026, 4, 8), kind=DayKind.CLOSURE, name="Typhoon signal 8"
    )
    InstitutionDay.objects.create(
        calendar=calendar, date=dt.date(2026, 4, 11), kind=DayKind.WORKING, name="Make-up day"
    )
    rule = deadline(Kind.DEFENCE)
    assert (rule.basis, rule.amount) == (Basis.WORKING_DAYS, 5)
    # Thu 9, Fri 10, Sat 11 (a working Saturday), Mon 13, Tue 14.
    assert rule.due(at(dt.date(2026, 4, 3))) == at(dt.date(2026, 4, 14))
    assert not calendar_of().is_working_day(dt.date(2026, 4, 8))


def test_mainland_china_counts_its_make_up_working_saturday():
    cn = Calendar(country="CN")
    assert cn.is_working_day(dt.date(2026, 2, 14))  # a Saturday worked for the Spring Festival
    assert not cn.is_working_day(dt.date(2026, 2, 16))
    tw = Calendar(country="TW")
    assert not tw.is_working_day(dt.date(2026, 10, 10))  # National Day


def test_working_time_is_counted_only_on_working_days(settings):
    settings.TIME_ZONE = "Asia/Hong_Kong"
    friday = at(dt.date(2026, 4, 3), 12)
    wednesday = at(dt.date(2026, 4, 8), 12)
    assert HK.working_seconds_between(friday, wednesday) == 24 * 3600
    assert HK.add_working_seconds(friday, 24 * 3600) == wednesday


def test_the_most_specific_rule_wins_and_severity_and_source_are_the_cases(db):
    assert deadlines_models.Severity.values == Severity.values
    assert deadlines_models.Source.values == Source.values
    hours = deadline(Kind.ACKNOWLEDGEMENT, source=Source.CUSTOMER_COMPLAINT)
    assert (hours.basis, hours.amount) == (Basis.CALENDAR_HOURS, 24)
    whistle = deadline(Kind.ACKNOWLEDGEMENT, source=Source.WHISTLEBLOWER)
    assert (whistle.basis, whistle.amount) == (Basis.CALENDAR_DAYS, 7)
    DeadlineRule.objects.create(
        kind=Kind.STAGE_INVESTIGATION, severity=Severity.MAJOR, basis=Basis.CALENDAR_DAYS, amount=45
    )
    assert deadline(Kind.STAGE_INVESTIGATION, severity=Severity.MAJOR).amount == 45
    assert deadline(Kind.STAGE_INVESTIGATION, severity=Severity.MINOR).amount == 30


def test_a_rule_or_calendar_that_makes_no_sense_is_refused(db):
    rule = DeadlineRule(
        kind=Kind.COMPLAINT,
        severity="major",
        basis=Basis.CALENDAR_DAYS,
        amount=0,
        manager_after_hours=48,
        head_after_hours=24,
    )
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert set(err.value.message_dict) == {"amount", "head_after_hours"}
    with pytest.raises(ValidationError) as err:
        WorkingCalendar(name="Nowhere", country="XX", weekend="5,9").full_clean()
    assert set(err.value.message_dict) == {"country", "weekend"}


def test_the_seeded_rules_match_the_former_settings(db):
    with time_machine.travel(dt.datetime(2026, 4, 1, tzinfo=HKT), tick=False):
        assert deadline(Kind.STAGE_VERIFICATION).amount == 5
        assert deadline(Kind.APPEAL_DECISION).amount == 60
        assert deadline(Kind.REVIEW_DELAY).amount == 90
        feedback = deadline(Kind.FEEDBACK)
        assert (feedback.basis, feedback.amount) == ("calendar_days", 90)
        assert DeadlineRule.objects.count() == 19
