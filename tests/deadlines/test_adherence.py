"""The supervision dashboard's deadline adherence comes from the clocks, per deadline and
per department."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from reports.supervision import dashboard
from violations import services

HKT = ZoneInfo("Asia/Hong_Kong")
T0 = dt.datetime(2026, 4, 1, 9, tzinfo=HKT)


def test_adherence_per_deadline_and_department(walk, world):
    with time_machine.travel(T0, tick=False):
        in_time, late, running = walk.report(), walk.report(), walk.report()
        services.case_acknowledge(case=in_time, actor=world.officer)
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        walk.verify(in_time)  # verification due in 5 days: met
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        services.case_acknowledge(case=late, actor=world.officer)
        walk.verify(late)  # 6 days: missed, and so was its acknowledgement
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=1), tick=False):
        d = dashboard(since=dt.date(2026, 1, 1))
        page = Client()
        page.force_login(world.manager)
        body = page.get("/supervision/").content.decode()
    figures = {a.label: (a.met, a.missed) for a in d.adherence_by_deadline}
    # The third case is still unacknowledged and unverified past both deadlines.
    assert figures["Acknowledgement of a report"] == (1, 2)
    assert figures["Stage: preliminary verification"] == (1, 2)
    # The investigation team stages started on day 1 and 6 (3 days): one missed, one in time.
    assert figures["Stage: investigation team"] == (0, 1)
    assert d.acknowledged_on_time_rate == 33.3
    assert d.stage_on_time_rate == 25.0  # 1 of 4 stage deadlines decided
    assert [(a.label, a.met, a.missed) for a in d.adherence_by_department] == [
        ("Retail Banking", 2, 5)
    ]
    assert d.overdue_now == 2  # the first (its team stage) and the third
    assert "Deadline adherence per department" in body
    assert running.stage == "verification"
