"""How a step reaches the database: the lock, the standing checks and the audit events.

These are the mechanics behind the statement counts in ``tests/test_query_counts.py``: each
is asserted here for what it must still guarantee, not only for what it saves.
"""

import pytest
from django.db import connection, transaction

from tests.sql import statements
from violations import policy, services
from violations.audit.verify import verify
from violations.exceptions import NotAllowed
from violations.models import AuditEvent, Case, TeamMember
from violations.prepared import Prepared
from violations.workflow import holding, lock_case, open_task

pytestmark = pytest.mark.django_db


def test_a_step_writes_its_audit_events_together_and_the_chain_still_verifies(walk):
    case = walk.report()
    before = list(AuditEvent.objects.filter(case=case).order_by("seq"))
    sql = statements(lambda: walk.verify(case))
    events = list(AuditEvent.objects.filter(case=case).order_by("seq"))
    new = events[len(before):]
    # The service's event and the stage the engine entered: two events, one insert and
    # one update of the chain head.
    assert [e.action for e in new] == ["verification.completed", "stage.entered"]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert new[0].prev_hash == before[-1].hash and new[1].prev_hash == new[0].hash
    assert sum('INSERT INTO "violations_auditevent"' in s for s in sql) == 1
    assert sum('UPDATE "violations_auditchain"' in s for s in sql) == 1
    assert verify(case=case).intact


def test_a_refused_step_leaves_no_event_behind_for_the_next_one(walk, world):
    case = walk.report()
    count = AuditEvent.objects.filter(case=case).count()
    with pytest.raises(NotAllowed):
        services.verification_complete(task=walk.task(case, "verify"), actor=world.investigator,
                                       outcome="proceed")
    assert AuditEvent.objects.filter(case=case).count() == count
    walk.verify(case)
    assert AuditEvent.objects.filter(case=case).count() == count + 2
    assert verify(case=case).intact


def test_the_lock_reads_the_case_with_the_process_row_and_no_savepoint(walk):
    case = walk.report()
    sql = statements(lambda: walk.verify(case))
    # The walker finds the task; the step opens its transaction (a savepoint inside the
    # test's own); the first statement in it is the lock, which reads the case and locks
    # it with its process row, setting no savepoint of its own.
    assert sql[1].startswith("SAVEPOINT")
    lock = sql[2]
    assert lock.startswith('SELECT "violations_case"."id"') and '"viewflow_process"' in lock
    if connection.features.has_select_for_update:
        assert lock.endswith("FOR UPDATE")
    # viewflow's lock query on the process alone is gone, and the case is read once.
    assert not any(s.startswith("SELECT") and 'FROM "viewflow_process"' in s for s in sql)
    assert sum(s.startswith('SELECT "violations_case"."id"') for s in sql) == 1


def test_timers_reach_the_case_the_flow_lock_read(walk):
    """The engine's callbacks under viewflow's own lock (a timer) write the instance the lock
    read, not a second locked copy."""
    from violations.flows import CaseFlow

    case = walk.report()
    with transaction.atomic(), CaseFlow.lock(case.process_id):
        first = lock_case(case)
        assert lock_case(case) is first
        assert first.process_id == case.process_id


def test_standing_is_read_once_per_step_and_again_after_a_team_change(walk, world):
    case = walk.report()
    walk.verify(case)
    case = walk.refresh(case)
    with transaction.atomic(), holding(case):
        first = statements(lambda: policy.standing(world.investigator2, case))
        assert len(first) == 1 and policy.standing(world.investigator2, case).role is None
        assert statements(lambda: policy.standing(world.investigator2, case)) == []
        TeamMember.objects.create(case=case, user=world.investigator2, role="member",
                                  appointed_by=world.manager)
        assert policy.standing(world.investigator2, case).role == "member"
        assert not policy.standing(world.investigator2, case).declared
        transaction.set_rollback(True)
    # Outside a step nothing is kept.
    assert len(statements(lambda: policy.standing(world.investigator2, case))) == 1
    assert len(statements(lambda: policy.standing(world.investigator2, case))) == 1


