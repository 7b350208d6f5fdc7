"""The deadline scan: a reminder, then a breach told to the holder, the manager and the
compliance head, each once however often the scan runs."""

import datetime as dt
import io
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from casework import services as work
from ledger.models import AuditEvent
from notifications.models import Notification
from violations import audit, services
from violations.models import Clock
from violations.services.deadlines import deadline_scan

HKT = ZoneInfo("Asia/Hong_Kong")
T0 = dt.datetime(2026, 4, 1, 9, tzinfo=HKT)


def told(case, kind=None):
    rows = Notification.objects.filter(case_reference=case.reference)
    if kind:
        rows = rows.filter(kind=kind)
    return sorted((n.kind, n.recipient.get_username()) for n in rows)


def scan_at(hours):
    with time_machine.travel(T0 + dt.timedelta(hours=hours), tick=False):
        return deadline_scan()


def test_reminder_breach_and_the_three_escalation_levels_fire_once_each(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
        work.task_claim(task=walk.task(case, "verify"), actor=world.officer)
    # Acknowledgement: 24 hours, reminded 6 hours before, the manager 4 hours and the
    # compliance head 24 hours after the breach.
    assert scan_at(1).clocks == 0
    assert told(case) == []

    first = scan_at(19)
    assert (first.reminded, first.breached) == (1, 0)
    assert told(case) == [("deadline.nearing", "officer")]

    breach = scan_at(25)
    assert (breach.breached, breach.escalated) == (1, {2: 0, 3: 0})
    assert told(case, "deadline.breached") == [("deadline.breached", "officer")]

    # The officer has no line manager on file: the head of the case's department is told.
    assert scan_at(29).escalated == {2: 1, 3: 0}
    assert told(case, "deadline.escalated") == [("deadline.escalated", "depthead")]

    assert scan_at(49).escalated == {2: 0, 3: 1}
    assert told(case, "deadline.escalated") == [
        ("deadline.escalated", "depthead"),
        ("deadline.escalated", "manager"),
    ]
    # Again, and twice more: nothing new.
    before = Notification.objects.count()
    for hours in (49, 50, 60):
        again = scan_at(hours)
        assert (again.reminded, again.breached, again.escalated) == (0, 0, {2: 0, 3: 0})
    assert Notification.objects.count() == before
    levels = [
        e.payload["escalation"]
        for e in audit.events_of(case).filter(action="deadline.escalated").order_by("seq")
    ]
    assert levels == [1, 2, 3]
    clock = Clock.objects.get(case=case, kind="acknowledgement")
    assert (clock.escalation_level, clock.next_check_at) == (3, None)
    assert clock.breached_at == T0 + dt.timedelta(hours=24)


def test_a_clock_stopped_in_time_is_never_reminded_or_escalated(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        services.case_acknowledge(case=case, actor=world.officer)
    scan_at(23)
    assert told(case, "deadline.nearing") == []
    assert (
        not audit.events_of(case)
        .filter(action="deadline.escalated", payload__what="acknowledgement")
        .exists()
    )


def test_a_queued_task_breach_goes_to_the_department_head_and_the_command_runs_the_scan(
    walk, world
):
    with time_machine.travel(T0, tick=False):
        case = walk.report()
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        out = io.StringIO()
        call_command("scan_deadlines", stdout=out)
        call_command("escalate_overdue", stdout=out)
    assert "1 breach(es)" in out.getvalue()
    assert told(case, "deadline.breached") == [("deadline.breached", "depthead")]
    assert AuditEvent.objects.filter(action="deadline.escalated").count() == 1


def test_the_case_file_tells_each_escalation_level_in_three_languages():
    from django.utils import translation

    from reports import timeline
    from reports.casefile import ChainEvent

    told = {}
    for level in (1, 2, 3):
        event = ChainEvent(
            seq=1,
            occurred_at=None,
            action="deadline.escalated",
            actor="",
            reason="",
            hash="",
            prev_hash="",
            content={},
            facts={
                "what": "corrective_action",
                "due": "2026-12-03T22:05:59+00:00",
                "escalation": level,
            },
        )
        for lang in ("en", "zh-hant", "zh-hans"):
            with translation.override(lang):
                told[level, lang] = timeline.sentence(event)
    assert told[1, "en"].startswith("“Corrective action” passed its deadline")
    assert told[2, "en"].endswith("escalated to the manager.")
    assert told[3, "zh-hant"].startswith("「整改措施」仍然逾期")
    assert told[3, "zh-hans"].endswith("已上报合规负责人。")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED: PostgreSQL only")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scans_at_once_tell_each_breach_exactly_once():
    from tests.conftest import make_world
    from tests.walk import Walker

    walk = Walker(make_world())
    cases = [walk.report() for _ in range(12)]
    later = timezone.now() + dt.timedelta(hours=25)  # every acknowledgement is late
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(deadline_scan(now=later, batch=2))
        except Exception as error:  # surfaced below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.breached for r in results) == 12
    assert Notification.objects.filter(kind="deadline.breached").count() == 12
    assert AuditEvent.objects.filter(action="deadline.escalated").count() == 12
    assert {c.reference for c in cases} == set(
        Notification.objects.values_list("case_reference", flat=True)
    )
