"""The reporter's clocks (issue 19): the acknowledgement clock stops when the acknowledgement
reaches the reporter (in the app, in the mailbox, or when the e-mail is actually sent); the
feedback clock runs from then, stops on feedback and is escalated when missed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from casework import services as work
from deadlines.models import WINDOWS, Kind
from notifications.models import Notification, OutboxMessage
from notifications.outbox import dispatch
from violations import audit, services
from violations.models import Case, Clock, ClockState, ReporterIdentity
from violations.services import reporter_clocks
from violations.services.deadlines import deadline_scan

HKT = ZoneInfo("Asia/Hong_Kong")
T0 = dt.datetime(2026, 4, 1, 9, tzinfo=HKT)
CONTACT = "confidential.reporter@example.org"


def at(hours=0, days=0):
    return T0 + dt.timedelta(hours=hours, days=days)


def clock(case, kind):
    return Clock.objects.get(case=case, kind=kind)


def clocks(case, kind):
    return list(Clock.objects.filter(case=case, kind=kind))


def told(case, kind=None, what=None):
    rows = Notification.objects.filter(case_reference=case.reference)
    if kind:
        rows = rows.filter(kind=kind)
    if what:
        rows = rows.filter(context__what=what)
    return sorted((n.kind, n.recipient.get_username()) for n in rows)


FEEDBACK = "Feedback to the reporter"


def scan_at(moment):
    with time_machine.travel(moment, tick=False):
        return deadline_scan()


def email_only(case):
    """The reporter of ``case`` is known only by a confidential e-mail address (a portal
    reporter who left one), with no login to be told in the app."""
    ReporterIdentity.objects.filter(case=case).update(user=None, contact=CONTACT)


def mailbox_only(case):
    """The reporter left no login and no address (a portal reporter with only a receipt code)."""
    ReporterIdentity.objects.filter(case=case).update(user=None, contact="")


@pytest.fixture
def anonymous_case(walk):
    with time_machine.travel(T0, tick=False):
        return walk.report(anonymous=True)


def test_feedback_is_a_reminded_deadline_not_a_window():
    assert Kind.FEEDBACK == "feedback"
    assert Kind.FEEDBACK not in WINDOWS
    assert Kind.ACKNOWLEDGEMENT not in WINDOWS


# --- the channels -----------------------------------------------------------------------------


def test_in_the_app_the_acknowledgement_is_delivered_when_recorded(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
    assert reporter_clocks.acknowledgement_channel(case) == "app"
    with time_machine.travel(at(hours=3), tick=False):
        services.case_acknowledge(case=case, actor=world.officer)

    ack = clock(case, Kind.ACKNOWLEDGEMENT)
    assert (ack.state, ack.stopped_at, ack.breached_at) == (ClockState.COMPLETED, at(3), None)
    feedback = clock(case, Kind.FEEDBACK)
    assert feedback.state == ClockState.RUNNING
    assert feedback.started_at == at(3)
    assert feedback.due_at == at(3, days=90)
    assert feedback.holder == world.officer
    # Reminded a week before.
    assert feedback.next_check_at == at(3, days=83)


def test_by_email_the_clock_stops_when_the_dispatcher_sends_not_when_queued(
    walk, world, anonymous_case
):
    case = anonymous_case
    email_only(case)
    assert reporter_clocks.acknowledgement_channel(case) == "email"
    with time_machine.travel(at(hours=2), tick=False):
        services.case_acknowledge(case=case, actor=world.officer, message="Thank you.")

    # Queued, not sent: the clock runs on and no feedback is due yet.
    queued = OutboxMessage.objects.get(address=CONTACT)
    assert queued.sent_at is None
    assert queued.notification.kind == "report.acknowledged"
    assert clock(case, Kind.ACKNOWLEDGEMENT).state == ClockState.RUNNING
    assert clocks(case, Kind.FEEDBACK) == []

    with time_machine.travel(at(hours=5), tick=False):
        assert dispatch().sent == 1
    assert [m.to for m in mail.outbox] == [[CONTACT]]
    ack = clock(case, Kind.ACKNOWLEDGEMENT)
    assert (ack.state, ack.stopped_at) == (ClockState.COMPLETED, at(5))
    feedback = clock(case, Kind.FEEDBACK)
    assert (feedback.started_at, feedback.due_at) == (at(5), at(5, days=90))

    # Another e-mail about the case sent later changes nothing.
    with time_machine.travel(at(hours=6), tick=False):
        dispatch()
    assert clock(case, Kind.FEEDBACK).started_at == at(5)


def test_a_rolled_back_acknowledgement_sends_nothing_and_the_clock_runs_on(
    walk, world, anonymous_case
):
    case = anonymous_case
    email_only(case)

    class Refused(Exception):
        pass

    def acknowledge_then_fail():
        with transaction.atomic():
            services.case_acknowledge(case=case, actor=world.officer)
            raise Refused

    with time_machine.travel(at(hours=2), tick=False), pytest.raises(Refused):
        acknowledge_then_fail()
    with time_machine.travel(at(hours=3), tick=False):
        assert dispatch().sent == 0
    assert mail.outbox == []
    assert Case.objects.get(pk=case.pk).acknowledged_at is None
    assert clock(case, Kind.ACKNOWLEDGEMENT).state == ClockState.RUNNING
    assert clocks(case, Kind.FEEDBACK) == []


def test_an_email_the_server_refuses_delivers_nothing(walk, world, anonymous_case, settings):
    case = anonymous_case
    email_only(case)
    settings.EMAIL_BACKEND = "tests.deadlines.test_reporter_clocks.RefusingBackend"
    with time_machine.travel(at(hours=2), tick=False):
        services.case_acknowledge(case=case, actor=world.officer)
        result = dispatch()
    assert (result.sent, result.retried) == (0, 1)
    assert clock(case, Kind.ACKNOWLEDGEMENT).state == ClockState.RUNNING


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_in_the_mailbox_the_acknowledgement_is_delivered_when_posted(walk, world, anonymous_case):
    case = anonymous_case
    mailbox_only(case)
    assert reporter_clocks.acknowledgement_channel(case) == "mailbox"
    with time_machine.travel(at(hours=4), tick=False):
        services.case_acknowledge(case=case, actor=world.officer)
    ack = clock(case, Kind.ACKNOWLEDGEMENT)
    assert (ack.state, ack.stopped_at) == (ClockState.COMPLETED, at(4))
    assert clock(case, Kind.FEEDBACK).started_at == at(4)
    assert not OutboxMessage.objects.filter(notification__kind="report.acknowledged").exists()


def test_the_first_delivery_counts_the_mailbox_before_the_email(walk, world, anonymous_case):
    case = anonymous_case
    email_only(case)
    with time_machine.travel(at(hours=2), tick=False), transaction.atomic():
        services.case_acknowledge(case=case, actor=world.officer)
        # The mailbox service posts the acknowledgement in the same transaction.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        first = reporter_clocks.acknowledgement_delivered(case=locked, at=at(2), channel="mailbox")
    assert first is True
    with time_machine.travel(at(hours=7), tick=False):
        assert dispatch().sent == 1
    assert clock(case, Kind.ACKNOWLEDGEMENT).stopped_at == at(2)
    assert [c.started_at for c in clocks(case, Kind.FEEDBACK)] == [at(2)]
    with pytest.raises(ValueError, match="pigeon"):
        reporter_clocks.acknowledgement_delivered(case=case, at=at(8), channel="pigeon")


def test_an_acknowledgement_at_verification_is_delivered_too(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
    with time_machine.travel(at(hours=30), tick=False):
        walk.verify(case)
    ack = clock(case, Kind.ACKNOWLEDGEMENT)
    # Late: the breach stays on the clock.
    assert (ack.state, ack.stopped_at, ack.breached_at) == (
        ClockState.COMPLETED,
        at(30),
        at(24),
    )
    assert clock(case, Kind.FEEDBACK).started_at == at(30)


# --- a missed acknowledgement -----------------------------------------------------------------


def test_an_acknowledgement_that_never_reaches_the_reporter_is_reminded_and_escalated(
    walk, world, anonymous_case, settings
):
    case = anonymous_case
    email_only(case)
    with time_machine.travel(at(hours=1), tick=False):
        work.task_claim(task=walk.task(case, "verify"), actor=world.officer)
        services.case_acknowledge(case=case, actor=world.officer)
    # The mail server refuses every attempt: the acknowledgement never arrives.
    settings.EMAIL_BACKEND = "tests.deadlines.test_reporter_clocks.RefusingBackend"
    with time_machine.travel(at(hours=2), tick=False):
        dispatch()

    assert (scan_at(at(19)).reminded, scan_at(at(19)).breached) == (1, 0)
    assert told(case) == [("deadline.nearing", "officer")]
    breach = scan_at(at(25))
    assert (breach.breached, breach.escalated) == (1, {2: 0, 3: 0})
    assert told(case, "deadline.breached") == [("deadline.breached", "officer")]
    assert scan_at(at(29)).escalated == {2: 1, 3: 0}
    assert scan_at(at(49)).escalated == {2: 0, 3: 1}
    assert told(case, "deadline.escalated") == [
        ("deadline.escalated", "depthead"),
        ("deadline.escalated", "manager"),
    ]
    before = Notification.objects.count()
    for hours in (49, 50, 70):
        again = scan_at(at(hours))
        assert (again.reminded, again.breached, again.escalated) == (0, 0, {2: 0, 3: 0})
    assert Notification.objects.count() == before
    levels = [
        e.payload["escalation"]
        for e in audit.events_of(case)
        .filter(action="deadline.escalated", payload__what="acknowledgement")
        .order_by("seq")
    ]
    assert levels == [1, 2, 3]
    assert clocks(case, Kind.FEEDBACK) == []


# --- feedback -----------------------------------------------------------------------------------


def _acknowledged(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
    with time_machine.travel(at(hours=2), tick=False):
        services.case_acknowledge(case=case, actor=world.officer)
    return case


def test_feedback_stops_the_feedback_clock(walk, world):
    case = _acknowledged(walk, world)
    with time_machine.travel(at(days=40), tick=False), transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        assert reporter_clocks.feedback_given(case=locked) == 1
    feedback = clock(case, Kind.FEEDBACK)
    assert (feedback.state, feedback.stopped_at, feedback.breached_at) == (
        ClockState.COMPLETED,
        at(days=40),
        None,
    )
    # Nothing left to remind or escalate about feedback.
    for days in (84, 91, 100):
        scan_at(at(days=days))
    assert told(case, what=FEEDBACK) == []
    feedback.refresh_from_db()
    assert (feedback.reminded_at, feedback.escalation_level) == (None, 0)
    # Feedback again: no clock runs, nothing changes.
    assert reporter_clocks.feedback_given(case=case) == 0


def test_missed_feedback_is_reminded_breached_after_90_days_and_escalated(walk, world):
    case = _acknowledged(walk, world)
    scan_at(at(days=80))
    assert told(case, what=FEEDBACK) == []
    scan_at(at(hours=3, days=83))
    assert told(case, what=FEEDBACK) == [("deadline.nearing", "officer")]
    scan_at(at(hours=1, days=90))
    assert told(case, "deadline.breached", FEEDBACK) == []
    scan_at(at(hours=3, days=90))
    # Held by the officer who acknowledged; then their manager, then the compliance head.
    assert told(case, "deadline.breached", FEEDBACK) == [("deadline.breached", "officer")]
    scan_at(at(hours=3, days=91))
    assert told(case, "deadline.escalated", FEEDBACK) == [("deadline.escalated", "depthead")]
    scan_at(at(hours=3, days=93))
    assert told(case, "deadline.escalated", FEEDBACK) == [
        ("deadline.escalated", "depthead"),
        ("deadline.escalated", "manager"),
    ]
    before = told(case, what=FEEDBACK)
    for days in (93, 94, 120):
        scan_at(at(hours=3, days=days))
    assert told(case, what=FEEDBACK) == before
    levels = [
        e.payload["escalation"]
        for e in audit.events_of(case)
        .filter(action="deadline.escalated", payload__what="feedback")
        .order_by("seq")
    ]
    assert levels == [1, 2, 3]
    feedback = clock(case, Kind.FEEDBACK)
    assert (feedback.breached_at, feedback.escalation_level) == (at(2, days=90), 3)
    # Feedback given late completes the clock and keeps the breach.
    with time_machine.travel(at(days=95), tick=False):
        reporter_clocks.feedback_given(case=case)
    feedback.refresh_from_db()
    assert (feedback.state, feedback.breached_at) == (ClockState.COMPLETED, at(2, days=90))


def test_the_outcome_notice_is_the_final_feedback(walk, world):
    case = _acknowledged(walk, world)
    with time_machine.travel(at(days=10), tick=False):
        walk.verify(case, outcome="dismiss", reason="Nothing to investigate.")
    case = Case.objects.get(pk=case.pk)
    assert case.is_closed
    feedback = clock(case, Kind.FEEDBACK)
    # Completed by the notice, not cancelled by the closing.
    assert (feedback.state, feedback.stopped_at) == (ClockState.COMPLETED, at(days=10))
