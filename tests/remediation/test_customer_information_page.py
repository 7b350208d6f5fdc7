"""Asking the customer for information from the case page: the complaint clock waits."""

import datetime as dt

import pytest
import time_machine

from deadlines.models import Kind
from violations import audit
from violations.models.clock import Clock, ClockState

from .helpers import render_panel


@pytest.fixture
def complaint(walk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        return walk.report(customer=True)


def _clock(case):
    return Clock.objects.get(case=case, kind=Kind.COMPLAINT)


def _ask_url(case):
    return f"/remediation/{case.reference}/customer-information/"


def _answer_url(case, request):
    return f"/remediation/{case.reference}/customer-information/{request.pk}/answer/"


def test_the_officer_asks_and_records_the_answer_from_the_case_page(complaint, world, client):
    client.force_login(world.officer)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "Ask the customer for information" in page
    assert "Record the customer&#x27;s answer" not in page

    page = client.post(
        _ask_url(complaint),
        {"question": "The date of the sale on your statement", "channel": "telephone"},
        follow=True,
    ).content.decode()
    assert _clock(complaint).state == ClockState.PAUSED
    [request] = complaint.customer_information_requests.all()
    assert "The customer was asked; the complaint clock is paused." in page
    assert "Complaint clock paused" in page
    assert "The date of the sale on your statement" in page
    assert _answer_url(complaint, request) in page
    assert f'action="{_ask_url(complaint)}"' not in page  # one open question at a time

    page = client.post(
        _answer_url(complaint, request), {"answer": "Sold on 3 February."}, follow=True
    ).content.decode()
    assert _clock(complaint).state == ClockState.RUNNING
    request.refresh_from_db()
    assert (request.answer, request.answer_recorded_by) == ("Sold on 3 February.", world.officer)
    assert "Complaint clock paused" not in page
    assert f'action="{_ask_url(complaint)}"' in page  # the customer may be asked again


def test_the_panel_offers_nothing_to_whoever_the_service_refuses(complaint, world):
    assert "Ask the customer for information" in render_panel(complaint, world.manager)
    for user in (world.auditor, world.investigator):
        assert "Ask the customer for information" not in render_panel(complaint, user)


def test_a_case_without_a_customer_offers_no_question(walk, world):
    case = walk.report()
    assert "Ask the customer for information" not in render_panel(case, world.officer)


def test_refused_posts_change_nothing_and_say_why(complaint, world, client):
    events = audit.events_of(complaint).count()
    client.force_login(world.auditor)
    page = client.post(
        _ask_url(complaint), {"question": "The statement", "channel": "letter"}, follow=True
    ).content.decode()
    assert "Only compliance officers and the case manager record what the customer is asked." in (
        page
    )
    client.force_login(world.officer)
    page = client.post(
        _ask_url(complaint), {"question": " ", "channel": "letter"}, follow=True
    ).content.decode()
    assert "What the customer is asked for: This field is required." in page
    assert complaint.customer_information_requests.count() == 0
    assert _clock(complaint).state == ClockState.RUNNING

    client.post(_ask_url(complaint), {"question": "The statement", "channel": "letter"})
    [request] = complaint.customer_information_requests.all()
    page = client.post(_answer_url(complaint, request), {"answer": ""}, follow=True)
    assert "This field is required." in page.content.decode()
    client.force_login(world.auditor)
    page = client.post(_answer_url(complaint, request), {"answer": "Yes"}, follow=True)
    assert "Only compliance officers and the case manager" in page.content.decode()
    request.refresh_from_db()
    assert request.answered_at is None
    assert _clock(complaint).state == ClockState.PAUSED
    assert audit.events_of(complaint).count() == events + 1


def test_answering_a_question_of_another_case_is_not_found(complaint, walk, world, client):
    other = walk.report(customer=True)
    client.force_login(world.officer)
    client.post(_ask_url(other), {"question": "The statement", "channel": "letter"})
    [request] = other.customer_information_requests.all()
    response = client.post(_answer_url(complaint, request), {"answer": "Yes"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.answered_at is None


def test_the_same_actions_by_api_pause_and_resume_the_clock(complaint, world):
    from tests.api.client import Caller

    officer = Caller(world.officer)
    base = f"/cases/{complaint.reference}/customer-information-requests/"
    refused = Caller(world.auditor).post(base, {"question": "The statement", "channel": "letter"})
    assert refused.status_code == 403
    assert officer.post(base, {"question": "", "channel": "letter"}).status_code == 400
    assert complaint.customer_information_requests.count() == 0

    asked = officer.ok(
        officer.post(base, {"question": "The statement", "channel": "letter"}), status=201
    )
    assert _clock(complaint).state == ClockState.PAUSED
    answered = officer.ok(officer.post(f"{base}{asked['id']}/answer/", {"answer": "Yes"}), 201)
    assert answered["id"] == asked["id"]
    assert _clock(complaint).state == ClockState.RUNNING
    again = officer.post(f"{base}{asked['id']}/answer/", {"answer": "Again"})
    assert again.status_code == 409  # answered already: nothing changes
