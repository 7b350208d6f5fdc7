"""The training register: attendees and their completion, overdue training, filters by
department (with the departments below it) and topic, and who may record completion."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ledger.models import AuditEvent
from remediation import services as rem
from remediation.models import TrainingAttendance
from tests.violations.factories import DepartmentFactory, EmployeeFactory, UserFactory
from violations import audit
from violations.exceptions import NotAllowed

from .helpers import to_plan

REGISTER = "/remediation/training/"


@pytest.fixture
def register(walk, world):
    """Two sessions of one case: attendees in the branch, in a desk below it and elsewhere."""
    case = to_plan(walk)
    walk.plan(case)
    desk = DepartmentFactory(code="RB-DESK", name="Wealth desk", parent=world.dept)
    people = {
        "branch": EmployeeFactory(name="Amy Branch", position="Teller", department=world.dept),
        "desk": EmployeeFactory(name="Ben Desk", position="Adviser", department=desk),
        "ops": EmployeeFactory(name="Cat Ops", position="Clerk", department=world.other_dept),
    }
    today = timezone.localdate()
    suitability = rem.training_record(
        actor=world.officer,
        topic="Suitability rules",
        trainer="Ms Ho",
        held_on=today,
        attendees=list(people.values()),
        cases=[case],
        root_causes=list(case.root_causes.all()),
        due_date=today + dt.timedelta(days=7),
    )
    privacy = rem.training_record(
        actor=world.officer,
        topic="Customer privacy",
        trainer="Mr Lam",
        held_on=today,
        attendees=[people["ops"]],
        cases=[case],
    )
    return {"case": case, "people": people, "suitability": suitability, "privacy": privacy}


def attendance(session, employee):
    return TrainingAttendance.objects.get(session=session, employee=employee)


def page(user, query=""):
    client = Client()
    client.force_login(user)
    response = client.get(REGISTER + query)
    assert response.status_code == 200
    return response


def shown(response):
    """{topic: [attendee names]} as the page lists them."""
    return {
        s.topic: [a.employee.name for a in s.shown_attendance] for s in response.context["page_obj"]
    }


def test_the_register_lists_sessions_with_attendees_cases_and_root_causes(register, world):
    response = page(world.manager)
    assert shown(response) == {
        "Suitability rules": ["Amy Branch", "Ben Desk", "Cat Ops"],
        "Customer privacy": ["Cat Ops"],
    }
    body = response.content.decode()
    assert register["case"].reference in body
    assert register["case"].get_absolute_url() in body
    cause = register["case"].root_causes.get()
    assert cause.get_category_display() in body
    assert "0 of 3 completed" in body
    assert "Ben Desk · Adviser" in body


def test_filters_by_department_with_those_below_it_and_by_topic(register, world):
    by_branch = page(world.manager, f"?department={world.dept.pk}")
    assert shown(by_branch) == {"Suitability rules": ["Amy Branch", "Ben Desk"]}
    assert "0 of 2 completed" in by_branch.content.decode()
    desk = register["people"]["desk"].department
    assert shown(page(world.manager, f"?department={desk.pk}")) == {
        "Suitability rules": ["Ben Desk"]
    }
    assert shown(page(world.manager, f"?department={world.other_dept.pk}")) == {
        "Suitability rules": ["Cat Ops"],
        "Customer privacy": ["Cat Ops"],
    }
    assert shown(page(world.manager, "?topic=privacy")) == {"Customer privacy": ["Cat Ops"]}
    assert shown(page(world.manager, "?topic=nothing-like-it")) == {}
    # A department that does not exist is a form error, not a failure.
    unknown = page(world.manager, "?department=999999&page=x")
    assert "department" in unknown.context["form"].errors


def test_recording_completion_is_audited_on_the_case_chain(register, world):
    row = attendance(register["suitability"], register["people"]["desk"])
    done = rem.training_completion_record(attendance=row, actor=world.hr, completed=True)
    assert done.completed is True
    assert done.completed_at is not None
    assert done.completion_recorded_by == world.hr
    event = audit.events_of(register["case"]).get(action="training.completed")
    assert event.actor == world.hr
    assert event.payload["attendee"] == register["people"]["desk"].pk
    assert [r["model"] for r in event.records] == ["remediation.trainingattendance"]
    history = list(done.history.order_by("history_id").values_list("completed", "history_user"))
    assert history == [(False, world.officer.pk), (True, world.hr.pk)]
    assert "1 of 3 completed" in page(world.manager).content.decode()
    # Withdrawing it needs a reason.
    with pytest.raises(ValidationError):
        rem.training_completion_record(attendance=done, actor=world.officer, completed=False)
    rem.training_completion_record(
        attendance=done, actor=world.officer, completed=False, reason="Wrong person"
    )
    done.refresh_from_db()
    assert (done.completed, done.completed_at) == (False, None)
    assert audit.verify(case=register["case"], files=False).intact


def _state():
    return (
        list(TrainingAttendance.objects.order_by("pk").values_list("completed", "completed_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["investigator", "owner", "reviewer", "auditor", "outsider"])
def test_others_may_not_record_completion_and_nothing_changes(register, world, who):
    row = attendance(register["suitability"], register["people"]["branch"])
    before = _state()
    with pytest.raises(NotAllowed):
        rem.training_completion_record(attendance=row, actor=getattr(world, who), completed=True)
    assert _state() == before


def test_nobody_records_their_own_completion_nor_one_in_the_future(register, world):
    hr_clerk = UserFactory(username="hrclerk", roles=["HR officer"])
    me = register["people"]["ops"]
    me.user = hr_clerk
    me.save(update_fields=["user"])
    before = _state()
    with pytest.raises(NotAllowed):
        rem.training_completion_record(
            attendance=attendance(register["privacy"], me), actor=hr_clerk, completed=True
        )
    with pytest.raises(ValidationError) as refused:
        rem.training_completion_record(
            attendance=attendance(register["privacy"], me),
            actor=world.hr,
            completed=True,
            completed_at=timezone.now() + dt.timedelta(days=1),
        )
    assert "completed_at" in refused.value.message_dict
    assert _state() == before


def test_the_page_records_completion_and_refuses_with_a_message(register, world):
    row = attendance(register["suitability"], register["people"]["branch"])
    url = f"/remediation/training/attendance/{row.pk}/completion/"
    client = Client()
    client.force_login(world.hr)
    response = client.post(url, {"completed": "1", "back": "topic=Suit&next=//evil.example"})
    assert response.status_code == 302
    assert response["Location"] == "/remediation/training/?topic=Suit"
    row.refresh_from_db()
    assert row.completed is True
    again = client.post(url, {"completed": "1"}, follow=True)
    assert "This completion is already recorded." in again.content.decode()
    # A reader who may not record is refused on the page too, and nothing changes.
    auditor, outsider = Client(), Client()
    auditor.force_login(world.auditor)
    outsider.force_login(world.outsider)
    before = _state()
    refused = auditor.post(url, {"completed": "0", "reason": "x"}, follow=True)
    assert "Only compliance officers, case managers and HR officers" in refused.content.decode()
    assert _state() == before
    assert Client().post(url, {"completed": "1"}).status_code == 302  # to sign in
    assert outsider.post(url, {"completed": "1"}).status_code == 404
    assert _state() == before


def test_overdue_training_is_shown(register, world):
    row = attendance(register["suitability"], register["people"]["desk"])
    rem.training_completion_record(attendance=row, actor=world.hr, completed=True)
    later = timezone.now() + dt.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        response = page(world.manager)
        body = response.content.decode()
        assert "2 overdue" in body
        assert body.count('<span class="badge late">Overdue</span>') == 2
        overdue = page(world.manager, "?overdue=on")
        assert shown(overdue) == {"Suitability rules": ["Amy Branch", "Cat Ops"]}
    # Before the due date nobody is overdue.
    now = page(world.manager)
    assert [s.overdue_count for s in now.context["page_obj"]] == [0, 0]
    assert 'class="badge late"' not in now.content.decode()
    assert shown(page(world.manager, "?overdue=on")) == {}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("officer", 200),
        ("hr", 200),
        ("owner", 200),
        ("auditor", 200),
        ("senior", 200),
        ("investigator", 403),
        ("reporter", 403),
        ("outsider", 403),
    ],
)
def test_who_reads_the_register(register, world, who, status):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get(REGISTER).status_code == status


def test_the_register_names_only_the_cases_in_the_readers_sight(register, world):
    """HR records completion of training whose case it may not see: the session is listed,
    the case is not named."""
    from violations import policy

    case = register["case"]
    assert not policy.can_view_case(world.hr, case)
    body = page(world.hr).content.decode()
    assert "Suitability rules" in body
    assert case.reference not in body
    assert "a case out of your sight" in body
    assert case.reference in page(world.manager).content.decode()
