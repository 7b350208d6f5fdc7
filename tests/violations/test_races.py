"""Two people complete the same task at the same moment: exactly one wins, the other is told
so (never a 500), nothing is done twice, and the audit chain never forks.

Each race runs the two submissions in two threads, each with its own database connection,
released together by a barrier. The tests commit for real (``transaction=True``), so the
database's own locking decides: the process row lock on PostgreSQL, the single writer of
SQLite (transactions begin IMMEDIATE and queue for up to 20 s).
"""

import dataclasses
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import node, open_task
from ledger.models import AuditEvent
from sanctions import services as sanc
from sanctions.models import ProposedSanction
from tests.violations.factories import UserFactory
from tests.walk import Walker
from violations import audit, services
from violations.audit import verify
from violations.exceptions import Conflict
from violations.models import Case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(*calls, timeout=60):
    """Run each call in its own thread and connection, all released at the same instant.
    Returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout)
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a racer hung"
    return results


class Pinned(Walker):
    """A walker whose steps act on one given task (both racers must aim at the same one)."""

    def __init__(self, world, pinned):
        super().__init__(world)
        self.pinned = pinned

    def task(self, case, name):
        return self.pinned


# --- the steps: how to reach each, how to complete it, and who races whom ---------------------


def _investigation_on_file(walk, case):
    case = walk.refresh(case)
    services.evidence_add(
        case=case,
        actor=walk.w.investigator,
        upload=SimpleUploadedFile("call.txt", b"call transcript", "text/plain"),
        kind="document",
        description="Call transcript",
    )


def _at_approval(walk, case):
    walk.to_approval(case)


def _approved(walk, case):
    walk.to_approval(case)
    walk.decide(case)


def _appealed(walk, case, world):
    walk.to_approval(case)
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)
    walk.plan(case)
    walk.complete_actions(case)
    work.appeal_file(
        case=case, actor=world.hr, employee=world.subject, grounds="The customer insisted."
    )
    walk.fire_timers(case)
    walk.review(case)


def _decide_appeal(w, case, outcome="upheld"):
    appeal = case.appeals.get()
    items = []
    if outcome == "modified":
        rp = case.findings.get().responsible.get()
        items = [
            sanc.SanctionItem(responsible=rp, sanction_type="warning", parameters={"form": "oral"})
        ]
    return work.appeal_decide(
        task=w.task(case, "decide_appeal"),
        actor=w.w.senior,
        appeal=appeal,
        outcome=outcome,
        reason="Decided on the file.",
        items=items,
    )


def _revised(walk, case, world):
    _appealed(walk, case, world)
    _decide_appeal(walk, walk.refresh(case), outcome="modified")


def _execute_revised(w, case):
    new = ProposedSanction.objects.get(proposal__case=case, status="approved")
    return work.sanction_execute(
        task=w.task(case, "execute_revised"),
        actor=w.w.hr,
        executions={new.pk: (timezone.localdate(), "told orally")},
    )


def _review_ready(walk, case):
    _approved(walk, case)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)


@dataclasses.dataclass
class Step:
    name: str
    prepare: object  # (walk, case, world) -> None: leaves the case with this step open
    submit: object  # (walker, case) -> result
    rival: str | None  # World attribute of the role the second racer replaces; None: same user
    successors: dict  # node name -> tasks of that node expected in the process afterwards
    customer: bool = False
    severity: str = "general"


STEPS = [
    Step("verify", lambda walk, c, w: None, lambda w, c: w.verify(c), "officer", {"form_team": 1}),
    Step(
        "form_team",
        lambda walk, c, w: walk.verify(c),
        lambda w, c: w.form_team(c, declare=False),
        "manager",
        {"investigate": 1},
    ),
    Step(
        "replace_lead",
        lambda walk, c, w: (
            walk.verify(c),
            walk.form_team(c, declare=False),
            work.team_declare(case=c, actor=w.investigator, has_conflict=True, statement="Kin"),
        ),
        lambda w, c: work.lead_replace(
            task=w.task(c, "replace_lead"),
            actor=w.w.manager,
            new_lead=w.w.investigator2,
            reason="The lead declared a conflict.",
        ),
        "manager",
        {"investigate": 1},
    ),
    Step(
        "investigate",
        lambda walk, c, w: (walk.verify(c), walk.form_team(c), _investigation_on_file(walk, c)),
        lambda w, c: work.investigation_submit(
            task=w.task(c, "investigate"),
            actor=w.w.investigator,
            summary="Reviewed the call.",
            conclusion="Mis-sold.",
        ),
        None,
        {"find_facts": 1},
    ),
    Step(
        "find_facts",
        lambda walk, c, w: (walk.verify(c), walk.form_team(c), walk.investigate(c)),
        lambda w, c: w.find_facts(c),
        None,
        {"propose": 1},
    ),
    Step(
        "propose",
        lambda walk, c, w: (
            walk.verify(c),
            walk.form_team(c),
            walk.investigate(c),
            walk.find_facts(c),
        ),
        lambda w, c: w.propose(c, defence=False),
        "officer",
        {"defence": 1},
    ),
    Step(
        "defence",
        lambda walk, c, w: (
            walk.verify(c),
            walk.form_team(c),
            walk.investigate(c),
            walk.find_facts(c),
            walk.propose(c, defence=False),
        ),
        lambda w, c: w.defence(c),
        "officer",
        {"approve": 1},
    ),
    Step(
        "approve",
        lambda walk, c, w: _at_approval(walk, c),
        lambda w, c: w.decide(c),
        "depthead",
        {"execute_sanctions": 1, "plan_remediation": 1},
    ),
    Step(
        "execute_sanctions",
        lambda walk, c, w: _approved(walk, c),
        lambda w, c: w.execute(c, close_appeal_window=False),
        "hr",
        {"appeal_window": 1},
    ),
    Step(
        "customer_feedback",
        lambda walk, c, w: _approved(walk, c),
        lambda w, c: w.feedback(c),
        "officer",
        {"finished": 1},
        customer=True,
    ),
    Step(
        "notify_regulator",
        lambda walk, c, w: _approved(walk, c),
        lambda w, c: w.notify_regulator(c),
        "officer",
        {"finished": 1},
        severity="major",
    ),
    Step(
        "plan_remediation",
        lambda walk, c, w: _approved(walk, c),
        lambda w, c: w.plan(c),
        "officer",
        {"complete_action": 1},
    ),
    Step(
        "complete_action",
        lambda walk, c, w: (_approved(walk, c), walk.plan(c)),
        lambda w, c: work.action_complete(
            task=w.task(c, "complete_action"),
            actor=w.w.owner,
            completion_note="Training held",
            proof_link="https://intranet.example/t/1",
        ),
        None,
        {"wait_review": 1},
    ),
    Step(
        "review",
        lambda walk, c, w: _review_ready(walk, c),
        lambda w, c: w.review(c),
        "reviewer",
        {"end": 1},
    ),
    Step("decide_appeal", _appealed, lambda w, c: _decide_appeal(w, c), "senior", {"end": 1}),
    Step("execute_revised", _revised, _execute_revised, "hr", {"end": 1}),
]

ROLES = {
    "officer": "Compliance officer",
    "manager": "Case manager",
    "depthead": "Senior management",
    "hr": "HR officer",
    "reviewer": "Effectiveness reviewer",
    "senior": "Senior management",
}


def test_every_human_step_of_the_flow_is_raced():
    """A new human step in flows.py must get its race here."""
    from casework.flows import CaseFlow

    human = {n.name for n in CaseFlow.instance.nodes() if n.__class__.__name__ == "CaseView"}
    assert human == {s.name for s in STEPS}


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_two_people_complete_the_same_task_at_once(step, world, walk):
    case = walk.report(customer=step.customer)
    if step.severity != "general":
        walk.find_facts = _with_severity(walk.find_facts, step.severity)
    step.prepare(walk, case, world)
    case = walk.refresh(case)
    task = open_task(case, step.name)
    assert task is not None, walk.open_names(case)
    if step.rival:
        rival = UserFactory(username=f"{step.rival}2", roles=[ROLES[step.rival]])
        worlds = [world, dataclasses.replace(world, **{step.rival: rival})]
    else:  # the task is assigned to one person: they submit twice (two tabs, a double click)
        worlds = [world, world]
    events_before = audit.events_of(case).count()

    results = race(
        *[lambda w=w: step.submit(Pinned(w, task), Case.objects.get(pk=case.pk)) for w in worlds]
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], Conflict), repr(errors[0])
    assert str(errors[0])
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert Task.objects.filter(process_id=case.process_id, flow_task=node(step.name)).count() == (
        1 if step.name != "complete_action" else case.corrective_actions.count()
    )
    for name, count in step.successors.items():
        assert (
            Task.objects.filter(process_id=case.process_id, flow_task=node(name)).count() == count
        ), name
    assert audit.events_of(case).filter(payload__task=task.pk).count() == 1
    assert audit.events_of(case).count() > events_before
    report = verify(case=case)
    assert report.intact, report.problems


def _with_severity(find_facts, severity):
    def wrapped(case, **kw):
        kw.setdefault("severity", severity)
        return find_facts(case, **kw)

    return wrapped


# --- through the real views ----------------------------------------------------------------------

BASE = "/work/case"


def task_url(task, action):
    return f"{BASE}/{task.process_id}/{task.flow_task.name}/{task.pk}/{action}/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_officers_claim_the_same_task_at_once_through_the_views(world, walk):
    officer2 = UserFactory(username="officer2", roles=["Compliance officer"])
    case = walk.report()
    task = open_task(case, "verify")
    clients = [logged_in(world.officer), logged_in(officer2)]

    responses = race(*[lambda c=c: c.post(task_url(task, "assign")) for c in clients])

    assert all(not isinstance(r, BaseException) for r in responses), responses
    task.refresh_from_db()
    assert task.owner_id in (world.officer.pk, officer2.pk)
    assert audit.events_of(case).filter(action="task.claimed").count() == 1
    won = [world.officer.pk, officer2.pk].index(task.owner_id)
    winner, loser = responses[won], responses[1 - won]
    assert (winner.status_code, winner["Location"]) == (302, task_url(task, "execute"))
    # The loser is refused: by the claim service (a message, back to the task) if both got
    # past viewflow's check, or by viewflow's own check (403) if the claim had committed.
    assert loser.status_code in (302, 403)
    if loser.status_code == 302:
        assert loser["Location"] != task_url(task, "execute")


def test_a_double_submitted_verification_form_is_saved_once(world, walk):
    case = walk.report()
    task = open_task(case, "verify")
    work.task_claim(task=task, actor=world.officer)
    clients = [logged_in(world.officer), logged_in(world.officer)]
    for c in clients:
        assert c.get(task_url(task, "execute")).status_code == 200
    data = {"outcome": "proceed", "first_evidence": "Call log", "reason": ""}

    responses = race(*[lambda c=c: c.post(task_url(task, "execute"), data) for c in clients])

    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert [r.status_code for r in responses].count(302) >= 1
    case = Case.objects.get(pk=case.pk)
    assert case.verification.outcome == "proceed"
    assert audit.events_of(case).filter(action="verification.completed").count() == 1
    assert Task.objects.filter(process_id=case.process_id, flow_task=node("form_team")).count() == 1
    assert verify(case=case).intact


# --- the chain under concurrent writers ----------------------------------------------------------


def test_four_writers_appending_to_one_chain_never_fork_it(world, walk):
    """A naive read-last-then-insert forked 182 of 399 entries with four writers on
    PostgreSQL; the chain row lock makes them queue."""
    case = walk.report()
    start = audit.chain_head(case).seq

    def append(writer):
        for i in range(15):
            with transaction.atomic():
                audit.record(
                    action="test.appended",
                    actor=world.auditor,
                    case=Case.objects.get(pk=case.pk),
                    payload={"writer": writer, "i": i},
                )
        return writer

    results = race(*[lambda n=n: append(n) for n in range(4)])

    assert results == [0, 1, 2, 3]
    seqs = list(
        AuditEvent.objects.filter(chain__key=f"case:{case.pk}")
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, start + 61))
    assert audit.chain_head(case).seq == start + 60
    report = verify(case=case)
    assert report.intact, report.problems


def test_concurrent_reports_each_get_their_own_reference_and_chain(world, walk):
    results = race(*[lambda: walk.report() for _ in range(4)])

    assert all(isinstance(r, Case) for r in results), results
    assert len({r.reference for r in results}) == 4
    assert verify().intact
    assert sorted(Case.objects.values_list("reference", flat=True)) == sorted(
        r.reference for r in results
    )
