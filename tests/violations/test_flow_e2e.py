"""The whole path through services, and each branch of the process."""

import pytest

from violations.models import Case, Outcome, Stage


def test_full_path_to_close_without_customer(walk, world):
    case = walk.report()
    assert case.reference.startswith("VC-")
    assert walk.open_names(case) == ["verify"]
    walk.to_approval(case)
    assert walk.refresh(case).stage == Stage.APPROVAL
    walk.decide(case)
    assert walk.open_names(case) == ["execute_sanctions", "plan_remediation"]
    walk.execute(case)
    walk.plan(case, actions=2)
    assert walk.open_names(case) == ["complete_action", "complete_action", "finished"]
    walk.complete_actions(case)
    assert walk.open_names(case) == ["finished", "wait_review"]
    walk.fire_timers(case)
    walk.review(case)
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED
    assert case.outcome == Outcome.SANCTIONED
    assert walk.open_names(case) == []
    assert case.process.status == "DONE"
