"""Training sessions linked to the cases and root causes they answer."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from remediation import services as rem
from remediation.models import TrainingSession
from tests.violations.factories import EmployeeFactory
from violations import audit
from violations.exceptions import NotAllowed

from .helpers import events, render_panel, to_plan


@pytest.fixture
def planned(walk, world):
    case = to_plan(walk)
    walk.plan(case)
    return case


def test_training_is_recorded_and_linked(planned, world):
    case = planned
    cause = case.root_causes.get()
    a, b = EmployeeFactory(department=world.dept), EmployeeFactory(department=world.other_dept)
    session = rem.training_record(
        actor=world.owner,
        topic="Suitability rules",
        trainer="Ms Ho",
        held_on=timezone.localdate(),
        attendees=[a, b],
        cases=[case],
        root_causes=[cause],
    )
    assert set(session.attendees.all()) == {a, b}
    assert list(session.cases.all()) == [case]
    assert list(cause.training_sessions.all()) == [session]
    event = audit.events_of(case).get(action="training.recorded")
    assert event.payload["training"] == session.pk
    assert event.payload["root_causes"] == [cause.pk]
    assert "Suitability rules" in render_panel(case, world.manager)


def test_one_session_answers_several_cases(walk, world, planned):
    other = to_plan(walk)
    session = rem.training_record(
        actor=world.officer,
        topic="Product risk",
        trainer="Mr Lam",
        held_on=timezone.localdate(),
        attendees=[world.subject2],
        cases=[planned, other],
    )
    assert set(session.cases.all()) == {planned, other}
    assert audit.events_of(planned).filter(action="training.recorded").count() == 1
    assert audit.events_of(other).filter(action="training.recorded").count() == 1


@pytest.mark.parametrize(
    ("actor_name", "change", "error"),
    [
        ("outsider", {}, NotAllowed),
        ("reviewer", {}, NotAllowed),
        ("owner", {"topic": " "}, ValidationError),
        ("owner", {"attendees": []}, ValidationError),
        ("owner", {"held_on": "future"}, ValidationError),
        ("owner", {"root_causes": "foreign"}, ValidationError),
    ],
)
def test_training_refusals_change_nothing(walk, world, planned, actor_name, change, error):
    kwargs = dict(
        topic="Rules",
        trainer="Ms Ho",
        held_on=timezone.localdate(),
        attendees=[world.subject2],
        cases=[planned],
        root_causes=[],
    )
    kwargs.update(change)
    if change.get("held_on") == "future":
        kwargs["held_on"] = timezone.localdate() + dt.timedelta(days=1)
    if change.get("root_causes") == "foreign":
        other = to_plan(walk)
        walk.plan(other)
        kwargs["root_causes"] = [other.root_causes.get()]
    before = events(planned)
    with pytest.raises(error):
        rem.training_record(actor=getattr(world, actor_name), **kwargs)
    assert TrainingSession.objects.count() == 0
    assert events(planned) == before


def test_a_party_to_the_case_cannot_record_its_training(walk, world):
    from tests.violations.factories import UserFactory

    planner = UserFactory(username="planner_reporter", roles=["Compliance officer"])
    case = walk.report()
    case.reported_by = planner  # the planner reported this one
    case.save(update_fields=["reported_by"])
    with pytest.raises(NotAllowed):
        rem.training_record(
            actor=planner,
            topic="Rules",
            trainer="Ms Ho",
            held_on=timezone.localdate(),
            attendees=[world.subject2],
            cases=[case],
        )
    assert TrainingSession.objects.count() == 0


def test_training_recorded_from_the_case_page(planned, world, client):
    client.force_login(world.manager)
    cause = planned.root_causes.get()
    response = client.post(
        reverse("remediation:training_add", args=[planned.reference]),
        {
            "topic": "Suitability",
            "held_on": timezone.localdate().isoformat(),
            "trainer": "Ms Ho",
            "attendees": [world.subject2.pk],
            "root_causes": [cause.pk],
            "notes": "",
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert list(session.root_causes.all()) == [cause]
    assert session.recorded_by == world.manager
