"""Approval levels from the catalogue, the two-approver rule, and segregation of duties."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from casework import services as work
from casework.engine import open_task
from sanctions.models import SanctionKind
from violations.exceptions import NotAllowed

from .conftest import snapshot, to_propose

SOON = dt.date.today() + dt.timedelta(days=7)
DEMOTION = {"parameters": {"change": "demotion", "from": "Relationship manager", "to": "Teller"}}


def at_approval(walk, sanction="warning", severity="general", **kw):
    case = to_propose(walk, severity=severity)
    walk.propose(case, sanction=sanction, **kw)
    assert walk.open_names(case) == ["approve"]
    return case


@pytest.mark.parametrize(
    ("sanction", "kw", "level", "refused", "allowed"),
    [
        ("warning", {}, "department", "outsider", "depthead"),
        ("criticism", {}, "department", "outsider", "manager"),
        (
            "suspension",
            {
                "period_start": SOON.isoformat(),
                "period_end": (SOON + dt.timedelta(days=28)).isoformat(),
            },
            "compliance",
            "depthead",
            "manager",
        ),
        (
            "deduction",
            {"amount": 500},
            "compliance",
            "depthead",
            "manager",
        ),
        ("demotion", DEMOTION, "senior", "manager", "senior"),
    ],
)
def test_each_level_is_held_by_its_role_or_a_higher_one(
    walk, world, sanction, kw, level, refused, allowed
):
    import datetime as dt
    from decimal import Decimal

    kw = {
        k: (
            dt.date.fromisoformat(v)
            if k.startswith("period_")
            else Decimal(v)
            if k == "amount"
            else v
        )
        for k, v in kw.items()
    }
    case = at_approval(walk, sanction=sanction, severity="major", **kw)
    proposal = case.sanction_proposals.get()
    assert (proposal.required_level, proposal.approvals_required) == (level, 1)
    before = snapshot(walk, case)
    with pytest.raises(NotAllowed):
        walk.decide(case, approver=getattr(world, refused))
    assert snapshot(walk, case) == before
    walk.decide(case, approver=getattr(world, allowed))
    proposal.refresh_from_db()
    assert proposal.status == "approved"


def test_levels_are_configurable_in_the_catalogue(walk, world):
    SanctionKind.objects.filter(code="warning").update(approval_level="senior")
    case = at_approval(walk)
    with pytest.raises(NotAllowed, match="level"):
        walk.decide(case, approver=world.depthead)
    walk.decide(case, approver=world.senior)
    assert case.sanction_proposals.get().status == "approved"


@pytest.mark.parametrize(("sanction", "kw"), [("termination", {}), ("judicial", {})])
def test_gravest_sanctions_need_two_distinct_senior_approvers(walk, world, senior2, sanction, kw):
    case = at_approval(walk, sanction=sanction, severity="major", **kw)
    proposal = case.sanction_proposals.get()
    assert (proposal.required_level, proposal.approvals_required) == ("senior", 2)
    walk.decide(case, approver=world.senior)
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert walk.open_names(case) == ["approve"]
    # The first approver is no longer eligible: neither to claim nor to decide.
    before = snapshot(walk, case)
    with pytest.raises(NotAllowed, match="already approved"):
        work.task_claim(task=open_task(case, "approve"), actor=world.senior)
    with pytest.raises(NotAllowed, match="already approved"):
        walk.decide(case, approver=world.senior)
    assert snapshot(walk, case) == before
    walk.decide(case, approver=senior2)
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert list(proposal.decisions.values_list("approver__username", flat=True)) == [
        "senior",
        "senior2",
    ]
    assert walk.open_names(case) == ["execute_sanctions", "notify_regulator", "plan_remediation"]


def test_second_approver_may_still_reject(walk, world, senior2):
    case = at_approval(walk, sanction="termination", severity="major")
    walk.decide(case, approver=world.senior)
    walk.decide(case, decision="reject", approver=senior2, reason="Disproportionate")
    assert case.sanction_proposals.get().status == "rejected"
    assert walk.open_names(case) == ["propose"]


def test_return_reopens_the_investigation(walk, world):
    case = at_approval(walk)
    walk.decide(case, decision="return", reason="Interview the manager")
    assert walk.open_names(case) == ["investigate"]
    assert case.sanction_proposals.get().status == "returned"


def _make(world, who):
    """Give the person every approval role; segregation of duties must still refuse them."""
    roles = Group.objects.filter(name__in=["Senior management", "Department head"])
    if who == "subject":
        world.subject.user = world.outsider
        world.subject.save()
        user = world.outsider
    elif who == "responsible":
        world.subject2.user = world.outsider
        world.subject2.save()
        user = world.outsider
    else:
        user = getattr(world, who)
    user.groups.add(*roles)
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("officer", "You proposed these sanctions"),
        ("investigator", "You investigated this case"),
        ("investigator2", "You investigated this case"),
        ("reporter", "You reported this case"),
        ("subject", "You are a subject of this case"),
        ("responsible", "You are a responsible person"),
    ],
)
def test_segregation_of_duties_refuses_and_changes_nothing(walk, world, who, message):
    case = to_propose(walk, people=[(world.subject, "direct"), (world.subject2, "managerial")])
    walk.propose(case)
    user = _make(world, who)
    before = snapshot(walk, case)
    with pytest.raises(NotAllowed, match=message):
        walk.decide(case, approver=user)
    with pytest.raises(NotAllowed, match=message):
        work.task_claim(task=open_task(case, "approve"), actor=user)
    assert snapshot(walk, case) == before
    assert open_task(case, "approve").owner_id is None


def test_a_decision_is_refused_while_anyone_concerned_is_unheard(walk, world):
    """The approver's facts are read in one query under the lock: a defence record that is
    pending again (a late correction) stops the decision and changes nothing."""
    from sanctions.models import DefenceRecord
    from violations.exceptions import InvalidState

    case = at_approval(walk)
    DefenceRecord.objects.filter(proposal__case=case).update(status="pending")
    before = snapshot(walk, case)
    with pytest.raises(InvalidState, match="not all been heard"):
        walk.decide(case)
    assert snapshot(walk, case) == before
    assert walk.open_names(case) == ["approve"]
