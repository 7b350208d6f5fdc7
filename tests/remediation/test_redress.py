"""Customer redress with its complaint clock; the regulator notice of a major violation."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services as work
from deadlines.models import DeadlineRule, Kind
from remediation import services as rem
from remediation.models import ComplaintExtension
from remediation.selectors import complaint_clock, regulator_deadline
from violations import audit
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Stage

from .helpers import events, render_panel, task_url, to_plan


@pytest.fixture
def complaint(walk):
    """A customer complaint reported on a known day."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        case = walk.report(customer=True)
    return case


def test_clock_counts_from_the_report_with_fifteen_days(complaint):
    started = timezone.localdate(complaint.reported_at)
    clock = complaint_clock(complaint, today=started + dt.timedelta(days=10))
    assert (clock.limit_days, clock.days_elapsed, clock.days_left, clock.overdue) == (
        15,
        10,
        5,
        False,
    )
    assert clock.due_on == started + dt.timedelta(days=15)
    clock = complaint_clock(complaint, today=started + dt.timedelta(days=15))
    assert (clock.days_left, clock.overdue) == (0, False)
    clock = complaint_clock(complaint, today=started + dt.timedelta(days=17))
    assert (clock.days_elapsed, clock.days_left, clock.overdue) == (17, -2, True)


def test_no_clock_without_a_customer(walk):
    assert complaint_clock(walk.report()) is None


def test_limits_are_configurable_for_the_cases_reported_after(complaint, walk):
    DeadlineRule.objects.filter(kind=Kind.COMPLAINT).update(amount=7)
    later = walk.report(customer=True)
    clock = complaint_clock(later, today=timezone.localdate(later.reported_at))
    assert (clock.limit_days, clock.days_left, clock.can_extend_to) == (7, 7, 30)
    # A running clock keeps the time it started with.
    assert (
        complaint_clock(complaint, today=timezone.localdate(complaint.reported_at)).days_left == 15
    )


def test_complex_case_is_extended_to_thirty_days_with_a_reason(complaint, world):
    started = timezone.localdate(complaint.reported_at)
    ext = rem.complaint_clock_extend(
        case=complaint, actor=world.officer, reason="Three products and two branches involved"
    )
    assert ext.limit_days == 30
    clock = complaint_clock(complaint, today=started + dt.timedelta(days=16))
    assert (clock.limit_days, clock.days_left, clock.overdue, clock.extended) == (
        30,
        14,
        False,
        True,
    )
    assert clock.extension_reason == "Three products and two branches involved"
    assert clock.can_extend_to is None
    assert audit.events_of(complaint).filter(action="complaint.extended").count() == 1


@pytest.mark.parametrize(
    ("actor_name", "kwargs", "error"),
    [
        ("officer", {"reason": " "}, ValidationError),
        ("officer", {"reason": "Complex", "limit_days": 45}, ValidationError),
        ("officer", {"reason": "Complex", "limit_days": 10}, ValidationError),
        ("owner", {"reason": "Complex"}, NotAllowed),
        ("reporter", {"reason": "Complex"}, NotAllowed),
    ],
)
def test_extension_refusals_change_nothing(complaint, world, actor_name, kwargs, error):
    before = events(complaint)
    with pytest.raises(error):
        rem.complaint_clock_extend(case=complaint, actor=getattr(world, actor_name), **kwargs)
    assert ComplaintExtension.objects.count() == 0
    assert events(complaint) == before
    assert complaint_clock(complaint).limit_days == 15


def test_no_extension_for_a_case_without_customer_or_once_answered(walk, world):
    plain = walk.report()
    with pytest.raises(InvalidState):
        rem.complaint_clock_extend(case=plain, actor=world.officer, reason="Complex")
    case = to_plan(walk, customer=True)
    walk.feedback(case)
    clock = complaint_clock(case)
    assert clock.answered_on == timezone.localdate()
    assert clock.days_elapsed == 0
    assert not clock.overdue
    with pytest.raises(InvalidState):
        rem.complaint_clock_extend(case=case, actor=world.officer, reason="Complex")
    assert ComplaintExtension.objects.count() == 0


def test_clock_stops_when_the_customer_is_answered(walk, world):
    case = to_plan(walk, customer=True)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20), tick=False):
        walk.feedback(case)
    with time_machine.travel(timezone.now() + dt.timedelta(days=40), tick=False):
        clock = complaint_clock(case)
    assert clock.days_elapsed == 20
    assert clock.overdue is True
    assert clock.days_left == -5


