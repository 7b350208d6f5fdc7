"""What a step guarantees: its events chained in order, nothing left by a refusal, the
standing it checks, the rounds its gateways route by."""

import pytest

from casework import services as work
from casework.engine import open_task
from violations import audit, policy
from violations.audit import verify
from violations.exceptions import NotAllowed
from violations.models import Case

pytestmark = pytest.mark.django_db


def test_a_step_appends_its_events_in_sequence_and_the_chain_still_verifies(walk):
    case = walk.report()
    before = list(audit.events_of(case).order_by("seq"))
    walk.verify(case)
    events = list(audit.events_of(case).order_by("seq"))
    new = events[len(before) :]
    # The service's event and the stage the engine entered.
    assert [e.action for e in new] == ["verification.completed", "stage.entered"]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert new[0].prev_hash == before[-1].hash
    assert new[1].prev_hash == new[0].hash
    assert verify(case=case).intact


def test_a_refused_step_leaves_no_event_behind_for_the_next_one(walk, world):
    case = walk.report()
    count = audit.events_of(case).count()
    with pytest.raises(NotAllowed):
        work.verification_complete(
            task=walk.task(case, "verify"), actor=world.investigator, outcome="proceed"
        )
    assert audit.events_of(case).count() == count
    walk.verify(case)
    assert audit.events_of(case).count() == count + 2
    assert verify(case=case).intact


def test_standing_answers_each_question(walk, world):
    case = walk.to_approval(walk.report())
    case = walk.refresh(case)
    assert policy.is_reporter(world.reporter, case)
    lead = policy.standing(world.investigator, case)
    assert lead.on_team
    assert lead.role == "lead"
    assert lead.declared
    assert not lead.conflict
    assert not policy.standing(world.depthead, case).on_team
    assert policy.standing(world.depthead, case).heads_subject_department
    assert not policy.standing(world.officer, case).heads_subject_department
    assert not policy.standing(world.outsider, case).responsible


def test_an_unassigned_task_is_claimed_by_whoever_completes_it(walk, world):
    case = walk.report()
    task = open_task(case, "verify")
    assert task.owner_id is None
    walk.verify(case)
    task.refresh_from_db()
    assert task.owner == world.officer
    assert task.status == "DONE"


def test_a_new_case_has_one_history_row_per_change_and_its_process(walk):
    case = walk.report()
    rows = list(Case.history.filter(id=case.pk).order_by("history_id"))
    assert [r.history_change_reason for r in rows] == [
        "reported",
        "process started",
        "stage: verification",
    ]
    assert rows[-1].process_id == case.process_id is not None
    assert Case.objects.get(pk=case.pk).process_id == case.process_id
    assert verify(case=case).intact


def test_references_are_consecutive(walk):
    first, second = walk.report(), walk.report()
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


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
