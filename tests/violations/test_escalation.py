import datetime as dt

import time_machine
from django.core import mail
from django.utils import timezone

from notifications.outbox import dispatch
from violations import audit
from violations.services.escalation import overdue_escalate


def test_overdue_acknowledgement_and_stage_are_escalated_once(
    walk, world, django_capture_on_commit_callbacks
):
    world.manager.email = "manager@bank.example"
    world.manager.save()
    case = walk.report()
    assert overdue_escalate() == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            done = overdue_escalate()
        assert sorted(done) == [(case.reference, "acknowledgement"), (case.reference, "stage")]
        assert overdue_escalate() == []
        dispatch()
    events = audit.events_of(case).filter(action="deadline.escalated")
    assert sorted(e.payload["what"] for e in events) == ["acknowledgement", "stage"]
    overdue = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert [m.to for m in overdue] == [["manager@bank.example"]]
    assert overdue[0].subject == f"Overdue: {case.reference}"


def test_a_new_stage_gets_its_own_escalation(walk, world):
    case = walk.report()
    walk.verify(case)
    with time_machine.travel(timezone.now() + dt.timedelta(days=4), tick=False):
        assert overdue_escalate() == [(case.reference, "stage")]
    assert (
        audit.events_of(case).filter(action="deadline.escalated").get().payload["stage"] == "team"
    )