def test_feedback_step_and_case_page_show_the_clock(walk, world, client):
    from casework.services import task_claim

    # Midday in the institution's time zone: a run that crossed local midnight between the
    # report and the page would rightly show one day less.
    with time_machine.travel(timezone.localtime().replace(hour=12, minute=0), tick=True):
        _feedback_step_and_case_page_show_the_clock(walk, world, client, task_claim)


def _feedback_step_and_case_page_show_the_clock(walk, world, client, task_claim):
    case = to_plan(walk, customer=True)
    task = walk.task(case, "customer_feedback")
    task_claim(task=task, actor=world.officer)
    client.force_login(world.officer)
    page = client.get(task_url(task)).content.decode()
    assert "15 days left" in page
    assert "Complaint clock" in page
    assert "15 days left" in render_panel(case, world.manager)
    # Waiting for the customer: the step's page says the clock is paused.
    rem.customer_information_request(
        case=case, actor=world.manager, question="The statement", channel="letter"
    )
    page = client.get(task_url(task)).content.decode()
    assert "paused: waiting for the customer" in page


def test_feedback_is_recorded_with_compensation_and_satisfaction(walk, world):
    case = to_plan(walk, customer=True)
    with pytest.raises(ValidationError):
        work.customer_feedback_record(
            task=walk.task(case, "customer_feedback"),
            actor=world.officer,
            channel="phone",
            notified_at=timezone.now(),
            notice_summary="x",
            apology=True,
            compensation=Decimal("100"),
            satisfaction=6,
        )
    assert case.customer_feedback.count() == 0
    fb = walk.feedback(case)
    assert (fb.apology, fb.compensation, fb.satisfaction) == (True, Decimal("1200"), 4)


