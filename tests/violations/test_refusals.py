"""Refusals say why and change nothing."""

import pytest
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task

from casework import services as work
from violations import audit, services
from violations.exceptions import Conflict, NotAllowed
from violations.models import Case, TeamMember, Verification


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return {
        "stage": case.stage,
        "outcome": case.outcome,
        "events": audit.events_of(case).count(),
        "tasks": sorted(
            Task.objects.filter(process_id=case.process_id).values_list("pk", "status", "owner_id")
        ),
        "history": case.history.count(),
        "team": TeamMember.objects.filter(case=case).count(),
    }


def test_reporter_cannot_verify(walk, world):
    case = walk.report()
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="Only compliance officers verify"):
        work.verification_complete(
            task=walk.task(case, "verify"), actor=world.reporter, outcome="proceed"
        )
    assert snapshot(case) == before
    assert not Verification.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["investigator", "hr", "auditor", "outsider", "depthead"])
def test_wrong_roles_cannot_verify(walk, world, who):
    case = walk.report()
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        work.verification_complete(
            task=walk.task(case, "verify"), actor=getattr(world, who), outcome="proceed"
        )
    assert snapshot(case) == before


def test_verify_dismiss_needs_a_reason(walk, world):
    case = walk.report()
    before = snapshot(case)
    with pytest.raises(ValidationError) as err:
        work.verification_complete(
            task=walk.task(case, "verify"), actor=world.officer, outcome="dismiss"
        )
    assert "reason" in err.value.message_dict
    assert snapshot(case) == before


def test_officer_who_is_the_subject_cannot_verify(walk, world):
    from tests.violations.factories import EmployeeFactory

    EmployeeFactory(department=world.dept, user=world.officer)
    case = walk.report(subjects=[world.officer.employee])
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="subject of this case"):
        walk.verify(case)
    assert snapshot(case) == before


def test_subject_or_reporter_cannot_be_named_to_the_team(walk, world):
    from tests.violations.factories import EmployeeFactory

    EmployeeFactory(department=world.dept, user=world.investigator2)
    world.reporter.groups.add(*world.investigator.groups.all())
    case = walk.report(subjects=[world.subject, world.investigator2.employee])
    walk.verify(case)
    before = snapshot(case)
    for bad in (world.investigator2, world.reporter):
        with pytest.raises(ValidationError) as err:
            work.team_form(
                task=walk.task(case, "form_team"),
                actor=world.manager,
                lead=world.investigator,
                members=[bad],
            )
        assert bad.username in str(err.value)
    assert snapshot(case) == before


def test_only_case_managers_form_teams(walk, world):
    case = walk.report()
    walk.verify(case)
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="Only case managers"):
        work.team_form(
            task=walk.task(case, "form_team"),
            actor=world.officer,
            lead=world.investigator,
            members=[],
        )
    assert snapshot(case) == before


def test_member_without_declaration_cannot_open_the_investigation(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="Declare that you have no conflict"):
        walk.investigate(case)
    assert snapshot(case) == before
    services.team_declare(case=case, actor=world.investigator, has_conflict=False)
    # The lead has declared; the member has not and still cannot add anything.
    with pytest.raises(NotAllowed, match="Declare that you have no conflict"):
        services.record_review_add(
            case=walk.refresh(case), actor=world.investigator2, record="x", findings="y"
        )


def test_conflicted_member_leaves_and_is_refused(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    services.team_declare(
        case=case, actor=world.investigator2, has_conflict=True, statement="Brother-in-law"
    )
    with pytest.raises(NotAllowed):
        services.record_review_add(
            case=walk.refresh(case), actor=world.investigator2, record="x", findings="y"
        )
    assert not TeamMember.objects.get(case=case, user=world.investigator2).active


@pytest.mark.parametrize("who", ["officer", "investigator", "investigator2", "reporter"])
def test_parties_to_the_case_can_never_approve(walk, world, who):
    world.senior.groups.add()  # the real approver stays available
    user = getattr(world, who)
    # Give them every approval permission: segregation of duties must still refuse.
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="Senior management"))
    case = walk.to_approval(walk.report())
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        walk.decide(case, approver=user)
    assert snapshot(case) == before
    assert case.sanction_proposals.get().decisions.count() == 0


