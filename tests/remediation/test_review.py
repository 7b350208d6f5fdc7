"""The effectiveness review: scheduled by a timer, and looping until the remediation works."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.timers import fire_due_timers

from casework.engine import open_task
from remediation.models import EffectivenessReview, Verdict
from violations import audit
from violations.models import Stage

from .helpers import complete, plan, to_plan


def timer_of(case):
    return Task.objects.get(process_id=case.process_id, flow_task_type="TIMER", status="SCHEDULED")


CAUSES = [("training", "Did not know the rule")]


def test_review_is_scheduled_the_configured_delay_after_the_last_action(walk, world, settings):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "DEADLINE_OVERRIDES": {"review_delay": dt.timedelta(days=10)},
    }
    case = to_plan(walk)
    a1, a2 = plan(
        walk, case, causes=CAUSES, actions=[(world.owner, [0], 30), (world.owner, [0], 30)]
    )
    first = timezone.now() + dt.timedelta(days=1)
    last = timezone.now() + dt.timedelta(days=5)
    with time_machine.travel(first, tick=False):
        complete(a1, case)
    assert "wait_review" not in walk.open_names(case)  # not before the last action
    with time_machine.travel(last, tick=False):
        complete(a2, case)
    timer = timer_of(case)
    assert timer.status == "SCHEDULED"
    assert timer.scheduled == last + dt.timedelta(days=10)
    with time_machine.travel(last + dt.timedelta(days=10) - dt.timedelta(seconds=1), tick=False):
        assert fire_due_timers() == 0
    assert open_task(case, "review") is None
    assert walk.refresh(case).stage == Stage.POST_APPROVAL
    with time_machine.travel(last + dt.timedelta(days=10), tick=False):
        assert fire_due_timers() == 1
    assert walk.open_names(case) == ["finished", "review"]
    assert walk.refresh(case).stage == Stage.EFFECTIVENESS_REVIEW


def test_default_delay_is_ninety_days(walk, world):
    case = to_plan(walk)
    walk.plan(case)
    walk.complete_actions(case)
    timer = timer_of(case)
    done = case.corrective_actions.get().completed_at
    assert dt.timedelta(days=90) <= timer.scheduled - done < dt.timedelta(days=90, seconds=5)


@pytest.mark.parametrize("verdict", [Verdict.INEFFECTIVE, Verdict.PARTLY])
def test_unfavourable_verdict_loops_to_a_new_plan_then_a_new_review_closes(walk, world, verdict):
    case = to_plan(walk)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case, verdict=verdict)
    case = walk.refresh(case)
    assert not case.is_closed
    assert walk.open_names(case) == ["finished", "plan_remediation"]

    # round 2: new causes and actions; the old ones stay as they were
    (a,) = plan(
        walk,
        case,
        causes=[("supervision", "Nobody checked the sales")],
        actions=[(world.owner, [0], 20)],
    )
    assert a.round == 2
    assert walk.open_names(case) == ["complete_action", "finished"]
    complete(a, case)
    assert walk.open_names(case) == ["finished", "wait_review"]
    walk.fire_timers(case)
    walk.review(case, verdict=Verdict.EFFECTIVE)

    case = walk.refresh(case)
    assert case.is_closed
    assert walk.open_names(case) == []
    assert list(EffectivenessReview.objects.filter(case=case).values_list("round", "verdict")) == [
        (1, verdict),
        (2, Verdict.EFFECTIVE),
    ]
    second = EffectivenessReview.objects.get(case=case, round=2)
    assert second.evidence["round"] == 2
    assert second.evidence["causes_total"] == 1
    assert second.evidence["actions_total"] == 1


def test_ineffective_twice_still_does_not_close(walk, world):
    case = to_plan(walk)
    for _ in range(2):
        walk.plan(case)
        walk.complete_actions(case)
        walk.fire_timers(case)
        walk.review(case, verdict=Verdict.INEFFECTIVE)
        assert not walk.refresh(case).is_closed
    assert walk.open_names(case) == ["finished", "plan_remediation"]
    assert case.corrective_actions.order_by("round").last().round == 2


def test_an_action_owner_cannot_review_and_a_refusal_changes_nothing(walk, world):
    """Read with the reviewer's standing in one query under the lock: owning any corrective
    action of the case (here, handed over after completion) bars the review."""
    from remediation.models import CorrectiveAction
    from violations.exceptions import NotAllowed

    case = to_plan(walk)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    CorrectiveAction.objects.filter(case=case).update(owner=world.reviewer)
    events = audit.events_of(case).count()
    with pytest.raises(NotAllowed, match="own a corrective action"):
        walk.review(case)
    assert not EffectivenessReview.objects.filter(case=case).exists()
    assert audit.events_of(case).count() == events
    assert walk.open_names(case) == ["finished", "review"]
