"""Time left where people look: the case list's deadline filters, the inbox's "Due" column
and the case page."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from casework import services as work
from violations import selectors, services

HKT = ZoneInfo("Asia/Hong_Kong")
T0 = dt.datetime(2026, 4, 1, 9, tzinfo=HKT)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def refs(cases):
    return sorted(c.reference for c in cases)


def test_the_case_list_filters_overdue_cases_and_cases_due_within_n_days(walk, world):
    with time_machine.travel(T0, tick=False):
        fresh_ack = walk.report()  # acknowledgement due in 24 hours, verification in 5 days
        acknowledged = walk.report()
        services.case_acknowledge(case=acknowledged, actor=world.officer)
    with time_machine.travel(T0 - dt.timedelta(days=10), tick=False):
        old = walk.report()  # everything overdue by now
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        manager = world.manager
        assert refs(selectors.case_list(manager, due="overdue")) == [old.reference]
        assert refs(selectors.case_list(manager, due=1)) == refs([fresh_ack])
        assert refs(selectors.case_list(manager, due=7)) == refs([fresh_ack, acknowledged])
        assert selectors.case_list_count(manager, due=7) == 2
        page = client_for(manager).get("/cases/", {"due": "overdue"})
        assert page.status_code == 200
        assert [c.reference for c in page.context["page"]] == [old.reference]
        body = page.content.decode()
        assert 'value="overdue" selected' in body
        # Nonsense is refused with a message, never a 500; the list is unfiltered.
        bad = client_for(manager).get("/cases/", {"due": "soon"})
        assert bad.status_code == 200
        assert bad.context["page"].paginator.count == 3
        assert "a number of days from 1 to 366" in bad.content.decode()


def test_the_inbox_shows_when_each_task_is_due(walk, world, django_assert_max_num_queries):
    with time_machine.travel(T0, tick=False):
        cases = [walk.report() for _ in range(3)]
        for case in cases:
            work.task_claim(task=walk.task(case, "verify"), actor=world.officer)
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        client = client_for(world.officer)
        client.get(reverse("work:case:inbox"))  # warm-up: sessions, content types
        with django_assert_max_num_queries(20):
            page = client.get(reverse("work:case:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert ">Due<" in body
    # Verification: 5 days from T0, shown in the institution's time zone with the time left.
    due = dt.datetime(2026, 4, 6, 9, tzinfo=HKT).astimezone(ZoneInfo("UTC"))
    assert body.count("4 days left") == 3
    assert due.strftime("%Y-%m-%d") in body


def test_the_case_page_lists_the_open_deadlines_with_time_left(walk, world):
    with time_machine.travel(T0, tick=False):
        case = walk.report(customer=True)
    with time_machine.travel(T0 + dt.timedelta(hours=30), tick=False):
        body = client_for(world.manager).get(case.get_absolute_url()).content.decode()
    assert "Acknowledgement of a report" in body
    assert "6 hours overdue" in body
    assert "Answer to a customer complaint" in body
    assert "13 days left" in body
