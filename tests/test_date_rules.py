"""Dates a user gives must fit the case's time line: refused in the service with a message
under the field, changing nothing; the page shows it, never a 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services as work
from casework.engine import open_task
from remediation.models import CustomerFeedback, RegulatorNotification
from sanctions.models import ProposedSanction
from violations import audit, services
from violations.models import Interview

from .remediation.helpers import task_url, to_plan


def events(case):
    return audit.events_of(case).count()


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def major_complaint(walk):
    return to_plan(walk, customer=True, severity="major")


def test_customer_notice_before_the_report_is_refused_and_changes_nothing(
    walk, world, major_complaint
):
    case = major_complaint
    before = events(case)
    with pytest.raises(ValidationError) as excinfo:
        work.customer_feedback_record(
            task=walk.task(case, "customer_feedback"),
            actor=world.officer,
            channel="phone",
            notified_at=case.reported_at - dt.timedelta(days=1),
            notice_summary="Outcome explained",
            apology=True,
            compensation=Decimal("100"),
            compensation_paid_on=timezone.localdate(case.reported_at) - dt.timedelta(days=2),
        )
    errors = field_errors(excinfo)
    assert set(errors) == {"notified_at", "compensation_paid_on"}
    assert "before the case was reported" in errors["notified_at"][0]
    assert CustomerFeedback.objects.filter(case=case).count() == 0
    assert events(case) == before


def test_customer_notice_in_the_future_is_refused(walk, world, major_complaint):
    case = major_complaint
    with pytest.raises(ValidationError) as excinfo:
        work.customer_feedback_record(
            task=walk.task(case, "customer_feedback"),
            actor=world.officer,
            channel="phone",
            notified_at=timezone.now() + dt.timedelta(days=3),
            notice_summary="Outcome explained",
            apology=False,
        )
    assert field_errors(excinfo) == {"notified_at": ["This cannot be in the future."]}
    assert CustomerFeedback.objects.filter(case=case).count() == 0


def test_regulator_notice_before_the_report_is_refused_and_changes_nothing(
    walk, world, major_complaint
):
    case = major_complaint
    before = events(case)
    with pytest.raises(ValidationError) as excinfo:
        work.regulator_notify(
            task=walk.task(case, "notify_regulator"),
            actor=world.officer,
            regulator="HKMA",
            notified_at=case.reported_at - dt.timedelta(hours=2),
            reference_number="REG-1",
            summary="Major mis-selling",
        )
    assert list(field_errors(excinfo)) == ["notified_at"]
    assert RegulatorNotification.objects.filter(case=case).count() == 0
    assert events(case) == before
    # In the minute of the report (forms give minutes) is accepted.
    walk.notify_regulator(case)
    assert RegulatorNotification.objects.filter(case=case).count() == 1


def test_the_feedback_page_shows_the_rule_under_the_field(walk, world, client, major_complaint):
    case = major_complaint
    task = open_task(case, "customer_feedback")
    work.task_claim(task=task, actor=world.officer)
    client.force_login(world.officer)
    earlier = timezone.localtime(case.reported_at) - dt.timedelta(days=1)
    response = client.post(
        task_url(task),
        {
            "channel": "phone",
            "notified_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "notice_summary": "Explained",
            "compensation": "0",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "before the case was reported" in form.errors["notified_at"][0]
    assert CustomerFeedback.objects.filter(case=case).count() == 0


def test_interview_before_the_report_is_refused(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    with pytest.raises(ValidationError) as excinfo:
        services.interview_record(
            case=case,
            actor=world.investigator,
            interviewee="Chan Tai Man",
            held_at=case.reported_at - dt.timedelta(days=5),
            summary="Admitted the sale.",
        )
    assert list(field_errors(excinfo)) == ["held_at"]
    assert Interview.objects.filter(case=case).count() == 0


def test_occurrence_in_the_future_is_refused(walk, world):
    with pytest.raises(ValidationError) as excinfo:
        walk.report(occurred_at=timezone.now() + dt.timedelta(days=1))
    assert list(field_errors(excinfo)) == ["occurred_at"]


def test_effective_date_before_the_approval_or_a_year_after_is_refused(walk, world):
    case = to_plan(walk, execute=False)
    item = ProposedSanction.objects.get(proposal__case=case)
    task = walk.task(case, "execute_sanctions")
    decided = timezone.localdate(case.sanction_proposals.get().decisions.get().decided_at)
    for wrong, message in [
        (decided - dt.timedelta(days=1), "cannot be before"),
        (decided + dt.timedelta(days=400), "too far ahead"),
    ]:
        with pytest.raises(ValidationError, match=message):
            work.sanction_execute(task=task, actor=world.hr, executions={item.pk: (wrong, "")})
        item.refresh_from_db()
        assert (item.status, item.effective_date) == ("approved", None)


def test_corrective_action_due_in_ten_years_is_refused(walk, world):
    case = to_plan(walk)
    with pytest.raises(ValidationError, match="too far ahead"):
        walk.plan(case, due_date=timezone.localdate() + dt.timedelta(days=3650))
    assert case.corrective_actions.count() == 0