def test_subject_with_approval_role_cannot_approve(walk, world):
    case = walk.to_approval(walk.report(subjects=[world.subject]))
    world.subject.user = world.senior
    world.subject.save()
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="subject"):
        walk.decide(case, approver=world.senior)
    assert snapshot(case) == before


def test_department_head_of_another_department_cannot_approve(walk, world):
    case = walk.to_approval(walk.report())
    world.dept.head = None
    world.dept.save()
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="level"):
        walk.decide(case, approver=world.depthead)
    assert snapshot(case) == before


def test_completed_task_cannot_be_completed_again(walk, world):
    case = walk.report()
    task = walk.task(case, "verify")
    walk.verify(case)
    before = snapshot(case)
    with pytest.raises(Conflict, match="already completed"):
        work.verification_complete(task=task, actor=world.officer, outcome="proceed")
    assert snapshot(case) == before


def test_task_held_by_someone_else_is_refused(walk, world):
    from tests.violations.factories import UserFactory

    other = UserFactory(username="officer2", roles=["Compliance officer"])
    case = walk.report()
    work.task_claim(task=walk.task(case, "verify"), actor=other)
    before = snapshot(case)
    with pytest.raises(Conflict, match="assigned to officer2"):
        walk.verify(case)
    assert snapshot(case) == before


def test_claim_release_reassign_are_audited(walk, world):
    from tests.violations.factories import UserFactory

    other = UserFactory(username="officer2", roles=["Compliance officer"])
    case = walk.report()
    task = walk.task(case, "verify")
    work.task_claim(task=task, actor=world.officer)
    work.task_unassign(task=task, actor=world.officer)
    work.task_reassign(task=task, actor=world.manager, to_user=other, reason="Workload")
    actions = list(
        audit.events_of(case).filter(action__startswith="task.").values_list("action", "actor_name")
    )
    assert actions == [
        ("task.claimed", "officer"),
        ("task.released", "officer"),
        ("task.reassigned", "manager"),
    ]
    assert Task.objects.get(pk=task.pk).owner == other
    reassigned = audit.events_of(case).get(action="task.reassigned")
    assert reassigned.payload["from"] is None
    assert reassigned.payload["to"] == "officer2"
    assert reassigned.reason == "Workload"


def test_reassign_to_ineligible_user_is_refused(walk, world):
    case = walk.report()
    task = walk.task(case, "verify")
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        work.task_reassign(task=task, actor=world.manager, to_user=world.reporter, reason="x")
    with pytest.raises(NotAllowed, match="Only case managers"):
        work.task_reassign(task=task, actor=world.officer, to_user=world.officer, reason="x")
    assert snapshot(case) == before


@pytest.mark.parametrize("who", ["officer", "manager", "investigator", "auditor"])
def test_only_hr_executes_sanctions(walk, world, who):

    case = walk.to_approval(walk.report())
    walk.decide(case)
    before = snapshot(case)
    with pytest.raises(NotAllowed, match="HR"):
        work.sanction_execute(
            task=walk.task(case, "execute_sanctions"), actor=getattr(world, who), executions={}
        )
    assert snapshot(case) == before


def test_report_validation_refuses_future_and_missing_subjects(world):
    import datetime as dt

    from django.utils import timezone

    for kwargs, field in [
        (dict(subjects=[], occurred_at=timezone.now() - dt.timedelta(days=1)), "subjects"),
        (
            dict(subjects=[world.subject], occurred_at=timezone.now() + dt.timedelta(days=1)),
            "occurred_at",
        ),
    ]:
        with pytest.raises(ValidationError) as err:
            work.case_report(
                actor=world.reporter,
                source="staff_report",
                category=world.category,
                title="t",
                description="d",
                department=world.dept,
                **kwargs,
            )
        assert field in err.value.message_dict
    assert Case.objects.count() == 0
    from viewflow.workflow.models import Process

    assert Process.objects.count() == 0


def test_outsider_cannot_report(world):
    import datetime as dt

    from django.utils import timezone

    with pytest.raises(NotAllowed):
        work.case_report(
            actor=world.outsider,
            source="staff_report",
            category=world.category,
            title="t",
            description="d",
            department=world.dept,
            subjects=[world.subject],
            occurred_at=timezone.now() - dt.timedelta(days=1),
        )
    assert Case.objects.count() == 0