def test_standing_answers_each_question(walk, world):
    case = walk.to_approval(walk.report())
    case = walk.refresh(case)
    assert policy.is_reporter(world.reporter, case)
    lead = policy.standing(world.investigator, case)
    assert lead.on_team and lead.role == "lead" and lead.declared and not lead.conflict
    assert not policy.standing(world.depthead, case).on_team
    assert policy.standing(world.depthead, case).heads_subject_department
    assert not policy.standing(world.officer, case).heads_subject_department
    assert not policy.standing(world.outsider, case).responsible


def test_a_prepared_query_runs_with_each_value_and_refuses_an_unused_one(walk):
    cases = [walk.report(), walk.report()]
    by_pk = Prepared(lambda pk: Case.objects.filter(pk=pk).values("reference"), "pk")
    for case in cases:
        assert by_pk.first(Case, pk=case.pk) == {"reference": case.reference}
    assert by_pk.first(Case, pk=-1) is None
    unused = Prepared(lambda pk, other: Case.objects.filter(pk=pk).values("pk"), "pk", "other")
    with pytest.raises(ValueError):
        unused.first(Case, pk=cases[0].pk, other=1)


def test_an_unassigned_task_is_claimed_and_completed_in_one_write(walk, world):
    case = walk.report()
    task = open_task(case, "verify")
    assert task.owner_id is None
    sql = statements(lambda: walk.verify(case))
    updates = [s for s in sql if s.startswith('UPDATE "viewflow_task"')
               and s.endswith(f'WHERE "viewflow_task"."id" = {task.pk}')]
    assert len(updates) == 1
    task.refresh_from_db()
    assert task.owner == world.officer and task.status == "DONE"


def test_links_read_again_after_a_change_within_a_step(walk, world):
    """The audit trail reads a case's subjects once per step; a change of subjects within
    the step is seen by the next event's digest, so the chain verifies."""
    from violations import audit

    case = walk.report()
    with transaction.atomic(), holding(case):
        audit.record(action="test.first", actor=world.manager, case=case, records=[case])
        case.subjects.add(world.subject2)
        audit.record(action="test.second", actor=world.manager, case=case, records=[case])
    second = AuditEvent.objects.get(case=case, action="test.second")
    digest = next(r["digest"] for r in second.records if r["model"] == "violations.case")
    assert digest == audit.record_digest(Case.objects.get(pk=case.pk))
    assert verify(case=case).intact


def test_a_new_case_has_one_history_row_per_change_and_its_process(walk):
    case = walk.report()
    rows = list(Case.history.filter(id=case.pk).order_by("history_id"))
    assert [r.history_change_reason for r in rows] == ["reported", "stage: verification"]
    assert rows[-1].process_id == case.process_id is not None
    assert Case.objects.get(pk=case.pk).process_id == case.process_id
    assert verify(case=case).intact


def test_references_are_consecutive(walk):
    first, second = walk.report(), walk.report()
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_history_managers_are_built_once_and_still_work(walk):
    from violations.history import OnceHistoryDescriptor

    assert isinstance(Case.__dict__["history"], OnceHistoryDescriptor)
    assert type(Case.history) is type(Case.history)
    case = walk.report()
    assert case.history.count() == Case.history.filter(id=case.pk).count() == 2
    assert case.history.first().instance.reference == case.reference


def test_the_gateway_takes_the_finding_the_step_just_wrote(walk):
    """facts_determine remembers its finding for the step; the If after it reads no finding
    back, and the finding's round comes from the step's one query of the facts."""
    from violations.workflow import recall, remember

    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    sql = statements(lambda: walk.find_facts(case))
    assert not [s for s in sql if s.startswith('SELECT "violations_finding"')]
    assert not [s for s in sql if s.startswith("SELECT COUNT(*)")]
    assert walk.open_names(case) == ["propose"]
    # Outside a step nothing is kept.
    remember(case, "finding", object())
    assert recall(case, "finding") is None


def test_a_finding_after_a_return_is_the_next_round_and_routes_by_itself(walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case, "return", reason="Interview the branch manager too.")
    assert walk.open_names(case) == ["investigate"]
    walk.investigate(case)
    walk.find_facts(case, established=False)
    rounds = list(case.findings.order_by("round").values_list("round", "established"))
    assert rounds == [(1, True), (2, False)]
    # The second, unestablished finding decided the gateway: the case closes.
    assert walk.refresh(case).stage == "closed"
