"""Right to be heard, appeals, expiry and lifting."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from casework import services as work
from casework.engine import open_task
from casework.services import appeal_window_closes_at
from sanctions import selectors
from sanctions import services as sanc
from sanctions.models import Appeal, DefenceRecord, ProposedSanction
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Stage

from .conftest import snapshot, to_propose

# --- right to be heard ------------------------------------------------------------------------


def test_person_is_notified_and_no_statement_only_after_the_deadline(walk, world):
    case = to_propose(walk)
    walk.propose(case, defence=False)
    assert walk.open_names(case) == ["defence"]
    record = DefenceRecord.objects.get(proposal__case=case)
    assert record.status == "pending"
    assert "Proposed sanction(s) for Chan Tai Man" in record.notice
    # Counted in the institution's time zone, as the deadline is (in UTC the notice and the
    # deadline can fall on other calendar days: late on a Saturday in UTC is Sunday in Hong
    # Kong).
    notified, due = timezone.localtime(record.notified_at), timezone.localtime(record.due_at)
    working_days = sum(
        1
        for n in range((due.date() - notified.date()).days)
        if (notified + dt.timedelta(days=n + 1)).weekday() < 5
    )
    assert working_days == 5
    before = snapshot(walk, case)
    with pytest.raises(ValidationError, match="still has until"):
        walk.defence(case, outcome="none", text="")
    with pytest.raises(ValidationError, match="text of the statement"):
        walk.defence(case, outcome="statement", text=" ")
    assert work.defence_close_overdue() == 0
    assert snapshot(walk, case) == before
    with time_machine.travel(record.due_at + dt.timedelta(minutes=1), tick=False):
        call_command("close_defence_windows")
        assert work.defence_close_overdue() == 0  # safe to re-run
    record.refresh_from_db()
    assert record.status == "none"
    assert walk.open_names(case) == ["approve"]
    walk.decide(case)
    assert case.sanction_proposals.get().status == "approved"


def test_statement_of_defence_is_recorded_for_the_approver(walk, world):
    case = to_propose(walk)
    walk.propose(case, defence=False)
    walk.defence(case, outcome="statement", text="The customer insisted on the fund.")
    record = DefenceRecord.objects.get(proposal__case=case)
    assert (record.status, record.statement, record.recorded_by) == (
        "statement",
        "The customer insisted on the fund.",
        world.officer,
    )
    assert walk.open_names(case) == ["approve"]


# --- appeals ----------------------------------------------------------------------------------


@pytest.fixture
def executed(walk, world):
    """An approved warning (approved by the department head), executed; window still open."""
    case = to_propose(walk)
    walk.propose(case)
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)
    walk.plan(case)
    walk.complete_actions(case)
    return walk.refresh(case)


def file(case, world, actor=None, grounds="The customer insisted."):
    return work.appeal_file(
        case=case, actor=actor or world.hr, employee=world.subject, grounds=grounds
    )


def finish_other_work(walk, case):
    walk.fire_timers(case)  # the appeal window and the wait before review
    walk.review(case)


def test_case_stays_open_while_an_appeal_is_open_then_upheld(walk, world, senior2, executed):
    case = executed
    appeal = file(case, world)
    assert appeal.decide_by > appeal_window_closes_at(case)
    finish_other_work(walk, case)
    case = walk.refresh(case)
    assert case.stage != Stage.CLOSED
    assert walk.open_names(case) == ["decide_appeal", "finished"]
    work.appeal_decide(
        task=walk.task(case, "decide_appeal"),
        actor=senior2,
        appeal=appeal,
        outcome="upheld",
        reason="The sale was unsuitable regardless.",
    )
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED
    assert ProposedSanction.objects.get(proposal__case=case).status == "executed"


def test_appeal_modified_new_sanction_goes_through_execution(walk, world, senior2, executed):
    case = executed
    appeal = file(case, world)
    finish_other_work(walk, case)
    rp = case.findings.get().responsible.get()
    work.appeal_decide(
        task=walk.task(case, "decide_appeal"),
        actor=senior2,
        appeal=appeal,
        outcome="modified",
        reason="An oral warning suffices.",
        items=[
            sanc.SanctionItem(responsible=rp, sanction_type="warning", parameters={"form": "oral"})
        ],
    )
    assert walk.open_names(case) == ["execute_revised", "finished"]
    old, new = ProposedSanction.objects.filter(proposal__case=case).order_by("pk")
    assert (old.status, new.status, new.appeal, new.parameters) == (
        "superseded",
        "approved",
        appeal,
        {"form": "oral"},
    )
    work.sanction_execute(
        task=walk.task(case, "execute_revised"),
        actor=world.hr,
        executions={new.pk: (timezone.localdate(), "told orally")},
    )
    new.refresh_from_db()
    assert new.status == "executed"
    assert new.expires_on is not None
    assert walk.refresh(case).stage == Stage.CLOSED


def test_appeal_revoked(walk, world, senior2, executed):
    case = executed
    appeal = file(case, world)
    finish_other_work(walk, case)
    work.appeal_decide(
        task=walk.task(case, "decide_appeal"),
        actor=senior2,
        appeal=appeal,
        outcome="revoked",
        reason="Not proven to the required standard.",
    )
    item = ProposedSanction.objects.get(proposal__case=case)
    assert (item.status, item.ended_by, item.end_reason) == (
        "revoked",
        senior2,
        "Not proven to the required standard.",
    )
    assert Appeal.objects.get().status == "revoked"
    assert walk.refresh(case).stage == Stage.CLOSED
    assert selectors.prior_sanctioned_cases(world.subject) == 0


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("depthead", "You decided on sanctions"),
        ("officer", "You proposed sanctions"),
        ("investigator", "You investigated this case"),
    ],
)
def test_appeal_is_decided_outside_the_chain(walk, world, executed, who, message):
    from django.contrib.auth.models import Group

    case = executed
    appeal = file(case, world)
    finish_other_work(walk, case)
    user = getattr(world, who)
    user.groups.add(Group.objects.get(name="Senior management"))
    user = type(user).objects.get(pk=user.pk)
    before = snapshot(walk, case)
    with pytest.raises(NotAllowed, match=message):
        work.appeal_decide(
            task=walk.task(case, "decide_appeal"),
            actor=user,
            appeal=appeal,
            outcome="revoked",
            reason="x",
        )
    assert snapshot(walk, case) == before
    assert open_task(case, "decide_appeal").owner_id is None


def test_appeal_filing_rules(walk, world, executed):
    case = executed
    before = snapshot(walk, case)
    with pytest.raises(NotAllowed):
        file(case, world, actor=world.owner)
    with pytest.raises(ValidationError):
        file(case, world, grounds=" ")
    with pytest.raises(InvalidState, match="no executed sanction"):
        work.appeal_file(case=case, actor=world.hr, employee=world.subject2, grounds="x")
    assert snapshot(walk, case) == before
    file(case, world)
    with pytest.raises(InvalidState, match="already appealed"):
        file(case, world)


def test_no_appeal_after_the_window(walk, world, executed):
    case = executed
    walk.close_appeal_window(case)
    before = snapshot(walk, case)
    with pytest.raises(InvalidState, match="window"):
        file(case, world)
    assert snapshot(walk, case) == before
    walk.fire_timers(case)
    walk.review(case)
    assert walk.refresh(case).stage == Stage.CLOSED


# --- lifecycle --------------------------------------------------------------------------------


@pytest.fixture
def active(walk, world):
    case = to_propose(walk)
    walk.propose(case)
    walk.decide(case)
    walk.execute(case)
    return ProposedSanction.objects.get(proposal__case=case)


def test_executed_sanction_expires_after_its_record_period_once(walk, world, active):
    from sanctions.matrix import add_months

    assert active.expires_on == add_months(active.effective_date, 6)  # a warning's record period
    assert sanc.sanction_expire_due(today=active.expires_on - dt.timedelta(days=1)) == 0
    assert sanc.sanction_expire_due(today=active.expires_on) == 1
    assert sanc.sanction_expire_due(today=active.expires_on) == 0
    active.refresh_from_db()
    assert active.status == "expired"
    with time_machine.travel(dt.datetime.combine(active.expires_on, dt.time(12), tzinfo=dt.UTC)):
        call_command("expire_sanctions")


def test_lift_and_revoke_need_a_reason_and_the_right_role(walk, world, active):
    case = active.proposal.case
    before = snapshot(walk, case)
    with pytest.raises(ValidationError):
        sanc.sanction_lift(sanction=active, actor=world.hr, reason="")
    with pytest.raises(NotAllowed):
        sanc.sanction_lift(sanction=active, actor=world.investigator2, reason="x")
    assert snapshot(walk, case) == before
    sanc.sanction_lift(sanction=active, actor=world.hr, reason="Exemplary conduct since.")
    active.refresh_from_db()
    assert (active.status, active.ended_by, active.end_reason) == (
        "lifted",
        world.hr,
        "Exemplary conduct since.",
    )
    assert selectors.prior_sanctioned_cases(world.subject) == 1  # lifted still counts on the record
    with pytest.raises(InvalidState):
        sanc.sanction_lift(sanction=active, actor=world.hr, reason="again")
    sanc.sanction_revoke(
        sanction=active, actor=world.manager, reason="Court overturned the finding."
    )
    active.refresh_from_db()
    assert active.status == "revoked"
    assert selectors.prior_sanctioned_cases(world.subject) == 0


def test_repeat_offence_window_is_configurable(walk, world, active, settings):
    later = active.effective_date + dt.timedelta(days=200)
    assert selectors.prior_sanctioned_cases(world.subject, today=later) == 1
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SANCTIONS": {"REPEAT_LOOKBACK_MONTHS": 6},
    }
    assert selectors.prior_sanctioned_cases(world.subject, today=later) == 0


def test_disciplinary_record_page(walk, world, active, client):
    url = f"/sanctions/employees/{world.subject.staff_number}/"
    for user, status in [
        (world.hr, 200),
        (world.manager, 200),
        (world.auditor, 200),
        (world.outsider, 404),
        (world.officer, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(world.hr)
    page = client.get(url).content.decode()
    assert active.proposal.case.reference in page
    assert active.get_sanction_type_display() in page
