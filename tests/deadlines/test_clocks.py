"""SLA clocks: started and stopped by the steps, paused and resumed with the time left."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from deadlines.models import Basis, DeadlineRule, Kind
from violations.models import Clock, ClockState
from violations.services.clocks import clock_pause, clock_resume

HKT = ZoneInfo("Asia/Hong_Kong")


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=HKT)


def test_a_report_starts_its_acknowledgement_and_stage_clocks_and_the_next_step_stops_them(
    walk, world
):
    with time_machine.travel(at(4, 1), tick=False):
        case = walk.report(customer=True)
    clocks = {c.kind: c for c in Clock.objects.filter(case=case)}
    assert set(clocks) == {"acknowledgement", "complaint", "stage.verification"}
    assert clocks["acknowledgement"].due_at == at(4, 2)
    assert case.acknowledge_due_at == at(4, 2)
    assert clocks["complaint"].due_at == at(4, 16)
    assert clocks["stage.verification"].due_at == at(4, 6)
    with time_machine.travel(at(4, 3), tick=False):
        walk.verify(case)
    verification = Clock.objects.get(case=case, kind="stage.verification")
    assert verification.state == ClockState.COMPLETED
    assert verification.breached_at is None
    team = Clock.objects.get(case=case, kind="stage.team")
    assert (team.state, team.due_at) == (ClockState.RUNNING, at(4, 6))
    assert walk.refresh(case).stage_due_at == at(4, 6)


def test_a_paused_calendar_clock_resumes_with_the_time_it_had_left(walk):
    with time_machine.travel(at(4, 1), tick=False):
        case = walk.report()
    with time_machine.travel(at(4, 3), tick=False):
        clock_pause(case=case, kind="stage.verification")
    paused = Clock.objects.get(case=case, kind="stage.verification")
    assert (paused.state, paused.remaining_seconds) == (ClockState.PAUSED, 3 * 86400)
    assert paused.next_check_at is None
    with time_machine.travel(at(4, 10), tick=False):
        clock_resume(case=case, kind="stage.verification")
    resumed = Clock.objects.get(pk=paused.pk)
    assert (resumed.state, resumed.due_at) == (ClockState.RUNNING, at(4, 13))
    assert resumed.paused_seconds == 7 * 86400


def test_a_paused_working_day_clock_resumes_over_the_holidays_with_the_working_time_left(
    walk, settings
):
    settings.TIME_ZONE = "Asia/Hong_Kong"
    DeadlineRule.objects.filter(kind=Kind.STAGE_VERIFICATION).update(
        basis=Basis.WORKING_DAYS, amount=5
    )
    with time_machine.travel(at(4, 3), tick=False):  # a Friday before Easter
        case = walk.report()
    clock = Clock.objects.get(case=case, kind="stage.verification")
    # Wed 8, Thu 9, Fri 10, Mon 13, Tue 14 (the weekend, Easter Monday and the observed
    # Tomb-Sweeping Day do not count).
    assert clock.due_at == at(4, 14)
    with time_machine.travel(at(4, 8), tick=False):
        clock_pause(case=case, kind="stage.verification")
    assert Clock.objects.get(pk=clock.pk).remaining_seconds == 4 * 86400
    with time_machine.travel(at(4, 10), tick=False):
        clock_resume(case=case, kind="stage.verification")
    # Four working days from Friday 10:00: Mon 13, Tue 14, Wed 15, Thu 16 at 10:00.
    assert Clock.objects.get(pk=clock.pk).due_at == at(4, 16)


def test_waiting_for_the_defence_pauses_the_proposal_stage_and_the_answer_resumes_it(walk):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case)
    walk.propose(case, defence=False)
    stage = Clock.objects.get(case=case, kind="stage.sanction_proposal")
    defence = Clock.objects.get(case=case, kind="defence")
    assert stage.state == ClockState.PAUSED
    assert defence.state == ClockState.RUNNING
    assert defence.basis == Basis.WORKING_DAYS
    walk.defence(case)
    assert Clock.objects.get(pk=defence.pk).state == ClockState.COMPLETED
    # Resumed, then met: the approval stage follows the answer at once.
    stage.refresh_from_db()
    assert (stage.state, stage.paused_at) == (ClockState.COMPLETED, None)
    assert stage.paused_seconds >= 0
    assert Clock.objects.get(case=case, kind="stage.approval").state == ClockState.RUNNING
