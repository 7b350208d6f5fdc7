"""The whole path through services, and each branch of the process."""

import pytest

from violations.models import Outcome, Stage


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


def test_dismissed_at_verification_gets_outcome_notice_and_closes(walk, world):
    case = walk.report()
    walk.verify(case, outcome="dismiss", reason="Product was suitable; records complete.")
    case = walk.refresh(case)
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.DISMISSED)
    assert [n.outcome for n in case.outcome_notices.all()] == [Outcome.DISMISSED]
    assert walk.open_names(case) == []
    assert case.acknowledged_by == world.officer


def test_duplicate_is_linked_and_closed(walk, world):
    first = walk.report()
    second = walk.report()
    walk.verify(second, outcome="duplicate", reason="Same complaint", duplicate_of=first)
    second = walk.refresh(second)
    assert second.outcome == Outcome.DUPLICATE
    assert second.verification.duplicate_of == first
    assert list(first.duplicates.values_list("case__reference", flat=True)) == [second.reference]


def test_not_established_notifies_and_closes(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, established=False)
    case = walk.refresh(case)
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.NOT_ESTABLISHED)
    assert case.outcome_notices.count() == 1
    assert case.sanction_proposals.count() == 0


def test_rejected_then_reproposed(walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case, decision="reject", reason="Too lenient")
    assert walk.open_names(case) == ["propose"]
    assert walk.refresh(case).stage == Stage.SANCTION_PROPOSAL
    walk.propose(case, sanction="criticism", detail="Branch-wide notice")
    walk.decide(case)
    assert walk.open_names(case) == ["execute_sanctions", "plan_remediation"]
    rounds = list(case.sanction_proposals.order_by("round").values_list("round", "status"))
    assert rounds == [(1, "rejected"), (2, "approved")]


def test_returned_to_investigation_reopens_it_for_the_lead(walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case, decision="return", reason="Interview the line manager")
    task = walk.task(case, "investigate")
    assert task.owner == world.investigator
    assert walk.refresh(case).stage == Stage.INVESTIGATION
    walk.investigate(case)
    walk.find_facts(case)
    assert case.findings.count() == 2
    assert walk.open_names(case) == ["propose"]


def test_ineffective_remediation_loops_until_effective(walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case, verdict="ineffective")
    assert walk.open_names(case) == ["finished", "plan_remediation"]
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case, days=200)
    walk.review(case, verdict="effective")
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED
    assert list(case.effectiveness_reviews.values_list("verdict", flat=True)) == [
        "ineffective",
        "effective",
    ]
    assert sorted(set(case.corrective_actions.values_list("round", flat=True))) == [1, 2]


@pytest.mark.parametrize(
    ("customer", "severity", "expected"),
    [
        (False, "general", ["execute_sanctions", "plan_remediation"]),
        (True, "general", ["customer_feedback", "execute_sanctions", "plan_remediation"]),
        (False, "major", ["execute_sanctions", "notify_regulator", "plan_remediation"]),
        (
            True,
            "major",
            ["customer_feedback", "execute_sanctions", "notify_regulator", "plan_remediation"],
        ),
    ],
)
def test_parallel_branches_follow_customer_and_severity(walk, world, customer, severity, expected):
    case = walk.report(customer=customer)
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, severity=severity)
    walk.propose(case)
    walk.decide(case)
    assert walk.open_names(case) == expected
    walk.execute(case)
    if customer:
        walk.feedback(case)
    if severity == "major":
        walk.notify_regulator(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    assert walk.refresh(case).stage == Stage.CLOSED