def test_major_case_does_not_close_until_the_regulator_is_notified(walk, world):
    case = to_plan(walk, severity="major")
    assert "notify_regulator" in walk.open_names(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    case = walk.refresh(case)
    assert not case.is_closed
    assert case.stage != Stage.CLOSED
    assert walk.open_names(case) == ["finished", "notify_regulator"]
    assert audit.events_of(case).filter(action="case.closed").count() == 0

    walk.notify_regulator(case)
    case = walk.refresh(case)
    assert case.is_closed
    assert walk.open_names(case) == []


def test_regulator_deadline_runs_from_the_major_finding(walk, world, settings):
    case = to_plan(walk, severity="major")
    found = case.findings.get().found_at
    deadline = regulator_deadline(case)
    assert deadline.due_at == found + dt.timedelta(days=5)
    assert (deadline.notified_at, deadline.overdue) == (None, False)
    assert "not yet notified" in render_panel(case, world.manager)
    with time_machine.travel(found + dt.timedelta(days=6)):
        assert regulator_deadline(case).overdue
    assert regulator_deadline(to_plan(walk)) is None


def test_only_major_cases_are_reported_to_the_regulator(walk, world):
    case = to_plan(walk)
    assert "notify_regulator" not in walk.open_names(case)


def test_case_page_shows_the_clock_and_the_regulator_deadline(walk, world, client):
    case = to_plan(walk, customer=True, severity="major")
    walk.plan(case)
    client.force_login(world.manager)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "15 days left" in body
    assert "Regulator notification due" in body
    assert "Extend the complaint clock" in body


def _complaint_clock_row(case):
    from violations.models.clock import Clock

    return Clock.objects.get(case=case, kind=Kind.COMPLAINT)


def test_waiting_for_the_customer_pauses_the_complaint_clock_and_keeps_its_time(complaint, world):
    from violations.models.clock import ClockState

    due_before = _complaint_clock_row(complaint).due_at
    asked_at = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(asked_at, tick=False):
        request = rem.customer_information_request(
            case=complaint,
            actor=world.officer,
            question="The date of the sale on your statement",
            channel="telephone",
        )
    paused = _complaint_clock_row(complaint)
    assert paused.state == ClockState.PAUSED
    assert paused.remaining_seconds == (due_before - asked_at).total_seconds()

    with time_machine.travel(asked_at + dt.timedelta(days=7), tick=False):
        rem.customer_information_receive(
            request=request, actor=world.manager, answer="Sold on 3 February, at the branch."
        )

    resumed = _complaint_clock_row(complaint)
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == due_before + dt.timedelta(days=7)
    assert resumed.paused_seconds == dt.timedelta(days=7).total_seconds()
    request.refresh_from_db()
    assert request.answer == "Sold on 3 February, at the branch."
    assert request.answer_recorded_by == world.manager
    assert [e.action for e in audit.events_of(complaint)][-2:] == [
        "customer.information_requested",
        "customer.information_received",
    ]


def test_asking_the_customer_is_refused_twice_without_an_answer_and_to_others(complaint, world):
    rem.customer_information_request(
        case=complaint, actor=world.officer, question="The statement", channel="letter"
    )
    clock_before = _complaint_clock_row(complaint)

    with pytest.raises(InvalidState):
        rem.customer_information_request(
            case=complaint, actor=world.officer, question="Again", channel="letter"
        )
    with pytest.raises(NotAllowed):
        rem.customer_information_request(
            case=complaint, actor=world.investigator, question="x", channel="letter"
        )
    [request] = complaint.customer_information_requests.all()
    with pytest.raises(ValidationError):
        rem.customer_information_receive(request=request, actor=world.officer, answer=" ")
    with pytest.raises(NotAllowed):
        rem.customer_information_receive(request=request, actor=world.reporter, answer="Yes")

    assert complaint.customer_information_requests.count() == 1
    request.refresh_from_db()
    assert request.answered_at is None
    clock_after = _complaint_clock_row(complaint)
    assert (clock_after.state, clock_after.remaining_seconds) == (
        clock_before.state,
        clock_before.remaining_seconds,
    )
    assert audit.events_of(complaint).filter(action__startswith="customer.information").count() == 1


def test_a_case_with_no_customer_has_no_one_to_wait_for(walk, world):
    case = walk.report()

    with pytest.raises(InvalidState):
        rem.customer_information_request(
            case=case, actor=world.officer, question="The statement", channel="letter"
        )
    assert case.customer_information_requests.count() == 0


def test_the_day_counter_leaves_out_the_days_spent_waiting_for_the_customer(complaint, world):
    started = timezone.localdate(complaint.reported_at)
    asked_at = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(asked_at, tick=False):
        request = rem.customer_information_request(
            case=complaint, actor=world.officer, question="The statement", channel="letter"
        )
    with time_machine.travel(asked_at + dt.timedelta(days=3), tick=False):
        waiting = complaint_clock(complaint)
        assert waiting.waiting
        # Asked two days in with 15 days to answer: 13 left, however long the customer takes.
        assert (waiting.days_left, waiting.days_waited) == (13, 3)
        assert "waiting for the customer since" in render_panel(complaint, world.officer)
    with time_machine.travel(asked_at + dt.timedelta(days=7), tick=False):
        rem.customer_information_receive(request=request, actor=world.officer, answer="Sent")
    today = started + dt.timedelta(days=16)
    clock = complaint_clock(complaint, today=today)
    # Sixteen days after the report, seven of them waiting: nine counted, six left.
    assert not clock.waiting
    assert clock.due_on == started + dt.timedelta(days=22)
    assert (clock.days_elapsed, clock.days_left, clock.overdue) == (9, 6, False)
    assert clock.due_on == timezone.localdate(_complaint_clock_row(complaint).due_at)


def test_an_extension_granted_while_waiting_for_the_customer_is_kept(complaint, world):
    asked_at = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
    due_before = _complaint_clock_row(complaint).due_at
    with time_machine.travel(asked_at, tick=False):
        request = rem.customer_information_request(
            case=complaint, actor=world.officer, question="The statement", channel="letter"
        )
    with time_machine.travel(asked_at + dt.timedelta(days=1), tick=False):
        rem.complaint_clock_extend(case=complaint, actor=world.officer, reason="Two branches")
    with time_machine.travel(asked_at + dt.timedelta(days=5), tick=False):
        rem.customer_information_receive(request=request, actor=world.officer, answer="Sent")

    # Fifteen more days (15 → 30) and the five spent waiting.
    row = _complaint_clock_row(complaint)
    assert row.due_at == due_before + dt.timedelta(days=15 + 5)
    clock = complaint_clock(complaint, today=timezone.localdate(asked_at + dt.timedelta(days=5)))
    assert clock.limit_days == 30
    assert clock.due_on == timezone.localdate(row.due_at)
