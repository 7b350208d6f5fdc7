"""The computed evidence beside an effectiveness review."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from casework import services as work
from casework.engine import open_task
from remediation.selectors import review_evidence
from tests.violations.factories import CategoryFactory, EmployeeFactory

from .helpers import complete, plan, to_plan

CAUSES = [
    ("training", "Did not know the rule"),
    ("system", "No suitability check"),
    ("supervision", "Sales not reviewed"),
]


def test_pertinence_counts_only_causes_covered_by_a_done_action(walk, world):
    case = to_plan(walk)
    a0, a1, a2 = plan(
        walk,
        case,
        causes=CAUSES,
        actions=[(world.owner, [0], 30), (world.owner, [1], 30), (world.owner, [1, 2], 30)],
    )
    ev = review_evidence(case)
    assert (ev.causes_total, ev.causes_covered, len(ev.causes_uncovered)) == (3, 0, 3)

    complete(a0, case)
    work.action_cancel(action=a1, actor=world.manager, reason="Folded into the system fix")
    ev = review_evidence(case)
    # cause 1 is addressed only by a cancelled and an open action: not covered yet
    assert ev.causes_covered == 1
    assert ev.causes_uncovered == [
        "System loophole: No suitability check",
        "Supervision and control: Sales not reviewed",
    ]

    complete(a2, case)
    ev = review_evidence(case)
    assert (ev.causes_total, ev.causes_covered, ev.causes_uncovered) == (3, 3, [])
    assert ev.fully_covered
    assert (ev.actions_total, ev.actions_cancelled, ev.actions_on_time) == (2, 1, 2)


def test_pertinence_leaves_a_cause_uncovered_when_its_only_action_is_cancelled(walk, world):
    case = to_plan(walk)
    a0, a1 = plan(
        walk, case, causes=CAUSES[:2], actions=[(world.owner, [0], 30), (world.owner, [1], 30)]
    )
    work.action_cancel(action=a1, actor=world.manager, reason="Not feasible this year")
    complete(a0, case)
    ev = review_evidence(case)
    assert ev.causes_uncovered == ["System loophole: No suitability check"]
    assert not ev.fully_covered


def test_timeliness_counts_late_actions_and_days_from_finding(walk, world):
    case = to_plan(walk)
    a0, a1 = plan(
        walk, case, causes=CAUSES[:1], actions=[(world.owner, [0], 5), (world.owner, [0], 30)]
    )
    found = case.findings.get().found_at
    complete(a0, case)
    finish = found + dt.timedelta(days=12)
    with time_machine.travel(finish, tick=False):
        complete(a1, case)
    ev = review_evidence(case)
    assert (ev.actions_total, ev.actions_on_time, ev.actions_late) == (2, 2, [])
    assert ev.days_from_finding_to_completion == 12
    assert ev.completed_on == timezone.localdate(finish)


def test_an_action_done_after_its_due_date_is_late(walk, world):
    case = to_plan(walk)
    (a0,) = plan(walk, case, causes=CAUSES[:1], actions=[(world.owner, [0], 5)])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        complete(a0, case)
    ev = review_evidence(case)
    assert (ev.actions_total, ev.actions_on_time) == (1, 0)
    assert ev.actions_late == ["Special training: Action 0"]
    assert not ev.all_on_time


def _report(walk, *, department, subjects, category=None):
    w = walk.w
    return work.case_report(
        actor=w.reporter,
        source="staff_report",
        category=category or w.category,
        title="Again",
        description="Another one.",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        department=department,
        subjects=subjects,
        customer_involved=False,
        customer_name="",
        is_anonymous=False,
    )


def test_recurrence_is_counted_by_department_and_by_person_since_completion(walk, world):
    # the case: mis-selling in Retail Banking by Chan; Lee found responsible as manager too
    case = to_plan(walk, people=[(world.subject, "direct"), (world.subject2, "managerial")])
    stranger = EmployeeFactory(department=world.dept, name="Stranger")
    moved = world.subject  # later works in Operations, still the same person
    before = _report(
        walk, department=world.dept, subjects=[stranger]
    )  # before completion: not counted
    walk.plan(case)
    walk.complete_actions(case)

    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        same_dept_other_person = _report(walk, department=world.dept, subjects=[stranger])
        other_dept_same_person = _report(walk, department=world.other_dept, subjects=[moved])
        same_dept_same_person = _report(walk, department=world.dept, subjects=[moved])
        responsible_elsewhere = _report(
            walk, department=world.other_dept, subjects=[world.subject2]
        )
        _report(
            walk, department=world.dept, subjects=[moved], category=CategoryFactory()
        )  # other category
        _report(walk, department=world.other_dept, subjects=[stranger])  # nothing in common
        dismissed = _report(walk, department=world.dept, subjects=[moved])
        work.verification_complete(
            task=open_task(dismissed, "verify"),
            actor=world.officer,
            outcome="dismiss",
            reason="Not a violation",
        )
        ev = review_evidence(case)

    assert ev.recurrence_same_department == 2
    assert ev.recurrence_same_person == 3
    assert ev.recurrence_references == sorted(
        [
            same_dept_other_person.reference,
            other_dept_same_person.reference,
            same_dept_same_person.reference,
            responsible_elsewhere.reference,
        ]
    )
    assert before.reference not in ev.recurrence_references


def test_customer_satisfaction_is_reported(walk, world):
    case = to_plan(walk, customer=True)
    walk.feedback(case)
    assert review_evidence(case).customer_satisfaction == 4.0
    assert review_evidence(to_plan(walk)).customer_satisfaction is None


def test_review_stores_the_evidence_it_was_judged_on(walk, world):
    case = to_plan(walk)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    review = walk.review(case)
    assert review.evidence["causes_total"] == 1
    assert review.evidence["causes_uncovered"] == []
    assert review.evidence["actions_on_time"] == 1
    assert review.evidence["recurrence_same_department"] == 0


def test_whoever_owned_an_action_does_not_judge_it_and_refusals_change_nothing(walk, world):
    from remediation.models import EffectivenessReview
    from tests.violations.factories import UserFactory
    from violations.exceptions import NotAllowed

    both = UserFactory(
        username="owner_reviewer", roles=["Remediation owner", "Effectiveness reviewer"]
    )
    case = to_plan(walk)
    a0, a1 = plan(walk, case, causes=CAUSES[:1], actions=[(world.owner, [0], 30), (both, [0], 30)])
    complete(a0, case)
    complete(a1, case)
    walk.fire_timers(case)
    task = walk.task(case, "review")
    for actor in (both, world.officer, world.owner):
        with pytest.raises(NotAllowed):
            work.effectiveness_review(
                task=task,
                actor=actor,
                verdict="effective",
                timeliness="x",
                pertinence="x",
                effectiveness="x",
                reasons="x",
            )
    assert EffectivenessReview.objects.filter(case=case).count() == 0
    assert walk.open_names(case) == ["finished", "review"]
    assert not walk.refresh(case).is_closed
