"""Corrective actions: each owner completes their own; cancellation with a reason; overdue."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework import services as work
from remediation.models import ActionStatus, CorrectiveAction
from remediation.selectors import overdue_actions
from violations import audit
from violations.exceptions import Conflict, InvalidState, NotAllowed

from .helpers import complete, events, plan, render_panel, second_owner, task_of, task_url, to_plan

CAUSES = [("training", "Did not know the rule"), ("system", "No suitability check in the system")]


@pytest.fixture
def planned(walk, world):
    """A case with two actions: one for ``owner`` and one for ``owner2``."""
    case = to_plan(walk)
    owner2 = second_owner()
    a1, a2 = plan(walk, case, causes=CAUSES, actions=[(world.owner, [0], 30), (owner2, [1], 30)])
    return case, a1, a2, owner2


def test_each_owner_has_a_task_for_their_own_action(planned, world):
    case, a1, a2, owner2 = planned
    assert task_of(case, a1).owner == world.owner
    assert task_of(case, a2).owner == owner2
    assert task_of(case, a1).status == STATUS.ASSIGNED


@pytest.mark.parametrize("who", ["owner2", "officer", "manager"])
def test_nobody_completes_someone_elses_action_and_nothing_changes(planned, world, who):
    case, a1, _a2, owner2 = planned
    actor = owner2 if who == "owner2" else getattr(world, who)
    before = events(case)
    with pytest.raises((NotAllowed, Conflict)):
        work.action_complete(
            task=task_of(case, a1),
            actor=actor,
            completion_note="Not mine",
            proof_link="https://intranet.example/x",
        )
    a1.refresh_from_db()
    assert a1.status == ActionStatus.OPEN
    assert a1.completed_at is None
    assert a1.completion_note == ""
    assert task_of(case, a1).status == STATUS.ASSIGNED
    assert task_of(case, a1).owner == world.owner
    assert events(case) == before


def test_owner_completes_own_action_with_proof(planned, world, walk):
    case, a1, a2, _owner2 = planned
    complete(a1, case)
    a1.refresh_from_db()
    assert a1.status == ActionStatus.DONE
    assert a1.done_on_time is True
    assert task_of(case, a1).status == STATUS.DONE
    # the other action still holds the case back
    assert "wait_review" not in walk.open_names(case)
    complete(a2, case)
    assert "wait_review" in walk.open_names(case)


def test_completion_needs_a_note_and_proof(planned, world):
    case, a1, *_ = planned
    before = events(case)
    with pytest.raises(ValidationError):
        work.action_complete(task=task_of(case, a1), actor=world.owner, completion_note="Done")
    a1.refresh_from_db()
    assert a1.status == ActionStatus.OPEN
    assert task_of(case, a1).status == STATUS.ASSIGNED
    assert events(case) == before


def test_cancelling_the_last_open_action_lets_the_case_proceed(planned, world, walk):
    case, a1, a2, _owner2 = planned
    complete(a1, case)
    work.action_cancel(
        action=a2, actor=world.manager, reason="Superseded by the bank-wide system fix"
    )
    a2.refresh_from_db()
    assert a2.status == ActionStatus.CANCELLED
    assert a2.cancel_reason == "Superseded by the bank-wide system fix"
    assert a2.cancelled_by == world.manager
    assert task_of(case, a2).status == STATUS.CANCELED
    assert walk.open_names(case) == ["finished", "wait_review"]
    event = audit.events_of(case).filter(action="action.cancelled").get()
    assert event.reason == "Superseded by the bank-wide system fix"
    assert event.payload["action"] == a2.pk


def test_cancelling_first_then_completing_the_other_proceeds(planned, world, walk):
    case, a1, a2, _owner2 = planned
    work.action_cancel(action=a1, actor=world.officer, reason="Duplicate of action 2")
    assert walk.open_names(case) == ["complete_action", "finished"]
    complete(a2, case)
    assert walk.open_names(case) == ["finished", "wait_review"]
    walk.fire_timers(case)
    walk.review(case)
    assert walk.refresh(case).is_closed


def _snapshot(case, *actions):
    rows = [CorrectiveAction.objects.get(pk=a.pk) for a in actions]
    return (
        [(r.status, r.cancel_reason, r.cancelled_by_id) for r in rows],
        [task_of(case, a).status for a in actions],
        events(case),
    )


@pytest.mark.parametrize(
    ("actor_name", "reason", "error"),
    [
        ("manager", "  ", ValidationError),  # no reason
        ("owner", "I am busy", NotAllowed),  # owners do not cancel their own work
        ("reviewer", "Pointless", NotAllowed),
        ("reporter", "Pointless", NotAllowed),
    ],
)
def test_cancellation_refusals_change_nothing(planned, world, actor_name, reason, error):
    case, a1, a2, _owner2 = planned
    before = _snapshot(case, a1, a2)
    with pytest.raises(error):
        work.action_cancel(action=a1, actor=getattr(world, actor_name), reason=reason)
    assert _snapshot(case, a1, a2) == before


def test_the_last_standing_action_cannot_be_cancelled(planned, world):
    case, a1, a2, _owner2 = planned
    work.action_cancel(action=a1, actor=world.manager, reason="Duplicate")
    before = _snapshot(case, a1, a2)
    with pytest.raises(InvalidState):
        work.action_cancel(action=a2, actor=world.manager, reason="Also not needed")
    assert _snapshot(case, a1, a2) == before


def test_a_done_action_cannot_be_cancelled(planned, world):
    case, a1, a2, _owner2 = planned
    complete(a1, case)
    before = _snapshot(case, a1, a2)
    with pytest.raises(InvalidState):
        work.action_cancel(action=a1, actor=world.manager, reason="Changed my mind")
    assert _snapshot(case, a1, a2) == before


def test_overdue_actions_are_listed_for_the_case_manager(planned, world, client):
    case, a1, a2, _owner2 = planned
    CorrectiveAction.objects.filter(pk=a2.pk).update(
        due_date=timezone.localdate() + dt.timedelta(days=60)
    )
    assert list(overdue_actions(world.manager)) == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        assert list(overdue_actions(world.manager)) == [a1]
        assert list(overdue_actions(world.outsider)) == []
        client.force_login(world.manager)
        page = client.get(reverse("remediation:overdue_actions"))
        assert page.status_code == 200
        assert case.reference in page.content.decode()
        assert "1 action overdue" in render_panel(case, world.manager)


def test_case_manager_cancels_from_the_case_page(planned, world, client, walk):
    case, a1, a2, _owner2 = planned
    complete(a1, case)
    client.force_login(world.manager)
    url = reverse("casework:action_cancel", args=[case.reference, a2.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    assert CorrectiveAction.objects.get(pk=a2.pk).status == ActionStatus.OPEN
    response = client.post(url, {"reason": "Owner left; covered by action 1"})
    assert response.status_code == 302
    assert CorrectiveAction.objects.get(pk=a2.pk).status == ActionStatus.CANCELLED
    assert walk.open_names(case) == ["finished", "wait_review"]


def test_owner_completes_through_the_task_page(planned, world, client):
    case, a1, *_ = planned
    task = task_of(case, a1)
    url = task_url(task)
    client.force_login(world.owner)
    page = client.get(url)
    assert page.status_code == 200
    assert "Action 0" in page.content.decode()
    response = client.post(
        url, {"completion_note": "Held the training", "proof_link": "https://intranet.example/t/1"}
    )
    assert response.status_code == 302
    assert CorrectiveAction.objects.get(pk=a1.pk).status == ActionStatus.DONE


def test_cancelled_action_and_its_reason_show_on_the_case_page(planned, world):
    case, _a1, a2, _owner2 = planned
    work.action_cancel(action=a2, actor=world.manager, reason="Owner left the bank")
    panel = render_panel(case, world.manager)
    assert "Cancelled corrective actions" in panel
    assert "Owner left the bank" in panel
